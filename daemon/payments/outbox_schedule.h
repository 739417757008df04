// OutboxSchedule: every sending decision of the outbox dispatcher, with no thread, socket, lock
// or clock of its own (docs/payments.md, "Unknown outcomes").
//
// It keeps the in-memory schedule of the outbox (which entry is due when, which is on the
// wire, per-trip order, the in-flight bound), classifies what an attempt's result means, and
// says what must be committed before the result is acted on. Time comes in as `now`; the retry
// jitter comes from a generator seeded by the owner. The Dispatcher drives it from one thread
// with real sockets and the store writer; the money-path simulation (tests/payments/sim) drives
// the very same object with a simulated clock and Payment Service, and crashes it.
//
// The rule it exists for: a Capture has no idempotency key, so a Capture whose request was
// fully written and whose answer never came is never sent again under the default policy
// (`payments.unknown_capture: hold`). Its start is committed before its bytes go out
// (Dispatch::start_commit), so a crash while it is on the wire is found at the next start
// (Merge returns it) and treated the same way.
//
// Thread-compatible: the owner serializes every call (the Dispatcher holds its mutex).
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "payments/lifecycle.h"
#include "payments/payment_client.h"
#include "store/trip_record.h"

namespace jwo::payments {

// What an attempt's result says about the Payment Service's state.
enum class AttemptOutcome {
  kNotProcessed,  // nothing happened there: the request was never wholly sent, or the answer
                  // says so (429, 503, 401, 403, 408)
  kAnswered,      // a definitive answer: 2xx, or a 4xx other than the above
  kUnknown,       // the request was wholly sent and no definitive answer came: a timeout, a
                  // reset, an end of stream, a 500/502/504 — it may have been carried out
};
std::string_view AttemptOutcomeName(AttemptOutcome o);
AttemptOutcome ClassifyAttempt(const OutboundResult& r);

enum class UnknownCapturePolicy {
  kHold,    // default: the trip goes to capture_unknown for an operator
  kResend,  // the retailer's Amazon onboarding confirmed that a repeated Capture is a no-op
};

struct ScheduleOptions {
  uint32_t max_in_flight = 8;
  int64_t retry_base_ms = 1000;     // first retry after ~1 s, doubling
  int64_t retry_cap_ms = 300'000;   // never wait longer than 5 minutes between attempts
  int64_t pending_retry_ms = 5000;  // Adjust answered PENDING: ask again after this
  UnknownCapturePolicy unknown_capture = UnknownCapturePolicy::kHold;
};

// What the owner must commit (in one write transaction, see outbox_commits.h) before it
// reports an attempt's end with Finish.
enum class CommitKind {
  kNothing,             // a repeatable call failed before any effect, or the owner stopped
  kApplyAnswer,         // CommitAnswer: the answer moves the trip on (or is a dead letter)
  kClearAttempt,        // a Capture that was not processed: clear its started mark
  kHoldUnknownCapture,  // a Capture whose outcome is unknown: HoldUnknownCapture
};

struct AttemptPlan {
  CommitKind commit = CommitKind::kNothing;
  AttemptOutcome outcome = AttemptOutcome::kNotProcessed;
  RetryReason reason = RetryReason::kNone;  // why it is retried when it is
  std::string error;                        // for logs and the entry's last_error
};

struct ScheduleStats {
  uint64_t queued = 0;  // live entries (including those in flight)
  uint64_t dead_letters = 0;
  uint64_t unknown_captures = 0;  // entries held with an unknown outcome
  uint64_t in_flight = 0;
  int64_t oldest_age_ms = 0;  // age of the oldest live entry
};

class OutboxSchedule {
 public:
  OutboxSchedule(ScheduleOptions options, uint64_t seed);

  const ScheduleOptions& options() const { return options_; }

  // A store scan: BeginScan says where to start reading (every entry when `all`, else only
  // those not seen yet); Merge takes the rows read in one read transaction begun after it.
  struct ScanRange {
    uint64_t from = 1;
    uint64_t high_water = 1;  // every entry below it was known before the snapshot
    uint64_t generation = 0;  // answers applied before the snapshot
    bool all = false;
  };
  ScanRange BeginScan(bool all) const;
  // Merges the rows. An entry the schedule never saw that has a Capture attempt started is
  // from before a crash: it is returned (and not sent) — the owner commits
  // RecoverStartedCapture for it and then calls Finish. Entries that disappeared (an operator
  // dropped them) are forgotten unless on the wire; an entry an operator revived (dead letter
  // or resolved unknown capture) takes the store's version.
  std::vector<store::OutboxEntry> Merge(const ScanRange& range,
                                        std::vector<store::OutboxEntry> rows);

  struct Dispatch {
    store::OutboxEntry entry;
    bool start_commit = false;  // commit CommitAttemptStart before sending (a Capture)
  };
  // The entries to send now: for each trip only its oldest entry, if live, due, not on the
  // wire and the trip is not being expired; at most max_in_flight on the wire in all. Each is
  // marked in flight until Finish. *next_due is lowered to the earliest time a waiting entry
  // becomes due.
  std::vector<Dispatch> TakeDue(int64_t now, int64_t* next_due);

  // What the result of an attempt of entry `seq` means and what to commit for it.
  AttemptPlan Plan(uint64_t seq, const OutboundResult& r) const;

  enum class Verdict {
    kDone,        // consumed: forget it
    kRetry,       // same request again after a backoff (or pending_retry_ms for kPending)
    kDeadLetter,  // waits for an operator
    kHeld,        // outcome unknown (Capture): waits for an operator
    kNotSent,     // the attempt never started (the owner stopped, or its start commit failed
                  // with the entry gone): nothing changes but the in-flight mark
  };
  // Ends the attempt of `seq` (after its commit, if any). `retry_after` is the answer's
  // Retry-After header, if any.
  void Finish(uint64_t seq, Verdict verdict, RetryReason reason, int64_t now,
              std::string_view retry_after, std::string error);

  // The entry of `seq` as the schedule knows it; nullptr when unknown.
  const store::OutboxEntry* Find(uint64_t seq) const;

  // Pre-auth expiry: whether a call of `trip` is on the wire; marking a trip as expiring
  // keeps its calls from being sent; Expired forgets its withdrawn calls at once, so no call
  // the expiry withdrew can be sent before the next scan.
  bool TripBusy(std::string_view trip) const;
  bool MarkExpiring(const std::string& trip);  // false when already marked
  void UnmarkExpiring(const std::string& trip);
  void Expired(const std::string& trip);

  ScheduleStats Stats(int64_t now) const;
  uint64_t in_flight() const { return in_flight_; }

 private:
  struct Item {
    store::OutboxEntry entry;
    bool in_flight = false;
    // generation_ when this item's last attempt ended: a store snapshot older than that must
    // not overwrite what the schedule learned since.
    uint64_t finished_gen = 0;
  };
  int64_t RetryDelay(uint32_t attempts, std::string_view retry_after);

  ScheduleOptions options_;
  std::mt19937_64 rng_;
  std::map<uint64_t, Item> items_;  // by sequence: per-trip order is sequence order
  uint64_t scan_from_ = 1;
  uint64_t generation_ = 0;
  uint32_t in_flight_ = 0;
  std::set<std::string, std::less<>> expiring_;
};

}  // namespace jwo::payments
