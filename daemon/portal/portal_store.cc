#include "portal/portal_store.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

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
  FailureRecord f;
  if (const json::value* a = o->if_contains("failures"); a != nullptr && a->is_array()) {
    for (const json::value& t : a->as_array()) {
      if (t.is_int64()) f.failures_ms.push_back(t.as_int64());
    }
  }
  f.locked_until_ms = JsonIntOr(*o, "locked_until");
  return f;
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
  auto o = ObjectOf(**bytes, "a sign-in code");
  if (!o.ok()) return o.status();
  CodeRecord c;
  c.code_mac = JsonStringOr(*o, "mac");
  c.expires_ms = JsonIntOr(*o, "expires");
  c.wrong = static_cast<uint32_t>(JsonIntOr(*o, "wrong"));
  if (const json::value* a = o->if_contains("sent"); a != nullptr && a->is_array()) {
    for (const json::value& t : a->as_array()) {
      if (t.is_int64()) c.sent_ms.push_back(t.as_int64());
    }
  }
  return std::optional<CodeRecord>(std::move(c));
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
  auto o = ObjectOf(**bytes, "a session");
  if (!o.ok()) return std::optional<SessionRecord>();
  SessionRecord s;
  const int64_t kind = JsonIntOr(*o, "kind");
  if (kind != 1 && kind != 2) return std::optional<SessionRecord>();
  s.kind = static_cast<SessionKind>(kind);
  s.email_hash = JsonStringOr(*o, "email_hash");
  s.trip_id = JsonStringOr(*o, "trip");
  s.created_ms = JsonIntOr(*o, "created");
  s.last_ms = JsonIntOr(*o, "last");
  return std::optional<SessionRecord>(std::move(s));
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
      auto o = ObjectOf(v, "a portal row");
      bool expired = !o.ok();  // a damaged code, session or failure row only loses its effect
      if (o.ok() && prefix == "c/") {
        int64_t newest_sent = 0;
        if (const json::value* a = o->if_contains("sent"); a != nullptr && a->is_array()) {
          for (const json::value& t : a->as_array()) {
            if (t.is_int64()) newest_sent = std::max(newest_sent, t.as_int64());
          }
        }
        // Kept while the code lives or the hourly limit still counts a send.
        expired = JsonIntOr(*o, "expires") < now_ms && newest_sent < now_ms - 3'600'000;
      } else if (o.ok() && prefix == "s/") {
        expired = JsonIntOr(*o, "last") < now_ms - session_idle_ms;
      } else if (o.ok()) {
        int64_t newest = 0;
        if (const json::value* a = o->if_contains("failures"); a != nullptr && a->is_array()) {
          for (const json::value& t : a->as_array()) {
            if (t.is_int64()) newest = std::max(newest, t.as_int64());
          }
        }
        expired = JsonIntOr(*o, "locked_until") < now_ms && newest < now_ms - failure_window_ms;
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
