// The deterministic simulation of the money path (docs/payments.md, "The simulation").
//
// One seed drives everything: the carts Amazon sends (and sends again), how each card answers
// Adjust, the network (latency, refused connections, requests broken off, answers lost or too
// late, 429/500/503, outages of minutes to hours), crashes of the daemon at its commit points
// (before a commit, or after it before anyone heard) and at random moments, and the store
// operator's actions (resolving capture_unknown trips from Amazon's record, releasing held
// carts, refunds, dropping refused refunds). The code under test is the real one: pricing
// (ordering::BuildTrip with a real catalog), CommitPurchase, the payment state machine, the
// OutboxSchedule's decisions and the outbox commit points, expiry, operator actions — on a
// real LMDB store, with a simulated clock instead of threads, sockets and wall time.
//
// After every commit the invariants of the trip it touched are checked, all of them after
// every crash and at the end:
//   - no trip is ever captured twice at the Payment Service (under unknown_capture: hold);
//   - no Adjust, Capture or Cancel reaches the service for a trip already settled;
//   - a declined trip is exactly one debt of what was not captured; an expired one is debt
//     for what was not captured; a cancelled one is none;
//   - every shopper's balance equals the sum of their open debts;
//   - nothing acknowledged (a 201 to Create Purchases) is lost across a crash;
//   - refunded <= captured, at the service and in the store;
//   - money the service may have taken is never also the shopper's debt
//     (captured at the service + debt of the trip <= its total);
//   - at the end, after the network heals: every trip settled, the store agrees with the
//     service on what was captured and refunded, and no call is left but dead letters.
// A broken invariant stops the run and names the seed; ReplayCommand(options) reproduces it.
//
// Single-threaded; one run per World. Uses a temporary directory (on /dev/shm when present).
#pragma once

#include <cstdint>
#include <string>

namespace jwo::sim {

struct SimOptions {
  uint64_t seed = 1;
  int trips = 10;
  // The policy under test. Under kResend the "captured twice" invariant is expected to break
  // when a Capture's answer is lost (that is what the switch is for): tests use it to show the
  // checker catches a double charge.
  bool resend_unknown_captures = false;
  bool trace = false;  // print every event (to stderr)
};

struct SimReport {
  bool ok = true;
  std::string failure;  // the broken invariant and where
  uint64_t events = 0;
  uint64_t commits = 0;
  uint64_t crashes = 0;
  uint64_t calls = 0;              // requests the service received whole
  uint64_t unknown_captures = 0;   // Captures held as unknown (at run time or after a crash)
  uint64_t resolved_captured = 0;  // ... resolved by the operator: the service had it
  uint64_t declined = 0;
  uint64_t expired = 0;
  uint64_t refunds = 0;
  int64_t simulated_ms = 0;
};

SimReport RunSeed(const SimOptions& options);

// The command line that replays `options` exactly ("jwo-money-sim --seed N ...").
std::string ReplayCommand(const SimOptions& options);

}  // namespace jwo::sim
