#include "hal/loader/driver_library.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cstring>

namespace jwo::hal {
namespace {

using core::Status;
using core::StatusCode;

Status Refuse(std::string message) {
  return Status(StatusCode::kFailedPrecondition, std::move(message));
}

bool IsValidName(const char* name) {
  const size_t n = std::strlen(name);
  if (n == 0 || n > 32) return false;
  for (size_t i = 0; i < n; ++i) {
    const char ch = name[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-')) {
      return false;
    }
  }
  return true;
}

struct CapabilityName {
  uint64_t bit;
  const char* name;
};

constexpr CapabilityName kCapabilityNames[] = {
    {JWO_HAL_CAP_ADMIT, "admit"},
    {JWO_HAL_CAP_DENY, "deny"},
    {JWO_HAL_CAP_DENY_MESSAGE, "deny_message"},
    {JWO_HAL_CAP_LANE_MODE, "lane_mode"},
    {JWO_HAL_CAP_CARD_READER, "card_reader"},
    {JWO_HAL_CAP_PASSAGE_SENSOR, "passage_sensor"},
    {JWO_HAL_CAP_DOOR_SENSOR, "door_sensor"},
    {JWO_HAL_CAP_TAMPER, "tamper"},
    {JWO_HAL_CAP_EMERGENCY_INPUT, "emergency_input"},
    {JWO_HAL_CAP_HEARTBEAT, "heartbeat"},
    {JWO_HAL_CAP_OWN_THREADS, "own_threads"},
    {JWO_HAL_CAP_CONTROL, "control"},
};

// A capability that is a promise to answer a command needs the command's function.
struct CommandCapability {
  uint64_t bit;
  const char* cap_macro;
  const char* function;
  bool (*present)(const jwo_hal_driver_t&);
};

constexpr CommandCapability kCommandCapabilities[] = {
    {JWO_HAL_CAP_ADMIT, "JWO_HAL_CAP_ADMIT", "admit",
     [](const jwo_hal_driver_t& d) { return d.admit != nullptr; }},
    {JWO_HAL_CAP_DENY, "JWO_HAL_CAP_DENY", "deny",
     [](const jwo_hal_driver_t& d) { return d.deny != nullptr; }},
    {JWO_HAL_CAP_DENY_MESSAGE, "JWO_HAL_CAP_DENY_MESSAGE", "deny",
     [](const jwo_hal_driver_t& d) { return d.deny != nullptr; }},
    {JWO_HAL_CAP_LANE_MODE, "JWO_HAL_CAP_LANE_MODE", "set_lane_mode",
     [](const jwo_hal_driver_t& d) { return d.set_lane_mode != nullptr; }},
    {JWO_HAL_CAP_CONTROL, "JWO_HAL_CAP_CONTROL", "control",
     [](const jwo_hal_driver_t& d) { return d.control != nullptr; }},
};

std::string Version(uint32_t major, uint32_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

}  // namespace

std::string HostAbiVersion() { return Version(JWO_HAL_ABI_MAJOR, JWO_HAL_ABI_MINOR); }

core::Result<std::shared_ptr<const DriverLibrary>> DriverLibrary::Load(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    return Status(StatusCode::kNotFound, "gate driver " + path +
                                             " does not exist: install the driver package or fix "
                                             "the gate's `driver:` in the configuration");
  }
  std::shared_ptr<DriverLibrary> lib(new DriverLibrary());
  lib->path_ = path;
  dlerror();
  lib->handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib->handle_ == nullptr) {
    const char* why = dlerror();
    return Refuse("cannot load gate driver " + path + ": " + (why ? why : "unknown dlopen error") +
                  " (check that it is a shared object for this machine and that its "
                  "dependencies are installed: ldd " +
                  path + ")");
  }
  dlerror();
  void* symbol = dlsym(lib->handle_, JWO_HAL_ENTRY_SYMBOL);
  if (symbol == nullptr) {
    return Refuse("gate driver " + path +
                  " does not export the symbol " JWO_HAL_ENTRY_SYMBOL
                  ": it is not a jwo-edge gate driver, or jwo_hal_entry was not exported (define "
                  "it with JWO_HAL_EXPORT; check with `nm -D --defined-only " +
                  path + "`)");
  }
  auto entry = reinterpret_cast<jwo_hal_entry_fn>(symbol);
  const jwo_hal_driver_t* d = entry();
  if (d == nullptr) {
    return Refuse("gate driver " + path +
                  ": " JWO_HAL_ENTRY_SYMBOL "() returned NULL instead of its descriptor");
  }
  if (d->abi_major != JWO_HAL_ABI_MAJOR) {
    const std::string theirs = Version(d->abi_major, d->abi_minor);
    const std::string advice =
        d->abi_major > JWO_HAL_ABI_MAJOR
            ? "install a jwo-edge release that speaks HAL ABI " + std::to_string(d->abi_major) +
                  ", or a release of the driver built for ABI " + std::to_string(JWO_HAL_ABI_MAJOR)
            : "rebuild the driver against the jwo_edge/gate_hal.h installed with this jwo-edge "
              "(the HAL SDK), or install a release of it built for ABI " +
                  std::to_string(JWO_HAL_ABI_MAJOR);
    return Refuse("gate driver " + path + " was built for HAL ABI " + theirs +
                  ", but this jwo-edge speaks ABI " + HostAbiVersion() + " (major versions " +
                  std::to_string(d->abi_major) + " and " + std::to_string(JWO_HAL_ABI_MAJOR) +
                  " are incompatible): " + advice);
  }
  if (d->struct_size < JWO_HAL_DRIVER_SIZE_1_0) {
    return Refuse("gate driver " + path + " (HAL ABI " + Version(d->abi_major, d->abi_minor) +
                  ") has a descriptor of " + std::to_string(d->struct_size) +
                  " bytes, fewer than the " + std::to_string(JWO_HAL_DRIVER_SIZE_1_0) +
                  " bytes every ABI " + std::to_string(JWO_HAL_ABI_MAJOR) +
                  ".x descriptor has: it was built against a damaged or foreign gate_hal.h, or "
                  "struct_size is not set to sizeof(jwo_hal_driver_t); rebuild it against the "
                  "installed jwo_edge/gate_hal.h");
  }
  // Copy what both sides know; a newer driver's extra members stay unread. A 1.1 member only
  // partly inside struct_size (a damaged descriptor) is not provided: no half-copied pointer.
  std::memcpy(&lib->functions_, d, std::min<size_t>(d->struct_size, sizeof(jwo_hal_driver_t)));
  if (d->struct_size < offsetof(jwo_hal_driver_t, instance_capabilities) +
                           sizeof(jwo_hal_instance_capabilities_fn)) {
    lib->functions_.instance_capabilities = nullptr;
  }
  if (d->struct_size < JWO_HAL_DRIVER_SIZE_1_1) lib->functions_.stimulate = nullptr;
  const jwo_hal_driver_t& f = lib->functions_;
  if (f.name == nullptr || !IsValidName(f.name)) {
    return Refuse("gate driver " + path +
                  ": its descriptor's name must be 1 to 32 characters from a-z 0-9 _ -");
  }
  lib->name_ = f.name;
  if (f.version == nullptr || f.version[0] == '\0') {
    return Refuse("gate driver " + path + " (" + lib->name_ + "): its descriptor has no version");
  }
  lib->version_ = f.version;
  const std::pair<const char*, bool> required[] = {{"open", f.open != nullptr},
                                                   {"close", f.close != nullptr},
                                                   {"lane_count", f.lane_count != nullptr},
                                                   {"poll", f.poll != nullptr}};
  for (const auto& [function, present] : required) {
    if (!present) {
      return Refuse("gate driver " + path + " (" + lib->name_ + " " + lib->version_ +
                    ") leaves the required function '" + function + "' NULL");
    }
  }
  for (const CommandCapability& c : kCommandCapabilities) {
    if ((f.capabilities & c.bit) != 0 && !c.present(f)) {
      return Refuse("gate driver " + path + " (" + lib->name_ + " " + lib->version_ +
                    ") declares " + c.cap_macro + " but its '" + c.function + "' function is NULL");
    }
  }
  return std::shared_ptr<const DriverLibrary>(std::move(lib));
}

