// The portal's own records in table `portal` (schema 6; docs/portal.md, "What is stored"):
//
//   "k"               the portal's secret (32 random bytes): keys the code hashes and the CSRF
//                     tokens, so a copy of the store alone cannot test codes offline
//   "c/<addr hash>"   the one live sign-in code of an address: its keyed hash, expiry, wrong
//                     entries, and when codes were sent (the hourly limit)
//   "s/<sha256(id)>"  a session: the cookie holds the id, the store only its hash
//   "f/<subject>"     recent failed sign-ins of an address ("a/<hash>") or a peer ("p/<ip>"),
//                     and the lock-out they caused
//   "p/<payoff id>"   payoffs (portal/payoff.h)
//   "x/<payoff id>"   the sandbox processor's own charges (portal/sandbox_processor.h)
//
// Nothing here holds an e-mail address or a code in clear. Values are compact JSON. Functions
// take the caller's transaction; as thread-safe as it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/env.h"

namespace jwo::portal {

// n random bytes from OpenSSL's CSPRNG, as lower-case hex (2n characters).
std::string RandomHex(size_t n);
// A uniformly drawn decimal code of `digits` digits ("004217").
std::string RandomDigits(size_t digits);
// Hex HMAC-SHA256 of `data` under `key`.
std::string HmacHex(std::string_view key, std::string_view data);
// Equality in time independent of where the inputs differ (secrets compared with secrets).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// The portal's secret, created at the first call.
core::Result<std::string> LoadOrCreateSecret(store::WriteTxn& txn);

struct CodeRecord {
  std::string code_mac;  // HmacHex(secret, "code/<addr hash>/<code>")
  int64_t expires_ms = 0;
  uint32_t wrong = 0;            // wrong entries of this code
  std::vector<int64_t> sent_ms;  // codes sent to the address within the last hour
};
core::Result<std::optional<CodeRecord>> ReadCode(const store::ReadTxn& txn,
                                                 std::string_view email_hash);
core::Status WriteCode(store::WriteTxn& txn, std::string_view email_hash, const CodeRecord& c);

enum class SessionKind : uint8_t { kShopper = 1, kReceipt = 2 };
struct SessionRecord {
  SessionKind kind = SessionKind::kShopper;
  std::string email_hash;  // kShopper: whose trips and debts
  std::string trip_id;     // kReceipt: the one trip it may see
  int64_t created_ms = 0;
  int64_t last_ms = 0;  // idle expiry counts from here
};
// The session whose cookie value is `id`, or nullopt (unknown or damaged: a damaged session is
// no session).
core::Result<std::optional<SessionRecord>> ReadSession(const store::ReadTxn& txn,
                                                       std::string_view id);
core::Status WriteSession(store::WriteTxn& txn, std::string_view id, const SessionRecord& s);
core::Status DeleteSession(store::WriteTxn& txn, std::string_view id);

struct FailureRecord {
  std::vector<int64_t> failures_ms;  // within the window
  int64_t locked_until_ms = 0;
};
core::Result<FailureRecord> ReadFailures(const store::ReadTxn& txn, std::string_view subject);
// Adds a failure at now; locks the subject for `window_ms` when `max` failures fall within
// it. Returns the record as written.
core::Result<FailureRecord> AddFailure(store::WriteTxn& txn, std::string_view subject, uint32_t max,
                                       int64_t window_ms, int64_t now_ms);
core::Status ClearFailures(store::WriteTxn& txn, std::string_view subject);

// Deletes expired codes, sessions idle past `session_idle_ms`, and failure rows past their
// window and lock-out. Returns how many rows went.
core::Result<size_t> SweepExpired(store::WriteTxn& txn, int64_t session_idle_ms,
                                  int64_t failure_window_ms, int64_t now_ms);

}  // namespace jwo::portal
