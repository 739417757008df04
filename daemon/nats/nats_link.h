// Link: one store's connection to the chain-wide debt ledger, a NATS JetStream KV bucket
// ("debts" = stream "KV_debts", subjects "$KV.debts.<key>"), through libnats.
//
// What it offers is the raw JetStream view of the bucket that the sync protocol needs (see
// nats-jetstream-notes.md §5, §9): an ordered consumer that starts from a full snapshot or resumes
// at a stream sequence, publishes with a dedup id and an optimistic-concurrency check, a read of
// one key, and the stream's identity (its creation time) so a caller can tell a recreated stream
// from the one its checkpoint belongs to. It never creates or reconfigures the bucket; only
// ProvisionBucket (operator side) does.
//
// The connection lives in the background: Open returns at once, libnats connects and reconnects
// forever, and the Subscribe'd ordered consumer resumes by itself after a reconnect. While not
// connected, every call that would need the server answers kUnavailable at once instead of
// queueing, so a caller never holds an answer that depends on a future reconnect.
//
// Thread safety (Locking): Subscribe, Unsubscribe and Next belong to one thread (the consumer);
// Publish, Get, GetStreamInfo and connected() may be called from any other threads, concurrently
// with each other and with the consumer. LinkEvents callbacks run on libnats threads (the first
// "connected" on the Link's connector thread), one at a time and in the order libnats reports the
// events; they must not call back into the Link. The destructor must not run concurrently with
// any other call.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace jwo::nats {

struct LinkOptions {
  std::vector<std::string> servers;  // "nats://127.0.0.1:4222", tls:// too
  std::string bucket = "debts";  // KV bucket; stream "KV_" + bucket, subjects "$KV.<bucket>.<key>"
  std::string name;              // connection name shown by the server (the store id)
  // Optional. A CA alone verifies the server; cert and key (both or neither) authenticate us.
  std::string tls_ca_file, tls_cert_file, tls_key_file;
  std::string credentials_file;  // optional NATS .creds (JWT + NKey seed)
  // Two unanswered pings 10 s apart: a half-open WAN link is noticed within ~30 s instead of
  // libnats' default 4 minutes.
  int ping_interval_ms = 10000;
  int max_pings_out = 2;
  int reconnect_wait_ms = 1000;
  int reconnect_jitter_ms = 1000;  // a chain of stores must not reconnect in lock-step
  int request_timeout_ms = 5000;   // publish acks, stream info, get
  // The longest wait for the ordered consumer's creation (SubscribeWaitMs): a snapshot consumer
  // (DeliverLastPerSubject) over 1,000,000 keys takes nats-server 2.9 longer than
  // request_timeout_ms to set up.
  int subscribe_timeout_ms = 30000;
};

// How long Subscribe waits for the consumer's creation. A wait longer than the server needs is
// not free: a request the server never answers (its stream leader died with it) costs the whole
// wait before the retry that a new leader would answer at once. So the wait scales with the
// server's work: request_timeout_ms for a resume, plus 25 µs per stream message for a snapshot
// (DeliverLastPerSubject walks every subject: ~12 s for 1,000,000 on a busy 2-core machine,
// docs/performance.md), doubled per consecutive timeout, never above subscribe_timeout_ms.
int SubscribeWaitMs(const LinkOptions& options, bool snapshot, uint64_t stream_msgs,
                    int consecutive_failures);

struct LinkEvents {
  // Every disconnect (false) and every connect or reconnect (true), in order. A reconnect may
  // meet a different stream (restored from backup, wiped, recreated): check GetStreamInfo.
  std::function<void(bool connected)> on_connection;
  // Asynchronous errors: a failed ordered-consumer recreation, a missed heartbeat, a server
  // -ERR, a slow consumer. Informational: the Link keeps retrying by itself.
  std::function<void(std::string error)> on_error;
};

// The stream behind the bucket. `created_ns` identifies the stream incarnation: sequences from
// one incarnation mean nothing in another (notes §7.3).
struct StreamInfo {
  uint64_t first_seq = 0, last_seq = 0, msgs = 0;
  int64_t created_ns = 0;  // UTC nanoseconds since the epoch
};

// The KV-Operation header of a stored message; no header is a put.
enum class Op { kPut, kDelete, kPurge };

struct Change {
  std::string key;  // without the "$KV.<bucket>." prefix
  Op op = Op::kPut;
  std::string value;     // empty for kDelete and kPurge
  uint64_t seq = 0;      // stream sequence (= KV revision)
  uint64_t pending = 0;  // messages still to come for this consumer when it was delivered
  int64_t time_ns = 0;   // server time the message was stored, UTC ns
};

enum class PublishOutcome {
  kStored,             // acked; seq is the new message's stream sequence
  kDuplicate,          // acked as a duplicate of msg_id; seq is the ORIGINAL message's sequence
  kWrongLastSequence,  // the expected-last-subject-sequence check failed (JetStream err 10071)
  kMaybeStored,        // the request may have reached the server but no answer came: retry with
                       // the same msg_id (and check) — it may already be stored (notes §7.1)
  kUnavailable,        // not connected, no responders or stream missing: provably not stored
  kFailed,             // anything else, e.g. an invalid key, a value over the bucket's limit
};

