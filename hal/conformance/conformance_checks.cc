#include "hal/conformance/conformance_checks.h"

#include <dirent.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "hal/conformance/conformance_checker.h"

namespace jwo::hal::conformance {
namespace {

constexpr uint64_t kKnownCapabilities = (JWO_HAL_CAP_CONTROL << 1) - 1;
constexpr int kPolls = 300;
constexpr int kCycles = 50;
constexpr const char* kDenyMessage = "Please settle your balance at the service desk";

int CountThreads() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] != '.') ++n;
    }
    closedir(d);
  }
  return n;
}

std::string Status(int rc) { return jwo_hal_status_name(rc); }

}  // namespace

int Checker::Open(int instance, const std::string& settings, jwo_hal_instance_t** out,
                  std::string* error) {
  char buf[JWO_HAL_ERROR_SIZE];
  std::memset(buf, 0, sizeof buf);
  const jwo_hal_host_t* table = host_.Table(instance);
  host_.SetSettings(instance, settings);
  const int rc =
      Call("open", [&] { return fn_.open(table, settings.c_str(), out, buf, sizeof buf); });
  if (buf[sizeof buf - 1] != '\0') {
    *error = "(error text not NUL-terminated within the buffer)";
  } else {
    *error = buf;
  }
  return rc;
}

void Checker::PollFor(jwo_hal_instance_t* instance, int polls) {
  for (int i = 0; i < polls && !blocked_; ++i) {
    host_.Advance(JWO_HAL_POLL_INTERVAL_MS);
    if (Call("poll", [&] { return fn_.poll(instance); }) != JWO_HAL_OK) ++poll_errors_;
  }
}

void Checker::Run(const std::string& path) {
  auto loaded = DriverLibrary::Load(path);
  if (!loaded.ok()) {
    Add("load", Verdict::kFail, loaded.status().message());
    return;
  }
  lib_ = std::move(loaded).value();
  fn_ = lib_->functions();
  caps_ = fn_.capabilities;
  Add("load", Verdict::kPass,
      lib_->name() + " " + lib_->version() + ", ABI " + std::to_string(lib_->abi_major()) + "." +
          std::to_string(lib_->abi_minor()) + ", capabilities: " +
          (lib_->capabilities() ? CapabilityNames(lib_->capabilities()) : "none"));
  CheckDescriptor();
  threads_before_ = CountThreads();
  if (!CheckOpen()) return;
  // Inputs before commands: a door opened soon after an admit is expected, not forced.
  const std::vector<void (Checker::*)()> steps = {
      &Checker::CheckPoll,    &Checker::CheckInputs,  &Checker::CheckCommands,
      &Checker::CheckControl, &Checker::CheckThreads, &Checker::CheckBadSettings,
      &Checker::CheckCycles};
  for (auto step : steps) {
    if (blocked_) break;
    (this->*step)();
  }
  if (main_ != nullptr && !blocked_) Call("close", [&] { fn_.close(main_); });
  CheckEvents();
  CheckNonBlocking();
}

void Checker::CheckDescriptor() {
  std::string problems;
  if ((fn_.capabilities & ~kKnownCapabilities) != 0) {
    Add("descriptor", Verdict::kFail,
        "unknown capability bits set (ABI " + HostAbiVersion() + " defines bits 0-11)");
    return;
  }
  if (fn_.reserved != 0) {
    Add("descriptor", Verdict::kFail, "reserved must be 0");
    return;
  }
  struct Unannounced {
    bool present;
    uint64_t cap;
    const char* text;
  } checks[] = {{fn_.admit != nullptr, JWO_HAL_CAP_ADMIT, "admit"},
                {fn_.deny != nullptr, JWO_HAL_CAP_DENY, "deny"},
                {fn_.set_lane_mode != nullptr, JWO_HAL_CAP_LANE_MODE, "set_lane_mode"},
                {fn_.control != nullptr, JWO_HAL_CAP_CONTROL, "control"}};
  for (const auto& c : checks) {
    if (c.present && !Declared(c.cap)) {
      problems += std::string(problems.empty() ? "" : "; ") + c.text +
                  " is set but its capability is not declared: the daemon will never call it";
    }
  }
  if (Declared(JWO_HAL_CAP_DENY_MESSAGE) && !Declared(JWO_HAL_CAP_DENY)) {
    problems += std::string(problems.empty() ? "" : "; ") +
                "JWO_HAL_CAP_DENY_MESSAGE without JWO_HAL_CAP_DENY";
  }
  Add("descriptor", problems.empty() ? Verdict::kPass : Verdict::kWarn,
      problems.empty() ? "capabilities and functions agree" : problems);
}

