#include "nats/nats_link.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>

#include "core/log.h"
#include "nats/libnats.h"

namespace jwo::nats {

using internal::ErrorText;
using internal::MetaDataHandle;
using internal::MsgHandle;
using internal::PubAckHandle;
using internal::StreamInfoHandle;

namespace {

core::Status Unavailable(std::string m) { return {core::StatusCode::kUnavailable, std::move(m)}; }
core::Status Internal(std::string m) { return {core::StatusCode::kInternal, std::move(m)}; }

// How long the destructor waits for libnats to deliver the closed callback. It comes within
// milliseconds; the bound only matters if libnats' callback thread is stuck in a user callback.
constexpr auto kCloseWait = std::chrono::seconds(10);

// Where libnats' callbacks land. It outlives the Link when the closed callback does not come in
// time (see ~Link), because libnats keeps its address.
struct EventSink {
  std::mutex mu;  // serializes the user's callbacks and guards `closed`
  std::condition_variable cv;
  LinkEvents events;
  bool closed = false;

  void Connection(bool up) {
    std::lock_guard lock(mu);
    if (events.on_connection) events.on_connection(up);
  }
  void Error(std::string text) {
    std::lock_guard lock(mu);
    if (events.on_error) events.on_error(std::move(text));
  }
};

void OnConnected(natsConnection*, void* closure) {
  static_cast<EventSink*>(closure)->Connection(true);
}
void OnDisconnected(natsConnection*, void* closure) {
  static_cast<EventSink*>(closure)->Connection(false);
}
void OnClosed(natsConnection*, void* closure) {
  auto* sink = static_cast<EventSink*>(closure);
  std::lock_guard lock(sink->mu);
  sink->closed = true;
  sink->cv.notify_all();
}
void OnError(natsConnection*, natsSubscription* sub, natsStatus err, void* closure) {
  // The detail (e.g. "error recreating ordered consumer ... stream not found") is only in the
  // thread-local last error of this callback thread (notes §7.2).
  std::string text = ErrorText(err);
  if (sub != nullptr) text = "subscription: " + text;
  static_cast<EventSink*>(closure)->Error(std::move(text));
}

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '/' || c == '=' || c == '.';
}

Op OperationOf(natsMsg* msg) {
  const char* op = nullptr;
  if (natsMsgHeader_Get(msg, "KV-Operation", &op) != NATS_OK || op == nullptr) return Op::kPut;
  if (std::strcmp(op, "DEL") == 0) return Op::kDelete;
  if (std::strcmp(op, "PURGE") == 0) return Op::kPurge;
  return Op::kPut;
}

PublishResult Outcome(PublishOutcome o, std::string error) { return {o, 0, std::move(error)}; }

// Closes and destroys `nc`; false when libnats did not confirm the close in time, so `sink` must
// outlive this call indefinitely. Close never waits for the server: it stops reconnecting, shuts
// the socket and queues the disconnected and closed callbacks.
bool CloseConnection(natsConnection* nc, EventSink* sink) {
  natsConnection_Close(nc);
  bool confirmed;
  {
    std::unique_lock lock(sink->mu);
    confirmed = sink->cv.wait_for(lock, kCloseWait, [&] { return sink->closed; });
  }
  natsConnection_Destroy(nc);
  return confirmed;
}

}  // namespace

struct Link::Impl {
  LinkOptions options;
  std::string stream;          // "KV_<bucket>"
  std::string subject_prefix;  // "$KV.<bucket>."
  // Heap-stable for libnats; normally destroyed with the Impl, leaked when the connection did
  // not confirm its close.
  std::unique_ptr<EventSink> sink;
  // Set once by the connector thread before `started`; read only after seeing `started` true.
  // Both are thread-safe in libnats.
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  std::atomic<bool> started{false};
  std::thread connector;
  bool sink_in_use = false;  // libnats may still use `sink` after the Link is gone

