// CallWatchdog: notices a driver call that never returns, for jwo-hal-conformance.
//
// Begin()/End() bracket each call. When `on_hang` is set, a thread checks every 100 ms and,
// once a call has run longer than `limit`, calls on_hang(call name) from that thread (the
// tool prints its report and exits there; a blocked driver cannot be interrupted). Without
// `on_hang` no thread is started. Begin/End from the checking thread; thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace jwo::hal::conformance {

class CallWatchdog {
 public:
  CallWatchdog(std::chrono::milliseconds limit, std::function<void(const std::string&)> on_hang);
  ~CallWatchdog();
  CallWatchdog(const CallWatchdog&) = delete;
  CallWatchdog& operator=(const CallWatchdog&) = delete;

  void Begin(const char* call);
  void End();

 private:
  void Run();

  const std::chrono::milliseconds limit_;
  const std::function<void(const std::string&)> on_hang_;
  std::mutex mutex_;  // guards the members below
  std::condition_variable cv_;
  bool stop_ = false;
  bool active_ = false;
  std::string call_;
  std::chrono::steady_clock::time_point started_;
  std::thread thread_;
};

}  // namespace jwo::hal::conformance