bool Checker::CheckOpen() {
  std::string error;
  const int rc = Open(0, options_.settings, &main_, &error);
  if (rc != JWO_HAL_OK || main_ == nullptr) {
    Add("open", Verdict::kFail,
        "open(" + options_.settings + ") returned " + Status(rc) +
            (error.empty() ? "" : ": " + error) +
            (rc == JWO_HAL_OK ? " but left *out_instance NULL" : ""));
    main_ = nullptr;
    CheckNonBlocking();
    return false;
  }
  lanes_ = Call("lane_count", [&] { return fn_.lane_count(main_); });
  const uint32_t again = Call("lane_count", [&] { return fn_.lane_count(main_); });
  if (lanes_ < 1 || lanes_ > kMaxLanes || again != lanes_) {
    Add("open", Verdict::kFail,
        "lane_count() returned " + std::to_string(lanes_) + " then " + std::to_string(again) +
            " (must be 1.." + std::to_string(kMaxLanes) + " and fixed until close)");
    return false;
  }
  host_.SetLaneCount(0, lanes_);
  Add("open", Verdict::kPass,
      "opened with " + options_.settings + "; " + std::to_string(lanes_) + " lane(s)");
  CheckInstanceCapabilities();
  return true;
}

void Checker::CheckInstanceCapabilities() {
  if (fn_.instance_capabilities == nullptr) {
    Add("instance caps", Verdict::kSkip,
        "no instance_capabilities (ABI 1.1): every instance has the descriptor's");
    return;
  }
  const uint64_t mine =
      Call("instance_capabilities", [&] { return fn_.instance_capabilities(main_); });
  const uint64_t again =
      Call("instance_capabilities", [&] { return fn_.instance_capabilities(main_); });
  caps_ = fn_.capabilities & mine;
  const std::string shown = mine ? CapabilityNames(mine) : "none";
  if ((mine & ~fn_.capabilities) != 0) {
    Add("instance caps", Verdict::kFail,
        "instance_capabilities() returned bits the descriptor does not declare (" +
            CapabilityNames(mine & ~fn_.capabilities) +
            "): an instance may only have fewer capabilities than the descriptor");
  } else if (again != mine) {
    Add("instance caps", Verdict::kFail,
        "instance_capabilities() changed between two calls on the same instance");
  } else {
    Add("instance caps", Verdict::kPass,
        "this instance: " + shown + " (descriptor: " + CapabilityNames(fn_.capabilities) + ")");
  }
}

void Checker::CheckPoll() {
  const uint64_t start = host_.now_ns();
  PollFor(main_, kPolls);
  if (blocked_) return;
  Add("poll", poll_errors_ == 0 ? Verdict::kPass : Verdict::kFail,
      poll_errors_ == 0 ? std::to_string(kPolls) + " polls over 3 simulated seconds returned OK"
                        : std::to_string(poll_errors_) + " of " + std::to_string(kPolls) +
                              " polls failed (the daemon shows the gate faulty while polls fail)");
  if (!Has(JWO_HAL_CAP_HEARTBEAT)) {
    Add("heartbeat", Verdict::kSkip, "driver does not declare JWO_HAL_CAP_HEARTBEAT");
    return;
  }
  uint64_t last = start;
  uint64_t worst_gap = 0;
  int beats = 0;
  for (const RecordedEvent& e : host_.Events()) {
    if (e.instance != 0 || e.type != JWO_HAL_EVENT_HEARTBEAT) continue;
    worst_gap = std::max(worst_gap, e.at_ns - last);
    last = e.at_ns;
    ++beats;
  }
  worst_gap = std::max(worst_gap, host_.now_ns() - last);
  const uint64_t limit = JWO_HAL_HEARTBEAT_INTERVAL_MS * 2 * 1'000'000ull;
  if (beats == 0 || worst_gap > limit) {
    Add("heartbeat", Verdict::kFail,
        std::to_string(beats) + " heartbeats in 3 s, longest gap " +
            std::to_string(worst_gap / 1'000'000) + " ms (expected about every " +
            std::to_string(JWO_HAL_HEARTBEAT_INTERVAL_MS) + " ms)");
  } else {
    Add("heartbeat", Verdict::kPass,
        std::to_string(beats) + " heartbeats in 3 s, longest gap " +
            std::to_string(worst_gap / 1'000'000) + " ms");
  }
}

