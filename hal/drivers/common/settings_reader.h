// SettingsReader: strict reading of a driver's JSON settings, shared by the drivers shipped with
// jwo-edge (sim, gpio).
//
// Every accessor checks one rule and throws jwo_edge::hal::SettingsError naming the key path
// and the rule ("settings.lanes[0].relay: must be an integer from 0 to 511"), which the C++
// wrapper turns into JWO_HAL_ESETTINGS with that text. Finish() rejects keys that were never
// read, so a misspelt key is an error rather than a silently ignored one. Single-threaded:
// one reader per open().
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

namespace jwo::hal::drivers {

class SettingsReader {
 public:
  // Parses `text`; throws SettingsError when it is not a JSON object.
  static boost::json::object ParseObject(std::string_view text);

  // Reads the object at `path` ("settings" for the top level).
  SettingsReader(const boost::json::object& object, std::string path);

  bool Has(std::string_view key) const;
  // Absent keys yield `fallback`; present ones must satisfy the rule or throw.
  int64_t Int(std::string_view key, int64_t min, int64_t max, int64_t fallback);
  bool Bool(std::string_view key, bool fallback);
  std::string String(std::string_view key, std::string fallback, size_t max_size);
  // A required or optional nested object / array; nullptr when absent and not required.
  const boost::json::object* Object(std::string_view key, bool required);
  const boost::json::array* Array(std::string_view key, bool required);

  std::string PathOf(std::string_view key) const;
  // Throws for the first key of the object that no accessor asked for.
  void Finish() const;

 private:
  const boost::json::value* Find(std::string_view key);

  const boost::json::object& object_;
  std::string path_;
  std::set<std::string, std::less<>> seen_;
};

}  // namespace jwo::hal::drivers
