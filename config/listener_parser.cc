// Parses `listeners:`: each listener's name, address, port, apis and optional TLS files.
#include "config/section_parsers.h"

#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <system_error>

namespace jwo::config::internal {
namespace {

constexpr size_t kMaxNameLength = 64;

// Listener names end up in metric labels and log fields: keep them to a safe alphabet.
bool IsValidName(const std::string& name) {
  return !name.empty() && name.size() <= kMaxNameLength &&
         std::all_of(name.begin(), name.end(), [](char ch) {
           return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
                  (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '-';
         });
}

bool IsAddressLiteral(const std::string& text) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buf) == 1 || inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

// A TLS file: resolved against the config's directory, then checked now rather than at the
// first handshake, so --check-config catches a wrong path before the daemon starts.
bool ReadTlsFile(Reader& reader, const Value& v, const std::filesystem::path& base,
                 std::string* out) {
  std::string text;
  if (!reader.String(v, &text)) return false;
  if (text.empty()) {
    reader.Fail(v, "must name a file");
    return false;
  }
  const std::string path = ResolvePath(base, text);
  const std::string found = path == text ? "" : text;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || access(path.c_str(), R_OK) != 0) {
    const std::string why = std::error_code(errno, std::generic_category()).message();
    reader.Fail(v, "cannot read file " + path + ": " + why, found);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    reader.Fail(v, "cannot read file " + path + ": not a regular file", found);
    return false;
  }
  *out = path;
  return true;
}

std::optional<TlsConfig> ParseTls(Reader& reader, const Value& v,
                                  const std::filesystem::path& base) {
  auto fields = reader.Map(v, {"certificate", "private_key", "client_ca"});
  if (!fields) return std::nullopt;
  TlsConfig tls;
  if (const Value* cert = reader.Require(*fields, "certificate")) {
    ReadTlsFile(reader, *cert, base, &tls.certificate_file);
  }
  if (const Value* key = reader.Require(*fields, "private_key")) {
    ReadTlsFile(reader, *key, base, &tls.private_key_file);
  }
  if (const Value* ca = fields->Find("client_ca")) {
    ReadTlsFile(reader, *ca, base, &tls.client_ca_file);
  }
  return tls;
}

void ParseApis(Reader& reader, const Value& v, std::vector<Api>* out) {
  auto elements = reader.Sequence(v);
  if (!elements) return;
  if (elements->empty()) {
    reader.Fail(v, "must list at least one of shopper_authorization, health, metrics");
    return;
  }
  for (const Value& element : *elements) {
    Api api{};
    if (!reader.Enum(element, kApiNames, &api)) continue;
    if (std::find(out->begin(), out->end(), api) != out->end()) {
      reader.Fail(element, "api listed twice", std::string(ApiName(api)));
      continue;
    }
    out->push_back(api);
  }
}

}  // namespace

void ParseListeners(Reader& reader, const Value& value, const std::filesystem::path& base,
                    std::vector<ListenerConfig>* out) {
  auto elements = reader.Sequence(value);
  if (!elements) return;
  if (elements->empty()) {
    reader.Fail(value, "must list at least one listener");
    return;
  }
  std::set<std::string, std::less<>> names;
  std::set<std::pair<std::string, uint16_t>> endpoints;
  for (const Value& element : *elements) {
    auto fields = reader.Map(element, {"name", "address", "port", "apis", "tls"});
    if (!fields) continue;
    ListenerConfig listener;
    if (const Value* v = reader.Require(*fields, "name"); v && reader.String(*v, &listener.name)) {
      if (!IsValidName(listener.name)) {
        reader.Fail(*v, "must be 1 to 64 characters from A-Z a-z 0-9 _ -", listener.name);
      } else if (!names.insert(listener.name).second) {
        reader.Fail(*v, "duplicate listener name; names must be unique", listener.name);
      }
    }
    const Value* address = reader.Require(*fields, "address");
    bool address_ok = false;
    if (address && reader.String(*address, &listener.address)) {
      address_ok = IsAddressLiteral(listener.address);
      if (!address_ok) {
        reader.Fail(*address, "must be an IPv4 or IPv6 address literal such as 127.0.0.1 or ::",
                    listener.address);
      }
    }
    const Value* port = reader.Require(*fields, "port");
    if (port && reader.Int<uint16_t>(*port, 0, 65535, &listener.port) && address_ok &&
        listener.port != 0 && !endpoints.emplace(listener.address, listener.port).second) {
      reader.Fail(*port, "another listener already uses " + listener.address + " port " +
                             std::to_string(listener.port));
    }
    if (const Value* apis = reader.Require(*fields, "apis")) {
      ParseApis(reader, *apis, &listener.apis);
    }
    if (const Value* tls = fields->Find("tls")) listener.tls = ParseTls(reader, *tls, base);
    out->push_back(std::move(listener));
  }
}

}  // namespace jwo::config::internal
