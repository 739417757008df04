#include "config/loader.h"

#include "core/file_read.h"
#include "core/ids.h"

#include <sys/un.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "config/section_parsers.h"
#include "config/yaml_reader.h"

namespace jwo::config {
namespace {

using internal::Fields;
using internal::Reader;
using internal::Value;

constexpr size_t kMaxFileBytes = 4 << 20;  // a config is a few KiB; this catches /dev/zero
constexpr size_t kMaxSocketPath = sizeof(sockaddr_un::sun_path) - 1;
constexpr uint64_t kMaxMapSizeMib = uint64_t{16} << 20;  // 16 TiB

bool ReadPath(Reader& reader, const Value& v, const std::filesystem::path& base, std::string* out) {
  std::string text;
  if (!reader.String(v, &text)) return false;
  if (text.empty()) {
    reader.Fail(v, "must not be empty");
    return false;
  }
  *out = internal::ResolvePath(base, text);
  return true;
}

void ParseStore(Reader& reader, const Value& value, const std::filesystem::path& base,
                StoreConfig* out) {
  auto f =
      reader.Map(value, {"state_directory", "map_size_mib", "max_map_size_mib", "max_readers"});
  if (!f) return;
  if (const Value* v = reader.Require(*f, "state_directory")) {
    ReadPath(reader, *v, base, &out->state_directory);
  }
  const Value* map_size = f->Find("map_size_mib");
  const Value* max_size = f->Find("max_map_size_mib");
  const bool map_ok =
      !map_size || reader.Int(*map_size, uint64_t{1}, kMaxMapSizeMib, &out->map_size_mib);
  const bool max_ok =
      !max_size || reader.Int(*max_size, uint64_t{1}, kMaxMapSizeMib, &out->max_map_size_mib);
  if (const Value* at = map_size ? map_size : max_size;
      at && map_ok && max_ok && out->map_size_mib > out->max_map_size_mib) {
    reader.Fail(*at,
                "store.map_size_mib (" + std::to_string(out->map_size_mib) +
                    ") must not exceed store.max_map_size_mib (" +
                    std::to_string(out->max_map_size_mib) + ")",
                at->node.Scalar());
  }
  reader.OptionalInt(*f, "max_readers", uint32_t{0}, uint32_t{65535}, &out->max_readers);
}

void ParseHttp(Reader& reader, const Value& value, HttpConfig* out) {
  auto f = reader.Map(value, {"threads", "max_body_bytes", "max_header_bytes", "idle_timeout_ms",
                              "request_timeout_ms", "max_connections", "max_pipelined_requests"});
  if (!f) return;
  reader.OptionalInt(*f, "threads", 0, 64, &out->threads);
  reader.OptionalInt(*f, "max_body_bytes", uint32_t{1} << 10, uint32_t{16} << 20,
                     &out->max_body_bytes);
  reader.OptionalInt(*f, "max_header_bytes", uint32_t{1} << 10, uint32_t{64} << 10,
                     &out->max_header_bytes);
  reader.OptionalInt(*f, "idle_timeout_ms", uint32_t{100}, uint32_t{3'600'000},
                     &out->idle_timeout_ms);
  reader.OptionalInt(*f, "request_timeout_ms", uint32_t{100}, uint32_t{600'000},
                     &out->request_timeout_ms);
  reader.OptionalInt(*f, "max_connections", uint32_t{1}, uint32_t{1'000'000},
                     &out->max_connections);
  reader.OptionalInt(*f, "max_pipelined_requests", uint32_t{1}, uint32_t{1024},
                     &out->max_pipelined_requests);
}

void ParseAudit(Reader& reader, const Value& value, AuditConfig* out) {
  auto f = reader.Map(value, {"batch_max", "flush_interval_ms", "queue_max"});
  if (!f) return;
  reader.OptionalInt(*f, "batch_max", uint32_t{1}, uint32_t{65536}, &out->batch_max);
  reader.OptionalInt(*f, "flush_interval_ms", uint32_t{1}, uint32_t{10'000},
                     &out->flush_interval_ms);
  const Value* queue = f->Find("queue_max");
  if (queue && reader.Int(*queue, uint32_t{1}, uint32_t{16} << 20, &out->queue_max) &&
      out->queue_max < out->batch_max) {
    reader.Fail(*queue, "must be at least audit.batch_max (" + std::to_string(out->batch_max) + ")",
                queue->node.Scalar());
  }
}

void ParseLog(Reader& reader, const Value& value, LogConfig* out) {
  auto f = reader.Map(value, {"level", "target"});
  if (!f) return;
  reader.OptionalEnum(*f, "level", kLogLevelNames, &out->level);
  reader.OptionalEnum(*f, "target", kLogTargetNames, &out->target);
}

// The mode is always read as octal digits, whether written "0660" (quoted, as documented) or
// 0660 / 660 plain, so YAML 1.1 vs 1.2 integer rules never change its meaning.
void ParseSocketMode(Reader& reader, const Value& v, uint32_t* out) {
  std::string text;
  if (!reader.String(v, &text)) return;
  const bool digits_ok =
      (text.size() == 3 || (text.size() == 4 && text[0] == '0')) &&
      std::all_of(text.begin(), text.end(), [](char ch) { return ch >= '0' && ch <= '7'; });
  if (!digits_ok) {
    reader.Fail(v, "must be an octal permission string such as \"0660\"", text);
    return;
  }
  const uint32_t mode = static_cast<uint32_t>(std::stoul(text, nullptr, 8));
  // Anyone who can connect can change shoppers' debt status: never other users.
  if ((mode & 07) != 0) {
    reader.Fail(v, "must not give other users access (the last digit must be 0)", text);
    return;
  }
  *out = mode;
}

void ParseControl(Reader& reader, const Value& value, const std::filesystem::path& base,
                  ControlConfig* out) {
  auto f = reader.Map(value, {"socket", "socket_mode"});
  if (!f) return;
  if (const Value* v = reader.Require(*f, "socket");
      v && ReadPath(reader, *v, base, &out->socket_path) &&
      out->socket_path.size() > kMaxSocketPath) {
    reader.Fail(*v,
                "path too long for a unix socket: " + out->socket_path + " is " +
                    std::to_string(out->socket_path.size()) + " bytes, at most " +
                    std::to_string(kMaxSocketPath),
                v->node.Scalar());
  }
  if (const Value* v = f->Find("socket_mode")) ParseSocketMode(reader, *v, &out->socket_mode);
}

void ParseRoot(Reader& reader, const Value& root, const std::filesystem::path& base, Config* cfg) {
  auto f =
      reader.Map(root, {"store_id", "store", "http", "listeners", "fa", "audit", "log", "control",
                        "ordering", "payments", "gates", "ledger", "mail", "portal", "retention"});
  if (!f) return;
  if (const Value* v = reader.Require(*f, "store_id");
      v && reader.String(*v, &cfg->store_id) && !core::CheckStoreId(cfg->store_id).empty()) {
    reader.Fail(*v, "must be 1 to 255 characters from A-Z a-z 0-9 _ -", cfg->store_id);
  }
  if (const Value* v = reader.Require(*f, "store")) ParseStore(reader, *v, base, &cfg->store);
  if (const Value* v = f->Find("http")) ParseHttp(reader, *v, &cfg->http);
  if (const Value* v = reader.Require(*f, "listeners")) {
    internal::ParseListeners(reader, *v, base, &cfg->listeners);
  }
  if (const Value* v = f->Find("fa")) internal::ParseFa(reader, *v, &cfg->fa);
  if (const Value* v = f->Find("audit")) ParseAudit(reader, *v, &cfg->audit);
  if (const Value* v = f->Find("log")) ParseLog(reader, *v, &cfg->log);
  if (const Value* v = reader.Require(*f, "control")) {
    ParseControl(reader, *v, base, &cfg->control);
  }
  if (const Value* v = f->Find("ordering"))
    internal::ParseOrdering(reader, *v, base, &cfg->ordering);
  if (const Value* v = f->Find("payments"))
    internal::ParsePayments(reader, *v, base, &cfg->payments);
  if (const Value* v = f->Find("gates")) internal::ParseGates(reader, *v, base, &cfg->gates);
  if (const Value* v = f->Find("ledger")) internal::ParseLedger(reader, *v, base, &cfg->ledger);
  if (const Value* v = f->Find("mail")) internal::ParseMail(reader, *v, base, &cfg->mail);
  if (const Value* v = f->Find("portal")) internal::ParsePortal(reader, *v, base, &cfg->portal);
  if (const Value* v = f->Find("retention")) {
    if (auto r = reader.Map(*v, {"shopper_email_days"})) {
      reader.OptionalInt(*r, "shopper_email_days", uint32_t{1}, uint32_t{3650},
                         &cfg->retention.shopper_email_days);
    }
  }
  const bool portal_listener =
      std::any_of(cfg->listeners.begin(), cfg->listeners.end(), [](const ListenerConfig& l) {
        return std::find(l.apis.begin(), l.apis.end(), Api::kPortal) != l.apis.end();
      });
  if (portal_listener && !cfg->portal.enabled) {
    reader.Fail(root, "a listener serves the portal API, but there is no portal: section");
  }
  const bool serves_chain = cfg->ledger.enabled && cfg->ledger.portal == LedgerPortal::kServe;
  if (portal_listener && !cfg->payments.enabled && !serves_chain) {
    reader.Fail(root,
                "the portal needs payments: (refunds go through the outbox), or ledger.portal: "
                "serve (the chain's portal sends them to each trip's store)");
  }
  if (serves_chain && !portal_listener) {
    reader.Fail(root, "ledger.portal: serve needs a listener with apis: [portal]");
  }
  if (portal_listener && !cfg->mail.enabled) {
    reader.Fail(root, "the portal needs mail: (sign-in codes and receipts are mailed)");
  }
}

}  // namespace

namespace internal {

std::string ResolvePath(const std::filesystem::path& base, const std::string& text) {
  return (base / text).lexically_normal().string();
}

bool ReadFile(Reader& reader, const Value& v, const std::filesystem::path& base, bool must_exist,
              std::string* out) {
  std::string text;
  if (!reader.String(v, &text)) return false;
  *out = ResolvePath(base, text);
  if (must_exist && !std::filesystem::is_regular_file(*out)) {
    reader.Fail(v, "file not found: " + *out, text);
    return false;
  }
  return true;
}

}  // namespace internal

LoadResult LoadConfigFromString(std::string_view yaml, const std::string& name_for_messages) {
  Reader reader(name_for_messages);
  const std::optional<YAML::Node> root = internal::LoadOneDocument(reader, yaml);
  if (!root) return {std::nullopt, reader.TakeErrors()};

  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(name_for_messages, ec);
  const std::filesystem::path base = ec ? std::filesystem::path("/") : absolute.parent_path();

  Config cfg;
  cfg.source_file = name_for_messages;
  internal::ParseGuarded(reader, [&] { ParseRoot(reader, Reader::Root(*root), base, &cfg); });
  if (reader.has_errors()) return {std::nullopt, reader.TakeErrors()};
  return {std::move(cfg), {}};
}

namespace {

std::string Trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

// `control:` at column 0, then its indented `socket: VALUE` (quotes and a trailing comment
// removed). For files yaml-cpp refuses.
std::optional<std::string> ScanControlSocket(std::string_view text) {
  bool in_control = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (Trim(line).empty() || Trim(line)[0] == '#') continue;
    const bool indented = line[0] == ' ' || line[0] == '\t';
    if (!indented) {
      in_control = Trim(line) == "control:";
      continue;
    }
    if (!in_control) continue;
    std::string entry = Trim(line);
    if (!entry.starts_with("socket:")) continue;
    std::string value = Trim(std::string_view(entry).substr(7));
    if (!value.empty() && (value[0] == '"' || value[0] == '\'')) {
      const size_t close = value.find(value[0], 1);
      value = close == std::string::npos ? "" : value.substr(1, close - 1);
    } else if (const size_t hash = value.find(" #"); hash != std::string::npos) {
      value = Trim(std::string_view(value).substr(0, hash));
    }
    if (!value.empty()) return value;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> LenientControlSocket(const std::string& path) {
  auto text = core::ReadFileBounded(path, kMaxFileBytes);
  if (!text.ok()) return std::nullopt;
  std::optional<std::string> found;
  try {
    const YAML::Node root = YAML::Load(*text);
    if (root.IsMap() && root["control"].IsMap() && root["control"]["socket"].IsScalar()) {
      found = root["control"]["socket"].Scalar();
    }
  } catch (const std::exception&) {
    found = ScanControlSocket(*text);
  }
  if (!found || found->empty()) return std::nullopt;
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  const std::filesystem::path base = ec ? std::filesystem::path("/") : absolute.parent_path();
  return internal::ResolvePath(base, *found);
}

LoadResult LoadConfig(const std::string& path) {
  auto text = core::ReadFileBounded(path, kMaxFileBytes);
  if (!text.ok()) {
    std::string rule = text.status().message();
    if (text.status().code() == core::StatusCode::kOutOfRange) {
      rule += "; is it really the configuration?";
    }
    return LoadResult{std::nullopt, {ConfigError{path, 0, 0, "", std::move(rule), ""}}};
  }
  return LoadConfigFromString(*text, path);
}

}  // namespace jwo::config
