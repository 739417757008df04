// ControlServer: the unix socket jwo-edgectl talks to.
//
// Access is the socket file's permissions (created with the configured mode, owner = the
// daemon's user; the packaged unit makes the group `jwo-edge`). The caller's identity for the
// audit trail comes from the kernel (SO_PEERCRED), never from the request.
//
// One background thread accepts and serves connections one at a time: requests are rare,
// operator-driven, and may block on a store write, so they are kept off the HTTP I/O threads.
// A connection sends one request line (at most 64 KiB) and gets one answer line; a client
// that sends nothing for 5 seconds is dropped.
#pragma once

#include <atomic>
#include <string>
#include <thread>

#include "admin/control_api.h"
#include "core/status.h"

namespace jwo::admin {

class ControlServer {
 public:
  explicit ControlServer(ControlApi& api) : api_(api) {}
  ~ControlServer();  // stops like Stop()
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Binds the socket (replacing a stale socket file left by a dead process), sets its mode and
  // starts serving. Errors: kIoError naming the path and the system error (e.g. a live daemon
  // already owns it).
  core::Status Start(const std::string& path, uint32_t mode);

  // Stops serving, joins the thread and removes the socket file. Idempotent.
  void Stop();

 private:
  void Run();
  void Serve(int fd);

  ControlApi& api_;
  std::string path_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;  // eventfd that interrupts poll() on Stop
  std::thread thread_;
};

}  // namespace jwo::admin
