#include "fa/decision_log.h"

#include <pthread.h>

#include <chrono>

#include "core/log.h"
#include "store/codec.h"

namespace jwo::fa {

namespace {
// Room for a typical record (ids of a few dozen characters each) without regrowing the buffer.
constexpr size_t kTypicalRecordBytes = 192;
}  // namespace

DecisionLog::DecisionLog(const config::AuditConfig& cfg) : cfg_(cfg) {
  for (Queue* q : {&queue_, &writing_}) {
    q->bytes.reserve(size_t{cfg_.batch_max} * kTypicalRecordBytes);
    q->ends.reserve(cfg_.batch_max);
  }
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "jwo-decisions");
    Run();
  });
}

DecisionLog::~DecisionLog() { Stop(); }

void DecisionLog::Attach(store::Env* env) {
  env_.store(env);
  wake_.notify_one();
}

bool DecisionLog::Record(const store::DecisionView& record) {
  {
    std::lock_guard lock(mutex_);
    // After Stop() nothing drains the queue any more: a record queued then would be lost uncounted.
    if (!stopping_ && queue_.size() < cfg_.queue_max) {
      store::AppendDecision(queue_.bytes, record);
      queue_.ends.push_back(queue_.bytes.size());
      if (queue_.size() >= cfg_.batch_max) wake_.notify_one();
      return true;
    }
  }
  CountDropped(1);
  return false;
}

void DecisionLog::CountDropped(uint64_t n) {
  dropped_ += n;
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
  int64_t last = last_drop_log_s_.load();
  if (now_s != last && last_drop_log_s_.compare_exchange_strong(last, now_s)) {
    core::LogWarning("decision log queue full; dropping audit records (answers are unaffected)",
                     {{"dropped_total", std::to_string(dropped_.load())}});
  }
}

void DecisionLog::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      if (thread_.joinable()) thread_.join();
      return;
    }
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

DecisionLogStats DecisionLog::Stats() const {
  DecisionLogStats s;
  s.written = written_;
  s.dropped = dropped_;
  s.batches = batches_;
  s.write_errors = write_errors_;
  std::lock_guard lock(mutex_);
  s.queued = queue_.size();
  return s;
}

std::string DecisionLog::QueuedShopperForTrip(std::string_view trip_id) const {
  std::lock_guard lock(mutex_);
  // Rare (a purchase that overtook its trip's audit record): decoding the queue is cheap enough.
  const std::string key = store::BigEndianKey(1);
  for (const Queue* q : {&writing_, &queue_}) {
    for (size_t i = 0; i < q->size(); ++i) {
      auto r = store::DecodeDecision(key, q->at(i));
      if (r.ok() && r->trip_id == trip_id && r->outcome == store::Outcome::kApproved) {
        return r->shopper_id;
      }
    }
  }
  return {};
}

void DecisionLog::Run() {
  const auto interval = std::chrono::milliseconds(cfg_.flush_interval_ms);
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, interval, [&] {
      return stopping_ || (queue_.size() >= cfg_.batch_max && env_.load() != nullptr);
    });
    const bool stopping = stopping_;
    if (env_.load() != nullptr && !queue_.empty()) {
      std::swap(writing_, queue_);  // the emptied buffers come back: their capacity is kept
      lock.unlock();
      WriteBatch(writing_);  // only this thread touches writing_ outside the lock, and only reads
      lock.lock();
      writing_.clear();
    }
    if (stopping && env_.load() == nullptr && !queue_.empty()) {
      // The store never became available: these decisions cannot be written, so they are
      // counted as dropped (written + dropped = every decision taken).
      dropped_ += queue_.size();
      core::LogError("decision records dropped at shutdown: the store was unavailable",
                     {{"records", std::to_string(queue_.size())}});
      queue_.clear();
    }
    if (stopping && queue_.empty()) return;
  }
}

void DecisionLog::WriteBatch(const Queue& batch) {
  store::Env* env = env_.load();
  // Write in chunks of batch_max so one transaction stays bounded after a backlog.
  for (size_t start = 0; start < batch.size(); start += cfg_.batch_max) {
    const size_t end = std::min(batch.size(), start + size_t{cfg_.batch_max});
    // Appended by sequence: a batch fills the table's last pages instead of touching one page
    // per record across the whole table (measured: the audit write was the largest cost after
    // the network at high request rates; docs/performance.md).
    core::Status s = env->Write([&](store::WriteTxn& txn) {
      auto last = txn.Last(store::Table::kDecisions);
      if (!last.ok()) return last.status();
      uint64_t seq = last->has_value() ? store::FromBigEndianKey((*last)->first) : 0;
      for (size_t i = start; i < end; ++i) {
        if (core::Status p =
                txn.Append(store::Table::kDecisions, store::BigEndianKey(++seq), batch.at(i));
            !p.ok()) {
          return p;
        }
      }
      return core::Status::Ok();
    });
    if (s.ok()) {
      written_ += end - start;
      ++batches_;
    } else {
      write_errors_ += 1;
      dropped_ += end - start;
      core::LogError("decision log batch not written",
                     {{"error", s.ToString()}, {"records", std::to_string(end - start)}});
    }
  }
}

}  // namespace jwo::fa
