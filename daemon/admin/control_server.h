// ControlServer: the unix socket jwo-edgectl talks to.
//
// Access is the socket file's permissions (created with the configured mode, owner = the
// daemon's user; the packaged unit makes the group `jwo-edge`). The caller's identity for the
// audit trail comes from the kernel (SO_PEERCRED), never from the request.
//
// One background thread accepts connections; each connection is served on its own thread, so a
// client that sends nothing (or a byte at a time) delays no one else. Requests are rare,
// operator-driven, and may block on a store write, so they are kept off the HTTP I/O threads.
// A connection sends one request line (at most 64 KiB) and gets one answer line. The whole
// request must arrive within the deadline (default 5 s, counted from accept, not per read);
// otherwise the connection is dropped. At most `max_clients` connections are served at once;
// one more is answered {"ok":false,"code":"unavailable"} and closed at once instead of queued.
// Requests reach ControlApi::Handle one at a time (it is thread-compatible), under a mutex.
//
// Thread safety: Start and Stop from one thread; the serving threads are internal.
#pragma once

#include <list>
#include <mutex>
#include <string>
#include <thread>

#include "admin/control_api.h"
#include "core/status.h"

namespace jwo::admin {

class ControlServer {
 public:
  struct Options {
    int request_deadline_ms = 5000;  // for the whole request line, from accept
    int max_clients = 32;            // connections served at once
  };

  explicit ControlServer(ControlApi& api) : ControlServer(api, Options{}) {}
  ControlServer(ControlApi& api, Options options) : api_(api), options_(options) {}
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
  struct Client {
    std::thread thread;
    bool done = false;  // guarded by clients_mu_
  };

  void Run();
  void Serve(int fd);
  void ReapFinished();  // joins the threads of clients that are done

  ControlApi& api_;
  const Options options_;
  std::mutex api_mu_;  // ControlApi::Handle is one caller at a time
  std::mutex clients_mu_;
  std::list<Client> clients_;  // guarded by clients_mu_; touched by Run's thread and Stop
  std::string path_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;  // eventfd that interrupts poll() on Stop
  std::thread thread_;
};

}  // namespace jwo::admin
