// Checker: one run of jwo-hal-conformance over one driver, the engine behind RunConformance
// (conformance_checks.h lists the checks). Internal to the kit: the checks are members, spread
// over conformance_checks.cc and conformance_inputs.cc, and share the timed Call(), the
// simulated clock (host_) and the report. One thread, the caller's; one run per object.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>

#include "hal/conformance/call_watchdog.h"
#include "hal/conformance/conformance_checks.h"
#include "hal/conformance/conformance_host.h"
#include "hal/loader/driver_library.h"
#include "jwo_edge/gate_hal.h"

namespace jwo::hal::conformance {

inline constexpr uint32_t kMaxLanes = 64;

class Checker {
 public:
  using Clock = std::chrono::steady_clock;

  Checker(const ConformanceOptions& options, ConformanceReport* report)
      : options_(options), report_(report), watchdog_(options.hang_limit, options.on_hang) {}

  void Run(const std::string& path);

 private:
  // Runs one driver call, timing it. After a call slower than options_.slow_call, blocked_
  // is set and the run stops at the next step.
  template <typename F>
  auto Call(const char* what, F&& f) {
    watchdog_.Begin(what);
    host_.EnterCall();
    const auto t0 = Clock::now();
    auto finish = [&] {
      const auto elapsed = Clock::now() - t0;
      host_.LeaveCall();
      watchdog_.End();
      if (elapsed > slowest_) {
        slowest_ = elapsed;
        slowest_call_ = what;
      }
      if (elapsed > options_.slow_call && !blocked_) {
        blocked_ = true;
        blocked_call_ = what;
      }
    };
    if constexpr (std::is_void_v<decltype(f())>) {
      f();
      finish();
    } else {
      auto result = f();
      finish();
      return result;
    }
  }

  void Add(const char* check, Verdict v, std::string detail) {
    report_->Add(check, v, std::move(detail));
  }
  // What the opened instance can do (the descriptor's, narrowed by instance_capabilities).
  bool Has(uint64_t cap) const { return (caps_ & cap) != 0; }
  // What the descriptor declares.
  bool Declared(uint64_t cap) const { return (fn_.capabilities & cap) != 0; }

  void CheckDescriptor();
  bool CheckOpen();
  void CheckInstanceCapabilities();
  void CheckPoll();
  void CheckCommands();
  void CheckControl();
  void CheckThreads();
  void CheckBadSettings();
  void CheckCycles();
  void CheckInputs();  // conformance_inputs.cc
  void CheckEvents();
  void CheckNonBlocking();
  int Open(int instance, const std::string& settings, jwo_hal_instance_t** out, std::string* error);
  void PollFor(jwo_hal_instance_t* instance, int polls);

  class InputsRun;  // the "inputs" check's steps (conformance_inputs.cc)

  const ConformanceOptions& options_;
  ConformanceReport* report_;
  ConformanceHost host_{kMaxLanes};
  CallWatchdog watchdog_;
  std::shared_ptr<const DriverLibrary> lib_;
  jwo_hal_driver_t fn_{};
  uint64_t caps_ = 0;
  jwo_hal_instance_t* main_ = nullptr;
  uint32_t lanes_ = 0;
  int threads_before_ = 0;
  bool blocked_ = false;
  const char* blocked_call_ = "";
  Clock::duration slowest_{};
  const char* slowest_call_ = "none";
  int poll_errors_ = 0;
};

}  // namespace jwo::hal::conformance
