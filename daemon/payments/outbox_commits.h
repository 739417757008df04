// The store changes of the outbox dispatcher, one function per commit point. Each runs inside
// the caller's write transaction (the Writer's group commit in the daemon, a plain transaction
// in the money-path simulation), so the dispatcher never tells anyone — or itself — that
// something happened before it is durable. The OutboxSchedule says which one to run.
// Thread-compatible (the writer thread runs them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "payments/lifecycle.h"
#include "payments/outbox_schedule.h"
#include "store/env.h"

namespace jwo::payments {

// Before a Capture's bytes go out: marks attempt `seq` started (attempt_started_ms = now,
// attempts + 1). kNotFound when the entry is gone (withdrawn): send nothing.
core::Status CommitAttemptStart(store::WriteTxn& txn, uint64_t seq, int64_t now_ms);

// Applies a definitive answer to the entry `sent` (as the dispatcher sent it). On kRetry the
// entry keeps its request and records the attempt. An entry withdrawn while on the wire: a
// Capture that succeeded is recorded (ApplyOrphanCapture), anything else is ignored (kDone).
core::Result<AnswerOutcome> CommitAnswer(store::WriteTxn& txn, const store::OutboxEntry& sent,
                                         int http_status, std::string_view body,
                                         const LifecyclePolicy& policy, int64_t now_ms);

// A Capture attempt that was not processed: clears its started mark and records the error.
// An entry that is gone is ignored.
core::Status CommitNotProcessed(store::WriteTxn& txn, uint64_t seq, std::string_view error);

// A Capture whose outcome is unknown, under UnknownCapturePolicy::kHold: the entry is kept
// but never sent again (outcome_unknown), and the trip goes to capture_unknown, where no
// expiry turns it into debt. An entry that is gone is ignored.
core::Status HoldUnknownCapture(store::WriteTxn& txn, uint64_t seq, std::string_view why,
                                int64_t now_ms);

// A Capture found at start-up with its attempt started: the daemon stopped while it was on
// the wire. kHold: HoldUnknownCapture. kResend: the mark is cleared and it goes again.
core::Status RecoverStartedCapture(store::WriteTxn& txn, uint64_t seq, UnknownCapturePolicy policy,
                                   int64_t now_ms);

}  // namespace jwo::payments
