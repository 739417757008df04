// jwo_edge/gate_hal.hpp - a header-only C++17 wrapper for writing gate drivers in C++.
//
// Derive a class from jwo_edge::hal::Driver, give it a static Open(), and export it with
// JWO_HAL_DEFINE_CXX_DRIVER. The wrapper builds the C descriptor of gate_hal.h, turns each C
// call into a virtual call, and keeps every exception inside the library: an exception never
// crosses the C ABI (that would be undefined behaviour in the daemon). It maps
//   SettingsError  -> JWO_HAL_ESETTINGS (open only)
//   DeviceError    -> JWO_HAL_EIO
//   std::bad_alloc -> JWO_HAL_ENOMEM
//   anything else  -> JWO_HAL_EINTERNAL, logged through the host
// and writes the exception's text into open()'s error buffer.
//
//   class MyGate : public jwo_edge::hal::Driver {
//    public:
//     static std::unique_ptr<MyGate> Open(const jwo_edge::hal::Host& host,
//                                         std::string_view settings_json);
//     uint32_t LaneCount() const override;
//     int Poll() override;
//     int Admit(uint32_t lane) override;
//   };
//   JWO_HAL_DEFINE_CXX_DRIVER(MyGate, "mygate", "1.0.0",
//                             JWO_HAL_CAP_ADMIT | JWO_HAL_CAP_HEARTBEAT)
//
// A command function is put in the descriptor only when its capability is declared, so the
// daemon never calls an override the driver did not announce. ABI 1.1 hooks are put in when the
// class declares them (detected at compile time, not virtual):
//     uint64_t InstanceCapabilities() const;   // this instance's, within the declared ones
//     int Stimulate(jwo_hal_input_t input, uint32_t lane, std::string_view data);  // tests only
// Host::Setting* read the instance's settings through the host (gate_hal.h section 9). Threading
// and blocking rules are those of gate_hal.h: one thread at a time per instance, no call may block.
// RAII: the instance is the Driver object; close() deletes it, so release hardware in the
// destructor.
#ifndef JWO_EDGE_GATE_HAL_HPP
#define JWO_EDGE_GATE_HAL_HPP

#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "jwo_edge/gate_hal.h"

namespace jwo_edge::hal {

// Thrown by a driver's Open() for settings it rejects; becomes JWO_HAL_ESETTINGS.
class SettingsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown for a device that cannot be opened or reached; becomes JWO_HAL_EIO.
class DeviceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The daemon's services, as a thin value over the jwo_hal_host_t it was opened with. Cheap to
// copy; valid until the instance is closed. Every member is noexcept.
class Host {
 public:
  Host() = default;
  explicit Host(const jwo_hal_host_t* host) noexcept : host_(host) {}

  uint64_t MonotonicNs() const noexcept { return host_->monotonic_ns(host_->context); }
  uint64_t MonotonicMs() const noexcept { return MonotonicNs() / 1000000u; }

  void Log(jwo_hal_log_level_t level, const char* message) const noexcept {
    host_->log(host_->context, static_cast<uint32_t>(level), message);
  }
  void Log(jwo_hal_log_level_t level, const std::string& message) const noexcept {
    Log(level, message.c_str());
  }

  void Emit(const jwo_hal_event_t& event) const noexcept { host_->emit(host_->context, &event); }

  // Shorthands for the common events; `detail` may be null.
  void Event(jwo_hal_event_type_t type, uint32_t lane,
             const char* detail = nullptr) const noexcept {
    jwo_hal_event_t e = Blank(type, lane);
    e.detail = detail;
    Emit(e);
  }
  void CardTapped(uint32_t lane, const void* data, size_t size) const noexcept {
    jwo_hal_event_t e = Blank(JWO_HAL_EVENT_CARD_TAPPED, lane);
    e.data = static_cast<const uint8_t*>(data);
    e.data_size = size;
    Emit(e);
  }
  void PersonPassed(uint32_t lane, jwo_hal_direction_t direction) const noexcept {
    jwo_hal_event_t e = Blank(JWO_HAL_EVENT_PERSON_PASSED, lane);
    e.direction = static_cast<uint32_t>(direction);
    Emit(e);
  }
  void Fault(uint32_t lane, int32_t code, const char* detail) const noexcept {
    jwo_hal_event_t e = Blank(JWO_HAL_EVENT_FAULT, lane);
    e.code = code;
    e.detail = detail;
    Emit(e);
  }
  void Recovered(uint32_t lane, int32_t code) const noexcept {
    jwo_hal_event_t e = Blank(JWO_HAL_EVENT_RECOVERED, lane);
    e.code = code;
    Emit(e);
  }
  void Heartbeat() const noexcept { Event(JWO_HAL_EVENT_HEARTBEAT, JWO_HAL_LANE_NONE); }