void Checker::CheckCommands() {
  const uint32_t bad_lanes[] = {0, lanes_ + 1};
  auto settle = [&] { PollFor(main_, 100); };  // one simulated second: pulses end
  if (Has(JWO_HAL_CAP_ADMIT)) {
    std::string fail;
    for (uint32_t lane = 1; lane <= lanes_ && fail.empty(); ++lane) {
      if (int rc = Call("admit", [&] { return fn_.admit(main_, lane); }); rc != JWO_HAL_OK) {
        fail = "admit(lane " + std::to_string(lane) + ") returned " + Status(rc);
      }
    }
    for (uint32_t lane : bad_lanes) {
      if (int rc = Call("admit", [&] { return fn_.admit(main_, lane); });
          rc != JWO_HAL_EINVAL && fail.empty()) {
        fail = "admit(lane " + std::to_string(lane) + ") returned " + Status(rc) +
               ", expected JWO_HAL_EINVAL";
      }
    }
    settle();
    Add("admit", fail.empty() ? Verdict::kPass : Verdict::kFail,
        fail.empty() ? "every lane admits; lanes 0 and " + std::to_string(lanes_ + 1) + " rejected"
                     : fail);
  } else if (fn_.admit != nullptr) {
    const int rc = Call("admit", [&] { return fn_.admit(main_, 1); });
    Add("admit", rc == JWO_HAL_EUNSUPPORTED ? Verdict::kPass : Verdict::kFail,
        "undeclared admit returned " + Status(rc) + " (expected JWO_HAL_EUNSUPPORTED)");
  } else {
    Add("admit", Verdict::kSkip, "driver does not declare JWO_HAL_CAP_ADMIT");
  }
  if (blocked_) return;

  if (Has(JWO_HAL_CAP_DENY)) {
    std::string fail;
    const std::string longest(JWO_HAL_MESSAGE_MAX, 'x');
    for (uint32_t lane = 1; lane <= lanes_ && fail.empty(); ++lane) {
      for (const char* text : {kDenyMessage, "", longest.c_str()}) {
        if (int rc = Call("deny", [&] { return fn_.deny(main_, lane, text); });
            rc != JWO_HAL_OK && fail.empty()) {
          fail = "deny(lane " + std::to_string(lane) + ", " + std::to_string(std::strlen(text)) +
                 "-byte message) returned " + Status(rc);
        }
      }
    }
    for (uint32_t lane : bad_lanes) {
      if (int rc = Call("deny", [&] { return fn_.deny(main_, lane, kDenyMessage); });
          rc != JWO_HAL_EINVAL && fail.empty()) {
        fail = "deny(lane " + std::to_string(lane) + ") returned " + Status(rc) +
               ", expected JWO_HAL_EINVAL";
      }
    }
    if (int rc = Call("deny", [&] { return fn_.deny(main_, 1, nullptr); });
        rc != JWO_HAL_EINVAL && fail.empty()) {
      fail = "deny(lane 1, NULL) returned " + Status(rc) + ", expected JWO_HAL_EINVAL";
    }
    settle();
    Add("deny", fail.empty() ? Verdict::kPass : Verdict::kFail,
        fail.empty() ? "every lane denies with empty, typical and 200-byte messages; bad lanes "
                       "and a NULL message rejected"
                     : fail);
  } else if (fn_.deny != nullptr) {
    const int rc = Call("deny", [&] { return fn_.deny(main_, 1, kDenyMessage); });
    Add("deny", rc == JWO_HAL_EUNSUPPORTED ? Verdict::kPass : Verdict::kFail,
        "undeclared deny returned " + Status(rc) + " (expected JWO_HAL_EUNSUPPORTED)");
  } else {
    Add("deny", Verdict::kSkip, "driver does not declare JWO_HAL_CAP_DENY");
  }
  if (blocked_) return;

  if (Has(JWO_HAL_CAP_LANE_MODE)) {
    std::string fail;
    auto expect = [&](uint32_t lane, uint32_t mode, int want) {
      const int rc = Call("set_lane_mode", [&] { return fn_.set_lane_mode(main_, lane, mode); });
      if (rc != want && fail.empty()) {
        fail = "set_lane_mode(lane " + std::to_string(lane) + ", mode " + std::to_string(mode) +
               ") returned " + Status(rc) + ", expected " + Status(want);
      }
    };
    expect(1, JWO_HAL_LANE_MODE_LOCKED, JWO_HAL_OK);
    if (Has(JWO_HAL_CAP_ADMIT)) {
      if (int rc = Call("admit", [&] { return fn_.admit(main_, 1); });
          rc != JWO_HAL_ESTATE && fail.empty()) {
        fail = "admit on a locked lane returned " + Status(rc) + ", expected JWO_HAL_ESTATE";
      }
    }
    expect(1, JWO_HAL_LANE_MODE_OUT_OF_SERVICE, JWO_HAL_OK);
    expect(1, JWO_HAL_LANE_MODE_NORMAL, JWO_HAL_OK);
    if (Has(JWO_HAL_CAP_ADMIT)) {
      if (int rc = Call("admit", [&] { return fn_.admit(main_, 1); });
          rc != JWO_HAL_OK && fail.empty()) {
        fail = "admit after returning to normal mode returned " + Status(rc);
      }
      // That admit is still opening the lane: locking now must end it and succeed (gate_hal.h:
      // the daemon does not wait for a pulse), not answer JWO_HAL_EBUSY.
      if (int rc = Call("set_lane_mode",
                        [&] { return fn_.set_lane_mode(main_, 1, JWO_HAL_LANE_MODE_LOCKED); });
          rc != JWO_HAL_OK && fail.empty()) {
        fail = "set_lane_mode(LOCKED) while an admit still opens the lane returned " + Status(rc) +
               ", expected JWO_HAL_OK (end the opening and lock)";
      }
      expect(1, JWO_HAL_LANE_MODE_NORMAL, JWO_HAL_OK);
    }
    expect(1, 0, JWO_HAL_EINVAL);
    expect(1, 99, JWO_HAL_EINVAL);
    expect(lanes_ + 1, JWO_HAL_LANE_MODE_NORMAL, JWO_HAL_EINVAL);
    settle();
    Add("lane mode", fail.empty() ? Verdict::kPass : Verdict::kFail,
        fail.empty() ? "locked refuses admit; normal admits again; locking ends an opening; bad "
                       "modes and lanes rejected"
                     : fail);
  } else if (fn_.set_lane_mode != nullptr) {
    const int rc = Call("set_lane_mode",
                        [&] { return fn_.set_lane_mode(main_, 1, JWO_HAL_LANE_MODE_LOCKED); });
    Add("lane mode", rc == JWO_HAL_EUNSUPPORTED ? Verdict::kPass : Verdict::kFail,
        "undeclared set_lane_mode returned " + Status(rc) + " (expected JWO_HAL_EUNSUPPORTED)");
  } else {
    Add("lane mode", Verdict::kSkip, "driver does not declare JWO_HAL_CAP_LANE_MODE");
  }
}

