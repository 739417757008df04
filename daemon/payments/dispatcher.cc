#include "payments/dispatcher.h"

#include <algorithm>
#include <random>

#include "core/log.h"
#include "payments/backoff.h"
#include "payments/sigv4.h"
#include "store/codec.h"

namespace jwo::payments {

Dispatcher::Dispatcher(store::Env& env, store::Writer& writer, PaymentClient& client,
                       CredentialsProvider& credentials, std::function<LifecyclePolicy()> policy,
                       DispatcherOptions options, const core::Clock& clock)
    : env_(env),
      writer_(writer),
      client_(client),
      credentials_(credentials),
      policy_(std::move(policy)),
      options_(std::move(options)),
      clock_(clock) {}

Dispatcher::~Dispatcher() { Stop(); }

void Dispatcher::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Dispatcher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
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
  const int64_t now = clock_.NowUnixMs();
  s.in_flight = in_flight_;
  for (const auto& [seq, item] : items_) {
    if (item.entry.dead) {
      ++s.dead_letters;
      continue;
    }
    ++s.queued;
    s.oldest_age_ms = std::max(s.oldest_age_ms, now - item.entry.created_ms);
  }
  return s;
}

void Dispatcher::Scan(bool all) {
  // Called without the lock: reads the store, then merges.
  std::vector<store::OutboxEntry> found;
  uint64_t from, high_water, snapshot_gen;
  {
    std::lock_guard lock(mutex_);
    from = all ? 1 : scan_from_;
    high_water = scan_from_;  // every entry below it was seen before this snapshot
    snapshot_gen = finish_gen_;
  }
  core::Status s = env_.Read([&](const store::ReadTxn& txn) {
    core::Status decode = core::Status::Ok();
    // Keys are big-endian sequences, so "from" is a plain range start.
    core::Status scan = txn.ScanFrom(store::Table::kOutbox, store::BigEndianKey(from),
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
    core::LogError("outbox scan failed", {{"error", s.ToString()}});
    return;
  }
  std::lock_guard lock(mutex_);
  if (all) {
    std::set<uint64_t> present;
    for (const auto& e : found) present.insert(e.sequence);
    for (auto it = items_.begin(); it != items_.end();) {
      // An entry an operator dropped disappears; one in flight stays until its answer.
      it = (!present.count(it->first) && !it->second.in_flight) ? items_.erase(it) : std::next(it);
    }
  }
  for (auto& e : found) {
    auto it = items_.find(e.sequence);
    if (it == items_.end()) {
      // Below the high-water mark and not in memory: its answer was applied after this
      // snapshot was read (or it was pruned). Re-adding it would send the call again.
      if (e.sequence < high_water) continue;
      items_.emplace(e.sequence, Item{std::move(e), false, 0});
    } else if (!it->second.in_flight && it->second.finished_gen <= snapshot_gen) {
      // Keep the schedule learned in memory (backoff lives there between answers) unless an
      // operator revived a dead letter (`jwo-edgectl outbox retry`).
      store::OutboxEntry& mine = it->second.entry;
      if (mine.dead && !e.dead) {
        mine = std::move(e);
      } else {
        mine.dead = mine.dead || e.dead;
      }
    }
  }
  for (const auto& [seq, item] : items_) scan_from_ = std::max(scan_from_, seq + 1);
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
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    const int64_t now = clock_.NowUnixMs();
    int64_t next_due = std::min(now + 60'000, next_expiry_check_ms_);
    std::set<std::string_view> blocked;  // trips whose oldest entry is not this one
    for (auto& [seq, item] : items_) {
      if (!blocked.insert(item.entry.trip_id).second) continue;
      if (item.in_flight || item.entry.dead || expiring_.count(item.entry.trip_id)) continue;
      if (item.entry.next_attempt_ms > now) {
        next_due = std::min(next_due, item.entry.next_attempt_ms);
        continue;
      }
      if (in_flight_ >= options_.max_in_flight) break;
      SendLocked(item);
    }
    const auto wait = std::chrono::milliseconds(std::max<int64_t>(1, next_due - now));
    wake_.wait_for(lock, wait, [&] { return stopping_ || woken_; });
  }
}

void Dispatcher::SendLocked(Item& item) {
  item.in_flight = true;
  ++in_flight_;
  ++counters_.sent;
  const store::OutboxEntry& e = item.entry;
  OutboundRequest req;
  req.method = "POST";
  req.path = std::string(store::OperationPath(e.operation));
  req.body = e.body;
  req.headers = {{"Content-Type", "application/json"}};
  const uint64_t seq = e.sequence;
  auto sign = [this](OutboundRequest r) {
    auto creds = credentials_.Get(clock_.NowUnixMs());
    if (!creds.ok()) {
      core::LogError("no AWS credentials; sending unsigned (the service will refuse it)",
                     {{"error", creds.status().ToString()}});
      return r;
    }
    HttpRequestToSign to_sign{r.method, r.path, "", r.headers, r.body};
    to_sign.headers.emplace_back("Host", client_.host());
    SigningParams params;
    params.region = options_.region;
    params.unix_ms = clock_.NowUnixMs();
    SignedParts signed_parts = SignV4(to_sign, *creds, params);
    for (auto& h : signed_parts.added_headers) r.headers.push_back(std::move(h));
    return r;
  };
  client_.Send(std::move(req), std::move(sign),
               [this, seq](OutboundResult r) { OnAnswer(seq, std::move(r)); });
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
  {
    std::lock_guard lock(mutex_);
    counters_.nearing_expiry = scan.nearing.size();
    for (const std::string& trip : scan.nearing) {
      if (alerted_.insert(trip).second) {
        core::LogWarning("trip still unsettled close to its pre-auth expiry", {{"trip", trip}});
      }
    }
  }
  for (const std::string& trip : scan.overdue) {
    {
      // A call of this trip on the wire may settle it (a Capture): expire it only once no call
      // is in flight, and send none of its calls while the expiry commits.
      std::lock_guard lock(mutex_);
      const bool busy = std::any_of(items_.begin(), items_.end(), [&](const auto& kv) {
        return kv.second.in_flight && kv.second.entry.trip_id == trip;
      });
      if (busy || !expiring_.insert(trip).second) continue;
    }
    const bool queued = writer_.Submit(
        [this, trip, now](store::WriteTxn& txn) { return ExpireTrip(txn, trip, policy_(), now); },
        [this, trip](const core::Status& st) {
          if (!st.ok()) {
            core::LogError("could not expire a trip", {{"trip", trip}, {"error", st.ToString()}});
            std::lock_guard lock(mutex_);
            expiring_.erase(trip);
            return;
          }
          core::LogWarning("pre-auth expired before the money was settled; amount is now debt",
                           {{"trip", trip}});
          {
            std::lock_guard lock(mutex_);
            ++counters_.expired;
            alerted_.erase(trip);
            expiring_.erase(trip);
          }
          Wake(true);
        });
    if (!queued) {  // the writer is saturated; the next watch tries again
      std::lock_guard lock(mutex_);
      expiring_.erase(trip);
      break;
    }
  }
}

int64_t Dispatcher::Backoff(uint32_t attempts, const OutboundResult& r) const {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return RetryDelayMs(attempts, options_.retry_base_ms, options_.retry_cap_ms,
                      r.outcome == TransportOutcome::kResponse ? r.Header("Retry-After") : "",
                      rng());
}

void Dispatcher::OnAnswer(uint64_t seq, OutboundResult r) {
  if (r.outcome == TransportOutcome::kStopped) {
    Finish(seq, std::nullopt, 0, "stopped");
    return;
  }
  uint32_t attempts;
  auto sent = std::make_shared<store::OutboxEntry>();
  {
    std::lock_guard lock(mutex_);
    auto it = items_.find(seq);
    attempts = it == items_.end() ? 0 : it->second.entry.attempts;
    if (it != items_.end()) *sent = it->second.entry;
  }
  const int64_t now = clock_.NowUnixMs();
  if (r.outcome != TransportOutcome::kResponse) {
    const std::string error = r.error.empty() ? "transport failure" : r.error;
    const int64_t next = now + Backoff(attempts, r);
    core::LogWarning("payment call failed; will retry the same request",
                     {{"seq", std::to_string(seq)}, {"error", error}});
    Finish(seq, AnswerVerdict::kRetry, next, error);
    return;
  }
  auto verdict = std::make_shared<std::optional<AnswerVerdict>>();
  auto detail = std::make_shared<std::string>();
  const bool submitted = writer_.Submit(
      [this, seq, r, now, verdict, detail, sent](store::WriteTxn& txn) -> core::Status {
        auto bytes = txn.Get(store::Table::kOutbox, store::BigEndianKey(seq));
        if (!bytes.ok()) return bytes.status();
        if (!bytes->has_value()) {
          // Withdrawn while on the wire (an operator dropped it). A Capture that succeeded
          // still moved money: record it rather than lose it.
          if (sent->operation == store::Operation::kCapture && r.status >= 200 && r.status < 300) {
            return ApplyOrphanCapture(txn, *sent, now);
          }
          return core::Status::Ok();
        }
        auto e = store::DecodeOutbox(store::BigEndianKey(seq), **bytes);
        if (!e.ok()) return e.status();
        auto v = ApplyAnswer(txn, *e, r.status, r.body, policy_(), now, *detail);
        if (!v.ok()) return v.status();
        *verdict = *v;
        if (*v == AnswerVerdict::kRetry) {
          e->attempts += 1;
          e->last_error = *detail;
          e->next_attempt_ms = now;  // the dispatcher sets the real time in memory
          return txn.Put(store::Table::kOutbox, store::BigEndianKey(seq), store::EncodeOutbox(*e));
        }
        return core::Status::Ok();
      },
      [this, seq, r, now, attempts, verdict, detail](const core::Status& s) {
        if (!s.ok()) {
          core::LogError("could not commit a payment answer; will ask again",
                         {{"seq", std::to_string(seq)}, {"error", s.ToString()}});
          Finish(seq, AnswerVerdict::kRetry, now + Backoff(attempts, r), s.ToString());
          return;
        }
        int64_t next = now;
        if (*verdict == AnswerVerdict::kRetry) {
          next = now + (detail->find("PENDING") != std::string::npos ? options_.pending_retry_ms
                                                                     : Backoff(attempts, r));
        }
        Finish(seq, verdict->value_or(AnswerVerdict::kDone), next, *detail);
      });
  if (!submitted) Finish(seq, AnswerVerdict::kRetry, now + Backoff(attempts, r), "writer busy");
}

void Dispatcher::Finish(uint64_t seq, std::optional<AnswerVerdict> verdict, int64_t next_ms,
                        const std::string& error) {
  {
    std::lock_guard lock(mutex_);
    --in_flight_;
    ++finish_gen_;
    auto it = items_.find(seq);
    if (it != items_.end()) {
      it->second.in_flight = false;
      it->second.finished_gen = finish_gen_;
      if (verdict == AnswerVerdict::kDone) {
        items_.erase(it);
        ++counters_.done;
      } else if (verdict == AnswerVerdict::kDeadLetter) {
        it->second.entry.dead = true;
        it->second.entry.last_error = error;
        ++counters_.dead_lettered;
        core::LogError(
            "payment call refused permanently; dead letter (jwo-edgectl outbox)",
            {{"seq", std::to_string(seq)}, {"trip", it->second.entry.trip_id}, {"error", error}});
      } else if (verdict == AnswerVerdict::kRetry) {
        it->second.entry.attempts += 1;
        it->second.entry.next_attempt_ms = next_ms;
        it->second.entry.last_error = error;
        ++counters_.retried;
      }
    }
    woken_ = true;
    // Entries queued by the answer (Capture after Adjust, ...) are picked up by the next scan.
  }
  wake_.notify_all();
}

}  // namespace jwo::payments