  // The consumer's subscription. Only the consumer thread uses it, but the lock keeps a caller
  // that moves that role between threads (or a stray concurrent call) from corrupting it.
  std::mutex sub_mu;
  natsSubscription* sub = nullptr;

  bool Connected() const {
    return started.load(std::memory_order_acquire) &&
           natsConnection_Status(nc) == NATS_CONN_STATUS_CONNECTED;
  }

  void DropSubscriptionLocked() {
    // Destroy sends UNSUB without the consumer-delete request Unsubscribe would wait for; the
    // server removes the ephemeral consumer once it has no interest (libnats >= 3.4.0 semantics).
    if (sub != nullptr) natsSubscription_Destroy(sub);
    sub = nullptr;
  }
};

std::string_view PublishOutcomeName(PublishOutcome outcome) {
  switch (outcome) {
    case PublishOutcome::kStored:
      return "stored";
    case PublishOutcome::kDuplicate:
      return "duplicate";
    case PublishOutcome::kWrongLastSequence:
      return "wrong_last_sequence";
    case PublishOutcome::kMaybeStored:
      return "maybe_stored";
    case PublishOutcome::kUnavailable:
      return "unavailable";
    case PublishOutcome::kFailed:
      return "failed";
  }
  return "unknown";
}

bool IsValidKey(std::string_view key) {
  if (key.empty() || key.front() == '.' || key.back() == '.') return false;
  char prev = '\0';
  for (char c : key) {
    if (!IsKeyChar(c) || (c == '.' && prev == '.')) return false;
    prev = c;
  }
  return true;
}