void Checker::CheckControl() {
  if (!Has(JWO_HAL_CAP_CONTROL)) {
    Add("control", Verdict::kSkip, "driver does not declare JWO_HAL_CAP_CONTROL");
    return;
  }
  std::string fail;
  for (const char* request : {"{}", "not json", "{\"op\":\"jwo-conformance-unknown\"}"}) {
    for (size_t size : {size_t{4096}, size_t{16}}) {
      std::string reply(size + 8, '\x7f');
      const int rc =
          Call("control", [&] { return fn_.control(main_, request, reply.data(), size); });
      if (reply.find('\0') >= size && fail.empty()) {
        fail = "reply to " + std::string(request) + " not NUL-terminated within " +
               std::to_string(size) + " bytes";
      }
      if (reply.compare(size, 8, std::string(8, '\x7f')) != 0 && fail.empty()) {
        fail = "wrote past the end of a " + std::to_string(size) + "-byte reply buffer";
      }
      if (rc != JWO_HAL_OK && rc != JWO_HAL_EINVAL && fail.empty()) {
        fail = "control(" + std::string(request) + ") returned " + Status(rc);
      }
    }
  }
  Add("control", fail.empty() ? Verdict::kPass : Verdict::kFail,
      fail.empty() ? "replies NUL-terminated within the buffer, unknown requests refused" : fail);
}

