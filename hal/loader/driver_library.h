// DriverLibrary: one gate driver shared object, loaded and checked against the HAL ABI.
//
// Load() dlopen()s the file with RTLD_NOW | RTLD_LOCAL (every symbol resolved up front, none
// leaked to other drivers), resolves jwo_hal_entry, and checks the descriptor: same ABI major,
// at least the ABI 1.0 size, a name and version, the required functions, and a function for
// every declared command capability. Descriptor members beyond what this daemon knows (a newer
// minor) are ignored; members a smaller (older) descriptor lacks read as NULL. Every refusal
// names the file, the versions involved and what to do (docs/hal.md lists the messages).
//
// A loaded library is immutable: share it freely between threads (std::shared_ptr). The
// library is unloaded when the last reference goes; keep one for as long as any instance
// opened from it, or any thread that may still be inside one of its functions, exists.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "jwo_edge/gate_hal.h"

namespace jwo::hal {

class DriverLibrary {
 public:
  // Loads and checks `path`. Errors:
  //   kNotFound            the file does not exist;
  //   kFailedPrecondition  dlopen failed (a missing dependency, not an ELF shared object for
  //                        this machine), no jwo_hal_entry symbol, the entry returned NULL,
  //                        a different ABI major, a descriptor smaller than ABI 1.0's, no or
  //                        a malformed name/version, a required function NULL, or a declared
  //                        capability whose function is NULL.
  static core::Result<std::shared_ptr<const DriverLibrary>> Load(const std::string& path);

  ~DriverLibrary();
  DriverLibrary(const DriverLibrary&) = delete;
  DriverLibrary& operator=(const DriverLibrary&) = delete;

  const std::string& path() const { return path_; }
  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  uint32_t abi_major() const { return functions_.abi_major; }
  uint32_t abi_minor() const { return functions_.abi_minor; }
  uint64_t capabilities() const { return functions_.capabilities; }
  bool Has(uint64_t capability) const { return (functions_.capabilities & capability) != 0; }

  // The descriptor as this daemon understands it: a copy of the driver's, with members it did
  // not provide zeroed. open, close, lane_count and poll are never NULL.
  const jwo_hal_driver_t& functions() const { return functions_; }

 private:
  DriverLibrary() = default;

  std::string path_;
  std::string name_;
  std::string version_;
  void* handle_ = nullptr;
  jwo_hal_driver_t functions_{};
};

// "1.0": the ABI version this build speaks.
std::string HostAbiVersion();

// The JWO_HAL_CAP_* names set in `capabilities`, space-separated ("admit deny heartbeat").
std::string CapabilityNames(uint64_t capabilities);

// The lower-case name of an event type ("card_tapped"), or "unknown".
std::string_view EventTypeName(uint32_t type);

// "normal", "locked", "out_of_service", or "unknown".
std::string_view LaneModeName(uint32_t mode);

}  // namespace jwo::hal