Link::Link(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

core::Result<std::unique_ptr<Link>> Link::Open(LinkOptions options, LinkEvents events) {
  core::Result<internal::OptionsHandle> built = internal::BuildOptions(options);
  if (!built.ok()) return built.status();
  natsOptions* opts = built->get();

  auto impl = std::make_unique<Impl>();
  impl->stream = "KV_" + options.bucket;
  impl->subject_prefix = "$KV." + options.bucket + ".";
  impl->sink = std::make_unique<EventSink>();
  impl->sink->events = std::move(events);
  EventSink* sink = impl->sink.get();

  natsStatus s = natsOptions_SetRetryOnFailedConnect(opts, true, OnConnected, sink);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(opts, OnDisconnected, sink);
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(opts, OnConnected, sink);
  if (s == NATS_OK) s = natsOptions_SetClosedCB(opts, OnClosed, sink);
  if (s == NATS_OK) s = natsOptions_SetErrorHandler(opts, OnError, sink);
  // A request in flight when the connection drops then ends at once (kMaybeStored) instead of
  // waiting out its timeout while its answer can no longer arrive.
  if (s == NATS_OK) s = natsOptions_SetFailRequestsOnDisconnect(opts, true);
  if (s != NATS_OK) return core::InvalidArgument("cannot set NATS callbacks: " + ErrorText(s));

  // natsConnection_Connect tries every server once, synchronously, before it hands over to the
  // background retry: against an address that drops SYNs that is request_timeout_ms per server.
  // So the whole connect runs on its own thread and Open returns at once.
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = options.request_timeout_ms;
  impl->options = std::move(options);
  Impl* d = impl.get();
  d->connector = std::thread([d, sink, jo, owned = std::move(built.value())]() mutable {
    natsConnection* nc = nullptr;
    jsCtx* js = nullptr;
    natsStatus st;
    std::string first_failure;  // why the first attempt failed, when it did (TLS, refused, ...)
    {
      // Held until the link is usable, so that libnats' (re)connected and disconnected callbacks
      // cannot overtake the "connected" reported here, and so that a caller reacting to that
      // event finds connected() true.
      std::lock_guard lock(sink->mu);
      st = natsConnection_Connect(&nc, owned.get());
      if (st == NATS_OK || st == NATS_NOT_YET_CONNECTED) {
        const natsStatus connect_status = st;
        st = natsConnection_JetStream(&js, nc, &jo);
        if (st == NATS_OK) {
          d->nc = nc;
          d->js = js;
          d->started.store(true, std::memory_order_release);
          if (connect_status == NATS_OK && sink->events.on_connection) {
            sink->events.on_connection(true);
          }
          if (connect_status == NATS_NOT_YET_CONNECTED) {
            // libnats 3.4 keeps no cause of a failed first attempt (its error stack ends in
            // "not yet connected"); name what to check.
            first_failure =
                "the first attempt failed; check ledger.servers (address, port), the TLS files "
                "and credentials against the server's configuration and log";
          }
        }
      }
    }
    if (d->started.load(std::memory_order_acquire)) {
      // libnats goes on trying by itself; the operator hears why it is not connected yet.
      if (!first_failure.empty()) {
        sink->Error("not connected to NATS yet (retrying): " + first_failure);
      }
      return;
    }
    // Only a resource failure or an option libnats checks late gets here; the link then stays
    // unavailable, and says why.
    const std::string text = "cannot start the NATS connection: " + ErrorText(st);
    core::LogError(text);
    sink->Error(text);
    if (nc != nullptr && !CloseConnection(nc, sink)) d->sink_in_use = true;
  });
  return std::unique_ptr<Link>(new Link(std::move(impl)));
}

Link::~Link() {
  Impl& d = *impl_;
  {
    std::lock_guard lock(d.sub_mu);
    d.DropSubscriptionLocked();
  }
  // Waits out a first connect attempt still in progress (see Open).
  if (d.connector.joinable()) d.connector.join();
  if (!d.started.load(std::memory_order_acquire)) {
    if (d.sink_in_use) (void)d.sink.release();
    return;
  }
  jsCtx_Destroy(d.js);
  if (!CloseConnection(d.nc, d.sink.get())) d.sink_in_use = true;
  if (d.sink_in_use) {
    // libnats may still call into the sink; a small leak beats a use-after-free.
    core::LogError("NATS connection did not confirm its close; leaking its callback state");
    (void)d.sink.release();
  }
}

bool Link::connected() const { return impl_->Connected(); }

core::Result<StreamInfo> Link::GetStreamInfo() {
  Impl& d = *impl_;
  if (!d.Connected()) return Unavailable("not connected to NATS");
  jsStreamInfo* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetStreamInfo(&raw, d.js, d.stream.c_str(), nullptr, &jerr);
  StreamInfoHandle si(raw);
  if (s == NATS_OK && si != nullptr) {
    return StreamInfo{si->State.FirstSeq, si->State.LastSeq, si->State.Msgs, si->Created};
  }
  if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr) {
    return core::NotFound("stream " + d.stream + " does not exist");
  }
  if (s == NATS_TIMEOUT || s == NATS_NO_RESPONDERS || s == NATS_CONNECTION_DISCONNECTED ||
      s == NATS_CONNECTION_CLOSED) {
    return Unavailable("stream info of " + d.stream + ": " + ErrorText(s));
  }
  return Internal("stream info of " + d.stream + ": " + ErrorText(s));
}

int SubscribeWaitMs(const LinkOptions& options, bool snapshot, uint64_t stream_msgs,
                    int consecutive_failures) {
  const int64_t cap = std::max(options.subscribe_timeout_ms, options.request_timeout_ms);
  int64_t wait = options.request_timeout_ms;
  if (snapshot) wait += static_cast<int64_t>(std::min<uint64_t>(stream_msgs, 100'000'000) / 40);
  for (int i = 0; i < consecutive_failures && wait < cap; ++i) wait *= 2;
  return static_cast<int>(std::min(wait, cap));
}

