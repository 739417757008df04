#include "tests/fakes/payment_sim/behaviour.h"

#include <algorithm>
#include <boost/json.hpp>

namespace jwo::payment_sim {

namespace json = boost::json;

Behaviour::Behaviour() : random_(seed_) {}

void Behaviour::Apply(const Script& script, int64_t now_ms) {
  if (script.default_adjust) default_adjust_ = *script.default_adjust;
  for (const TripScript& trip : script.trips) trips_[trip.trip] = TripSequence{trip.adjust, 0};
  unknown_trips_.insert(script.unknown_trips.begin(), script.unknown_trips.end());
  unknown_shoppers_.insert(script.unknown_shoppers.begin(), script.unknown_shoppers.end());
  if (script.all_shoppers_unknown) all_shoppers_unknown_ = *script.all_shoppers_unknown;
  if (script.shopper_email_domain) email_domain_ = *script.shopper_email_domain;
  if (script.payment_status) payment_status_ = *script.payment_status;
  if (script.refund_reconciliation_id) refund_reconciliation_id_ = *script.refund_reconciliation_id;
  if (script.capture_replay) capture_replay_ = *script.capture_replay;
  faults_.insert(faults_.end(), script.faults.begin(), script.faults.end());
  if (script.outage_ms) outage_until_ms_ = *script.outage_ms > 0 ? now_ms + *script.outage_ms : 0;
  if (script.seed) {
    seed_ = *script.seed;
    random_.seed(seed_);
  }
}

void Behaviour::SetFaults(std::vector<FaultRule> faults) { faults_ = std::move(faults); }

AdjustOutcome Behaviour::NextAdjust(const std::string& trip) {
  auto it = trips_.find(trip);
  if (it == trips_.end()) return default_adjust_;
  TripSequence& seq = it->second;
  const AdjustOutcome outcome = seq.outcomes[std::min(seq.next, seq.outcomes.size() - 1)];
  if (seq.next < seq.outcomes.size()) ++seq.next;
  return outcome;
}

std::optional<FaultRule> Behaviour::PickFault(Api api, const std::string& trip) {
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->api && *it->api != api) continue;
    if (!it->trip.empty() && it->trip != trip) continue;
    if (it->count == 0) continue;
    if (it->probability < 1.0) {
      // Drawn only for matching rules, so the stream depends on the requests, not on timing.
      if (std::uniform_real_distribution<double>(0.0, 1.0)(random_) >= it->probability) continue;
    }
    FaultRule fired = *it;
    if (it->count > 0 && --it->count == 0) faults_.erase(it);
    return fired;
  }
  return std::nullopt;
}

std::string Behaviour::ToJson(int64_t now_ms) const {
  json::object out;
  out["default_adjust"] = AdjustOutcomeName(default_adjust_);
  json::array trips;
  for (const auto& [id, seq] : trips_) {
    json::array outcomes;
    for (AdjustOutcome o : seq.outcomes) outcomes.emplace_back(AdjustOutcomeName(o));
    trips.push_back(
        json::object{{"trip", id}, {"adjust", std::move(outcomes)}, {"next", seq.next}});
  }
  out["trips"] = std::move(trips);
  out["unknown_trips"] = json::value_from(unknown_trips_);
  out["unknown_shoppers"] = json::value_from(unknown_shoppers_);
  out["all_shoppers_unknown"] = all_shoppers_unknown_;
  out["shopper_email_domain"] = email_domain_;
  out["payment_status"] = payment_status_;
  out["refund_answer"] = refund_reconciliation_id_ ? "reconciliation" : "empty";
  out["capture_replay"] = CaptureReplayName(capture_replay_);
  json::array faults;
  for (const FaultRule& f : faults_) {
    json::object o{{"api", f.api ? ApiName(*f.api) : "*"},
                   {"kind", FaultKindName(f.kind)},
                   {"probability", f.probability}};
    if (!f.trip.empty()) o["trip"] = f.trip;
    if (f.count >= 0) o["count"] = f.count;
    if (f.kind == FaultKind::kThrottle) o["retry_after"] = f.retry_after_s;
    if (f.kind == FaultKind::kSlow) o["delay_ms"] = f.delay_ms;
    faults.push_back(std::move(o));
  }
  out["faults"] = std::move(faults);
  out["outage_remaining_ms"] = std::max<int64_t>(0, outage_until_ms_ - now_ms);
  out["seed"] = seed_;
  return json::serialize(out);
}

}  // namespace jwo::payment_sim
