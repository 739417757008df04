#include "nats/libnats.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

namespace jwo::nats::internal {
namespace {

core::Status Invalid(std::string m) { return core::InvalidArgument(std::move(m)); }

// libnats only records file paths for credentials and reports an unreadable one at connect time,
// deep in a background retry loop; checking here turns it into a start-up error that names it.
core::Status CheckReadable(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Invalid(std::string("cannot read ") + what + " '" + path + "': " + std::strerror(errno));
  }
  return core::Status::Ok();
}

core::Status Set(natsStatus s, const char* what) {
  if (s == NATS_OK) return core::Status::Ok();
  return Invalid(std::string("invalid ") + what + ": " + ErrorText(s));
}

}  // namespace

std::string ErrorText(natsStatus s) {
  std::string text = natsStatus_GetText(s);
  natsStatus last = NATS_OK;
  const char* detail = nats_GetLastError(&last);
  if (detail != nullptr && *detail != '\0' && last == s && text != detail) {
    text += ": ";
    text += detail;
  }
  return text;
}

bool IsValidBucket(const std::string& bucket) {
  if (bucket.empty()) return false;
  for (char c : bucket) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

core::Result<OptionsHandle> BuildOptions(const LinkOptions& o) {
  if (o.servers.empty()) return Invalid("no NATS server given");
  if (!IsValidBucket(o.bucket)) {
    return Invalid("invalid bucket name '" + o.bucket + "': use [A-Za-z0-9_-]");
  }
  if (o.tls_cert_file.empty() != o.tls_key_file.empty()) {
    return Invalid("tls_cert_file and tls_key_file must be given together");
  }
  if (o.ping_interval_ms <= 0 || o.max_pings_out <= 0 || o.reconnect_wait_ms < 0 ||
      o.reconnect_jitter_ms < 0 || o.request_timeout_ms <= 0) {
    return Invalid("ping, reconnect and request timings must be positive");
  }
  for (const auto& [path, what] : {std::pair{&o.tls_ca_file, "TLS CA file"},
                                   std::pair{&o.tls_cert_file, "TLS certificate file"},
                                   std::pair{&o.tls_key_file, "TLS key file"},
                                   std::pair{&o.credentials_file, "NATS credentials file"}}) {
    if (path->empty()) continue;
    if (core::Status s = CheckReadable(*path, what); !s.ok()) return s;
  }

  natsOptions* raw = nullptr;
  if (natsOptions_Create(&raw) != NATS_OK) {
    return core::Status(core::StatusCode::kInternal, "cannot create NATS options");
  }
  OptionsHandle opts(raw);
  std::vector<const char*> urls;
  for (const std::string& s : o.servers) urls.push_back(s.c_str());
  core::Status s =
      Set(natsOptions_SetServers(raw, urls.data(), static_cast<int>(urls.size())), "servers");
  // The list order is the operator's preference (nearest region first).
  if (s.ok()) s = Set(natsOptions_SetNoRandomize(raw, true), "servers");
  if (s.ok() && !o.name.empty()) s = Set(natsOptions_SetName(raw, o.name.c_str()), "name");
  if (s.ok()) s = Set(natsOptions_SetPingInterval(raw, o.ping_interval_ms), "ping_interval_ms");
  if (s.ok()) s = Set(natsOptions_SetMaxPingsOut(raw, o.max_pings_out), "max_pings_out");
  if (s.ok()) s = Set(natsOptions_SetMaxReconnect(raw, -1), "max reconnect");
  if (s.ok()) s = Set(natsOptions_SetReconnectWait(raw, o.reconnect_wait_ms), "reconnect_wait_ms");
  if (s.ok()) {
    s = Set(natsOptions_SetReconnectJitter(raw, o.reconnect_jitter_ms, o.reconnect_jitter_ms),
            "reconnect_jitter_ms");
  }
  if (s.ok()) s = Set(natsOptions_SetTimeout(raw, o.request_timeout_ms), "request_timeout_ms");
  if (s.ok() && !o.tls_ca_file.empty()) {
    s = Set(natsOptions_SetSecure(raw, true), "TLS");
    if (s.ok()) {
      s = Set(natsOptions_LoadCATrustedCertificates(raw, o.tls_ca_file.c_str()),
              ("TLS CA file '" + o.tls_ca_file + "'").c_str());
    }
  }
  if (s.ok() && !o.tls_cert_file.empty()) {
    s = Set(natsOptions_SetSecure(raw, true), "TLS");
    if (s.ok()) {
      s = Set(
          natsOptions_LoadCertificatesChain(raw, o.tls_cert_file.c_str(), o.tls_key_file.c_str()),
          ("TLS certificate '" + o.tls_cert_file + "' or key '" + o.tls_key_file + "'").c_str());
    }
  }
  if (s.ok() && !o.credentials_file.empty()) {
    s = Set(natsOptions_SetUserCredentialsFromFiles(raw, o.credentials_file.c_str(), nullptr),
            ("NATS credentials file '" + o.credentials_file + "'").c_str());
  }
  if (!s.ok()) return s;
  return opts;
}

}  // namespace jwo::nats::internal