struct PublishResult {
  PublishOutcome outcome = PublishOutcome::kFailed;
  uint64_t seq = 0;
  std::string error;  // empty for kStored and kDuplicate
};

// Stable lower-case name of an outcome ("stored", "maybe_stored", ...), for logs and metrics.
std::string_view PublishOutcomeName(PublishOutcome outcome);

// True when `key` is a valid KV key: characters [A-Za-z0-9_\-/=.], not empty, no empty
// '.'-separated token (so no leading, trailing or doubled '.').
bool IsValidKey(std::string_view key);

class Link {
 public:
  // Starts connecting on a background thread and returns without touching the network (libnats'
  // first connect attempt is synchronous, request_timeout_ms per unreachable server). Errors:
  // kInvalidArgument when no server is given, the bucket name is not a valid KV bucket name,
  // only one of tls_cert_file/tls_key_file is set, or a TLS/credentials file cannot be read (the
  // message names the file), or libnats rejects an option.
  static core::Result<std::unique_ptr<Link>> Open(LinkOptions options, LinkEvents events);

  // Closes the subscription and the connection without waiting for the server (nothing is
  // sent that needs an answer), and waits (bounded) until libnats has delivered its last
  // callback, so no LinkEvents callback runs after it returns. Right after Open it may wait out
  // the first connect attempt: at most request_timeout_ms per server that drops packets.
  ~Link();
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  bool connected() const;

  // The bucket's stream. Errors: kNotFound when the stream does not exist; kUnavailable when not
  // connected or no answer came within request_timeout_ms; kInternal for anything else.
  core::Result<StreamInfo> GetStreamInfo();

  // Starts an ordered consumer on the bucket's stream, replacing any previous subscription:
  // start_seq == 0 delivers the latest message of every key (a full snapshot, in ascending
  // sequence) and then live changes; start_seq > 0 delivers every message from start_seq on (a
  // start below the stream's first sequence starts at the first one still present). After a
  // reconnect the consumer is recreated from the last delivered sequence + 1 by libnats.
  // Errors: kUnavailable when it cannot be created now (not connected, timeout, stream missing:
  // the message says which); the caller retries. wait_ms bounds the consumer's creation (0:
  // subscribe_timeout_ms; see SubscribeWaitMs). Consumer thread only.
  core::Status Subscribe(uint64_t start_seq, int wait_ms = 0);

  // Stops the subscription (the server drops the ephemeral consumer by itself). No-op when not
  // subscribed. Never waits for the server. Consumer thread only.
  void Unsubscribe();

  // The next change, waiting at most timeout_ms; nullopt on timeout (also all one sees during an
  // outage). Errors: kFailedPrecondition when not subscribed; kUnavailable for a subscription
  // libnats closed, or a delivery gap (resubscribe from the last applied seq + 1). Consumer
  // thread only.
  core::Result<std::optional<Change>> Next(int timeout_ms);

  // Publishes `value` to key `key`. `msg_id` (may be empty: no dedup) makes a retry within the
  // stream's duplicate window a kDuplicate. expected_last_subject_seq: nullopt = no check;
  // 0 = the key must have no message at all (not even a delete tombstone); N = the key's last
  // message must be sequence N. Any thread.
  PublishResult Publish(std::string_view key, std::string_view value, std::string_view msg_id,
                        std::optional<uint64_t> expected_last_subject_seq);

  // The key's current value and revision, read from the stream (direct get of the last message
  // on the key's subject); nullopt when the key was never written or its last message is a
  // delete or purge. Errors: kInvalidArgument for an invalid key; kNotFound when the stream does
  // not exist; kUnavailable when not connected or on timeout; kInternal otherwise. Any thread.
  core::Result<std::optional<Change>> Get(std::string_view key);

  struct Impl;

 private:
  explicit Link(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// How the operator wants the bucket. History is always 1 and storage is always file.
struct BucketSpec {
  std::string bucket = "debts";
  int replicas = 1;                  // 1..5
  int64_t max_bytes = -1;            // -1: unlimited
  int64_t duplicate_window_s = 600;  // how long a msg_id retry is recognised
  int64_t max_value_size = 4096;     // bytes; -1: unlimited
};

// Operator-side provisioning, the only code that creates or reconfigures the bucket. Connects
// (each server tried once within connect.request_timeout_ms), then either creates the bucket
// (js_CreateKeyValue with History=1, file storage) and sets the stream's duplicate window, or,
// when the stream exists, updates in place what the server allows (duplicate window, max bytes,
// max value size, replicas, history back to 1) without js_CreateKeyValue, which would reset the
// window to 120 s (notes §6). Returns a human summary of what it found and did. Errors:
// kInvalidArgument for a bad spec or options; kUnavailable when no server answers;
// kFailedPrecondition when the existing stream is not this KV bucket or uses memory storage
// (reported, not changed); kInternal when the server refuses the change (its message included).
core::Result<std::string> ProvisionBucket(const LinkOptions& connect, const BucketSpec& spec);

}  // namespace jwo::nats