  // ABI 1.1: the instance's settings by JSON Pointer (gate_hal.h section 9). Each returns the
  // status of the host's getter; HasSettings() is false on a 1.0 daemon (every getter then
  // answers JWO_HAL_EUNSUPPORTED).
  bool HasSettings() const noexcept { return JWO_HAL_HOST_HAS(host_, setting_key); }
  int SettingType(const char* path, jwo_hal_setting_type_t* out) const noexcept {
    if (!HasSettings()) return JWO_HAL_EUNSUPPORTED;
    uint32_t t = 0;
    const int rc = host_->setting_type(host_->context, path, &t);
    if (rc == JWO_HAL_OK) *out = static_cast<jwo_hal_setting_type_t>(t);
    return rc;
  }
  int SettingInt(const char* path, int64_t* out) const noexcept {
    return HasSettings() ? host_->setting_int(host_->context, path, out) : JWO_HAL_EUNSUPPORTED;
  }
  int SettingNumber(const char* path, double* out) const noexcept {
    return HasSettings() ? host_->setting_number(host_->context, path, out) : JWO_HAL_EUNSUPPORTED;
  }
  int SettingBool(const char* path, bool* out) const noexcept {
    if (!HasSettings()) return JWO_HAL_EUNSUPPORTED;
    int b = 0;
    const int rc = host_->setting_bool(host_->context, path, &b);
    if (rc == JWO_HAL_OK) *out = b != 0;
    return rc;
  }
  int SettingCount(const char* path, size_t* out) const noexcept {
    return HasSettings() ? host_->setting_count(host_->context, path, out) : JWO_HAL_EUNSUPPORTED;
  }
  // Strings and keys of any length up to 64 KiB (the daemon's bound on all settings).
  int SettingString(const char* path, std::string* out) const {
    return HasSettings() ? ReadText(
                               [&](char* b, size_t n) {
                                 return host_->setting_string(host_->context, path, b, n);
                               },
                               out)
                         : JWO_HAL_EUNSUPPORTED;
  }
  int SettingKey(const char* path, size_t index, std::string* out) const {
    return HasSettings() ? ReadText(
                               [&](char* b, size_t n) {
                                 return host_->setting_key(host_->context, path, index, b, n);
                               },
                               out)
                         : JWO_HAL_EUNSUPPORTED;
  }

  const jwo_hal_host_t* raw() const noexcept { return host_; }

 private:
  template <typename Get>
  static int ReadText(Get&& get, std::string* out) {
    for (size_t size = 256;; size *= 4) {
      std::string buf(size, '\0');
      const int rc = get(buf.data(), buf.size());
      if (rc == JWO_HAL_ERANGE && size < 65536) continue;
      if (rc == JWO_HAL_OK) *out = buf.c_str();
      return rc;
    }
  }
  static jwo_hal_event_t Blank(jwo_hal_event_type_t type, uint32_t lane) noexcept {
    jwo_hal_event_t e;
    std::memset(&e, 0, sizeof e);
    e.struct_size = sizeof e;
    e.type = static_cast<uint32_t>(type);
    e.lane = lane;
    return e;
  }