core::Status Link::Subscribe(uint64_t start_seq, int wait_ms) {
  Impl& d = *impl_;
  std::lock_guard lock(d.sub_mu);
  d.DropSubscriptionLocked();
  if (!d.Connected()) return Unavailable("not connected to NATS");

  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = d.stream.c_str();
  so.Ordered = true;
  if (start_seq == 0) {
    so.Config.DeliverPolicy = js_DeliverLastPerSubject;
  } else {
    so.Config.DeliverPolicy = js_DeliverByStartSequence;
    so.Config.OptStartSeq = start_seq;
  }
  const std::string filter = d.subject_prefix + ">";
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsSubscription* sub = nullptr;
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = wait_ms > 0 ? wait_ms : d.options.subscribe_timeout_ms;
  natsStatus s = js_SubscribeSync(&sub, d.js, filter.c_str(), &jo, &so, &jerr);
  if (s != NATS_OK) {
    if (sub != nullptr) natsSubscription_Destroy(sub);
    if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr) {
      return Unavailable("cannot subscribe: stream " + d.stream + " does not exist");
    }
    return Unavailable("cannot subscribe to " + d.stream + ": " + ErrorText(s));
  }
  // A message dropped for exceeding the pending limits is invisible to the ordered consumer's
  // gap check (libnats checks order before limits), so it would be lost silently. Unlimited, as
  // kvStore_Watch does; memory stays bounded by the consumer's flow control, which libnats answers
  // only as Next() consumes. Next() still checks the dropped count for the instant before this.
  s = natsSubscription_SetPendingLimits(sub, -1, -1);
  if (s != NATS_OK) {
    natsSubscription_Destroy(sub);
    return Internal("cannot lift the subscription's pending limits: " + ErrorText(s));
  }
  d.sub = sub;
  return core::Status::Ok();
}

void Link::Unsubscribe() {
  std::lock_guard lock(impl_->sub_mu);
  impl_->DropSubscriptionLocked();
}

core::Result<std::optional<Change>> Link::Next(int timeout_ms) {
  Impl& d = *impl_;
  std::lock_guard lock(d.sub_mu);
  if (d.sub == nullptr)
    return core::Status(core::StatusCode::kFailedPrecondition, "not subscribed");
  natsMsg* raw = nullptr;
  const natsStatus s = natsSubscription_NextMsg(&raw, d.sub, timeout_ms < 0 ? 0 : timeout_ms);
  MsgHandle msg(raw);
  int64_t dropped = 0;
  if (s == NATS_SLOW_CONSUMER ||
      (natsSubscription_GetDropped(d.sub, &dropped) == NATS_OK && dropped > 0)) {
    d.DropSubscriptionLocked();
    return Unavailable("messages were dropped; subscribe again from the last applied sequence + 1");
  }
  if (s == NATS_TIMEOUT) return std::optional<Change>();
  if (s != NATS_OK) return Unavailable("subscription: " + ErrorText(s));

  const std::string_view subject = natsMsg_GetSubject(msg.get());
  if (!subject.starts_with(d.subject_prefix)) {
    return Internal("message on unexpected subject '" + std::string(subject) + "'");
  }
  jsMsgMetaData* raw_md = nullptr;
  const natsStatus ms = natsMsg_GetMetaData(&raw_md, msg.get());
  MetaDataHandle md(raw_md);
  if (ms != NATS_OK) return Internal("message without JetStream metadata: " + ErrorText(ms));

  Change c;
  c.key = subject.substr(d.subject_prefix.size());
  c.op = OperationOf(msg.get());
  c.value.assign(natsMsg_GetData(msg.get()), natsMsg_GetDataLength(msg.get()));
  c.seq = md->Sequence.Stream;
  c.pending = md->NumPending;
  c.time_ns = md->Timestamp;
  return std::optional<Change>(std::move(c));
}

