#include "ctl/answer.h"

#include <boost/json.hpp>
#include <string>

namespace jwo::ctl {
namespace {

namespace json = boost::json;

// Human output: nested objects as indented "key: value" lines, arrays of objects as blocks.
void Print(std::FILE* out, const json::value& v, int indent, const std::string& key);

void PrintScalarLine(std::FILE* out, const json::value& v, int indent, const std::string& key) {
  std::string text = v.is_string() ? std::string(v.get_string()) : json::serialize(v);
  std::fprintf(out, "%*s%s%s%s\n", indent, "", key.c_str(), key.empty() ? "" : ": ", text.c_str());
}

void Print(std::FILE* out, const json::value& v, int indent, const std::string& key) {
  if (v.is_object()) {
    if (!key.empty()) std::fprintf(out, "%*s%s:\n", indent, "", key.c_str());
    const int inner = key.empty() ? indent : indent + 2;
    for (const auto& kv : v.get_object()) Print(out, kv.value(), inner, std::string(kv.key()));
  } else if (v.is_array()) {
    const auto& arr = v.get_array();
    if (arr.empty()) {
      std::fprintf(out, "%*s%s: (none)\n", indent, "", key.c_str());
      return;
    }
    std::fprintf(out, "%*s%s:\n", indent, "", key.c_str());
    for (const auto& item : arr) {
      if (item.is_object()) {
        bool first = true;
        for (const auto& kv : item.get_object()) {
          std::string text = kv.value().is_string() ? std::string(kv.value().get_string())
                                                    : json::serialize(kv.value());
          std::fprintf(out, "%*s%s %s: %s\n", indent + 2, "", first ? "-" : " ",
                       std::string(kv.key()).c_str(), text.c_str());
          first = false;
        }
      } else {
        PrintScalarLine(out, item, indent + 2, "-");
      }
    }
  } else {
    PrintScalarLine(out, v, indent, key);
  }
}

// The string member `key` of `o`, or nullptr when absent or not a string.
const json::string* StringMember(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? &v->get_string() : nullptr;
}

int Unexpected(std::FILE* err, const std::string& what) {
  std::fprintf(err, "jwo-edgectl: unexpected answer from the daemon: %s\n", what.c_str());
  return 1;
}

}  // namespace

int ShowAnswer(std::string_view answer, bool raw_json, std::FILE* out, std::FILE* err) {
  if (raw_json) std::fprintf(out, "%.*s\n", static_cast<int>(answer.size()), answer.data());
  boost::system::error_code ec;
  const json::value parsed = json::parse(json::string_view(answer.data(), answer.size()), ec);
  if (ec) return Unexpected(err, "not JSON (" + ec.message() + ")");
  if (!parsed.is_object()) return Unexpected(err, "not a JSON object");
  const json::object& obj = parsed.get_object();
  const json::value* ok = obj.if_contains("ok");
  if (ok == nullptr || !ok->is_bool()) return Unexpected(err, "no boolean \"ok\"");
  if (!ok->get_bool()) {
    const json::string* error = StringMember(obj, "error");
    const json::string* code = StringMember(obj, "code");
    std::fprintf(err, "jwo-edgectl: %s (%s)\n",
                 error != nullptr ? error->c_str() : "the daemon refused without a message",
                 code != nullptr ? code->c_str() : "no code");
    return 1;
  }
  const json::value* result = obj.if_contains("result");
  if (result == nullptr) return Unexpected(err, "no \"result\"");
  if (!raw_json) Print(out, *result, 0, "");
  return 0;
}

}  // namespace jwo::ctl
