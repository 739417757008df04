// Writer: the one thread that writes the store on behalf of I/O threads, with group commit.
//
// Callers that must not block (HTTP handlers, the outbox dispatcher) Submit() a job and a
// completion. The writer thread takes every job waiting (up to `batch_max`), runs each in its
// own nested transaction of one write transaction (Env::WriteBatch) and commits once, so a
// burst of requests shares one fsync. Only after that commit does it call each completion, on
// the writer thread: a caller is told "done" only for what is durable.
//
// Bound and overflow: at most `queue_max` jobs wait; Submit() returns false beyond that and
// the caller answers "busy" (HTTP 503) instead of queueing without limit.
// The thread starts with Start(), not in the constructor, so an owner that needs determinism
// (the money-path simulation, tests) can instead commit what is queued on its own thread with
// RunQueued().
// Thread-safe: Submit() from any thread; Start(), RunQueued() and Stop() from the owner.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/env.h"

namespace jwo::store {

class Writer {
 public:
  using Job = std::function<core::Status(WriteTxn&)>;
  using Done = std::function<void(const core::Status&)>;

  Writer(Env& env, size_t queue_max = 65536, size_t batch_max = 256);
  ~Writer();  // Stop()
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Starts the writer thread. Idempotent; nothing after Stop().
  void Start();

  // Without Start(): commits every queued job in batches on the calling thread (completions
  // run on it too, and may queue more). Returns the number of batches committed.
  size_t RunQueued();

  // Queues `job`; `done` runs after the batch holding it committed (or with the job's error).
  // Returns false, without queueing, when the queue is full or the writer stopped.
  bool Submit(Job job, Done done);

  // Runs what is queued (on the writer thread, or on the caller's when never started), then
  // joins the thread. Later Submit() calls return false.
  void Stop();

  struct Stats {
    uint64_t jobs = 0, batches = 0, failed_jobs = 0;
    size_t queued = 0;
  };
  Stats GetStats() const;

 private:
  void Run();
  bool CommitBatch();  // one batch of the queue; false when it was empty

  Env& env_;
  const size_t queue_max_;
  const size_t batch_max_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::pair<Job, Done>> queue_;
  bool stopping_ = false;
  bool started_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace jwo::store
