// What Link and ProvisionBucket share of libnats: owning handles for its objects, its error
// text, and the translation of LinkOptions into natsOptions.
//
// Internal to daemon/nats: the only header besides the .cc files that includes <nats/nats.h>.
// Thread safety: free functions, any thread; ErrorText reads libnats' per-thread last error, so
// call it on the thread (or inside the callback) where the failing call ran.
#pragma once

#include <nats/nats.h>

#include <memory>
#include <string>

#include "core/status.h"
#include "nats/nats_link.h"

namespace jwo::nats::internal {

template <typename T, void (*Destroy)(T*)>
struct Deleter {
  void operator()(T* p) const {
    if (p != nullptr) Destroy(p);
  }
};
template <typename T, void (*Destroy)(T*)>
using Handle = std::unique_ptr<T, Deleter<T, Destroy>>;

using OptionsHandle = Handle<natsOptions, natsOptions_Destroy>;
using JsHandle = Handle<jsCtx, jsCtx_Destroy>;
using StreamInfoHandle = Handle<jsStreamInfo, jsStreamInfo_Destroy>;
using MsgHandle = Handle<natsMsg, natsMsg_Destroy>;
using PubAckHandle = Handle<jsPubAck, jsPubAck_Destroy>;
using MetaDataHandle = Handle<jsMsgMetaData, jsMsgMetaData_Destroy>;
using KvHandle = Handle<kvStore, kvStore_Destroy>;

// "<status text>: <libnats' last error detail>" (the detail names the server's answer, e.g.
// "wrong last sequence: 3"); just the status text when there is no detail.
std::string ErrorText(natsStatus s);

// A valid KV bucket name: [A-Za-z0-9_-]+ (kv.c validBucketRe).
bool IsValidBucket(const std::string& bucket);

// natsOptions for `o`: servers, name, TLS, credentials, pings, reconnect forever with jitter.
// Callbacks and connect-retry behaviour are left to the caller. Errors: kInvalidArgument naming
// the option or the unreadable file.
core::Result<OptionsHandle> BuildOptions(const LinkOptions& o);

}  // namespace jwo::nats::internal
