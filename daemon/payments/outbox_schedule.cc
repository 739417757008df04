#include "payments/outbox_schedule.h"

#include <algorithm>

#include "payments/backoff.h"

namespace jwo::payments {

std::string_view AttemptOutcomeName(AttemptOutcome o) {
  switch (o) {
    case AttemptOutcome::kNotProcessed:
      return "not_processed";
    case AttemptOutcome::kAnswered:
      return "answered";
    case AttemptOutcome::kUnknown:
      return "unknown";
  }
  return "unknown";
}

AttemptOutcome ClassifyAttempt(const OutboundResult& r) {
  if (r.outcome == TransportOutcome::kResponse) {
    switch (r.status) {
      // Refused before any processing: throttled, unavailable, not authenticated (SigV4 is
      // checked first), or the request did not arrive whole in time.
      case 429:
      case 503:
      case 401:
      case 403:
      case 408:
        return AttemptOutcome::kNotProcessed;
      default:
        break;
    }
    // Any other 5xx (500, 502, 504, ...) comes from a server or gateway that may have acted
    // before failing: for a Capture that is as good as no answer.
    if (r.status >= 500) return AttemptOutcome::kUnknown;
    return AttemptOutcome::kAnswered;
  }
  // No answer. Only a request that was wholly written can have been acted on.
  return r.request_fully_written ? AttemptOutcome::kUnknown : AttemptOutcome::kNotProcessed;
}

OutboxSchedule::OutboxSchedule(ScheduleOptions options, uint64_t seed)
    : options_(options), rng_(seed) {}

OutboxSchedule::ScanRange OutboxSchedule::BeginScan(bool all) const {
  ScanRange r;
  r.all = all;
  r.from = all ? 1 : scan_from_;
  r.high_water = scan_from_;
  r.generation = generation_;
  return r;
}

std::vector<store::OutboxEntry> OutboxSchedule::Merge(const ScanRange& range,
                                                      std::vector<store::OutboxEntry> rows) {
  std::vector<store::OutboxEntry> recover;
  if (range.all) {
    std::set<uint64_t> present;
    for (const auto& e : rows) present.insert(e.sequence);
    for (auto it = items_.begin(); it != items_.end();) {
      // An entry an operator dropped disappears; one on the wire stays until its attempt ends.
      it = (!present.count(it->first) && !it->second.in_flight) ? items_.erase(it) : std::next(it);
    }
  }
  for (auto& e : rows) {
    auto it = items_.find(e.sequence);
    if (it == items_.end()) {
      // Below the high-water mark and not in memory: its attempt ended after this snapshot
      // was read (or it was pruned). Re-adding it would send the call again.
      if (e.sequence < range.high_water) continue;
      const bool crashed_on_wire = e.live() && e.attempt_started_ms != 0;
      const uint64_t seq = e.sequence;
      if (crashed_on_wire) recover.push_back(e);
      Item item{std::move(e), crashed_on_wire, 0};
      items_.emplace(seq, std::move(item));
      // Held as "in flight" until the owner has committed the recovery and called Finish.
      if (crashed_on_wire) ++in_flight_;
    } else if (!it->second.in_flight && it->second.finished_gen <= range.generation) {
      // Keep the schedule learned in memory (backoff lives there between attempts) unless an
      // operator revived the entry (`outbox retry`, `trip resolve ... not-captured`).
      store::OutboxEntry& mine = it->second.entry;
      if (!mine.live() && e.live()) {
        mine = std::move(e);
      } else {
        mine.dead = mine.dead || e.dead;
        mine.outcome_unknown = mine.outcome_unknown || e.outcome_unknown;
      }
    }
  }
  for (const auto& [seq, item] : items_) scan_from_ = std::max(scan_from_, seq + 1);
  return recover;
}

std::vector<OutboxSchedule::Dispatch> OutboxSchedule::TakeDue(int64_t now, int64_t* next_due) {
  std::vector<Dispatch> out;
  std::set<std::string_view> seen;  // trips whose oldest entry was already looked at
  for (auto& [seq, item] : items_) {
    if (!seen.insert(item.entry.trip_id).second) continue;
    if (item.in_flight || !item.entry.live() || expiring_.count(item.entry.trip_id)) continue;
    if (item.entry.next_attempt_ms > now) {
      *next_due = std::min(*next_due, item.entry.next_attempt_ms);
      continue;
    }
    if (in_flight_ >= options_.max_in_flight) break;
    item.in_flight = true;
    ++in_flight_;
    out.push_back(Dispatch{item.entry, item.entry.operation == store::Operation::kCapture});
  }
  return out;
}

AttemptPlan OutboxSchedule::Plan(uint64_t seq, const OutboundResult& r) const {
  AttemptPlan plan;
  auto it = items_.find(seq);
  const bool capture =
      it != items_.end() && it->second.entry.operation == store::Operation::kCapture;
  plan.outcome = ClassifyAttempt(r);
  plan.error = r.outcome == TransportOutcome::kResponse ? "HTTP " + std::to_string(r.status)
               : r.error.empty() ? std::string(TransportOutcomeName(r.outcome))
                                 : r.error;
  if (r.outcome == TransportOutcome::kStopped && plan.outcome == AttemptOutcome::kNotProcessed) {
    return plan;  // the daemon is stopping and nothing reached the service
  }
  if (r.outcome == TransportOutcome::kResponse &&
      (plan.outcome != AttemptOutcome::kUnknown || !capture)) {
    // A definitive answer, a refusal that says nothing happened, or a 5xx of a repeatable
    // call: the lifecycle reads it (and records the attempt, clearing a Capture's mark).
    plan.commit = CommitKind::kApplyAnswer;
    return plan;
  }
  if (plan.outcome == AttemptOutcome::kNotProcessed) {
    plan.reason = RetryReason::kTransport;
    plan.commit = capture ? CommitKind::kClearAttempt : CommitKind::kNothing;
    return plan;
  }
  // Unknown. Every call but Capture is harmless to repeat (docs/payments.md says why for each).
  plan.reason = RetryReason::kOutcomeUnknown;
  if (capture && options_.unknown_capture == UnknownCapturePolicy::kHold) {
    plan.commit = CommitKind::kHoldUnknownCapture;
  } else if (capture) {
    plan.commit = CommitKind::kClearAttempt;  // kResend: Amazon confirmed repeats are no-ops
  }
  return plan;
}

int64_t OutboxSchedule::RetryDelay(uint32_t attempts, std::string_view retry_after) {
  return RetryDelayMs(attempts, options_.retry_base_ms, options_.retry_cap_ms, retry_after, rng_());
}

void OutboxSchedule::Finish(uint64_t seq, Verdict verdict, RetryReason reason, int64_t now,
                            std::string_view retry_after, std::string error) {
  ++generation_;
  auto it = items_.find(seq);
  if (it == items_.end()) return;
  Item& item = it->second;
  if (item.in_flight) {
    item.in_flight = false;
    --in_flight_;
  }
  item.finished_gen = generation_;
  store::OutboxEntry& e = item.entry;
  e.attempt_started_ms = 0;
  switch (verdict) {
    case Verdict::kDone:
      items_.erase(it);
      return;
    case Verdict::kDeadLetter:
      e.dead = true;
      e.last_error = std::move(error);
      return;
    case Verdict::kHeld:
      e.outcome_unknown = true;
      e.last_error = std::move(error);
      return;
    case Verdict::kRetry:
      e.next_attempt_ms =
          now + (reason == RetryReason::kPending ? options_.pending_retry_ms
                                                 : RetryDelay(e.attempts, retry_after));
      e.attempts += 1;
      e.last_error = std::move(error);
      return;
    case Verdict::kNotSent:
      return;
  }
}

const store::OutboxEntry* OutboxSchedule::Find(uint64_t seq) const {
  auto it = items_.find(seq);
  return it == items_.end() ? nullptr : &it->second.entry;
}

bool OutboxSchedule::TripBusy(std::string_view trip) const {
  return std::any_of(items_.begin(), items_.end(), [&](const auto& kv) {
    return kv.second.in_flight && kv.second.entry.trip_id == trip;
  });
}

bool OutboxSchedule::MarkExpiring(const std::string& trip) { return expiring_.insert(trip).second; }

void OutboxSchedule::UnmarkExpiring(const std::string& trip) { expiring_.erase(trip); }

void OutboxSchedule::Expired(const std::string& trip) {
  for (auto it = items_.begin(); it != items_.end();) {
    const bool withdrawn = it->second.entry.trip_id == trip && !it->second.in_flight &&
                           (it->second.entry.operation == store::Operation::kAdjust ||
                            it->second.entry.operation == store::Operation::kCapture ||
                            it->second.entry.operation == store::Operation::kCancel);
    it = withdrawn ? items_.erase(it) : std::next(it);
  }
  expiring_.erase(trip);
}

ScheduleStats OutboxSchedule::Stats(int64_t now) const {
  ScheduleStats s;
  s.in_flight = in_flight_;
  for (const auto& [seq, item] : items_) {
    if (item.entry.dead) {
      ++s.dead_letters;
    } else if (item.entry.outcome_unknown) {
      ++s.unknown_captures;
    } else {
      ++s.queued;
      s.oldest_age_ms = std::max(s.oldest_age_ms, now - item.entry.created_ms);
    }
  }
  return s;
}

}  // namespace jwo::payments
