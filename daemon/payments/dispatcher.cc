#include "payments/dispatcher.h"

#include <algorithm>
#include <random>

#include "core/log.h"
#include "payments/outbox_commits.h"
#include "payments/sigv4.h"
#include "store/codec.h"

namespace jwo::payments {
namespace {

uint64_t Seed(uint64_t configured) {
  if (configured != 0) return configured;
  std::random_device rd;
  return (uint64_t{rd()} << 32) ^ rd();
}

}  // namespace

Dispatcher::Dispatcher(store::Env& env, store::Writer& writer, PaymentTransport& client,
                       CredentialsProvider& credentials, std::function<LifecyclePolicy()> policy,
                       DispatcherOptions options, const core::Clock& clock)
    : env_(env),
      writer_(writer),
      client_(client),
      credentials_(credentials),
      policy_(std::move(policy)),
      options_(std::move(options)),
      clock_(clock),
      schedule_(options_.schedule, Seed(options_.seed)) {}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Dispatcher::Stop() {
  {
    std::unique_lock lock(mutex_);
    if (!stopping_) {
      stopping_ = true;
      // Let the calls on the wire end: a Capture cut off here would have an unknown outcome.
      wake_.wait_for(lock, std::chrono::milliseconds(options_.stop_drain_ms),
                     [&] { return schedule_.in_flight() == 0; });
    }
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Dispatcher::Wake(bool rescan_all) {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
    rescan_all_ = rescan_all_ || rescan_all;
  }
  wake_.notify_all();
}

DispatcherStats Dispatcher::GetStats() const {
  std::lock_guard lock(mutex_);
  DispatcherStats s = counters_;
  const ScheduleStats now = schedule_.Stats(clock_.NowUnixMs());
  s.queued = now.queued;
  s.dead_letters = now.dead_letters;
  s.unknown_captures = now.unknown_captures;
  s.unknown_capture_alert = now.unknown_captures > options_.unknown_capture_alert;
  s.in_flight = now.in_flight;
  s.oldest_age_ms = now.oldest_age_ms;
  s.clock_skew_ms = clock_skew_.skew_ms();
  s.clock_skew_level = static_cast<int>(clock_skew_.level());
  return s;
}

void Dispatcher::Scan(bool all) {
  OutboxSchedule::ScanRange range;
  {
    std::lock_guard lock(mutex_);
    range = schedule_.BeginScan(all);
  }
  // Read without the lock; the schedule's generations keep an older snapshot from undoing
  // what answers applied meanwhile taught it.
  std::vector<store::OutboxEntry> found;
  core::Status s = env_.Read([&](const store::ReadTxn& txn) {
    core::Status decode = core::Status::Ok();
    core::Status scan = txn.ScanFrom(store::Table::kOutbox, store::BigEndianKey(range.from),
                                     [&](std::string_view k, std::string_view v) {
                                       auto e = store::DecodeOutbox(k, v);
                                       if (!e.ok()) {
                                         decode = e.status();
                                         return false;
                                       }
                                       found.push_back(std::move(*e));
                                       return true;
                                     });
    return scan.ok() ? decode : scan;
  });
  if (!s.ok()) {
    // A row that does not decode stops the scan: skipping it could let a later call of its
    // trip overtake it. The operator sees the error and the metric.
    std::lock_guard lock(mutex_);
    ++counters_.store_errors;
    core::LogError("outbox scan failed; nothing new is sent until it reads",
                   {{"error", s.ToString()}});
    return;
  }
  std::vector<store::OutboxEntry> recover;
  {
    std::lock_guard lock(mutex_);
    recover = schedule_.Merge(range, std::move(found));
  }
  for (const store::OutboxEntry& e : recover) Recover(e);
}

void Dispatcher::Recover(const store::OutboxEntry& e) {
  const uint64_t seq = e.sequence;
  const UnknownCapturePolicy policy = options_.schedule.unknown_capture;
  const int64_t now = clock_.NowUnixMs();
  const bool queued = writer_.Submit(
      [seq, policy, now](store::WriteTxn& txn) {
        return RecoverStartedCapture(txn, seq, policy, now);
      },
      [this, seq, policy](const core::Status& st) {
        if (!st.ok()) {
          core::LogError("could not record a Capture found on the wire at start-up",
                         {{"seq", std::to_string(seq)}, {"error", st.ToString()}});
          // Still unknown: never send it from this process; the next start tries again.
          Finish(seq, OutboxSchedule::Verdict::kHeld, RetryReason::kOutcomeUnknown, "",
                 "outcome unknown (not recorded: " + st.ToString() + ")");
          return;
        }
        if (policy == UnknownCapturePolicy::kHold) {
          {
            std::lock_guard lock(mutex_);
            ++counters_.held_unknown;
          }
          Finish(seq, OutboxSchedule::Verdict::kHeld, RetryReason::kOutcomeUnknown, "",
                 "outcome unknown: the daemon stopped while the Capture was on the wire");
        } else {
          Finish(seq, OutboxSchedule::Verdict::kRetry, RetryReason::kOutcomeUnknown, "",
                 "outcome unknown after a restart; sent again");
        }
      });
  if (!queued) {
    Finish(seq, OutboxSchedule::Verdict::kHeld, RetryReason::kOutcomeUnknown, "",
           "outcome unknown (writer busy at start-up)");
  }
}

void Dispatcher::Run() {
  for (;;) {
    bool all;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      all = rescan_all_;
      rescan_all_ = false;
      woken_ = false;
    }
    Scan(all);
    if (clock_.NowUnixMs() >= next_expiry_check_ms_) {
      next_expiry_check_ms_ = clock_.NowUnixMs() + options_.expiry_check_ms;
      WatchExpiry();
    }
    std::vector<OutboxSchedule::Dispatch> due;
    const int64_t now = clock_.NowUnixMs();
    int64_t next_due = std::min(now + 60'000, next_expiry_check_ms_);
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      due = schedule_.TakeDue(now, &next_due);
      counters_.sent += due.size();
    }
    for (const auto& d : due) Send(d);
    std::unique_lock lock(mutex_);
    const auto wait = std::chrono::milliseconds(std::max<int64_t>(1, next_due - now));
    wake_.wait_for(lock, wait, [&] { return stopping_ || woken_; });
  }
}

void Dispatcher::Send(const OutboxSchedule::Dispatch& d) {
  const uint64_t seq = d.entry.sequence;
  // Never send a call unsigned: the service would refuse it, and a refusal teaches nothing.
  auto creds = credentials_.Get(clock_.NowUnixMs());
  if (!creds.ok()) {
    {
      std::lock_guard lock(mutex_);
      ++counters_.unsigned_held;
    }
    core::LogError("no AWS credentials; payment calls wait until there are",
                   {{"error", creds.status().ToString()}});
    Finish(seq, OutboxSchedule::Verdict::kRetry, RetryReason::kAuthRefused, "",
           "no credentials: " + creds.status().message());
    return;
  }
  if (!d.start_commit) {
    Transmit(d.entry, *creds);
    return;
  }
  // A Capture: its start is durable before any byte leaves, so a crash while it is on the
  // wire is found at the next start instead of sending it again.
  const int64_t now = clock_.NowUnixMs();
  auto entry = std::make_shared<store::OutboxEntry>(d.entry);
  const bool queued = writer_.Submit(
      [seq, now](store::WriteTxn& txn) { return CommitAttemptStart(txn, seq, now); },
      [this, seq, entry, creds = *creds](const core::Status& st) {
        if (st.ok()) {
          Transmit(*entry, creds);
        } else if (st.code() == core::StatusCode::kNotFound ||
                   st.code() == core::StatusCode::kFailedPrecondition) {
          Finish(seq, OutboxSchedule::Verdict::kNotSent, RetryReason::kNone, "", st.message());
        } else {
          Finish(seq, OutboxSchedule::Verdict::kRetry, RetryReason::kStoreBusy, "", st.ToString());
        }
      });
  if (!queued) {
    Finish(seq, OutboxSchedule::Verdict::kRetry, RetryReason::kStoreBusy, "", "writer busy");
  }
}

void Dispatcher::Transmit(const store::OutboxEntry& e, const AwsCredentials& creds) {
  OutboundRequest req;
  req.method = "POST";
  req.path = std::string(store::OperationPath(e.operation));
  req.body = e.body;
  req.headers = {{"Content-Type", "application/json"}};
  const uint64_t seq = e.sequence;
  // Signed with the credentials checked before sending (so never unsigned), at the time the
  // request is written: a request that waited for a connection gets a fresh signature.
  auto sign = [this, creds](OutboundRequest r) {
    HttpRequestToSign to_sign{r.method, r.path, "", r.headers, r.body};
    to_sign.headers.emplace_back("Host", client_.host());
    SigningParams params;
    params.region = options_.region;
    params.unix_ms = clock_.NowUnixMs();
    SignedParts signed_parts = SignV4(to_sign, creds, params);
    for (auto& h : signed_parts.added_headers) r.headers.push_back(std::move(h));
    return r;
  };
  client_.Send(std::move(req), std::move(sign),
               [this, seq](OutboundResult r) { OnAnswer(seq, std::move(r)); });
}

void Dispatcher::OnAnswer(uint64_t seq, OutboundResult r) {
  // Every answer, a 403 included (a skewed clock is a common cause of one), measures the skew.
  if (r.outcome == TransportOutcome::kResponse) {
    clock_skew_.Observe(r.Header("Date"), clock_.NowUnixMs());
  }
  AttemptPlan plan;
  auto sent = std::make_shared<store::OutboxEntry>();
  {
    std::lock_guard lock(mutex_);
    plan = schedule_.Plan(seq, r);
    if (const store::OutboxEntry* e = schedule_.Find(seq)) *sent = *e;
  }
  const int64_t now = clock_.NowUnixMs();
  const std::string retry_after(r.Header("Retry-After"));
  using Verdict = OutboxSchedule::Verdict;
  switch (plan.commit) {
    case CommitKind::kNothing: {
      if (r.outcome == TransportOutcome::kStopped &&
          plan.outcome == AttemptOutcome::kNotProcessed) {
        Finish(seq, Verdict::kNotSent, RetryReason::kNone, "", plan.error);
        return;
      }
      core::LogWarning("payment call failed; will retry the same request",
                       {{"seq", std::to_string(seq)},
                        {"outcome", std::string(AttemptOutcomeName(plan.outcome))},
                        {"error", plan.error}});
      Finish(seq, Verdict::kRetry, plan.reason, retry_after, plan.error);
      return;
    }
    case CommitKind::kClearAttempt:
    case CommitKind::kHoldUnknownCapture: {
      const bool hold = plan.commit == CommitKind::kHoldUnknownCapture;
      const std::string error = plan.error;
      const bool queued = writer_.Submit(
          [seq, hold, error, now](store::WriteTxn& txn) {
            return hold ? HoldUnknownCapture(txn, seq, error, now)
                        : CommitNotProcessed(txn, seq, error);
          },
          [this, seq, hold, plan, retry_after](const core::Status& st) {
            if (!st.ok()) {
              std::lock_guard lock(mutex_);
              ++counters_.store_errors;
            }
            if (hold) {
              {
                std::lock_guard lock(mutex_);
                ++counters_.held_unknown;
              }
              // Held in memory whatever the commit did: the started mark stays in the store
              // if it failed, and the next start holds it again.
              Finish(seq, Verdict::kHeld, RetryReason::kOutcomeUnknown, "",
                     "outcome unknown: " + plan.error);
            } else {
              Finish(seq, Verdict::kRetry, plan.reason, retry_after, plan.error);
            }
          });
      if (!queued) {
        Finish(seq, hold ? Verdict::kHeld : Verdict::kRetry, plan.reason, retry_after,
               plan.error + " (not recorded: writer busy)");
      }
      return;
    }
    case CommitKind::kApplyAnswer:
      break;
  }
  auto outcome = std::make_shared<AnswerOutcome>();
  const bool capture = sent->operation == store::Operation::kCapture;
  const bool queued = writer_.Submit(
      [this, sent, r, now, outcome](store::WriteTxn& txn) -> core::Status {
        auto o = CommitAnswer(txn, *sent, r.status, r.body, policy_(), now);
        if (!o.ok()) return o.status();
        *outcome = std::move(*o);
        return core::Status::Ok();
      },
      [this, seq, capture, outcome, retry_after](const core::Status& st) {
        if (!st.ok()) {
          {
            std::lock_guard lock(mutex_);
            ++counters_.store_errors;
          }
          core::LogError("could not commit a payment answer",
                         {{"seq", std::to_string(seq)}, {"error", st.ToString()}});
          // The answer is lost to us. Asking again is harmless except for a Capture, whose
          // answer may have said it was done: hold it (its started mark is still stored).
          Finish(seq, capture ? Verdict::kHeld : Verdict::kRetry, RetryReason::kStoreBusy,
                 retry_after, "answer not recorded: " + st.ToString());
          return;
        }
        switch (outcome->verdict) {
          case AnswerVerdict::kDone:
            Finish(seq, Verdict::kDone, RetryReason::kNone, "", "");
            return;
          case AnswerVerdict::kRetry:
            Finish(seq, Verdict::kRetry, outcome->reason, retry_after, outcome->detail);
            return;
          case AnswerVerdict::kDeadLetter:
            core::LogError("payment call refused permanently; dead letter (jwo-edgectl outbox)",
                           {{"seq", std::to_string(seq)}, {"error", outcome->detail}});
            Finish(seq, Verdict::kDeadLetter, RetryReason::kNone, "", outcome->detail);
            return;
        }
      });
  if (!queued) {
    Finish(seq, capture ? Verdict::kHeld : Verdict::kRetry, RetryReason::kStoreBusy, retry_after,
           "answer not recorded: writer busy");
  }
}

void Dispatcher::Finish(uint64_t seq, OutboxSchedule::Verdict verdict, RetryReason reason,
                        std::string_view retry_after, const std::string& error) {
  {
    std::lock_guard lock(mutex_);
    schedule_.Finish(seq, verdict, reason, clock_.NowUnixMs(), retry_after, error);
    switch (verdict) {
      case OutboxSchedule::Verdict::kDone:
        ++counters_.done;
        break;
      case OutboxSchedule::Verdict::kRetry:
        ++counters_.retried;
        break;
      case OutboxSchedule::Verdict::kDeadLetter:
        ++counters_.dead_lettered;
        break;
      default:
        break;
    }
    woken_ = true;
    // Entries queued by the answer (Capture after Adjust, ...) are picked up by the next scan.
  }
  wake_.notify_all();
}

void Dispatcher::WatchExpiry() {
  const int64_t now = clock_.NowUnixMs();
  ExpiryScan scan;
  core::Status s = env_.Read([&](const store::ReadTxn& txn) {
    auto r = ScanExpiry(txn, now, options_.preauth_expiry_ms, options_.preauth_alert_ms);
    if (!r.ok()) return r.status();
    scan = std::move(*r);
    return core::Status::Ok();
  });
  if (!s.ok()) {
    core::LogError("pre-auth expiry watch could not read the store", {{"error", s.ToString()}});
    return;
  }
  std::vector<std::string> overdue;
  {
    std::lock_guard lock(mutex_);
    counters_.nearing_expiry = scan.nearing.size();
    for (const std::string& trip : scan.nearing) {
      if (alerted_.insert(trip).second) {
        core::LogWarning("trip still unsettled close to its pre-auth expiry", {{"trip", trip}});
      }
    }
    const ScheduleStats st = schedule_.Stats(now);
    if (st.unknown_captures > options_.unknown_capture_alert) {
      core::LogError(
          "trips wait with a Capture of unknown outcome (jwo-edgectl trip list "
          "capture_unknown)",
          {{"count", std::to_string(st.unknown_captures)}});
    }
    // A call of a trip on the wire may settle it (a Capture): expire a trip only once none
    // is, and send none of its calls while the expiry commits.
    for (const std::string& trip : scan.overdue) {
      if (!schedule_.TripBusy(trip) && schedule_.MarkExpiring(trip)) overdue.push_back(trip);
    }
  }
  if (overdue.empty()) return;
  auto expired = std::make_shared<std::vector<std::string>>();
  const bool queued = writer_.Submit(
      [this, overdue, now, expired](store::WriteTxn& txn) {
        expired->clear();
        auto r = ExpireTrips(txn, overdue, policy_(), now);
        if (!r.ok()) return r.status();
        *expired = std::move(*r);
        return core::Status::Ok();
      },
      [this, overdue, expired](const core::Status& st) {
        std::lock_guard lock(mutex_);
        if (!st.ok()) {
          core::LogError("could not expire trips", {{"error", st.ToString()}});
          for (const std::string& trip : overdue) schedule_.UnmarkExpiring(trip);
          return;
        }
        for (const std::string& trip : overdue) {
          // Forget the withdrawn calls now: none of them may go out before the next scan.
          schedule_.Expired(trip);
          alerted_.erase(trip);
        }
        for (const std::string& trip : *expired) {
          core::LogWarning("pre-auth expired before the money was settled; amount is now debt",
                           {{"trip", trip}});
          ++counters_.expired;
        }
        woken_ = true;
        rescan_all_ = true;
        wake_.notify_all();
      });
  if (!queued) {  // the writer is saturated; the next watch tries again
    std::lock_guard lock(mutex_);
    for (const std::string& trip : overdue) schedule_.UnmarkExpiring(trip);
  }
}

}  // namespace jwo::payments
