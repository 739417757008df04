#include "store/writer.h"

namespace jwo::store {

Writer::Writer(Env& env, size_t queue_max, size_t batch_max)
    : env_(env), queue_max_(queue_max), batch_max_(batch_max) {}

void Writer::Start() {
  std::lock_guard lock(mutex_);
  if (started_ || stopping_) return;
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

Writer::~Writer() { Stop(); }

bool Writer::Submit(Job job, Done done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= queue_max_) return false;
    queue_.emplace_back(std::move(job), std::move(done));
  }
  wake_.notify_one();
  return true;
}

void Writer::Stop() {
  bool started;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    started = started_;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  if (!started) {
    while (CommitBatch()) {
    }
  }
}

size_t Writer::RunQueued() {
  size_t batches = 0;
  while (CommitBatch()) ++batches;
  return batches;
}

Writer::Stats Writer::GetStats() const {
  std::lock_guard lock(mutex_);
  Stats s = stats_;
  s.queued = queue_.size();
  return s;
}

void Writer::Run() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
    }
    CommitBatch();
  }
}

bool Writer::CommitBatch() {
  std::vector<std::pair<Job, Done>> batch;
  {
    std::lock_guard lock(mutex_);
    if (queue_.empty()) return false;
    const size_t n = std::min(queue_.size(), batch_max_);
    batch.assign(std::make_move_iterator(queue_.begin()),
                 std::make_move_iterator(queue_.begin() + static_cast<ptrdiff_t>(n)));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
  }
  std::vector<Job> jobs;
  std::vector<core::Status> results;
  for (auto& [job, done] : batch) jobs.push_back(std::move(job));
  const core::Status commit = env_.WriteBatch(jobs, results);
  uint64_t failed = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    const core::Status& s = commit.ok() ? results[i] : commit;
    failed += s.ok() ? 0 : 1;
    if (batch[i].second) batch[i].second(s);
  }
  std::lock_guard lock(mutex_);
  stats_.jobs += batch.size();
  stats_.batches += 1;
  stats_.failed_jobs += failed;
  return true;
}

}  // namespace jwo::store
