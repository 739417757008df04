// Reader: typed, position-aware access to a parsed YAML document, internal to config/.
//
// Every accessor checks one rule (a mapping with only known keys, an integer in range, one of
// an enum's names, ...) and on a violation records a ConfigError naming the key path and the
// 1-based line and column, then carries on, so one pass collects every error in the file.
// Accessors return false / nullopt / nullptr after recording the error; the caller keeps the
// default and moves on. A Reader is single-threaded; make one per load.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_error.h"
#include "config/enum_names.h"

namespace jwo::config::internal {

// A node of the document together with its key path and where to point at it.
struct Value {
  YAML::Node node;
  std::string path;  // "" for the root, "store.map_size_mib", "listeners[0].apis[1]", ...
  int line = 0;      // 1-based; 0 when yaml-cpp has no position (an empty document)
  int column = 0;
};

// The entries of one YAML mapping, in document order.
struct Fields {
  struct Entry {
    std::string key;
    Value key_at;  // the key itself (where to point for a bad currency code, say)
    Value value;   // a null value points at its key: yaml-cpp marks it at the next token
  };
  Value map;  // the mapping itself (where to point for a missing key)
  std::vector<Entry> entries;

  // The value under `key`, or nullptr when the key is absent.
  const Value* Find(std::string_view key) const;
};

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  // Records an error at `at` (its path and position).
  void Fail(const Value& at, std::string rule, std::string found = {});
  // Records an error without a node: YAML syntax errors, unreadable files.
  void Fail(int line, int column, std::string key, std::string rule);

  bool has_errors() const { return !errors_.empty(); }
  std::vector<ConfigError> TakeErrors() { return std::move(errors_); }

  // The root of a parsed document, with path "".
  static Value Root(const YAML::Node& node);

  // The entries of mapping `v`; a null value (`audit:` with nothing after it) is an empty
  // mapping. Records an error and returns nullopt when `v` is not a mapping. Records, and
  // leaves out of the result, keys that are not scalars, repeated keys and keys not in `known`
  // (suggesting the closest known key when one is close).
  std::optional<Fields> Map(const Value& v, std::initializer_list<std::string_view> known);
  // Like Map() but with any scalar keys (currency codes); still rejects repeated keys.
  std::optional<Fields> OpenMap(const Value& v);
  // The elements of sequence `v` with paths "path[i]"; nullopt (and an error) otherwise.
  std::optional<std::vector<Value>> Sequence(const Value& v);

  // The value under `key`, or nullptr after recording "required key is missing".
  const Value* Require(const Fields& fields, std::string_view key);

  // Any scalar, quoted or not. Fails on null, mappings and sequences.
  bool String(const Value& v, std::string* out);
  // A plain (unquoted) decimal integer in [min, max].
  bool Int(const Value& v, int64_t min, int64_t max, int64_t* out);
  template <typename T>
  bool Int(const Value& v, T min, T max, T* out) {
    int64_t n = 0;
    if (!Int(v, static_cast<int64_t>(min), static_cast<int64_t>(max), &n)) return false;
    *out = static_cast<T>(n);
    return true;
  }
  // One of the names in `table`, matched exactly.
  template <typename E, size_t N>
  bool Enum(const Value& v, const EnumName<E> (&table)[N], E* out) {
    std::string text;
    if (!String(v, &text)) return false;
    for (const auto& row : table) {
      if (row.name == text) {
        *out = row.value;
        return true;
      }
    }
    std::string names;
    for (const auto& row : table) names += (names.empty() ? "" : ", ") + std::string(row.name);
    Fail(v, "must be one of " + names, text);
    return false;
  }

  // Shorthands for optional keys: read `key` of `fields` into *out when present; leave *out
  // (the default) alone when absent or invalid.
  template <typename T>
  void OptionalInt(const Fields& fields, std::string_view key, T min, T max, T* out) {
    if (const Value* v = fields.Find(key)) Int(*v, min, max, out);
  }
  template <typename E, size_t N>
  void OptionalEnum(const Fields& fields, std::string_view key, const EnumName<E> (&table)[N],
                    E* out) {
    if (const Value* v = fields.Find(key)) Enum(*v, table, out);
  }

 private:
  std::optional<Fields> ReadMap(const Value& v,
                                const std::initializer_list<std::string_view>* known);

  std::string file_;
  std::vector<ConfigError> errors_;
};

// The one YAML document loader, for the configuration and the catalog. Returns the root of
// the first document of `yaml` (a null node for an empty text). When yaml-cpp refuses the text
// (a syntax error, with its line and column) or throws anything else (std::bad_alloc), records
// the error and returns nullopt. A second document is recorded as an error, and the first root
// is still returned so the caller can report the rest of the file's errors too.
std::optional<YAML::Node> LoadOneDocument(Reader& reader, std::string_view yaml);

// Runs `parse`, which reads a loaded document through `reader`, and records any exception that
// escapes it (yaml-cpp misuse, std::bad_alloc) as an error of the file: a bad file must never
// stop the daemon.
void ParseGuarded(Reader& reader, const std::function<void()>& parse);

// "a.b" from ("a", "b"); "b" from ("", "b").
std::string ChildPath(const std::string& parent, std::string_view key);

}  // namespace jwo::config::internal