  const jwo_hal_host_t* host_ = nullptr;
};

// One opened instance. Override what the driver supports; the defaults answer
// JWO_HAL_EUNSUPPORTED. Methods may throw; the wrapper converts (see the top of the file).
class Driver {
 public:
  virtual ~Driver() = default;
  virtual uint32_t LaneCount() const = 0;
  virtual int Poll() = 0;
  virtual int Admit(uint32_t /*lane*/) { return JWO_HAL_EUNSUPPORTED; }
  virtual int Deny(uint32_t /*lane*/, std::string_view /*message*/) { return JWO_HAL_EUNSUPPORTED; }
  virtual int SetLaneMode(uint32_t /*lane*/, jwo_hal_lane_mode_t /*mode*/) {
    return JWO_HAL_EUNSUPPORTED;
  }
  // Writes a JSON answer into *reply.
  virtual int Control(std::string_view /*request*/, std::string* /*reply*/) {
    return JWO_HAL_EUNSUPPORTED;
  }
};

namespace detail {

inline void CopyText(const char* text, char* out, size_t size) noexcept {
  if (out == nullptr || size == 0) return;
  const size_t n = std::strlen(text);
  const size_t m = n < size - 1 ? n : size - 1;
  std::memcpy(out, text, m);
  out[m] = '\0';
}

// Runs `body`, converting exceptions to status codes; `host` (may be null) hears about
// unexpected ones.
template <typename Body>
int Guard(const Host* host, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return JWO_HAL_ENOMEM;
  } catch (const DeviceError& e) {
    if (host != nullptr) host->Log(JWO_HAL_LOG_ERROR, e.what());
    return JWO_HAL_EIO;
  } catch (const std::exception& e) {
    if (host != nullptr) host->Log(JWO_HAL_LOG_ERROR, e.what());
    return JWO_HAL_EINTERNAL;
  } catch (...) {
    if (host != nullptr) host->Log(JWO_HAL_LOG_ERROR, "unknown exception in driver");
    return JWO_HAL_EINTERNAL;
  }
}

// What the C instance pointer points at: the driver object and the host it may log to.
struct Box {
  std::unique_ptr<Driver> driver;
  Host host;
};

inline Box* Unbox(jwo_hal_instance_t* instance) noexcept {
  return reinterpret_cast<Box*>(instance);
}
inline const Box* Unbox(const jwo_hal_instance_t* instance) noexcept {
  return reinterpret_cast<const Box*>(instance);
}

// Whether driver class D declares the ABI 1.1 hooks (see the top of the file).
template <typename D, typename = void>
struct HasInstanceCapabilities : std::false_type {};
template <typename D>
struct HasInstanceCapabilities<
    D, std::void_t<decltype(std::declval<const D&>().InstanceCapabilities())>> : std::true_type {};
template <typename D, typename = void>
struct HasStimulate : std::false_type {};
template <typename D>
struct HasStimulate<D, std::void_t<decltype(std::declval<D&>().Stimulate(
                           JWO_HAL_INPUT_CARD_TAP, uint32_t{1}, std::string_view()))>>
    : std::true_type {};

template <typename D>
struct Adapter {
  static int Open(const jwo_hal_host_t* host, const char* settings, jwo_hal_instance_t** out,
                  char* error, size_t error_size) noexcept {
    if (host == nullptr || settings == nullptr || out == nullptr) return JWO_HAL_EINVAL;
    try {
      auto box = std::make_unique<Box>();
      box->host = Host(host);
      box->driver = D::Open(box->host, std::string_view(settings));
      if (!box->driver) {
        CopyText("driver refused to open", error, error_size);
        return JWO_HAL_EINTERNAL;
      }
      *out = reinterpret_cast<jwo_hal_instance_t*>(box.release());
      return JWO_HAL_OK;
    } catch (const SettingsError& e) {
      CopyText(e.what(), error, error_size);
      return JWO_HAL_ESETTINGS;
    } catch (const DeviceError& e) {
      CopyText(e.what(), error, error_size);
      return JWO_HAL_EIO;
    } catch (const std::bad_alloc&) {
      CopyText("out of memory", error, error_size);
      return JWO_HAL_ENOMEM;
    } catch (const std::exception& e) {
      CopyText(e.what(), error, error_size);
      return JWO_HAL_EINTERNAL;
    } catch (...) {
      CopyText("unknown exception in driver", error, error_size);
      return JWO_HAL_EINTERNAL;
    }
  }
  static void Close(jwo_hal_instance_t* instance) noexcept {
    try {
      delete Unbox(instance);
    } catch (...) {
      // A destructor that throws has nowhere to report to once the instance is gone.
    }
  }
  static uint32_t LaneCount(const jwo_hal_instance_t* instance) noexcept {
    try {
      return Unbox(instance)->driver->LaneCount();
    } catch (...) {
      return 0;
    }
  }
  static int Poll(jwo_hal_instance_t* instance) noexcept {
    Box* b = Unbox(instance);
    return Guard(&b->host, [&] { return b->driver->Poll(); });
  }
  static int Admit(jwo_hal_instance_t* instance, uint32_t lane) noexcept {
    Box* b = Unbox(instance);
    return Guard(&b->host, [&] { return b->driver->Admit(lane); });
  }
  static int Deny(jwo_hal_instance_t* instance, uint32_t lane, const char* message) noexcept {
    if (message == nullptr) return JWO_HAL_EINVAL;
    Box* b = Unbox(instance);
    return Guard(&b->host, [&] { return b->driver->Deny(lane, std::string_view(message)); });
  }
  static int SetLaneMode(jwo_hal_instance_t* instance, uint32_t lane, uint32_t mode) noexcept {
    if (mode < JWO_HAL_LANE_MODE_NORMAL || mode > JWO_HAL_LANE_MODE_OUT_OF_SERVICE) {
      return JWO_HAL_EINVAL;
    }
    Box* b = Unbox(instance);
    return Guard(&b->host, [&] {
      return b->driver->SetLaneMode(lane, static_cast<jwo_hal_lane_mode_t>(mode));
    });
  }
  static uint64_t InstanceCapabilities(const jwo_hal_instance_t* instance) noexcept {
    try {
      return static_cast<const D*>(Unbox(instance)->driver.get())->InstanceCapabilities();
    } catch (...) {
      return 0;
    }
  }
  static int Stimulate(jwo_hal_instance_t* instance, uint32_t input, uint32_t lane,
                       const uint8_t* data, size_t size) noexcept {
    if (data == nullptr && size != 0) return JWO_HAL_EINVAL;
    // Out-of-range values are refused before they become the enum type (no UB in the cast).
    if (input < JWO_HAL_INPUT_CARD_TAP || input > JWO_HAL_INPUT_EMERGENCY_OFF) {
      return JWO_HAL_EINVAL;
    }
    Box* b = Unbox(instance);
    return Guard(&b->host, [&] {
      return static_cast<D*>(b->driver.get())
          ->Stimulate(static_cast<jwo_hal_input_t>(input), lane,
                      std::string_view(reinterpret_cast<const char*>(data), size));
    });
  }
  static int Control(jwo_hal_instance_t* instance, const char* request, char* reply,
                     size_t reply_size) noexcept {
    if (request == nullptr || reply == nullptr || reply_size == 0) return JWO_HAL_EINVAL;
    Box* b = Unbox(instance);
    return Guard(&b->host, [&] {
      std::string text;
      const int rc = b->driver->Control(std::string_view(request), &text);
      CopyText(text.c_str(), reply, reply_size);
      return rc;
    });
  }
};

}  // namespace detail

