// RecordingHost: a jwo_hal_host_t for driver unit tests - a clock the test moves, and every
// event and log line kept in full. Single-threaded test code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hal/loader/host_settings.h"
#include "jwo_edge/gate_hal.h"

namespace jwo::hal::testing {

struct Recorded {
  uint32_t type = 0;
  uint32_t lane = 0;
  uint32_t direction = 0;
  int32_t code = 0;
  std::string data;
  std::string detail;
};

class RecordingHost {
 public:
  RecordingHost() {
    table_.abi_major = JWO_HAL_ABI_MAJOR;
    table_.abi_minor = JWO_HAL_ABI_MINOR;
    table_.struct_size = sizeof table_;
    table_.context = this;
    table_.emit = [](void* c, const jwo_hal_event_t* e) {
      Recorded r{e->type, e->lane, e->direction, e->code, {}, e->detail ? e->detail : ""};
      if (e->data) r.data.assign(reinterpret_cast<const char*>(e->data), e->data_size);
      static_cast<RecordingHost*>(c)->events.push_back(r);
    };
    table_.log = [](void* c, uint32_t, const char* m) {
      static_cast<RecordingHost*>(c)->logs.push_back(m);
    };
    table_.monotonic_ns = [](void* c) { return static_cast<RecordingHost*>(c)->now_ns; };
    InstallSettingGetters<&RecordingHost::SettingsOf>(&table_);
    settings.Set("{}");
  }
  RecordingHost(const RecordingHost&) = delete;
  RecordingHost& operator=(const RecordingHost&) = delete;

  const jwo_hal_host_t* table() const { return &table_; }
  void AdvanceMs(uint64_t ms) { now_ns += ms * 1'000'000; }

  // The events of `type`, in order.
  std::vector<Recorded> Of(uint32_t type) const {
    std::vector<Recorded> out;
    for (const Recorded& r : events) {
      if (r.type == type) out.push_back(r);
    }
    return out;
  }

  uint64_t now_ns = 5'000'000'000;
  HostSettings settings;  // what setting_* answer from; Set() it to the text given to open()
  std::vector<Recorded> events;
  std::vector<std::string> logs;

 private:
  static const HostSettings& SettingsOf(void* c) {
    return static_cast<RecordingHost*>(c)->settings;
  }
  jwo_hal_host_t table_{};
};

}  // namespace jwo::hal::testing
