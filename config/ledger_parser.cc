// Parses `ledger:` (docs/configuration.md, docs/ledger.md).
#include <filesystem>

#include "config/enum_names.h"
#include "config/section_parsers.h"

namespace jwo::config::internal {
namespace {

// nats://host:port or tls://host:port (libnats also takes a bare host:port; the scheme makes
// the operator's intent about TLS explicit).
bool IsNatsUrl(const std::string& url) {
  for (std::string_view scheme : {"nats://", "tls://"}) {
    if (url.rfind(scheme, 0) == 0 && url.size() > scheme.size() &&
        url.find_first_of(" ,/?#", scheme.size()) == std::string::npos) {
      return true;
    }
  }
  return false;
}

// JetStream's stream names forbid '.', '*', '>', whitespace and path separators; a KV bucket
// name is further limited to these.
bool IsBucketName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (unsigned char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_')) {
      return false;
    }
  }
  return true;
}

}  // namespace

void ParseLedger(Reader& reader, const Value& value, const std::filesystem::path& base,
                 LedgerConfig* out) {
  auto f = reader.Map(value, {"servers", "bucket", "tls", "credentials_file", "ping_interval_ms",
                              "reconnect_wait_ms", "request_timeout_ms", "breaker", "portal"});
  if (!f) return;
  out->enabled = true;
  if (const Value* v = reader.Require(*f, "servers")) {
    if (auto items = reader.Sequence(*v)) {
      if (items->empty()) reader.Fail(*v, "needs at least one server URL, e.g. nats://host:4222");
      for (const Value& item : *items) {
        std::string url;
        if (!reader.String(item, &url)) continue;
        if (!IsNatsUrl(url)) {
          reader.Fail(item, "must be a nats:// or tls:// URL with host and port", url);
          continue;
        }
        out->servers.push_back(url);
      }
    }
  }
  if (const Value* v = f->Find("bucket");
      v && reader.String(*v, &out->bucket) && !IsBucketName(out->bucket)) {
    reader.Fail(*v, "must be 1 to 64 characters from A-Z a-z 0-9 _ -", out->bucket);
  }
  if (const Value* v = f->Find("tls")) {
    if (auto t = reader.Map(*v, {"ca_file", "certificate_file", "private_key_file"})) {
      if (const Value* c = t->Find("ca_file")) ReadFile(reader, *c, base, true, &out->ca_file);
      const Value* cert = t->Find("certificate_file");
      const Value* key = t->Find("private_key_file");
      if (cert) ReadFile(reader, *cert, base, true, &out->certificate_file);
      if (key) ReadFile(reader, *key, base, true, &out->private_key_file);
      if ((cert == nullptr) != (key == nullptr)) {
        reader.Fail(*v, "certificate_file and private_key_file go together");
      }
    }
  }
  if (const Value* v = f->Find("credentials_file")) {
    ReadFile(reader, *v, base, true, &out->credentials_file);
  }
  reader.OptionalInt(*f, "ping_interval_ms", uint32_t{100}, uint32_t{600'000},
                     &out->ping_interval_ms);
  reader.OptionalInt(*f, "reconnect_wait_ms", uint32_t{10}, uint32_t{600'000},
                     &out->reconnect_wait_ms);
  reader.OptionalInt(*f, "request_timeout_ms", uint32_t{100}, uint32_t{600'000},
                     &out->request_timeout_ms);
  reader.OptionalEnum(*f, "portal", kLedgerPortalNames, &out->portal);
  if (const Value* v = f->Find("breaker")) {
    if (auto b = reader.Map(*v, {"window_seconds", "chain_max", "store_max"})) {
      reader.OptionalInt(*b, "window_seconds", uint32_t{1}, uint32_t{86'400},
                         &out->breaker.window_seconds);
      reader.OptionalInt(*b, "chain_max", uint32_t{0}, uint32_t{10'000'000},
                         &out->breaker.chain_max);
      reader.OptionalInt(*b, "store_max", uint32_t{0}, uint32_t{10'000'000},
                         &out->breaker.store_max);
    }
  }
}

}  // namespace jwo::config::internal
