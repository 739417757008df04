// PaymentSimProcess: runs the real jwo-payment-sim binary for a test, the way an integration
// test runs a peer: on 127.0.0.1, port 0 (learned from its "listening" line), its stderr kept
// in a temporary file.
//
// Started again after it exited (SIGTERM, kill -9), it listens on the same port, so a client
// configured with the old address finds it back (a simulated Payment Service restart).
//
// Thread safety: none; one object per test, used from the test's thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace jwo::testing {

// The credentials and region every PaymentSimProcess is started with (tests sign with them).
inline constexpr char kSimAccessKeyId[] = "AKIDPAYMENTSIM";
inline constexpr char kSimSecretAccessKey[] = "payment-sim-secret-access-key";
inline constexpr char kSimRegion[] = "us-east-1";

class PaymentSimProcess {
 public:
  // `extra_args` go after the defaults (--listen 127.0.0.1:0 --print-port --region, the
  // credentials above); a flag given again there wins, e.g. {"--script", path}.
  explicit PaymentSimProcess(std::vector<std::string> extra_args = {});
  // Sends SIGKILL if still running and removes the temporary directory.
  ~PaymentSimProcess();
  PaymentSimProcess(const PaymentSimProcess&) = delete;
  PaymentSimProcess& operator=(const PaymentSimProcess&) = delete;

  // Starts the binary and waits for its "listening ADDR:PORT" line. Errors: kFailedPrecondition
  // when already running; kUnavailable when it cannot be spawned, exits first (the message
  // holds its stderr) or says nothing within `timeout`.
  core::Status Start(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  uint16_t port() const { return port_; }
  // "127.0.0.1:PORT".
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  void Signal(int signo);
  // Waits for the process to exit: its exit status (128+signal when killed), or -1 on timeout.
  int WaitExit(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Everything it wrote to stderr so far (one line per request unless --quiet).
  std::string Stderr() const;
  const std::string& dir() const { return dir_; }

 private:
  std::vector<std::string> extra_args_;
  std::string dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace jwo::testing
