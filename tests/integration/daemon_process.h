// DaemonProcess: runs the real jwo-edged binary for an integration test.
//
// Each instance gets its own temporary directory (config, state, control socket, the
// NOTIFY_SOCKET it listens on, and the daemon's stderr), starts the daemon with
// `--config`, and reads sd_notify messages the way systemd would, so tests can wait for
// READY=1 and learn the bound ports from STATUS=. Not thread-safe; one per test.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace jwo::testing {

// The default test configuration; "@STATE@", "@SOCKET@" and "@DIR@" are replaced.
std::string DefaultTestConfig();

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] with arguments and waits for it.
CommandResult RunCommand(const std::vector<std::string>& argv);

class DaemonProcess {
 public:
  // Makes the directory and writes the config (placeholders replaced). Does not start.
  explicit DaemonProcess(std::string config_yaml = DefaultTestConfig());
  ~DaemonProcess();  // kills the daemon if still running and removes the directory
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path state_dir() const { return dir_ / "state"; }
  std::filesystem::path config_path() const { return dir_ / "config.yaml"; }
  std::filesystem::path socket_path() const { return dir_ / "control.sock"; }
  void WriteConfig(std::string yaml);
  // Adds NAME=VALUE to the daemon's environment at the next Start().
  void SetEnv(std::string name_eq_value) { extra_env_.push_back(std::move(name_eq_value)); }
  void ClearEnv() { extra_env_.clear(); }
  // Waits until the daemon's stderr contains `text` (false on timeout).
  bool WaitForLog(const std::string& text,
                  std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;

  // Starts the daemon. With `wait_ready`, waits for READY=1 (false on timeout or exit).
  bool Start(bool wait_ready = true, std::chrono::seconds timeout = std::chrono::seconds(20));
  // Waits until a notify message matching `pred` arrives.
  bool WaitForNotify(const std::function<bool(const std::string&)>& pred,
                     std::chrono::milliseconds timeout = std::chrono::seconds(20));
  std::vector<std::string> NotifyMessages();

  // The port of listener `name`, from the latest STATUS= that lists listeners; 0 if unknown.
  uint16_t Port(const std::string& name = "amazon");

  void Signal(int signo);
  // Waits for the process to exit; returns its exit status (128+signal when killed), or -1
  // on timeout.
  int WaitExit(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  bool running() const { return pid_ > 0; }
  // The daemon's process id while running (benchmarks read /proc/PID), else -1.
  pid_t pid() const { return pid_; }
  std::string Stderr() const;

  // Runs jwo-edgectl against this daemon's socket.
  CommandResult Ctl(const std::vector<std::string>& args) const;

 private:
  void ReadNotifications();

  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int notify_fd_ = -1;
  std::thread notify_thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::string> messages_;
  std::map<std::string, uint16_t> ports_;
  bool stop_reader_ = false;
  std::vector<std::string> extra_env_;
};

}  // namespace jwo::testing
