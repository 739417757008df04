#include "chain/inflow_breaker.h"

#include <algorithm>

namespace jwo::chain {

void InflowBreaker::Prune(std::deque<Seen>& window, int64_t now_ms) const {
  // Arrivals come in creation order only roughly (stores' clocks differ); a window is kept
  // sorted so pruning looks at its front.
  while (!window.empty() && window.front().created_ms < now_ms - limits_.window_ms) {
    window.pop_front();
  }
}

InflowBreaker::Decision InflowBreaker::Admit(std::string_view key, std::string_view origin,
                                             int64_t created_ms, int64_t now_ms) {
  Decision d;
  if (chain_tripped_ || tripped_stores_.count(origin) != 0) {
    d.hold = true;
    return d;
  }
  // Counted once: a transaction that is run again (the map grew) asks again about the same key.
  for (const Seen& s : chain_) {
    if (s.key == key) return d;
  }
  const int64_t at = std::min(created_ms, now_ms);  // a clock ahead of ours counts as now
  if (at < now_ms - limits_.window_ms) return d;    // a backlog, not a burst
  auto insert = [&](std::deque<Seen>& w) {
    auto pos = std::upper_bound(w.begin(), w.end(), at,
                                [](int64_t t, const Seen& s) { return t < s.created_ms; });
    w.insert(pos, Seen{at, std::string(key)});
    Prune(w, now_ms);
  };
  auto& store = stores_[std::string(origin)];
  insert(chain_);
  insert(store);
  auto trip = [&](const std::deque<Seen>& w) {
    for (const Seen& s : w) {
      if (s.key != key) d.also_hold.push_back(s.key);
    }
    d.hold = true;
    d.tripped_now = true;
  };
  if (limits_.chain_max > 0 && chain_.size() > limits_.chain_max) {
    chain_tripped_ = true;
    trip(chain_);
  } else if (limits_.store_max > 0 && store.size() > limits_.store_max) {
    tripped_stores_[std::string(origin)] = true;
    trip(store);
  }
  return d;
}

void InflowBreaker::Reset() {
  chain_.clear();
  stores_.clear();
  chain_tripped_ = false;
  tripped_stores_.clear();
}

std::string InflowBreaker::Scope() const {
  if (chain_tripped_) return "chain";
  std::string out;
  for (const auto& [store, _] : tripped_stores_) {
    if (!out.empty()) out += ",";
    out += store;
  }
  return out;
}

}  // namespace jwo::chain