// The C descriptor for driver class D (see the top of the file for what D provides).
template <typename D>
constexpr jwo_hal_driver_t MakeDescriptor(const char* name, const char* version,
                                          uint64_t capabilities) {
  using A = detail::Adapter<D>;
  jwo_hal_driver_t d{};
  d.abi_major = JWO_HAL_ABI_MAJOR;
  d.abi_minor = JWO_HAL_ABI_MINOR;
  d.struct_size = sizeof(jwo_hal_driver_t);
  d.name = name;
  d.version = version;
  d.capabilities = capabilities;
  d.open = &A::Open;
  d.close = &A::Close;
  d.lane_count = &A::LaneCount;
  d.poll = &A::Poll;
  d.admit = (capabilities & JWO_HAL_CAP_ADMIT) ? &A::Admit : nullptr;
  d.deny = (capabilities & JWO_HAL_CAP_DENY) ? &A::Deny : nullptr;
  d.set_lane_mode = (capabilities & JWO_HAL_CAP_LANE_MODE) ? &A::SetLaneMode : nullptr;
  d.control = (capabilities & JWO_HAL_CAP_CONTROL) ? &A::Control : nullptr;
  if constexpr (detail::HasInstanceCapabilities<D>::value) {
    d.instance_capabilities = &A::InstanceCapabilities;
  }
  if constexpr (detail::HasStimulate<D>::value) d.stimulate = &A::Stimulate;
  return d;
}

}  // namespace jwo_edge::hal

// Defines the exported entry point for driver class DRIVER. Use once per shared object, at
// namespace scope.
#define JWO_HAL_DEFINE_CXX_DRIVER(DRIVER, NAME, VERSION, CAPABILITIES)        \
  extern "C" JWO_HAL_EXPORT const jwo_hal_driver_t* jwo_hal_entry(void) {     \
    static const jwo_hal_driver_t descriptor =                                \
        ::jwo_edge::hal::MakeDescriptor<DRIVER>(NAME, VERSION, CAPABILITIES); \
    return &descriptor;                                                       \
  }

#endif  // JWO_EDGE_GATE_HAL_HPP