void Checker::CheckThreads() {
  const int after = CountThreads();
  if (after > threads_before_ && !Has(JWO_HAL_CAP_OWN_THREADS)) {
    Add("own threads", Verdict::kFail,
        "the driver started " + std::to_string(after - threads_before_) +
            " thread(s) without declaring JWO_HAL_CAP_OWN_THREADS");
  } else {
    Add("own threads", Verdict::kPass,
        Has(JWO_HAL_CAP_OWN_THREADS) ? "declared" : "no threads started");
  }
}

void Checker::CheckBadSettings() {
  std::string fail;
  int instance = 100;
  auto* const sentinel = reinterpret_cast<jwo_hal_instance_t*>(&fail);
  for (const char* bad : {"not json", "[1,2]", "{", "42", "\"text\""}) {
    jwo_hal_instance_t* out = sentinel;
    std::string error;
    const int rc = Open(instance++, bad, &out, &error);
    if (rc == JWO_HAL_OK) {
      if (out != sentinel && out != nullptr) Call("close", [&] { fn_.close(out); });
      if (fail.empty()) fail = "settings '" + std::string(bad) + "' were accepted";
    } else if (rc != JWO_HAL_ESETTINGS && fail.empty()) {
      fail = "settings '" + std::string(bad) + "' returned " + Status(rc) +
             ", expected JWO_HAL_ESETTINGS";
    } else if (error.empty() && fail.empty()) {
      fail = "settings '" + std::string(bad) + "' were refused without an error text";
    } else if (out != sentinel && fail.empty()) {
      fail = "a failed open changed *out_instance";
    }
    if (blocked_) return;
  }
  if (!fail.empty()) {
    Add("bad settings", Verdict::kFail, fail);
    return;
  }
  jwo_hal_instance_t* out = nullptr;
  std::string error;
  const int rc = Open(instance, "{\"jwo_conformance_unknown_key\":1}", &out, &error);
  if (rc == JWO_HAL_OK) {
    if (out != nullptr) Call("close", [&] { fn_.close(out); });
    Add("bad settings", Verdict::kWarn,
        "malformed settings refused, but an unknown key was accepted: a misspelt key will go "
        "unnoticed");
  } else {
    Add("bad settings", Verdict::kPass,
        "malformed settings and unknown keys refused (" + Status(rc) + ": " + error + ")");
  }
}

void Checker::CheckCycles() {
  for (int i = 0; i < kCycles && !blocked_; ++i) {
    jwo_hal_instance_t* inst = nullptr;
    std::string error;
    const int rc = Open(1, options_.settings, &inst, &error);
    if (rc != JWO_HAL_OK || inst == nullptr) {
      Add("open/close cycles", Verdict::kFail,
          "cycle " + std::to_string(i + 1) + ": open returned " + Status(rc) + ": " + error +
              " (an instance that was closed must release what it held)");
      return;
    }
    PollFor(inst, 2);
    Call("close", [&] { fn_.close(inst); });
  }
  if (blocked_) return;
  // Two instances side by side: events must come through each one's own host table.
  const size_t mark = host_.Events().size();
  jwo_hal_instance_t* a = nullptr;
  jwo_hal_instance_t* b = nullptr;
  std::string error;
  std::string settings_b = options_.settings;
  int rc = Open(2, options_.settings, &a, &error);
  if (rc == JWO_HAL_OK) rc = Open(3, settings_b, &b, &error);
  if (rc != JWO_HAL_OK) {
    if (a != nullptr) Call("close", [&] { fn_.close(a); });
    // A driver for one physical device may refuse a second instance of the same settings.
    Add("open/close cycles",
        rc == JWO_HAL_EIO || rc == JWO_HAL_EBUSY ? Verdict::kWarn : Verdict::kFail,
        std::to_string(kCycles) +
            " cycles passed; a second instance with the same settings "
            "returned " +
            Status(rc) + ": " + error);
    return;
  }
  host_.SetLaneCount(2, lanes_);
  host_.SetLaneCount(3, lanes_);
  for (int i = 0; i < 150 && !blocked_; ++i) {
    host_.Advance(JWO_HAL_POLL_INTERVAL_MS);
    Call("poll", [&] { return fn_.poll(a); });
    Call("poll", [&] { return fn_.poll(b); });
  }
  Call("close", [&] { fn_.close(b); });
  Call("close", [&] { fn_.close(a); });
  std::string detail =
      std::to_string(kCycles) + " open/poll/close cycles; two instances side by side";
  if (Has(JWO_HAL_CAP_HEARTBEAT)) {
    int from_a = 0;
    int from_b = 0;
    const std::vector<RecordedEvent> events = host_.Events();
    for (size_t i = mark; i < events.size(); ++i) {
      const RecordedEvent& e = events[i];
      if (e.type != JWO_HAL_EVENT_HEARTBEAT) continue;
      from_a += e.instance == 2;
      from_b += e.instance == 3;
    }
    if (from_a == 0 || from_b == 0) {
      Add("open/close cycles", Verdict::kFail,
          "two instances: heartbeats came " + std::to_string(from_a) +
              " times through the "
              "first instance's host table and " +
              std::to_string(from_b) +
              " through the second's (each instance must use its own host table)");
      return;
    }
    detail += ", each heartbeating through its own host table";
  }
  Add("open/close cycles", Verdict::kPass, detail);
}

