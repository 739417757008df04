#include "hal/drivers/common/settings_reader.h"

#include <boost/json/parse.hpp>

#include "jwo_edge/gate_hal.hpp"

namespace jwo::hal::drivers {

using jwo_edge::hal::SettingsError;

boost::json::object SettingsReader::ParseObject(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(boost::json::string_view(text.data(), text.size()), ec);
  if (ec) throw SettingsError("settings: not valid JSON: " + ec.message());
  if (!v.is_object()) throw SettingsError("settings: must be a JSON object");
  return std::move(v.get_object());
}

SettingsReader::SettingsReader(const boost::json::object& object, std::string path)
    : object_(object), path_(std::move(path)) {}

std::string SettingsReader::PathOf(std::string_view key) const {
  return path_ + "." + std::string(key);
}

bool SettingsReader::Has(std::string_view key) const {
  return object_.if_contains(boost::json::string_view(key.data(), key.size())) != nullptr;
}

const boost::json::value* SettingsReader::Find(std::string_view key) {
  seen_.emplace(key);
  return object_.if_contains(boost::json::string_view(key.data(), key.size()));
}

int64_t SettingsReader::Int(std::string_view key, int64_t min, int64_t max, int64_t fallback) {
  const boost::json::value* v = Find(key);
  if (v == nullptr) return fallback;
  int64_t n = 0;
  if (v->is_int64()) {
    n = v->get_int64();
  } else if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    n = static_cast<int64_t>(v->get_uint64());
  } else {
    n = min - 1;
  }
  if (n < min || n > max) {
    throw SettingsError(PathOf(key) + ": must be an integer from " + std::to_string(min) + " to " +
                        std::to_string(max));
  }
  return n;
}

bool SettingsReader::Bool(std::string_view key, bool fallback) {
  const boost::json::value* v = Find(key);
  if (v == nullptr) return fallback;
  if (!v->is_bool()) throw SettingsError(PathOf(key) + ": must be true or false");
  return v->get_bool();
}

std::string SettingsReader::String(std::string_view key, std::string fallback, size_t max_size) {
  const boost::json::value* v = Find(key);
  if (v == nullptr) return fallback;
  if (!v->is_string() || v->get_string().size() > max_size) {
    throw SettingsError(PathOf(key) + ": must be a string of at most " + std::to_string(max_size) +
                        " bytes");
  }
  return std::string(v->get_string());
}

const boost::json::object* SettingsReader::Object(std::string_view key, bool required) {
  const boost::json::value* v = Find(key);
  if (v == nullptr) {
    if (required) throw SettingsError(PathOf(key) + ": required key is missing");
    return nullptr;
  }
  if (!v->is_object()) throw SettingsError(PathOf(key) + ": must be an object");
  return &v->get_object();
}

const boost::json::array* SettingsReader::Array(std::string_view key, bool required) {
  const boost::json::value* v = Find(key);
  if (v == nullptr) {
    if (required) throw SettingsError(PathOf(key) + ": required key is missing");
    return nullptr;
  }
  if (!v->is_array()) throw SettingsError(PathOf(key) + ": must be an array");
  return &v->get_array();
}

void SettingsReader::Finish() const {
  for (const auto& kv : object_) {
    if (seen_.find(std::string_view(kv.key().data(), kv.key().size())) == seen_.end()) {
      throw SettingsError(PathOf(std::string_view(kv.key().data(), kv.key().size())) +
                          ": unknown key");
    }
  }
}

}  // namespace jwo::hal::drivers
