#include "config/loader.h"

#include "core/file_read.h"

#include <sys/un.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "config/section_parsers.h"
#include "config/yaml_document.h"
#include "config/yaml_reader.h"

namespace jwo::config {
namespace {

using internal::Fields;
using internal::Reader;
using internal::Value;

constexpr size_t kMaxFileBytes = 4 << 20;  // a config is a few KiB; this catches /dev/zero
constexpr size_t kMaxStoreIdLength = 255;
constexpr size_t kMaxSocketPath = sizeof(sockaddr_un::sun_path) - 1;
constexpr uint64_t kMaxMapSizeMib = uint64_t{16} << 20;  // 16 TiB

bool IsValidStoreId(const std::string& id) {
  return !id.empty() && id.size() <= kMaxStoreIdLength &&
         std::all_of(id.begin(), id.end(), [](char ch) {
           return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
                  (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '-';
         });
}

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
  auto f = reader.Map(root, {"store_id", "store", "http", "listeners", "fa", "audit", "log",
                             "control", "ordering", "payments", "gates"});
  if (!f) return;
  if (const Value* v = reader.Require(*f, "store_id");
      v && reader.String(*v, &cfg->store_id) && !IsValidStoreId(cfg->store_id)) {
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
}

int OneBased(int zero_based) { return zero_based >= 0 ? zero_based + 1 : 0; }

}  // namespace

namespace internal {

std::string ResolvePath(const std::filesystem::path& base, const std::string& text) {
  return (base / text).lexically_normal().string();
}

}  // namespace internal

LoadResult LoadConfigFromString(std::string_view yaml, const std::string& name_for_messages) {
  Reader reader(name_for_messages);
  YamlDocument document;
  try {
    document = LoadOneYamlDocument(yaml);
  } catch (const YAML::Exception& e) {
    reader.Fail(OneBased(e.mark.line), OneBased(e.mark.column), "", "YAML syntax error: " + e.msg);
    return {std::nullopt, reader.TakeErrors()};
  }
  const YAML::Node& root = document.root;
  if (document.second_document) {
    const YAML::Mark mark = *document.second_document;
    reader.Fail(OneBased(mark.line), OneBased(mark.column), "",
                "the file must hold one YAML document, but a second one starts here");
  }

  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(name_for_messages, ec);
  const std::filesystem::path base = ec ? std::filesystem::path("/") : absolute.parent_path();

  Config cfg;
  cfg.source_file = name_for_messages;
  // yaml-cpp throws only for misuse, which the Reader's type checks rule out; a throw here
  // would still be a fault in the file's handling, so it is reported rather than escaping.
  try {
    ParseRoot(reader, Reader::Root(root), base, &cfg);
  } catch (const YAML::Exception& e) {
    reader.Fail(OneBased(e.mark.line), OneBased(e.mark.column), "",
                "internal error while reading the file: " + e.msg);
  }
  if (reader.has_errors()) return {std::nullopt, reader.TakeErrors()};
  return {std::move(cfg), {}};
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
