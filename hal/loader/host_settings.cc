#include "hal/loader/host_settings.h"

#include <boost/json/parse.hpp>
#include <cstring>
#include <limits>

namespace jwo::hal {
namespace {

namespace json = boost::json;

// Copies `text` NUL-terminated into out[out_size]; JWO_HAL_ERANGE (out = "") when it does not
// fit.
int CopyOut(std::string_view text, char* out, size_t out_size) {
  if (text.size() + 1 > out_size) {
    out[0] = '\0';
    return JWO_HAL_ERANGE;
  }
  std::memcpy(out, text.data(), text.size());
  out[text.size()] = '\0';
  return JWO_HAL_OK;
}

}  // namespace

void HostSettings::Set(std::string_view settings_json) {
  json::error_code ec;
  json::value v = json::parse(settings_json, ec);
  valid_ = !ec && v.is_object();
  root_ = valid_ ? std::move(v) : json::value();
}

int HostSettings::Find(const char* path, const json::value** found) const {
  if (path == nullptr) return JWO_HAL_EINVAL;
  if (path[0] != '\0' && path[0] != '/') return JWO_HAL_EINVAL;
  if (!valid_) return JWO_HAL_ESETTINGS;
  json::error_code ec;
  const json::value* v = root_.find_pointer(path, ec);
  if (v != nullptr) {
    *found = v;
    return JWO_HAL_OK;
  }
  // A malformed pointer ("lanes" without its slash, "/a~2") is the caller's mistake; every
  // other miss (no such key or index, a step into a scalar) means the setting is absent.
  return ec == json::error::missing_slash || ec == json::error::invalid_escape ? JWO_HAL_EINVAL
                                                                               : JWO_HAL_ENOENT;
}

int HostSettings::Type(const char* path, uint32_t* out) const {
  if (out == nullptr) return JWO_HAL_EINVAL;
  const json::value* v = nullptr;
  if (int rc = Find(path, &v); rc != JWO_HAL_OK) return rc;
  switch (v->kind()) {
    case json::kind::null:
      *out = JWO_HAL_SETTING_NULL;
      break;
    case json::kind::bool_:
      *out = JWO_HAL_SETTING_BOOL;
      break;
    case json::kind::int64:
    case json::kind::uint64:
      *out = JWO_HAL_SETTING_INTEGER;
      break;
    case json::kind::double_:
      *out = JWO_HAL_SETTING_NUMBER;
      break;
    case json::kind::string:
      *out = JWO_HAL_SETTING_STRING;
      break;
    case json::kind::array:
      *out = JWO_HAL_SETTING_ARRAY;
      break;
    case json::kind::object:
      *out = JWO_HAL_SETTING_OBJECT;
      break;
  }
  return JWO_HAL_OK;
}

int HostSettings::String(const char* path, char* out, size_t out_size) const {
  if (out == nullptr || out_size == 0) return JWO_HAL_EINVAL;
  const json::value* v = nullptr;
  if (int rc = Find(path, &v); rc != JWO_HAL_OK) return rc;
  if (!v->is_string()) return JWO_HAL_ETYPE;
  return CopyOut(v->get_string(), out, out_size);
}

int HostSettings::Int(const char* path, int64_t* out) const {
  if (out == nullptr) return JWO_HAL_EINVAL;
  const json::value* v = nullptr;
  if (int rc = Find(path, &v); rc != JWO_HAL_OK) return rc;
  if (v->is_int64()) {
    *out = v->get_int64();
    return JWO_HAL_OK;
  }
  if (v->is_uint64()) {
    if (v->get_uint64() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return JWO_HAL_ERANGE;
    }
    *out = static_cast<int64_t>(v->get_uint64());
    return JWO_HAL_OK;
  }
  return JWO_HAL_ETYPE;
}

int HostSettings::Number(const char* path, double* out) const {
  if (out == nullptr) return JWO_HAL_EINVAL;
  const json::value* v = nullptr;
  if (int rc = Find(path, &v); rc != JWO_HAL_OK) return rc;
  if (!v->is_number()) return JWO_HAL_ETYPE;
  *out = v->to_number<double>();
  return JWO_HAL_OK;
}

int HostSettings::Bool(const char* path, int* out) const {
  if (out == nullptr) return JWO_HAL_EINVAL;
  const json::value* v = nullptr;
  if (int rc = Find(path, &v); rc != JWO_HAL_OK) return rc;
  if (!v->is_bool()) return JWO_HAL_ETYPE;
  *out = v->get_bool() ? 1 : 0;
  return JWO_HAL_OK;
}

int HostSettings::Count(const char* path, size_t* out) const {
  if (out == nullptr) return JWO_HAL_EINVAL;
  const json::value* v = nullptr;
  if (int rc = Find(path, &v); rc != JWO_HAL_OK) return rc;
  if (v->is_array()) {
    *out = v->get_array().size();
  } else if (v->is_object()) {
    *out = v->get_object().size();
  } else {
    return JWO_HAL_ETYPE;
  }
  return JWO_HAL_OK;
}

int HostSettings::Key(const char* path, size_t index, char* out, size_t out_size) const {
  if (out == nullptr || out_size == 0) return JWO_HAL_EINVAL;
  const json::value* v = nullptr;
  if (int rc = Find(path, &v); rc != JWO_HAL_OK) return rc;
  if (!v->is_object()) return JWO_HAL_ETYPE;
  const json::object& o = v->get_object();
  if (index >= o.size()) return JWO_HAL_ENOENT;
  return CopyOut((o.begin() + static_cast<std::ptrdiff_t>(index))->key(), out, out_size);
}

}  // namespace jwo::hal
