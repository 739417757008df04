// CloudWriter: plays "the cloud" for the ledger benchmarks (docs/performance.md, "Chain
// ledger"): writes values straight into a provisioned KV bucket's stream with libnats, the way a
// chain back office would, without any store's outbox in between.
//
// Put() is one synchronous JetStream publish (returns after the server's ack); PutAsync() queues
// a publish with up to `max_pending` unacknowledged at once and Complete() waits for every ack.
// Thread safety: one CloudWriter per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace jwo::bench {

class CloudWriter {
 public:
  // Connects to `url` for bucket `bucket` ("$KV.<bucket>.<key>" subjects). kUnavailable when no
  // server answers.
  static core::Result<std::unique_ptr<CloudWriter>> Open(const std::string& url,
                                                         const std::string& bucket,
                                                         int64_t max_pending = 4096);
  ~CloudWriter();
  CloudWriter(const CloudWriter&) = delete;
  CloudWriter& operator=(const CloudWriter&) = delete;

  // Stores `value` under `key` and waits for the ack; returns the stream sequence.
  core::Result<uint64_t> Put(std::string_view key, std::string_view value);
  // Queues a publish; blocks while max_pending acks are outstanding (up to a minute, then
  // kInternal).
  core::Status PutAsync(std::string_view key, std::string_view value);
  // Waits up to timeout_ms for every queued publish's ack. kInternal when some publish failed
  // (the count says how many), kUnavailable on timeout.
  core::Status Complete(int64_t timeout_ms);
  uint64_t failed() const;
  // Messages in the bucket's stream now.
  core::Result<uint64_t> StreamMessages();

 private:
  struct Impl;
  explicit CloudWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace jwo::bench
