// SystemdNotifier: the daemon's side of the sd_notify protocol (READY=1, STATUS=, WATCHDOG=1,
// STOPPING=1). Without NOTIFY_SOCKET (not started by systemd) every call is a no-op.
//
// Thread-safe: sd_notify sends one datagram per call.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace jwo::admin {

class SystemdNotifier {
 public:
  void Ready(const std::string& status);
  void Status(const std::string& status);
  void Stopping(const std::string& status);
  void WatchdogPing();
  // The interval at which WatchdogPing must be called (half of WatchdogSec=, as sd_watchdog
  // recommends), or nullopt when the service manager did not ask for pings.
  static std::optional<std::chrono::microseconds> WatchdogInterval();
};

}  // namespace jwo::admin
