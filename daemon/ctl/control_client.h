// ControlClient: one request/answer exchange with jwo-edged over its control socket.
// Blocking; for the command-line tool. Thread-compatible.
#pragma once

#include <string>

#include "core/status.h"

namespace jwo::ctl {

// Sends `request_line` (a JSON object, no newline) and returns the daemon's answer line.
// Errors: kUnavailable when nothing listens on `socket_path` (names the path and the system
// error), kIoError when the exchange breaks off.
core::Result<std::string> Exchange(const std::string& socket_path, const std::string& request_line);

}  // namespace jwo::ctl