void Checker::CheckEvents() {
  std::string fail;
  std::string warn;
  size_t count = 0;
  for (const RecordedEvent& e : host_.Events()) {
    ++count;
    if (!e.problems.empty() && fail.empty()) fail = e.problems.front();
    if (!e.in_call && !Has(JWO_HAL_CAP_OWN_THREADS) && fail.empty()) {
      fail =
          "an event was emitted outside a driver call (from another thread) without "
          "JWO_HAL_CAP_OWN_THREADS";
    }
    const std::pair<uint32_t, uint64_t> needs[] = {
        {JWO_HAL_EVENT_CARD_TAPPED, JWO_HAL_CAP_CARD_READER},
        {JWO_HAL_EVENT_PERSON_PASSED, JWO_HAL_CAP_PASSAGE_SENSOR},
        {JWO_HAL_EVENT_DOOR_FORCED, JWO_HAL_CAP_DOOR_SENSOR},
        {JWO_HAL_EVENT_DOOR_HELD_OPEN, JWO_HAL_CAP_DOOR_SENSOR},
        {JWO_HAL_EVENT_DOOR_CLOSED, JWO_HAL_CAP_DOOR_SENSOR},
        {JWO_HAL_EVENT_TAMPER, JWO_HAL_CAP_TAMPER},
        {JWO_HAL_EVENT_EMERGENCY_RELEASE_ACTIVE, JWO_HAL_CAP_EMERGENCY_INPUT},
        {JWO_HAL_EVENT_EMERGENCY_RELEASE_CLEARED, JWO_HAL_CAP_EMERGENCY_INPUT},
        {JWO_HAL_EVENT_HEARTBEAT, JWO_HAL_CAP_HEARTBEAT}};
    for (const auto& [type, cap] : needs) {
      if (e.type == type && !Has(cap) && warn.empty()) {
        warn = std::string(EventTypeName(type)) + " emitted without its capability";
      }
    }
  }
  if (!fail.empty()) {
    Add("events", Verdict::kFail, fail);
  } else if (!warn.empty()) {
    Add("events", Verdict::kWarn, warn);
  } else {
    Add("events", Verdict::kPass, std::to_string(count) + " events, all well-formed");
  }
}

void Checker::CheckNonBlocking() {
  const double slowest_ms = std::chrono::duration<double, std::milli>(slowest_).count();
  char text[160];
  if (blocked_) {
    std::snprintf(text, sizeof text,
                  "%s took %.1f ms (limit %lld ms): the driver blocks; remaining checks not run",
                  blocked_call_, slowest_ms, static_cast<long long>(options_.slow_call.count()));
    Add("non-blocking", Verdict::kFail, text);
    return;
  }
  std::snprintf(text, sizeof text, "slowest call: %s, %.3f ms (budget %.3f ms)", slowest_call_,
                slowest_ms, JWO_HAL_CALL_BUDGET_US / 1000.0);
  Add("non-blocking", slowest_ms * 1000 > JWO_HAL_CALL_BUDGET_US ? Verdict::kWarn : Verdict::kPass,
      text);
}

void RunConformance(const std::string& driver_path, const ConformanceOptions& options,
                    ConformanceReport* report) {
  Checker checker(options, report);
  checker.Run(driver_path);
}

}  // namespace jwo::hal::conformance
