// Parses `gates:`: each gate's name, F&A gate id, HAL driver, driver settings (any YAML
// mapping, passed to the driver as JSON), lane mapping and deny messages (docs/hal.md).
#include <algorithm>
#include <regex>
#include <set>

#include "config/section_parsers.h"
#include "core/json_writer.h"

namespace jwo::config::internal {
namespace {

constexpr size_t kMaxNameLength = 64;
constexpr size_t kMaxIdLength = 128;
constexpr size_t kMaxMessageBytes = 200;  // JWO_HAL_MESSAGE_MAX
constexpr size_t kMaxLanes = 64;
constexpr int kMaxSettingsDepth = 16;
// YAML aliases let a 1 KiB file name the same mapping billions of times (an "alias bomb");
// the expansion into JSON is what costs, so it is bounded both in nodes visited and in bytes.
constexpr size_t kMaxSettingsNodes = 10'000;
constexpr size_t kMaxSettingsJsonBytes = 64 * 1024;

// fa::ReasonName() values; config sits below fa, so the list is repeated here and a test in
// tests/gate checks that the two agree.
constexpr std::string_view kReasonNames[] = {
    "ledger_clear",      "open_debt",       "override_allow",     "override_block",
    "store_unavailable", "amazon_approved", "amazon_denied",      "rule_approve",
    "rule_deny",         "rule_adjust",     "adjust_unconfigured"};

bool IsToken(const std::string& s, size_t max) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [](char ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           ch == '_' || ch == '-';
  });
}

bool IsPrintableText(const std::string& s) {
  return std::none_of(s.begin(), s.end(),
                      [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; });
}

// Settings text comes from the operator's file: escaped by the one JSON escaper (with UTF-8
// repair), so the settings handed to a driver are always valid JSON.
void AppendJsonString(const std::string& s, std::string* out) {
  *out += '"';
  core::AppendJsonEscaped(s, out);
  *out += '"';
}

// A plain YAML scalar becomes a JSON number, boolean or null when it reads as one in JSON's
// grammar; anything else, and every quoted scalar, is a string. So `lanes: 2` is 2 and
// `chip: "2"` is "2", as the author wrote them.
void AppendScalar(const YAML::Node& node, std::string* out) {
  static const std::regex kNumber(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
  const std::string& text = node.Scalar();
  if (node.Tag() != "!") {
    if (text == "true" || text == "false" || text == "null") {
      *out += text;
      return;
    }
    if (text == "~") {
      *out += "null";
      return;
    }
    if (std::regex_match(text, kNumber)) {
      *out += text;
      return;
    }
  }
  AppendJsonString(text, out);
}

bool AppendJson(Reader& reader, const Value& at, const YAML::Node& node, int depth, size_t* nodes,
                std::string* out) {
  if (depth > kMaxSettingsDepth) {
    reader.Fail(at, "settings nest deeper than " + std::to_string(kMaxSettingsDepth) + " levels");
    return false;
  }
  if (++*nodes > kMaxSettingsNodes || out->size() > kMaxSettingsJsonBytes) {
    reader.Fail(at, "settings are too large (at most " + std::to_string(kMaxSettingsNodes) +
                        " values and " + std::to_string(kMaxSettingsJsonBytes / 1024) +
                        " KiB as JSON, counting every use of a YAML alias)");
    return false;
  }
  switch (node.Type()) {
    case YAML::NodeType::Null:
      *out += "null";
      return true;
    case YAML::NodeType::Scalar:
      AppendScalar(node, out);
      return true;
    case YAML::NodeType::Sequence: {
      *out += '[';
      bool first = true;
      for (const YAML::Node& item : node) {
        if (!first) *out += ',';
        first = false;
        if (!AppendJson(reader, at, item, depth + 1, nodes, out)) return false;
      }
      *out += ']';
      return true;
    }
    case YAML::NodeType::Map: {
      *out += '{';
      bool first = true;
      std::set<std::string> keys;
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) {
          reader.Fail(at, "settings keys must be plain names");
          return false;
        }
        if (!keys.insert(kv.first.Scalar()).second) {
          reader.Fail(at, "settings key repeated", kv.first.Scalar());
          return false;
        }
        if (!first) *out += ',';
        first = false;
        AppendJsonString(kv.first.Scalar(), out);
        *out += ':';
        if (!AppendJson(reader, at, kv.second, depth + 1, nodes, out)) return false;
      }
      *out += '}';
      return true;
    }
    default:
      reader.Fail(at, "settings must be a mapping");
      return false;
  }
}

bool ReadMessage(Reader& reader, const Value& v, std::string* out) {
  std::string text;
  if (!reader.String(v, &text)) return false;
  if (text.size() > kMaxMessageBytes || !IsPrintableText(text)) {
    reader.Fail(v, "must be at most 200 bytes of text without control characters", text);
    return false;
  }
  *out = std::move(text);
  return true;
}

