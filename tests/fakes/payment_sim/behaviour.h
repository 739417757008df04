// Behaviour: what the simulator answers, as set by scripts: Adjust outcomes (default and per
// trip), unknown trips and shoppers, faults, the outage window, what a second Capture does and
// small answer choices.
//
// Behaviour decides; it does not answer or record. Every decision that consumes something (a
// step of a trip's Adjust sequence, a fault's count, the random stream of probabilistic faults)
// happens here, so a script's effect is reproducible for a given seed and request order.
//
// Thread safety: none; the simulator calls it under its own lock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/fakes/payment_sim/api_call.h"
#include "tests/fakes/payment_sim/script.h"

namespace jwo::payment_sim {

class Behaviour {
 public:
  Behaviour();

  // Merges `script` into the current behaviour (see script.h for what replaces and what adds).
  // An outage_ms in the script starts a window [now_ms, now_ms + outage_ms); 0 ends one.
  void Apply(const Script& script, int64_t now_ms);

  // Replaces the fault list (an empty list clears every fault).
  void SetFaults(std::vector<FaultRule> faults);

  // The outcome of the next Adjust for `trip`: the trip's sequence, one step per call, its last
  // step repeating; the default outcome for trips without one.
  AdjustOutcome NextAdjust(const std::string& trip);

  // The first fault rule that matches (api, trip) and fires now, with its count consumed; a
  // rule whose count reached zero is removed. nullopt: no fault.
  std::optional<FaultRule> PickFault(Api api, const std::string& trip);

  bool InOutage(int64_t now_ms) const { return now_ms < outage_until_ms_; }
  bool IsUnknownTrip(const std::string& trip) const { return unknown_trips_.count(trip) > 0; }
  bool IsUnknownShopper(const std::string& shopper) const {
    return all_shoppers_unknown_ || unknown_shoppers_.count(shopper) > 0;
  }
  const std::string& shopper_email_domain() const { return email_domain_; }
  const std::string& payment_status() const { return payment_status_; }
  bool refund_reconciliation_id() const { return refund_reconciliation_id_; }
  CaptureReplay capture_replay() const { return capture_replay_; }

  // The current behaviour as a JSON document in the script format (plus "outage_remaining_ms"
  // at `now_ms` and each trip's position in its sequence), for GET /_sim/behaviour.
  std::string ToJson(int64_t now_ms) const;

 private:
  struct TripSequence {
    std::vector<AdjustOutcome> outcomes;
    size_t next = 0;
  };

  AdjustOutcome default_adjust_ = AdjustOutcome::kApproved;
  std::map<std::string, TripSequence> trips_;
  std::set<std::string> unknown_trips_;
  std::set<std::string> unknown_shoppers_;
  bool all_shoppers_unknown_ = false;
  std::string email_domain_ = "example.test";
  std::string payment_status_ = "Accepted";
  bool refund_reconciliation_id_ = true;
  CaptureReplay capture_replay_ = CaptureReplay::kNoop;
  std::vector<FaultRule> faults_;
  int64_t outage_until_ms_ = 0;
  uint64_t seed_ = 1;
  std::mt19937_64 random_;
};

}  // namespace jwo::payment_sim
