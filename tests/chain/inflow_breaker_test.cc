#include "chain/inflow_breaker.h"

#include <catch2/catch_test_macros.hpp>

using jwo::chain::BreakerLimits;
using jwo::chain::InflowBreaker;

TEST_CASE("a burst from one store trips the breaker for that store, the whole burst held") {
  InflowBreaker b(BreakerLimits{10'000, 100, 3});
  const int64_t now = 1'000'000;
  for (int i = 0; i < 3; ++i) {
    CHECK_FALSE(b.Admit("a.t" + std::to_string(i) + ".trip", "a", now - i, now).hold);
  }
  CHECK_FALSE(b.tripped());
  auto d = b.Admit("a.t3.trip", "a", now, now);
  CHECK(d.hold);
  CHECK(d.tripped_now);
  CHECK(d.also_hold.size() == 3);  // the three applied before are taken back
  CHECK(b.Scope() == "a");
  auto again = b.Admit("a.t4.trip", "a", now, now);
  CHECK(again.hold);
  CHECK_FALSE(again.tripped_now);
  CHECK_FALSE(b.Admit("c.t1.trip", "c", now, now).hold);  // another store is unaffected
  b.Reset();
  CHECK_FALSE(b.tripped());
  CHECK_FALSE(b.Admit("a.t5.trip", "a", now, now).hold);
}

TEST_CASE("a backlog of old debts is not a burst; the window slides") {
  InflowBreaker b(BreakerLimits{10'000, 100, 2});
  const int64_t now = 5'000'000;
  for (int i = 0; i < 50; ++i) {  // delivered after an outage, created long ago
    CHECK_FALSE(b.Admit("a.old" + std::to_string(i) + ".trip", "a", now - 60'000 - i, now).hold);
  }
  CHECK_FALSE(b.Admit("a.n1.trip", "a", now - 9'000, now).hold);
  CHECK_FALSE(b.Admit("a.n2.trip", "a", now - 8'000, now).hold);
  // 11 s later the first two are out of the window.
  CHECK_FALSE(b.Admit("a.n3.trip", "a", now + 3'000, now + 3'000).hold);
  CHECK_FALSE(b.tripped());
}

TEST_CASE("many stores at once trip the chain-wide limit") {
  InflowBreaker b(BreakerLimits{10'000, 5, 50});
  const int64_t now = 1'000;
  for (int i = 0; i < 5; ++i) {
    CHECK_FALSE(
        b.Admit("s" + std::to_string(i) + ".t.trip", "s" + std::to_string(i), now, now).hold);
  }
  auto d = b.Admit("s9.t.trip", "s9", now, now);
  CHECK(d.hold);
  CHECK(d.also_hold.size() == 5);
  CHECK(b.Scope() == "chain");
  CHECK(b.Admit("s1.u.trip", "s1", now, now).hold);
}

TEST_CASE("a limit of 0 turns that scope off; a held store restored at start holds everything") {
  InflowBreaker off(BreakerLimits{10'000, 0, 0});
  for (int i = 0; i < 1000; ++i) CHECK_FALSE(off.Admit("k" + std::to_string(i), "a", 1, 1).hold);
  InflowBreaker restored(BreakerLimits{});
  restored.TripAll();
  CHECK(restored.Admit("k", "a", 1, 1).hold);
}