void ParseLanes(Reader& reader, const Value& value, std::vector<GateLaneConfig>* out) {
  auto elements = reader.Sequence(value);
  if (!elements) return;
  if (elements->empty() || elements->size() > kMaxLanes) {
    reader.Fail(value, "must list 1 to 64 lanes");
    return;
  }
  std::set<std::string> ids;
  std::set<uint32_t> numbers;
  for (size_t i = 0; i < elements->size(); ++i) {
    const Value& element = (*elements)[i];
    auto f = reader.Map(element, {"id", "lane"});
    if (!f) continue;
    GateLaneConfig lane;
    lane.lane = static_cast<uint32_t>(i + 1);
    if (const Value* v = reader.Require(*f, "id"); v && reader.String(*v, &lane.id)) {
      if (lane.id.empty() || lane.id.size() > kMaxIdLength || !IsPrintableText(lane.id)) {
        reader.Fail(*v, "must be 1 to 128 printable characters", lane.id);
      } else if (!ids.insert(lane.id).second) {
        reader.Fail(*v, "lane id listed twice", lane.id);
      }
    }
    if (const Value* v = f->Find("lane");
        v && reader.Int(*v, uint32_t{1}, uint32_t{kMaxLanes}, &lane.lane) &&
        numbers.count(lane.lane) != 0) {
      reader.Fail(*v, "driver lane " + std::to_string(lane.lane) + " is mapped twice");
    } else if (v == nullptr && numbers.count(lane.lane) != 0) {
      // The positional default collides with a lane named explicitly before: two ids would
      // drive the same lane.
      reader.Fail(element, "driver lane " + std::to_string(lane.lane) +
                               " is mapped twice (this entry has no lane: and takes its position; "
                               "write lane: on every entry)");
    }
    numbers.insert(lane.lane);
    out->push_back(std::move(lane));
  }
}

void ParseDenyMessages(Reader& reader, const Value& value,
                       std::map<std::string, std::string>* out) {
  auto f = reader.OpenMap(value);
  if (!f) return;
  for (const Fields::Entry& entry : f->entries) {
    if (std::find(std::begin(kReasonNames), std::end(kReasonNames), entry.key) ==
        std::end(kReasonNames)) {
      std::string names;
      for (std::string_view n : kReasonNames) names += (names.empty() ? "" : ", ") + std::string(n);
      reader.Fail(entry.key_at, "not a decision reason; use one of " + names, entry.key);
      continue;
    }
    std::string message;
    if (ReadMessage(reader, entry.value, &message)) (*out)[entry.key] = std::move(message);
  }
}

}  // namespace

void ParseGates(Reader& reader, const Value& value, const std::filesystem::path& base,
                std::vector<GateConfig>* out) {
  auto elements = reader.Sequence(value);
  if (!elements) return;
  std::set<std::string> names;
  std::set<std::string> gate_ids;
  for (const Value& element : *elements) {
    auto f = reader.Map(element, {"name", "gate_id", "driver", "settings", "lanes", "deny_message",
                                  "deny_messages", "command_max_age_ms"});
    if (!f) continue;
    GateConfig gate;
    if (const Value* v = reader.Require(*f, "name"); v && reader.String(*v, &gate.name)) {
      if (!IsToken(gate.name, kMaxNameLength)) {
        reader.Fail(*v, "must be 1 to 64 characters from A-Z a-z 0-9 _ -", gate.name);
      } else if (!names.insert(gate.name).second) {
        reader.Fail(*v, "duplicate gate name; names must be unique", gate.name);
      }
    }
    gate.gate_id = gate.name;
    const Value* id = f->Find("gate_id");
    if (id && reader.String(*id, &gate.gate_id) &&
        (gate.gate_id.empty() || gate.gate_id.size() > kMaxIdLength ||
         !IsPrintableText(gate.gate_id))) {
      reader.Fail(*id, "must be 1 to 128 printable characters", gate.gate_id);
    }
    if (!gate.gate_id.empty() && !gate_ids.insert(gate.gate_id).second) {
      reader.Fail(id ? *id : element, "two gates answer to gate id '" + gate.gate_id + "'");
    }
    if (const Value* v = reader.Require(*f, "driver"); v && reader.String(*v, &gate.driver)) {
      if (gate.driver.find('/') != std::string::npos) {
        gate.driver = ResolvePath(base, gate.driver);
      } else if (!IsToken(gate.driver, 32)) {
        reader.Fail(*v, "must be a driver name such as sim or gpio, or a path to a driver .so",
                    gate.driver);
      }
    }
    gate.settings_json = "{}";
    if (const Value* v = f->Find("settings"); v && !v->node.IsNull()) {
      std::string json;
      if (!v->node.IsMap()) {
        reader.Fail(*v, "must be a mapping of the driver's settings");
      } else if (size_t nodes = 0; AppendJson(reader, *v, v->node, 0, &nodes, &json)) {
        if (json.size() > kMaxSettingsJsonBytes) {
          reader.Fail(*v, "settings are too large (at most " +
                              std::to_string(kMaxSettingsJsonBytes / 1024) + " KiB as JSON)");
        } else {
          gate.settings_json = std::move(json);
        }
      }
    }
    if (const Value* v = reader.Require(*f, "lanes")) ParseLanes(reader, *v, &gate.lanes);
    if (const Value* v = f->Find("deny_message")) ReadMessage(reader, *v, &gate.deny_message);
    if (const Value* v = f->Find("deny_messages")) {
      ParseDenyMessages(reader, *v, &gate.deny_messages);
    }
    reader.OptionalInt(*f, "command_max_age_ms", uint32_t{100}, uint32_t{60'000},
                       &gate.command_max_age_ms);
    out->push_back(std::move(gate));
  }
}

}  // namespace jwo::config::internal
