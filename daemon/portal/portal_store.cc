#include "portal/portal_store.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>

#include "core/ids.h"
#include "core/json.h"

namespace jwo::portal {
namespace {

namespace json = boost::json;
using core::Status;
using core::StatusCode;

constexpr std::string_view kSecretKey = "k";

Status Corrupt(std::string_view what) {
  return Status(StatusCode::kCorruption, "portal: " + std::string(what) + " does not decode");
}

using core::JsonIntOr;
using core::JsonStringOr;

core::Result<json::object> ObjectOf(std::string_view bytes, std::string_view what) {
  auto doc = core::ParseJson(bytes);
  if (!doc.ok() || !doc->is_object()) return Corrupt(what);
  return std::move(doc->as_object());
}

// The integers of array member `key` (other elements skipped).
std::vector<int64_t> IntsOf(const json::object& o, std::string_view key) {
  std::vector<int64_t> out;
  if (const json::value* a = o.if_contains(key); a != nullptr && a->is_array()) {
    for (const json::value& t : a->as_array()) {
      if (t.is_int64()) out.push_back(t.as_int64());
    }
  }
  return out;
}

int64_t Newest(const std::vector<int64_t>& times) {
  return times.empty() ? 0 : *std::max_element(times.begin(), times.end());
}

core::Result<CodeRecord> DecodeCode(std::string_view bytes) {
  auto o = ObjectOf(bytes, "a sign-in code");
  if (!o.ok()) return o.status();
  return CodeRecord{JsonStringOr(*o, "mac"), JsonIntOr(*o, "expires"),
                    static_cast<uint32_t>(JsonIntOr(*o, "wrong")), IntsOf(*o, "sent")};
}

// A damaged or unknown-kind session is no session (nullopt).
std::optional<SessionRecord> DecodeSession(std::string_view bytes) {
  auto o = ObjectOf(bytes, "a session");
  if (!o.ok()) return std::nullopt;
  const int64_t kind = JsonIntOr(*o, "kind");
  if (kind != 1 && kind != 2) return std::nullopt;
  return SessionRecord{static_cast<SessionKind>(kind), JsonStringOr(*o, "email_hash"),
                       JsonStringOr(*o, "trip"), JsonIntOr(*o, "created"), JsonIntOr(*o, "last")};
}

std::string CodeKey(std::string_view email_hash) { return "c/" + std::string(email_hash); }
std::string SessionKey(std::string_view id) { return "s/" + core::Sha256Hex(id); }
std::string FailureKey(std::string_view subject) { return "f/" + std::string(subject); }

std::string EncodeFailures(const FailureRecord& f) {
  json::array times;
  for (int64_t t : f.failures_ms) times.push_back(t);
  return json::serialize(json::object{{"failures", times}, {"locked_until", f.locked_until_ms}});
}

core::Result<FailureRecord> DecodeFailures(std::string_view bytes) {
  auto o = ObjectOf(bytes, "a failure record");
  if (!o.ok()) return o.status();
  return FailureRecord{IntsOf(*o, "failures"), JsonIntOr(*o, "locked_until")};
}

}  // namespace

std::string RandomHex(size_t n) {
  std::string bytes(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1) {
    // The CSPRNG failing is not something to go on without: a predictable session id or code
    // would hand one shopper's account to another.
    std::abort();
  }
  return core::HexLower(bytes);
}

std::string RandomDigits(size_t digits) {
  std::string out;
  while (out.size() < digits) {
    unsigned char b = 0;
    if (RAND_bytes(&b, 1) != 1) std::abort();
    if (b >= 250) continue;  // 250 = 25 * 10: keeps every digit equally likely
    out.push_back(static_cast<char>('0' + b % 10));
  }
  return out;
}

std::string HmacHex(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return core::HexLower(std::string_view(reinterpret_cast<const char*>(mac), len));
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

core::Result<std::string> LoadOrCreateSecret(store::WriteTxn& txn) {
  auto existing = txn.Get(store::Table::kPortal, kSecretKey);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) {
    if ((*existing)->size() != 64) return Corrupt("the portal secret");
    return std::string(**existing);
  }
  std::string secret = RandomHex(32);
  if (Status s = txn.Put(store::Table::kPortal, kSecretKey, secret); !s.ok()) return s;
  return secret;
}

core::Result<std::optional<CodeRecord>> ReadCode(const store::ReadTxn& txn,
                                                 std::string_view email_hash) {
  auto bytes = txn.Get(store::Table::kPortal, CodeKey(email_hash));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<CodeRecord>();
  auto c = DecodeCode(**bytes);
  if (!c.ok()) return c.status();
  return std::optional<CodeRecord>(std::move(*c));
}

Status WriteCode(store::WriteTxn& txn, std::string_view email_hash, const CodeRecord& c) {
  json::array sent;
  for (int64_t t : c.sent_ms) sent.push_back(t);
  return txn.Put(
      store::Table::kPortal, CodeKey(email_hash),
      json::serialize(json::object{
          {"mac", c.code_mac}, {"expires", c.expires_ms}, {"wrong", c.wrong}, {"sent", sent}}));
}

core::Result<std::optional<SessionRecord>> ReadSession(const store::ReadTxn& txn,
                                                       std::string_view id) {
  if (id.empty()) return std::optional<SessionRecord>();
  auto bytes = txn.Get(store::Table::kPortal, SessionKey(id));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<SessionRecord>();
  return DecodeSession(**bytes);
}

Status WriteSession(store::WriteTxn& txn, std::string_view id, const SessionRecord& s) {
  return txn.Put(store::Table::kPortal, SessionKey(id),
                 json::serialize(json::object{{"kind", static_cast<int64_t>(s.kind)},
                                              {"email_hash", s.email_hash},
                                              {"trip", s.trip_id},
                                              {"created", s.created_ms},
                                              {"last", s.last_ms}}));
}

Status DeleteSession(store::WriteTxn& txn, std::string_view id) {
  Status s = txn.Delete(store::Table::kPortal, SessionKey(id));
  return s.code() == StatusCode::kNotFound ? Status::Ok() : s;
}

core::Result<FailureRecord> ReadFailures(const store::ReadTxn& txn, std::string_view subject) {
  auto bytes = txn.Get(store::Table::kPortal, FailureKey(subject));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return FailureRecord{};
  return DecodeFailures(**bytes);
}

core::Result<FailureRecord> AddFailure(store::WriteTxn& txn, std::string_view subject, uint32_t max,
                                       int64_t window_ms, int64_t now_ms) {
  auto f = ReadFailures(txn, subject);
  if (!f.ok()) return f.status();
  std::erase_if(f->failures_ms, [&](int64_t t) { return t <= now_ms - window_ms; });
  f->failures_ms.push_back(now_ms);
  if (f->failures_ms.size() >= max) {
    f->locked_until_ms = now_ms + window_ms;
    f->failures_ms.clear();  // the lock-out is the record now; a new window starts after it
  }
  if (Status s = txn.Put(store::Table::kPortal, FailureKey(subject), EncodeFailures(*f)); !s.ok())
    return s;
  return f;
}

Status ClearFailures(store::WriteTxn& txn, std::string_view subject) {
  Status s = txn.Delete(store::Table::kPortal, FailureKey(subject));
  return s.code() == StatusCode::kNotFound ? Status::Ok() : s;
}

core::Result<size_t> SweepExpired(store::WriteTxn& txn, int64_t session_idle_ms,
                                  int64_t failure_window_ms, int64_t now_ms) {
  std::vector<std::string> gone;
  for (std::string_view prefix : {"c/", "s/", "f/"}) {
    Status s = txn.Scan(store::Table::kPortal, prefix, [&](std::string_view k, std::string_view v) {
      // A damaged code, session or failure row only loses its effect: it goes.
      bool expired = true;
      if (prefix == "c/") {
        // Kept while the code lives or the hourly limit still counts a send.
        if (auto c = DecodeCode(v); c.ok()) {
          expired = c->expires_ms < now_ms && Newest(c->sent_ms) < now_ms - 3'600'000;
        }
      } else if (prefix == "s/") {
        if (auto session = DecodeSession(v)) expired = session->last_ms < now_ms - session_idle_ms;
      } else if (auto f = DecodeFailures(v); f.ok()) {
        expired =
            f->locked_until_ms < now_ms && Newest(f->failures_ms) < now_ms - failure_window_ms;
      }
      if (expired) gone.emplace_back(k);
      return gone.size() < 10'000;
    });
    if (!s.ok()) return s;
  }
  for (const std::string& k : gone) {
    if (Status s = txn.Delete(store::Table::kPortal, k); !s.ok()) return s;
  }
  return gone.size();
}

}  // namespace jwo::portal
