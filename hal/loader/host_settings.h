// HostSettings: the instance's settings behind the ABI 1.1 host-table getters (gate_hal.h
// section 9), for every host that opens drivers: the daemon's gates and jwo-hal-conformance.
//
// Set() parses the very text handed to open(); the getters then answer by JSON Pointer with
// the header's status codes and never throw. Set() is called while no instance of the host is
// open; the getters are const and safe from any thread (concurrent reads of one parsed value).
//
// Why not parse again in each getter: a driver reads a dozen keys in open(), inside its 1 ms
// budget; one parse per open keeps each getter to a pointer walk.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "jwo_edge/gate_hal.h"

namespace jwo::hal {

class HostSettings {
 public:
  // The settings text given to open(). Anything but a JSON object makes every getter answer
  // JWO_HAL_ESETTINGS (the daemon always passes an object; a test harness may not).
  void Set(std::string_view settings_json);

  int Type(const char* path, uint32_t* out) const;
  int String(const char* path, char* out, size_t out_size) const;
  int Int(const char* path, int64_t* out) const;
  int Number(const char* path, double* out) const;
  int Bool(const char* path, int* out) const;
  int Count(const char* path, size_t* out) const;
  int Key(const char* path, size_t index, char* out, size_t out_size) const;

 private:
  // JWO_HAL_OK with *found set, or the status to answer.
  int Find(const char* path, const boost::json::value** found) const;

  boost::json::value root_;  // an object, or null when the text was not one
  bool valid_ = false;
};

// Fills the ABI 1.1 setting_* members of `table`; `Of(context)` returns the HostSettings of a
// host context (the table's `context`).
template <const HostSettings& (*Of)(void*)>
void InstallSettingGetters(jwo_hal_host_t* table) {
  table->setting_type = [](void* c, const char* p, uint32_t* o) { return Of(c).Type(p, o); };
  table->setting_string = [](void* c, const char* p, char* o, size_t n) {
    return Of(c).String(p, o, n);
  };
  table->setting_int = [](void* c, const char* p, int64_t* o) { return Of(c).Int(p, o); };
  table->setting_number = [](void* c, const char* p, double* o) { return Of(c).Number(p, o); };
  table->setting_bool = [](void* c, const char* p, int* o) { return Of(c).Bool(p, o); };
  table->setting_count = [](void* c, const char* p, size_t* o) { return Of(c).Count(p, o); };
  table->setting_key = [](void* c, const char* p, size_t i, char* o, size_t n) {
    return Of(c).Key(p, i, o, n);
  };
}

}  // namespace jwo::hal
