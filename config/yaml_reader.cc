#include "config/yaml_reader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <set>

#include "config/yaml_document.h"

namespace jwo::config::internal {
namespace {

// Quoted scalars carry the non-specific tag "!"; plain ones "?". A quoted "8443" is text the
// author chose to write as a string, so numeric keys refuse it rather than guess.
bool IsQuoted(const YAML::Node& node) { return node.Tag() == "!"; }

std::string Kind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Null:
      return "nothing";
    default:
      return IsQuoted(node) ? "a quoted string" : "a scalar";
  }
}

Value At(const YAML::Node& node, std::string path) {
  const YAML::Mark mark = node.Mark();
  Value v{node, std::move(path), 0, 0};
  if (mark.line >= 0) {
    v.line = mark.line + 1;
    v.column = mark.column + 1;
  }
  return v;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// Optimal-string-alignment distance: Levenshtein plus adjacent transpositions, the typo a
// hurried editor makes most ("adress", "stratgey").
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// Longer keys are no typo of a known key: the distance search (quadratic) is skipped and the
// key is shortened in messages, so a 1 MB key costs neither seconds nor megabytes.
constexpr size_t kMaxSuggestKeyBytes = 64;
constexpr size_t kMaxShownKeyBytes = 40;

std::string ShownKey(const std::string& key) {
  if (key.size() <= kMaxShownKeyBytes) return key;
  return key.substr(0, kMaxShownKeyBytes) + "...(" + std::to_string(key.size()) + " bytes)";
}

std::string UnknownKeyRule(std::string_view key, std::initializer_list<std::string_view> known) {
  if (key.size() > kMaxSuggestKeyBytes) key = {};
  const std::string lower = Lower(key);
  std::string_view suggestion;
  for (std::string_view candidate : known) {
    if (lower.size() >= 3 && candidate.starts_with(lower)) {
      suggestion = candidate;
      break;
    }
  }
  if (suggestion.empty() && !lower.empty()) {
    size_t best_distance = SIZE_MAX;
    std::string_view best;
    for (std::string_view candidate : known) {
      const size_t d = EditDistance(lower, candidate);
      if (d < best_distance) {
        best_distance = d;
        best = candidate;
      }
    }
    if (best_distance <= std::max<size_t>(2, best.size() / 3)) suggestion = best;
  }
  if (!suggestion.empty()) return "unknown key; did you mean '" + std::string(suggestion) + "'?";
  std::string names;
  for (std::string_view candidate : known) {
    names += (names.empty() ? "" : ", ") + std::string(candidate);
  }
  return "unknown key; expected one of " + names;
}

}  // namespace

