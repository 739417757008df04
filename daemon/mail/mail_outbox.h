// The mail outbox: receipts waiting to be mailed, durable in LMDB (table mail_outbox), and the
// dispatcher that sends them through the store's SMTP relay (smtp_client.h).
//
// One entry per trip and kind ("receipt/<trip id>"), so queueing is idempotent: a receipt is
// queued in the same transaction that makes the trip's receipt complete (captured, its
// transactional data and shopper e-mail applied), and a second call changes nothing. The entry
// stays after sending (state sent) as the record of what was mailed; `failed` entries are kept
// for operators and never sent again by themselves. The e-mail address is read from the trip
// at send time and never copied into the outbox (one place to honour retention).
//
// The dispatcher's thread takes due entries, renders the receipt from the trip, sends it with
// no transaction open, then commits the outcome with a line in the trip's history
// (`jwo-edgectl trip show`): sent; transient (retried after 1, 2, 4 ... minutes, at most an
// hour apart, given up after give_up_after_ms); permanent (given up at once: a 5xx answer, no
// address, an invalid message). A crash between a relay's 250 and the commit sends the receipt
// again at the next start: a duplicate receipt is harmless, a lost one is not, and the
// Message-ID stays the same.
//
// Thread safety: QueueReceipt runs inside the caller's write transaction, on its thread.
// MailDispatcher's methods may be called from any thread; RunOnce() is for tests (do not mix it
// with Start()).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/status.h"
#include "mail/receipt.h"
#include "mail/smtp_client.h"
#include "store/env.h"
#include "store/trip_record.h"

namespace jwo::mail {

enum class MailState : uint8_t { kPending = 1, kSent = 2, kFailed = 3 };
std::string_view MailStateName(MailState s);  // "pending", "sent", "failed"

struct MailEntry {
  std::string kind;  // "receipt"
  std::string trip_id;
  MailState state = MailState::kPending;
  int64_t created_ms = 0;
  int64_t next_ms = 0;  // when a pending entry is due
  int64_t sent_ms = 0;
  uint32_t attempts = 0;
  std::string last_error;  // the relay's answer or libcurl's error; never an address
};

// Version byte 1 + compact JSON. DecodeMailEntry: kCorruption for anything else.
std::string EncodeMailEntry(const MailEntry& e);
core::Result<MailEntry> DecodeMailEntry(std::string_view bytes);
std::string MailKey(std::string_view kind, std::string_view trip_id);

// Queues the trip's receipt when it is complete and has an e-mail address, unless one is
// queued already. True when an entry was added.
core::Result<bool> QueueReceipt(store::WriteTxn& txn, const store::TripRecord& trip,
                                int64_t now_ms);

// Queues the trip's receipt once more, on the shopper's request in the portal ("resend/<trip
// id>/<now>"): a captured trip with its receipt data and an address. Errors: kFailedPrecondition
// (not a trip whose receipt can be sent), kFailedPrecondition also when (a re-send is still
// waiting, or `max_per_day` were asked for in the last 24 hours).
core::Status QueueReceiptResend(store::WriteTxn& txn, const store::TripRecord& trip, int64_t now_ms,
                                uint32_t max_per_day = 3);

struct MailDispatcherOptions {
  SmtpOptions smtp;
  std::string from;                                    // receipts@store.example
  std::string from_name;                               // "Corner Store"
  std::string message_id_domain = "jwo-edge.invalid";  // receipt.<trip>@<this>
  ReceiptOptions receipt;
  int64_t poll_ms = 1000;
  int64_t first_retry_ms = 60'000;
  int64_t max_retry_ms = 3'600'000;
  int64_t give_up_after_ms = 3 * 86'400'000LL;
  size_t batch_max = 20;  // mails per round
};

struct MailDispatcherStats {
  uint64_t sent = 0, transient = 0, failed = 0;
};

class MailDispatcher {
 public:
  MailDispatcher(store::Env& env, MailDispatcherOptions options, const core::Clock& clock);
  ~MailDispatcher();  // Stop()
  MailDispatcher(const MailDispatcher&) = delete;
  MailDispatcher& operator=(const MailDispatcher&) = delete;

  void Start();
  // Joins the thread; a send in progress finishes first (bounded by the SMTP timeout).
  void Stop();
  void Wake();  // after QueueReceipt committed: send now rather than at the next poll
  // One round: every due entry (at most batch_max) sent and its outcome committed. Returns how
  // many were attempted. Errors only for the store.
  core::Result<size_t> RunOnce();
  MailDispatcherStats Stats() const;

 private:
  void Loop();
  core::Status Attempt(const std::string& key, const MailEntry& entry);

  store::Env& env_;
  const MailDispatcherOptions options_;
  const core::Clock& clock_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool wanted_ = false;
  MailDispatcherStats stats_;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace jwo::mail
