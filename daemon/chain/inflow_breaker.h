// The debt-inflow breaker (docs/ledger.md): one bad batch must not put good shoppers on the
// deny list of every store (TfL, 2019: 250,000 cards).
//
// Counts the new open debts of other stores by their creation time: more than `chain_max`
// within `window_ms` from all stores together, or more than `store_max` from one store, trips
// the breaker for that scope. From then on, and for the debts already counted in the burst,
// debts of the scope are recorded but not denied on (chain_held) until an operator confirms
// them (jwo-edgectl ledger confirm), which resets the breaker. Debts created before the window
// (a backlog delivered after an outage) never count: they are not a burst.
//
// Pure and single-threaded (the chain sync thread owns it).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace jwo::chain {

struct BreakerLimits {
  int64_t window_ms = 600'000;
  uint32_t chain_max = 500;  // 0: no chain-wide limit
  uint32_t store_max = 50;   // 0: no per-store limit
};

class InflowBreaker {
 public:
  explicit InflowBreaker(BreakerLimits limits) : limits_(limits) {}

  struct Decision {
    bool hold = false;
    // Keys counted earlier in the burst that tripped the breaker now: hold them too.
    std::vector<std::string> also_hold;
    bool tripped_now = false;
  };
  // A new open debt of `origin` (not this store's) under bucket key `key`.
  Decision Admit(std::string_view key, std::string_view origin, int64_t created_ms, int64_t now_ms);

  // The operator confirmed what was held: counting starts afresh.
  void Reset();
  // At start, with debts still held from before: held until confirmed, all scopes.
  void TripAll() { chain_tripped_ = true; }

  bool tripped() const { return chain_tripped_ || !tripped_stores_.empty(); }
  // "chain", or the store ids tripped, comma-separated; empty when not tripped.
  std::string Scope() const;

 private:
  struct Seen {
    int64_t created_ms;
    std::string key;
  };
  void Prune(std::deque<Seen>& window, int64_t now_ms) const;

  BreakerLimits limits_;
  std::deque<Seen> chain_;
  std::map<std::string, std::deque<Seen>, std::less<>> stores_;
  bool chain_tripped_ = false;
  std::map<std::string, bool, std::less<>> tripped_stores_;
};

}  // namespace jwo::chain