PublishResult Link::Publish(std::string_view key, std::string_view value, std::string_view msg_id,
                            std::optional<uint64_t> expected_last_subject_seq) {
  Impl& d = *impl_;
  if (!IsValidKey(key))
    return Outcome(PublishOutcome::kFailed, "invalid key '" + std::string(key) + "'");
  if (value.size() > static_cast<size_t>(INT_MAX)) {
    return Outcome(PublishOutcome::kFailed, "value too large");
  }
  // Refusing here, rather than letting libnats buffer the message for the reconnect, keeps the
  // answer definite: a buffered message would time out ("maybe stored") and could still land
  // minutes later. Only a disconnect racing this check can still buffer one (kMaybeStored).
  if (!d.Connected()) return Outcome(PublishOutcome::kUnavailable, "not connected to NATS");

  const std::string subject = d.subject_prefix + std::string(key);
  const std::string id(msg_id);
  jsPubOptions po;
  jsPubOptions_Init(&po);
  if (!id.empty()) po.MsgId = id.c_str();
  if (expected_last_subject_seq.has_value()) {
    if (*expected_last_subject_seq == 0) {
      po.ExpectNoMessage = true;
    } else {
      po.ExpectLastSubjectSeq = *expected_last_subject_seq;
    }
  }
  jsPubAck* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_Publish(&raw, d.js, subject.c_str(), value.data(),
                                  static_cast<int>(value.size()), &po, &jerr);
  PubAckHandle ack(raw);
  if (s == NATS_OK && ack != nullptr) {
    return {ack->Duplicate ? PublishOutcome::kDuplicate : PublishOutcome::kStored, ack->Sequence,
            ""};
  }
  const std::string error = ErrorText(s);
  switch (static_cast<int>(jerr)) {
    case JSStreamWrongLastSequenceErr:
      return Outcome(PublishOutcome::kWrongLastSequence, error);
    // The stream answered (or its cluster did) and did not store the message; later may work.
    case JSStreamNotFoundErr:
    case JSClusterNotAvailErr:
    case JSClusterNotLeaderErr:
    case JSStreamOfflineErr:
      return Outcome(PublishOutcome::kUnavailable, error);
    default:
      break;
  }
  switch (s) {
    case NATS_TIMEOUT:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_CONNECTION_CLOSED:
      return Outcome(PublishOutcome::kMaybeStored, error);
    // Nothing was sent (no connection, reconnect buffer full), or the server answered that no
    // stream listens on the subject.
    case NATS_NO_RESPONDERS:
    case NATS_NOT_YET_CONNECTED:
    case NATS_INSUFFICIENT_BUFFER:
      return Outcome(PublishOutcome::kUnavailable, error);
    default:
      return Outcome(PublishOutcome::kFailed, error);
  }
}

core::Result<std::optional<Change>> Link::Get(std::string_view key) {
  Impl& d = *impl_;
  if (!IsValidKey(key)) return core::InvalidArgument("invalid key '" + std::string(key) + "'");
  if (!d.Connected()) return Unavailable("not connected to NATS");
  const std::string subject = d.subject_prefix + std::string(key);
  natsMsg* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetLastMsg(&raw, d.js, d.stream.c_str(), subject.c_str(), nullptr, &jerr);
  MsgHandle msg(raw);
  if (s == NATS_OK && msg != nullptr) {
    const Op op = OperationOf(msg.get());
    if (op != Op::kPut) return std::optional<Change>();
    Change c;
    c.key = std::string(key);
    c.value.assign(natsMsg_GetData(msg.get()), natsMsg_GetDataLength(msg.get()));
    c.seq = natsMsg_GetSequence(msg.get());
    c.time_ns = natsMsg_GetTime(msg.get());
    return std::optional<Change>(std::move(c));
  }
  if (jerr == JSNoMessageFoundErr) return std::optional<Change>();
  if (jerr == JSStreamNotFoundErr) return core::NotFound("stream " + d.stream + " does not exist");
  if (s == NATS_TIMEOUT || s == NATS_NO_RESPONDERS || s == NATS_CONNECTION_DISCONNECTED ||
      s == NATS_CONNECTION_CLOSED) {
    return Unavailable("get " + std::string(key) + ": " + ErrorText(s));
  }
  return Internal("get " + std::string(key) + ": " + ErrorText(s));
}

}  // namespace jwo::nats
