#include "hal/conformance/call_watchdog.h"

namespace jwo::hal::conformance {

CallWatchdog::CallWatchdog(std::chrono::milliseconds limit,
                           std::function<void(const std::string&)> on_hang)
    : limit_(limit), on_hang_(std::move(on_hang)) {
  if (on_hang_) thread_ = std::thread([this] { Run(); });
}

CallWatchdog::~CallWatchdog() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CallWatchdog::Begin(const char* call) {
  std::lock_guard lock(mutex_);
  call_ = call;
  started_ = std::chrono::steady_clock::now();
  active_ = true;
}

void CallWatchdog::End() {
  std::lock_guard lock(mutex_);
  active_ = false;
}

void CallWatchdog::Run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(100));
    if (active_ && std::chrono::steady_clock::now() - started_ > limit_) {
      const std::string call = call_;
      lock.unlock();
      on_hang_(call);
      return;
    }
  }
}

}  // namespace jwo::hal::conformance
