// Daemon: builds jwo-edged's object graph from a Config and runs it until SIGTERM/SIGINT.
//
// Start-up order (each step logged; docs/operations.md):
//   1. bind every listener (a bind failure exits non-zero at once: a port conflict is a
//      configuration error, not something to wait out);
//   2. start the I/O threads and the control socket;
//   3. open the store; if it cannot be opened, keep serving the gate in the configured fail
//      mode, report "store unavailable" in STATUS=, /readyz and `jwo-edgectl status`, and retry
//      every 5 seconds;
//   4. READY=1 once the store is open.
// SIGHUP reloads the configuration file (reloadable keys only; a bad file keeps the old
// configuration and says why). SIGTERM drains HTTP connections for up to 10 seconds, flushes
// the decision log and exits 0.
//
// Run() is called once, from the main thread.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"

namespace jwo::admin {

class Daemon {
 public:
  Daemon(std::string config_path, config::Config config);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Returns the process exit code.
  int Run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jwo::admin
