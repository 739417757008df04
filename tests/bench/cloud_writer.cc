#include "tests/bench/cloud_writer.h"

#include <nats/nats.h>

#include <atomic>

namespace jwo::bench {
namespace {

core::Status Fail(core::StatusCode code, const std::string& what, natsStatus s) {
  return core::Status(code, what + ": " + natsStatus_GetText(s));
}

}  // namespace

struct CloudWriter::Impl {
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  std::string prefix;
  std::string stream;
  std::atomic<uint64_t> failed{0};

  ~Impl() {
    if (js != nullptr) jsCtx_Destroy(js);
    if (nc != nullptr) {
      natsConnection_Close(nc);
      natsConnection_Destroy(nc);
    }
  }
};

namespace {

void OnPublishError(jsCtx*, jsPubAckErr*, void* closure) {
  static_cast<std::atomic<uint64_t>*>(closure)->fetch_add(1);
}

}  // namespace

CloudWriter::CloudWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CloudWriter::~CloudWriter() = default;

core::Result<std::unique_ptr<CloudWriter>> CloudWriter::Open(const std::string& url,
                                                             const std::string& bucket,
                                                             int64_t max_pending) {
  auto impl = std::make_unique<Impl>();
  impl->prefix = "$KV." + bucket + ".";
  impl->stream = "KV_" + bucket;
  natsStatus s = natsConnection_ConnectTo(&impl->nc, url.c_str());
  if (s != NATS_OK) return Fail(core::StatusCode::kUnavailable, "connect " + url, s);
  jsOptions o;
  jsOptions_Init(&o);
  o.PublishAsync.MaxPending = max_pending;
  o.PublishAsync.ErrHandler = OnPublishError;
  o.PublishAsync.ErrHandlerClosure = &impl->failed;
  // A busy server acks late: wait for room rather than give up after libnats' 200 ms.
  o.PublishAsync.StallWait = 10'000;
  s = natsConnection_JetStream(&impl->js, impl->nc, &o);
  if (s != NATS_OK) return Fail(core::StatusCode::kInternal, "jetstream context", s);
  return std::unique_ptr<CloudWriter>(new CloudWriter(std::move(impl)));
}

core::Result<uint64_t> CloudWriter::Put(std::string_view key, std::string_view value) {
  const std::string subject = impl_->prefix + std::string(key);
  jsPubAck* ack = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_Publish(&ack, impl_->js, subject.c_str(), value.data(),
                                  static_cast<int>(value.size()), nullptr, &jerr);
  if (s != NATS_OK || ack == nullptr) {
    if (ack != nullptr) jsPubAck_Destroy(ack);
    return Fail(core::StatusCode::kInternal, "publish " + subject, s);
  }
  const uint64_t seq = ack->Sequence;
  jsPubAck_Destroy(ack);
  return seq;
}

core::Status CloudWriter::PutAsync(std::string_view key, std::string_view value) {
  const std::string subject = impl_->prefix + std::string(key);
  natsStatus s = NATS_TIMEOUT;
  for (int attempt = 0; attempt < 6 && s == NATS_TIMEOUT; ++attempt) {
    s = js_PublishAsync(impl_->js, subject.c_str(), value.data(), static_cast<int>(value.size()),
                        nullptr);
  }
  if (s != NATS_OK) return Fail(core::StatusCode::kInternal, "publish " + subject, s);
  return core::Status::Ok();
}

core::Status CloudWriter::Complete(int64_t timeout_ms) {
  jsPubOptions o;
  jsPubOptions_Init(&o);
  o.MaxWait = timeout_ms;
  const natsStatus s = js_PublishAsyncComplete(impl_->js, &o);
  if (s == NATS_TIMEOUT) {
    return Fail(core::StatusCode::kUnavailable, "waiting for the publish acks", s);
  }
  if (s != NATS_OK) return Fail(core::StatusCode::kInternal, "waiting for the publish acks", s);
  if (impl_->failed > 0) {
    return core::Status(core::StatusCode::kInternal,
                        std::to_string(impl_->failed.load()) + " publishes failed");
  }
  return core::Status::Ok();
}

uint64_t CloudWriter::failed() const { return impl_->failed.load(); }

core::Result<uint64_t> CloudWriter::StreamMessages() {
  jsStreamInfo* si = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetStreamInfo(&si, impl_->js, impl_->stream.c_str(), nullptr, &jerr);
  if (s != NATS_OK || si == nullptr) {
    return Fail(core::StatusCode::kInternal, "stream info " + impl_->stream, s);
  }
  const uint64_t n = si->State.Msgs;
  jsStreamInfo_Destroy(si);
  return n;
}

}  // namespace jwo::bench
