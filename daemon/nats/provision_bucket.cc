// ProvisionBucket (declared in nats_link.h): the operator-side creation and reconfiguration of
// the debt bucket. Kept apart from Link because appliances never run it.
#include <string>

#include "nats/libnats.h"
#include "nats/nats_link.h"

namespace jwo::nats {

using internal::ErrorText;
using internal::StreamInfoHandle;

namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;

core::Status Unavailable(std::string m) { return {core::StatusCode::kUnavailable, std::move(m)}; }
core::Status Internal(std::string m) { return {core::StatusCode::kInternal, std::move(m)}; }

struct ConnectionCloser {
  void operator()(natsConnection* nc) const {
    natsConnection_Close(nc);
    natsConnection_Destroy(nc);
  }
};

core::Status CheckSpec(const BucketSpec& spec) {
  if (!internal::IsValidBucket(spec.bucket)) {
    return core::InvalidArgument("invalid bucket name '" + spec.bucket + "': use [A-Za-z0-9_-]");
  }
  if (spec.replicas < 1 || spec.replicas > 5) {
    return core::InvalidArgument("replicas must be 1..5, got " + std::to_string(spec.replicas));
  }
  if (spec.duplicate_window_s <= 0 || spec.duplicate_window_s > 7 * 24 * 3600) {
    return core::InvalidArgument("duplicate_window_s must be 1..604800");
  }
  if (spec.max_bytes == 0 || spec.max_bytes < -1) {
    return core::InvalidArgument("max_bytes must be positive or -1");
  }
  if (spec.max_value_size == 0 || spec.max_value_size < -1 || spec.max_value_size > INT32_MAX) {
    return core::InvalidArgument("max_value_size must be 1..2147483647 or -1");
  }
  return core::Status::Ok();
}

core::Result<StreamInfoHandle> FetchInfo(jsCtx* js, const std::string& stream, bool* missing) {
  jsStreamInfo* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetStreamInfo(&raw, js, stream.c_str(), nullptr, &jerr);
  StreamInfoHandle si(raw);
  *missing = false;
  if (s == NATS_OK && si != nullptr) return si;
  if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr) {
    *missing = true;
    return core::NotFound("stream " + stream + " does not exist");
  }
  if (s == NATS_TIMEOUT || s == NATS_NO_RESPONDERS) {
    return Unavailable("stream info of " + stream + ": " + ErrorText(s));
  }
  return Internal("stream info of " + stream + ": " + ErrorText(s));
}

std::string Describe(const jsStreamInfo& si) {
  const jsStreamConfig& c = *si.Config;
  return "replicas=" + std::to_string(c.Replicas) +
         " duplicate_window_s=" + std::to_string(c.Duplicates / kNanosPerSecond) +
         " max_bytes=" + std::to_string(c.MaxBytes) +
         " max_value_size=" + std::to_string(c.MaxMsgSize) +
         " history=" + std::to_string(c.MaxMsgsPerSubject) +
         " msgs=" + std::to_string(si.State.Msgs) + " created_ns=" + std::to_string(si.Created);
}

// Applies the spec to an existing stream's configuration; true when anything changed.
bool ApplySpec(const BucketSpec& spec, jsStreamConfig* c) {
  bool changed = false;
  auto set = [&changed](auto* field, auto value) {
    if (*field != value) {
      *field = value;
      changed = true;
    }
  };
  set(&c->Duplicates, spec.duplicate_window_s * kNanosPerSecond);
  set(&c->MaxBytes, spec.max_bytes);
  set(&c->MaxMsgSize, static_cast<int32_t>(spec.max_value_size));
  set(&c->Replicas, static_cast<int64_t>(spec.replicas));
  set(&c->MaxMsgsPerSubject, int64_t{1});
  return changed;
}

core::Result<std::string> Update(jsCtx* js, jsStreamInfo* si, const BucketSpec& spec,
                                 std::string summary) {
  if (!ApplySpec(spec, si->Config)) return summary + "; already as specified";
  jsStreamInfo* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_UpdateStream(&raw, js, si->Config, nullptr, &jerr);
  StreamInfoHandle updated(raw);
  if (s != NATS_OK || updated == nullptr) {
    return Internal(summary + "; the server refused the update: " + ErrorText(s));
  }
  return summary + "; updated to " + Describe(*updated);
}

}  // namespace

core::Result<std::string> ProvisionBucket(const LinkOptions& connect, const BucketSpec& spec) {
  if (core::Status s = CheckSpec(spec); !s.ok()) return s;
  core::Result<internal::OptionsHandle> opts = internal::BuildOptions(connect);
  if (!opts.ok()) return opts.status();
  // A one-shot tool: each server is tried once, and an answer comes within the timeouts.
  natsOptions_SetMaxReconnect(opts->get(), 0);

  natsConnection* raw_nc = nullptr;
  natsStatus s = natsConnection_Connect(&raw_nc, opts->get());
  std::unique_ptr<natsConnection, ConnectionCloser> nc(raw_nc);
  if (s != NATS_OK) return Unavailable("cannot connect to NATS: " + ErrorText(s));
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = connect.request_timeout_ms;
  jsCtx* raw_js = nullptr;
  s = natsConnection_JetStream(&raw_js, nc.get(), &jo);
  internal::JsHandle js(raw_js);
  if (s != NATS_OK) return Internal("cannot create the JetStream context: " + ErrorText(s));

  const std::string stream = "KV_" + spec.bucket;
  bool missing = false;
  core::Result<StreamInfoHandle> existing = FetchInfo(js.get(), stream, &missing);
  if (existing.ok()) {
    jsStreamInfo* si = existing->get();
    const std::string subjects = "$KV." + spec.bucket + ".>";
    if (si->Config->SubjectsLen != 1 || subjects != si->Config->Subjects[0]) {
      return core::Status(core::StatusCode::kFailedPrecondition,
                          "stream " + stream + " exists but is not KV bucket " + spec.bucket);
    }
    if (si->Config->Storage != js_FileStorage) {
      return core::Status(core::StatusCode::kFailedPrecondition,
                          "bucket " + spec.bucket + " uses memory storage; recreate it by hand");
    }
    // js_CreateKeyValue would reset the duplicate window to 120 s (notes §6), so the existing
    // stream is updated directly.
    return Update(js.get(), si, spec, "bucket " + spec.bucket + " existed: " + Describe(*si));
  }
  if (!missing) return existing.status();

  kvConfig kc;
  kvConfig_Init(&kc);
  kc.Bucket = spec.bucket.c_str();
  kc.History = 1;
  kc.StorageType = js_FileStorage;
  kc.Replicas = spec.replicas;
  kc.MaxBytes = spec.max_bytes;
  kc.MaxValueSize = static_cast<int32_t>(spec.max_value_size);
  kvStore* raw_kv = nullptr;
  s = js_CreateKeyValue(&raw_kv, js.get(), &kc);
  internal::KvHandle kv(raw_kv);
  if (s != NATS_OK) {
    if (s == NATS_TIMEOUT || s == NATS_NO_RESPONDERS) {
      return Unavailable("cannot create bucket " + spec.bucket + ": " + ErrorText(s));
    }
    return Internal("cannot create bucket " + spec.bucket + ": " + ErrorText(s));
  }
  // kvConfig has no duplicate window; the stream was just made with the 120 s default.
  core::Result<StreamInfoHandle> created = FetchInfo(js.get(), stream, &missing);
  if (!created.ok()) return created.status();
  return Update(js.get(), created->get(), spec, "bucket " + spec.bucket + " created");
}

}  // namespace jwo::nats
