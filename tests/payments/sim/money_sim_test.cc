#include "tests/payments/sim/money_sim.h"

#include <catch2/catch_test_macros.hpp>
#include <cstdlib>
#include <string>

using jwo::sim::ReplayCommand;
using jwo::sim::RunSeed;
using jwo::sim::SimOptions;
using jwo::sim::SimReport;

namespace {

// JWO_SIM_SEEDS=N runs more seeds (docs/payments.md, "The simulation").
uint64_t SeedCount(uint64_t fallback) {
  const char* v = std::getenv("JWO_SIM_SEEDS");
  return v != nullptr ? std::strtoull(v, nullptr, 10) : fallback;
}

}  // namespace

TEST_CASE("the money path keeps every invariant over a few thousand seeds") {
  SimOptions o;
  uint64_t crashes = 0, unknown = 0, resolved = 0, declined = 0, expired = 0, calls = 0;
  const uint64_t seeds = SeedCount(2000);
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    o.seed = seed;
    const SimReport r = RunSeed(o);
    if (!r.ok) {
      FAIL("seed " << seed << ": " << r.failure << "\nreplay: build/tests/payments/"
                   << ReplayCommand(o));
    }
    crashes += r.crashes;
    unknown += r.unknown_captures;
    resolved += r.resolved_captured;
    declined += r.declined;
    expired += r.expired;
    calls += r.calls;
  }
  // The seeds must reach the hard cases, or the run proves little.
  CHECK(crashes > seeds / 2);
  CHECK(unknown > seeds / 10);
  CHECK(resolved > 0);
  CHECK(declined > seeds / 2);
  CHECK(expired > 0);
  WARN(seeds << " seeds: " << calls << " calls, " << crashes << " crashes, " << unknown
             << " unknown captures held (" << resolved << " had happened), " << declined
             << " declines, " << expired << " expiries");
}

TEST_CASE("a seed replays exactly") {
  SimOptions o;
  o.seed = 77;
  const SimReport a = RunSeed(o);
  const SimReport b = RunSeed(o);
  REQUIRE(a.ok);
  CHECK(a.events == b.events);
  CHECK(a.commits == b.commits);
  CHECK(a.crashes == b.crashes);
  CHECK(a.calls == b.calls);
  CHECK(a.simulated_ms == b.simulated_ms);
}

TEST_CASE("the checker catches a double charge: resending unknown Captures breaks it") {
  // Under unknown_capture: resend, a Capture whose answer was lost goes again, and the
  // simulated service (which, unlike Amazon's unconfirmed promise, charges every Capture)
  // takes the money twice. The simulation must notice within a few seeds.
  SimOptions o;
  o.resend_unknown_captures = true;
  bool caught = false;
  std::string failure;
  for (uint64_t seed = 1; seed <= 200 && !caught; ++seed) {
    o.seed = seed;
    const SimReport r = RunSeed(o);
    if (!r.ok) {
      caught = true;
      failure = r.failure;
    }
  }
  REQUIRE(caught);
  CHECK(failure.find("captured 2 times") != std::string::npos);
}