const Value* Fields::Find(std::string_view key) const {
  for (const Entry& e : entries) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

namespace {

int OneBased(int zero_based) { return zero_based >= 0 ? zero_based + 1 : 0; }

}  // namespace

std::optional<YAML::Node> LoadOneDocument(Reader& reader, std::string_view yaml) {
  // Not YAML::LoadAll: yaml-cpp 0.7 loops forever on a stray ',' there (found by fuzzing,
  // yaml_document.h). LoadOneYamlDocument reads the first document and notes a second.
  YamlDocument document;
  try {
    document = LoadOneYamlDocument(yaml);
  } catch (const YAML::Exception& e) {
    reader.Fail(OneBased(e.mark.line), OneBased(e.mark.column), "", "YAML syntax error: " + e.msg);
    return std::nullopt;
  } catch (const std::exception& e) {  // std::bad_alloc on a hostile document
    reader.Fail(0, 0, "", std::string("the file could not be read as YAML: ") + e.what());
    return std::nullopt;
  }
  if (document.second_document) {
    const YAML::Mark mark = *document.second_document;
    reader.Fail(OneBased(mark.line), OneBased(mark.column), "",
                "the file must hold one YAML document, but a second one starts here");
  }
  return document.root;
}

void ParseGuarded(Reader& reader, const std::function<void()>& parse) {
  // yaml-cpp throws only for misuse, which the Reader's type checks rule out; should one
  // escape, or memory run out on a hostile document, it is reported as an error of the file.
  try {
    parse();
  } catch (const YAML::Exception& e) {
    reader.Fail(OneBased(e.mark.line), OneBased(e.mark.column), "",
                "internal error while reading the file: " + e.msg);
  } catch (const std::exception& e) {
    reader.Fail(0, 0, "", std::string("the file could not be read: ") + e.what());
  }
}

std::string ChildPath(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

void Reader::Fail(const Value& at, std::string rule, std::string found) {
  errors_.push_back({file_, at.line, at.column, at.path, std::move(rule), std::move(found)});
}

void Reader::Fail(int line, int column, std::string key, std::string rule) {
  errors_.push_back({file_, line, column, std::move(key), std::move(rule), {}});
}

Value Reader::Root(const YAML::Node& node) { return At(node, ""); }

std::optional<Fields> Reader::Map(const Value& v, std::initializer_list<std::string_view> known) {
  return ReadMap(v, &known);
}

std::optional<Fields> Reader::OpenMap(const Value& v) { return ReadMap(v, nullptr); }

std::optional<Fields> Reader::ReadMap(const Value& v,
                                      const std::initializer_list<std::string_view>* known) {
  Fields fields{v, {}};
  if (v.node.IsNull()) return fields;
  if (!v.node.IsMap()) {
    Fail(v, "must be a mapping (key: value lines), not " + Kind(v.node));
    return std::nullopt;
  }
  std::set<std::string, std::less<>> seen;
  for (auto it = v.node.begin(); it != v.node.end(); ++it) {
    // Copies: the iterator hands out a temporary pair, so references would dangle.
    const YAML::Node key_node = it->first;
    const YAML::Node value_node = it->second;
    if (!key_node.IsScalar()) {
      Fail(At(key_node, v.path), "keys must be plain words, not " + Kind(key_node));
      continue;
    }
    const std::string key = key_node.Scalar();
    Value key_at = At(key_node, ChildPath(v.path, ShownKey(key)));
    if (known != nullptr && std::find(known->begin(), known->end(), key) == known->end()) {
      Fail(key_at, UnknownKeyRule(key, *known));
      continue;
    }
    if (!seen.insert(key).second) {
      Fail(key_at, "key repeated; each key may appear once in a mapping");
      continue;
    }
    Value value = At(value_node, key_at.path);
    if (value_node.IsNull()) {
      value.line = key_at.line;
      value.column = key_at.column;
    }
    fields.entries.push_back({key, std::move(key_at), std::move(value)});
  }
  return fields;
}

std::optional<std::vector<Value>> Reader::Sequence(const Value& v) {
  if (!v.node.IsSequence()) {
    Fail(v, "must be a sequence (a [a, b] list or \"- \" lines), not " + Kind(v.node));
    return std::nullopt;
  }
  std::vector<Value> out;
  for (size_t i = 0; i < v.node.size(); ++i) {
    Value element = At(v.node[i], v.path + "[" + std::to_string(i) + "]");
    if (element.line == 0) {
      element.line = v.line;
      element.column = v.column;
    }
    out.push_back(std::move(element));
  }
  return out;
}

const Value* Reader::Require(const Fields& fields, std::string_view key) {
  if (const Value* v = fields.Find(key)) return v;
  Value missing = fields.map;
  missing.path = ChildPath(fields.map.path, key);
  Fail(missing, "required key is missing");
  return nullptr;
}

bool Reader::String(const Value& v, std::string* out) {
  if (!v.node.IsScalar()) {
    Fail(v, "must be a string, not " + Kind(v.node));
    return false;
  }
  *out = v.node.Scalar();
  return true;
}

bool Reader::Int(const Value& v, int64_t min, int64_t max, int64_t* out) {
  if (!v.node.IsScalar() || IsQuoted(v.node)) {
    Fail(v, "must be an integer, not " + Kind(v.node), v.node.IsScalar() ? v.node.Scalar() : "");
    return false;
  }
  const std::string& text = v.node.Scalar();
  std::string_view digits = text;
  if (digits.starts_with('+')) digits.remove_prefix(1);
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  const std::string range =
      "must be between " + std::to_string(min) + " and " + std::to_string(max);
  if (ec == std::errc::result_out_of_range) {
    Fail(v, range, text);
    return false;
  }
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.starts_with('+')) {
    Fail(v, "must be an integer (decimal digits only)", text);
    return false;
  }
  if (n < min || n > max) {
    Fail(v, range, text);
    return false;
  }
  *out = n;
  return true;
}

}  // namespace jwo::config::internal