DriverLibrary::~DriverLibrary() {
  if (handle_ != nullptr) dlclose(handle_);
}

std::string CapabilityNames(uint64_t capabilities) {
  std::string out;
  for (const CapabilityName& c : kCapabilityNames) {
    if ((capabilities & c.bit) == 0) continue;
    if (!out.empty()) out += ' ';
    out += c.name;
  }
  return out;
}

std::string_view EventTypeName(uint32_t type) {
  switch (type) {
    case JWO_HAL_EVENT_CARD_TAPPED:
      return "card_tapped";
    case JWO_HAL_EVENT_PERSON_PASSED:
      return "person_passed";
    case JWO_HAL_EVENT_DOOR_FORCED:
      return "door_forced";
    case JWO_HAL_EVENT_DOOR_HELD_OPEN:
      return "door_held_open";
    case JWO_HAL_EVENT_DOOR_CLOSED:
      return "door_closed";
    case JWO_HAL_EVENT_TAMPER:
      return "tamper";
    case JWO_HAL_EVENT_FAULT:
      return "fault";
    case JWO_HAL_EVENT_RECOVERED:
      return "recovered";
    case JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE:
      return "emergency_release_active";
    case JWO_HAL_EVENT_EMERGENCY_RELEASE_CLEARED:
      return "emergency_release_cleared";
    case JWO_HAL_EVENT_HEARTBEAT:
      return "heartbeat";
    default:
      return "unknown";
  }
}

std::string_view LaneModeName(uint32_t mode) {
  switch (mode) {
    case JWO_HAL_LANE_MODE_NORMAL:
      return "normal";
    case JWO_HAL_LANE_MODE_LOCKED:
      return "locked";
    case JWO_HAL_LANE_MODE_OUT_OF_SERVICE:
      return "out_of_service";
    default:
      return "unknown";
  }
}

}  // namespace jwo::hal
