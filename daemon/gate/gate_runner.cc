#include "gate/gate_runner.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <pthread.h>

#include <boost/json.hpp>
#include <cstring>
#include <future>
#include <type_traits>

#include "core/log.h"
#include "gate/driver_path.h"
#include "gate/event_log.h"

namespace jwo::gate {
namespace {

// The most lanes a driver may report (gate_hal.h, lane_count; config/gate_parser.cc maps 1..64).
constexpr uint32_t kMaxDriverLanes = 64;

namespace json = boost::json;

constexpr size_t kMaxTasks = 16;
constexpr size_t kControlReplyBytes = 64 * 1024;
constexpr int64_t kNsPerMs = 1'000'000;

int64_t Ns(std::chrono::milliseconds ms) { return ms.count() * kNsPerMs; }

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

size_t KindIndex(CommandKind k) { return static_cast<size_t>(k); }

}  // namespace

GateRunner::GateRunner(config::GateConfig cfg, GateMetrics metrics, GateRunnerOptions options)
    : cfg_(std::move(cfg)),
      m_(metrics),
      opt_(options),
      host_(cfg_.name, opt_.event_capacity, m_.events_dropped),
      commands_(opt_.command_capacity) {}

GateRunner::~GateRunner() {
  if (thread_.joinable()) thread_.detach();
}

void GateRunner::Start() {
  thread_ = std::thread([self = shared_from_this()] { self->Run(); });
}

bool GateRunner::Stop(std::chrono::milliseconds deadline) {
  if (!thread_.joinable()) return true;
  std::unique_lock lock(wake_mutex_);
  stop_ = true;
  wake_cv_.notify_all();
  if (!done_cv_.wait_for(lock, deadline, [&] { return done_; })) {
    abandoned_ = true;
    lock.unlock();
    core::LogError("gate driver did not stop; its thread is abandoned",
                   {{"gate", cfg_.name}, {"call", call_name_.load()}});
    thread_.detach();
    return false;
  }
  lock.unlock();
  if (thread_.joinable()) thread_.join();
  return true;
}

template <typename F>
auto GateRunner::Call(const char* name, F&& f) {
  call_name_.store(name);
  call_started_ns_.store(DriverHost::NowNs());
  auto finish = [&] {
    const int64_t elapsed = DriverHost::NowNs() - call_started_ns_.exchange(0);
    if (abandoned_) return;
    if (elapsed > int64_t{JWO_HAL_CALL_BUDGET_US} * 1000) {
      for (size_t i = 0; i < kDriverCallCount; ++i) {
        if (kDriverCallNames[i] == name) m_.slow_calls[i]->Increment();
      }
      core::LogDebug(
          "gate driver call over budget",
          {{"gate", cfg_.name}, {"call", name}, {"elapsed_us", std::to_string(elapsed / 1000)}});
    }
    if (stuck_logged_.exchange(false)) {
      core::LogWarning("gate driver call returned at last",
                       {{"gate", cfg_.name},
                        {"call", name},
                        {"elapsed_ms", std::to_string(elapsed / kNsPerMs)}});
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

void GateRunner::Run() {
  pthread_setname_np(pthread_self(), ("gate-" + cfg_.name).substr(0, 15).c_str());
  LoadDriver();
  int64_t next_poll = DriverHost::NowNs();
  for (;;) {
    std::deque<Task> tasks;
    {
      std::lock_guard lock(wake_mutex_);
      if (stop_) break;
      tasks.swap(tasks_);
    }
    for (Task& t : tasks) {
      t(true);
      if (abandoned_) return;
    }
    int64_t now = DriverHost::NowNs();
    bool can_open;
    {
      std::lock_guard lock(state_mutex_);
      can_open = lib_ != nullptr && !permanent_error_;
    }
    if (instance_ == nullptr && can_open && now >= next_open_ns_) TryOpen(now);
    if (abandoned_) return;
    // What the driver reported since the last round (an emergency release emitted by open(), or
    // by one of its own threads) is applied before any command is sent: a command must never
    // reach a lane the daemon could already know is released.
    DrainEvents();
    ExecuteCommands(now);
    if (abandoned_) return;
    now = DriverHost::NowNs();
    if (instance_ != nullptr && now >= next_poll) {
      PollOnce();
      if (abandoned_) return;
      next_poll = now + Ns(opt_.poll_interval);
    }
    DrainEvents();
    std::unique_lock lock(wake_mutex_);
    const auto wait = std::chrono::nanoseconds(std::max<int64_t>(
        0,
        (instance_ != nullptr ? next_poll : now + Ns(opt_.poll_interval)) - DriverHost::NowNs()));
    wake_cv_.wait_for(lock, wait,
                      [&] { return stop_ || !tasks_.empty() || commands_pending_.load(); });
  }
  std::deque<Task> left;
  {
    std::lock_guard lock(wake_mutex_);
    left.swap(tasks_);
  }
  for (Task& t : left) t(false);
  if (instance_ != nullptr) {
    Call("close", [&] { fn_.close(instance_); });
    instance_ = nullptr;
    if (abandoned_) return;
    core::LogInfo("gate closed", {{"gate", cfg_.name}});
  }
  {
    std::lock_guard lock(state_mutex_);
    open_ = false;
  }
  std::lock_guard lock(wake_mutex_);
  done_ = true;
  done_cv_.notify_all();
}

void GateRunner::LoadDriver() {
  auto path = ResolveDriverPath(cfg_.driver);
  core::Result<std::shared_ptr<const hal::DriverLibrary>> lib =
      path.ok() ? hal::DriverLibrary::Load(*path) : path.status();
  std::lock_guard lock(state_mutex_);
  attempted_ = true;
  if (path.ok()) driver_path_ = *path;
  if (!lib.ok()) {
    error_ = lib.status().message();
    permanent_error_ = true;
    m_.open_errors->Increment();
    core::LogError("gate driver cannot be loaded; the gate is marked faulty, the daemon carries on",
                   {{"gate", cfg_.name}, {"error", error_}});
    return;
  }
  lib_ = std::move(lib).value();
  fn_ = lib_->functions();
  host_.SetDriverName(lib_->name());
  core::LogInfo("gate driver loaded", {{"gate", cfg_.name},
                                       {"driver", lib_->name()},
                                       {"driver_version", lib_->version()},
                                       {"abi", std::to_string(lib_->abi_major()) + "." +
                                                   std::to_string(lib_->abi_minor())},
                                       {"capabilities", hal::CapabilityNames(lib_->capabilities())},
                                       {"path", driver_path_}});
}

void GateRunner::TryOpen(int64_t now) {
  char error[JWO_HAL_ERROR_SIZE];
  std::memset(error, 0, sizeof error);
  jwo_hal_instance_t* instance = nullptr;
  host_.SetSettings(cfg_.settings_json);
  const int rc = Call("open", [&] {
    return fn_.open(host_.table(), cfg_.settings_json.c_str(), &instance, error, sizeof error);
  });
  if (abandoned_) return;
  error[sizeof error - 1] = '\0';
  std::string failure;
  bool permanent = false;
  uint32_t lanes = 0;
  if (rc != JWO_HAL_OK || instance == nullptr) {
    failure = std::string("open failed (") + jwo_hal_status_name(rc) + "): " + error;
    permanent = rc == JWO_HAL_ESETTINGS;
  } else {
    lanes = Call("lane_count", [&] { return fn_.lane_count(instance); });
    // ABI 1.1: this instance's capabilities, within the descriptor's (gate_hal.h).
    uint64_t caps = lib_->capabilities();
    if (fn_.instance_capabilities != nullptr) {
      const uint64_t mine =
          Call("instance_capabilities", [&] { return fn_.instance_capabilities(instance); });
      if ((mine & ~caps) != 0) {
        core::LogWarning(
            "gate driver reports instance capabilities its descriptor does not declare; "
            "ignored",
            {{"gate", cfg_.name}, {"capabilities", hal::CapabilityNames(mine & ~caps)}});
      }
      caps &= mine;
    }
    caps_.store(caps, std::memory_order_relaxed);
    // gate_hal.h: 1..JWO_HAL_MAX_LANES. The gate's state holds an entry per lane, so an absurd
    // count (a driver bug, UINT32_MAX) must not reach it.
    if (lanes == 0 || lanes > kMaxDriverLanes) {
      failure = "the driver reports " + std::to_string(lanes) + " lanes; a driver has 1 to " +
                std::to_string(kMaxDriverLanes);
      permanent = true;
    }
    for (const config::GateLaneConfig& l : cfg_.lanes) {
      if (l.lane > lanes && failure.empty()) {
        failure = "lane '" + l.id + "' is mapped to driver lane " + std::to_string(l.lane) +
                  ", but the driver reports " + std::to_string(lanes) + " lane(s)";
        permanent = true;
      }
    }
    if (!failure.empty()) Call("close", [&] { fn_.close(instance); });
  }
  if (!failure.empty()) {
    const size_t discarded = host_.TakeEvents().size();
    if (discarded > 0) m_.events_discarded->Increment(static_cast<double>(discarded));
    m_.open_errors->Increment();
    next_open_ns_ = now + Ns(opt_.reopen_interval);
    if (failure != last_logged_error_) {
      core::LogError(permanent ? "gate driver cannot be opened; the gate is marked faulty"
                               : "gate driver cannot be opened; the gate is marked faulty and "
                                 "the open is retried",
                     {{"gate", cfg_.name}, {"error", failure}});
      last_logged_error_ = failure;
    }
    std::lock_guard lock(state_mutex_);
    error_ = failure;
    permanent_error_ = permanent;
    return;
  }
  instance_ = instance;
  last_heartbeat_ns_ = DriverHost::NowNs();
  last_logged_error_.clear();
  {
    std::lock_guard lock(state_mutex_);
    state_.Reset(lanes, cfg_.lanes);
    error_.clear();
    open_ = true;
    poll_failing_ = false;
  }
  core::LogInfo("gate open", {{"gate", cfg_.name}, {"lanes", std::to_string(lanes)}});
}

void GateRunner::Enqueue(LaneCommand command) {
  const size_t kind = KindIndex(command.kind);
  if (commands_.Push(std::move(command))) {
    m_.CountCommand(kind, CommandResult::kDroppedOverflow);
  }
  commands_pending_.store(true);
  wake_cv_.notify_one();
}

void GateRunner::ExecuteCommands(int64_t now) {
  if (!commands_pending_.exchange(false)) return;
  for (const LaneCommand& cmd : commands_.TakeAll()) {
    SendCommand(cmd, now);
    if (abandoned_) return;
  }
}

void GateRunner::SendCommand(const LaneCommand& cmd, int64_t now) {
  const size_t kind = KindIndex(cmd.kind);
  const std::string_view name = CommandKindName(cmd.kind);
  auto record = [&](std::string result) {
    std::lock_guard lock(state_mutex_);
    state_.RecordCommand(cmd.lane, name, std::move(result), NowUnixMs());
  };
  if (instance_ == nullptr) {
    m_.CountCommand(kind, CommandResult::kDroppedUnavailable);
    return;
  }
  bool emergency;
  {
    std::lock_guard lock(state_mutex_);
    if (!cmd.trip_id.empty()) state_.RecordDecision(cmd.lane, cmd.trip_id, now);
    emergency = state_.UnderEmergency(cmd.lane);
  }
  if (now - cmd.enqueued_ns > int64_t{cfg_.command_max_age_ms} * kNsPerMs) {
    m_.CountCommand(kind, CommandResult::kDroppedStale);
    core::LogWarning("lane command dropped: it waited longer than command_max_age_ms",
                     {{"gate", cfg_.name},
                      {"lane", std::to_string(cmd.lane)},
                      {"command", std::string(name)},
                      {"trip", cmd.trip_id}});
    record("dropped: stale");
    return;
  }
  if (emergency) {
    m_.CountCommand(kind, CommandResult::kDroppedEmergency);
    core::LogInfo("lane command not sent: emergency release active on the lane",
                  {{"gate", cfg_.name},
                   {"lane", std::to_string(cmd.lane)},
                   {"command", std::string(name)},
                   {"trip", cmd.trip_id}});
    record("not sent: emergency release");
    return;
  }
  int rc = JWO_HAL_EUNSUPPORTED;
  switch (cmd.kind) {
    case CommandKind::kAdmit:
      if (fn_.admit != nullptr && Has(JWO_HAL_CAP_ADMIT)) {
        rc = Call("admit", [&] { return fn_.admit(instance_, cmd.lane); });
      }
      break;
    case CommandKind::kDeny:
      if (fn_.deny != nullptr && Has(JWO_HAL_CAP_DENY)) {
        rc = Call("deny", [&] { return fn_.deny(instance_, cmd.lane, cmd.message.c_str()); });
      }
      break;
    case CommandKind::kSetMode:
      if (fn_.set_lane_mode != nullptr && Has(JWO_HAL_CAP_LANE_MODE)) {
        rc =
            Call("set_lane_mode", [&] { return fn_.set_lane_mode(instance_, cmd.lane, cmd.mode); });
      }
      break;
  }
  if (abandoned_) return;
  if (rc == JWO_HAL_OK) {
    m_.CountCommand(kind, CommandResult::kSent);
    core::LogDebug("lane command sent", {{"gate", cfg_.name},
                                         {"lane", std::to_string(cmd.lane)},
                                         {"command", std::string(name)},
                                         {"trip", cmd.trip_id}});
    if (cmd.kind == CommandKind::kSetMode) {
      std::lock_guard lock(state_mutex_);
      state_.SetMode(cmd.lane, cmd.mode);
    }
    record("sent");
  } else if (rc == JWO_HAL_EUNSUPPORTED) {
    m_.CountCommand(kind, CommandResult::kUnsupported);
    record("unsupported by the driver");
  } else {
    m_.CountCommand(kind, CommandResult::kFailed);
    m_.command_errors->Increment();
    core::LogWarning("lane command failed", {{"gate", cfg_.name},
                                             {"lane", std::to_string(cmd.lane)},
                                             {"command", std::string(name)},
                                             {"error", jwo_hal_status_name(rc)},
                                             {"trip", cmd.trip_id}});
    record(std::string("failed: ") + jwo_hal_status_name(rc));
  }
}

void GateRunner::PollOnce() {
  const int rc = Call("poll", [&] { return fn_.poll(instance_); });
  if (abandoned_) return;
  bool was_failing;
  {
    std::lock_guard lock(state_mutex_);
    was_failing = poll_failing_;
    poll_failing_ = rc != JWO_HAL_OK;
  }
  if (rc != JWO_HAL_OK) {
    m_.poll_errors->Increment();
    if (!was_failing) {
      core::LogWarning("gate driver poll failed; the gate is unready until a poll succeeds",
                       {{"gate", cfg_.name}, {"error", jwo_hal_status_name(rc)}});
    }
  } else if (was_failing) {
    core::LogInfo("gate driver poll succeeds again", {{"gate", cfg_.name}});
  }
}

void GateRunner::DrainEvents() {
  if (const uint64_t malformed = host_.malformed(); malformed > malformed_seen_) {
    m_.events_malformed->Increment(static_cast<double>(malformed - malformed_seen_));
    malformed_seen_ = malformed;
  }
  for (GateEvent& e : host_.TakeEvents()) {
    {
      std::lock_guard lock(state_mutex_);
      state_.Apply(e);
    }
    m_.CountEvent(e.type);
    if (e.type == JWO_HAL_EVENT_HEARTBEAT) {
      last_heartbeat_ns_ = e.at_ns;
      continue;
    }
    LogGateEvent(cfg_.name, e);
    if (!e.trip_id.empty() && opt_.on_trip_event) opt_.on_trip_event(cfg_.name, e);
  }
}

core::Result<json::object> GateRunner::RunSync(std::function<core::Result<json::object>()> fn) {
  using Result = core::Result<json::object>;
  auto promise = std::make_shared<std::promise<Result>>();
  std::future<Result> future = promise->get_future();
  {
    std::lock_guard lock(wake_mutex_);
    if (stop_) return core::Status(core::StatusCode::kUnavailable, "the gate is stopping");
    if (tasks_.size() >= kMaxTasks) {
      return core::Status(core::StatusCode::kUnavailable,
                          "gate '" + cfg_.name + "' has too many requests waiting");
    }
    tasks_.push_back([promise, fn = std::move(fn)](bool run) {
      promise->set_value(
          run ? fn()
              : Result(core::Status(core::StatusCode::kUnavailable, "the gate is stopping")));
    });
  }
  wake_cv_.notify_one();
  if (future.wait_for(opt_.sync_timeout) != std::future_status::ready) {
    return core::Status(core::StatusCode::kUnavailable,
                        "gate '" + cfg_.name + "' did not answer within " +
                            std::to_string(opt_.sync_timeout.count()) +
                            " ms: its driver is busy or stuck");
  }
  return future.get();
}

core::Result<json::object> GateRunner::Control(const std::string& request) {
  return RunSync([this, request]() -> core::Result<json::object> {
    if (instance_ == nullptr) {
      std::lock_guard lock(state_mutex_);
      return core::Status(core::StatusCode::kUnavailable,
                          "gate '" + cfg_.name + "' is not open: " + error_);
    }
    if (fn_.control == nullptr || !Has(JWO_HAL_CAP_CONTROL)) {
      return core::Status(core::StatusCode::kFailedPrecondition,
                          "the driver of gate '" + cfg_.name + "' (" + lib_->name() +
                              ") takes no control requests");
    }
    std::string reply(kControlReplyBytes, '\0');
    const int rc = Call("control", [&] {
      return fn_.control(instance_, request.c_str(), reply.data(), reply.size());
    });
    reply.resize(strnlen(reply.data(), reply.size()));
    DrainEvents();
    boost::system::error_code ec;
    json::value parsed = json::parse(reply, ec);
    if (rc != JWO_HAL_OK) {
      std::string why = reply;
      if (!ec && parsed.is_object()) {
        if (const json::value* e = parsed.get_object().if_contains("error");
            e != nullptr && e->is_string()) {
          why = std::string(e->get_string());
        }
      }
      return core::Status(
          core::StatusCode::kInvalidArgument,
          "the driver refused the request (" + std::string(jwo_hal_status_name(rc)) + "): " + why);
    }
    if (ec || !parsed.is_object()) return json::object{{"reply", reply}};
    return std::move(parsed.get_object());
  });
}

core::Result<json::object> GateRunner::SetLaneMode(uint32_t lane, uint32_t mode) {
  return RunSync([this, lane, mode]() -> core::Result<json::object> {
    if (instance_ == nullptr) {
      std::lock_guard lock(state_mutex_);
      return core::Status(core::StatusCode::kUnavailable,
                          "gate '" + cfg_.name + "' is not open: " + error_);
    }
    {
      std::lock_guard lock(state_mutex_);
      if (state_.UnderEmergency(lane)) {
        m_.CountCommand(KindIndex(CommandKind::kSetMode), CommandResult::kDroppedEmergency);
        return core::Status(core::StatusCode::kFailedPrecondition,
                            "lane " + std::to_string(lane) + " of gate '" + cfg_.name +
                                "' is under emergency release; the daemon sends it nothing "
                                "until the hardware clears the release");
      }
    }
    if (fn_.set_lane_mode == nullptr || !Has(JWO_HAL_CAP_LANE_MODE)) {
      return core::Status(core::StatusCode::kFailedPrecondition,
                          "the driver of gate '" + cfg_.name + "' does not support lane modes");
    }
    const int rc = Call("set_lane_mode", [&] { return fn_.set_lane_mode(instance_, lane, mode); });
    DrainEvents();
    if (rc != JWO_HAL_OK) {
      m_.CountCommand(KindIndex(CommandKind::kSetMode), CommandResult::kFailed);
      return core::Status(core::StatusCode::kFailedPrecondition,
                          std::string("the driver refused the mode: ") + jwo_hal_status_name(rc));
    }
    m_.CountCommand(KindIndex(CommandKind::kSetMode), CommandResult::kSent);
    {
      std::lock_guard lock(state_mutex_);
      state_.SetMode(lane, mode);
      state_.RecordCommand(lane, "set_mode", "sent", NowUnixMs());
    }
    core::LogInfo("lane mode set", {{"gate", cfg_.name},
                                    {"lane", std::to_string(lane)},
                                    {"mode", std::string(hal::LaneModeName(mode))}});
    return json::object{{"gate", cfg_.name}, {"lane", lane}, {"mode", hal::LaneModeName(mode)}};
  });
}

std::vector<std::string> GateRunner::UnreadyReasonsLocked(int64_t now) const {
  std::vector<std::string> reasons;
  const std::string prefix = "gate:" + cfg_.name + ":";
  if (!open_)
    reasons.push_back(prefix + (attempted_ && !error_.empty() ? "driver_unavailable" : "starting"));
  const int64_t started = call_started_ns_.load();
  if (started != 0 && now - started > Ns(opt_.stuck_after))
    reasons.push_back(prefix + "driver_stuck");
  if (open_ && poll_failing_) reasons.push_back(prefix + "driver_error");
  if (open_ && state_.HasFaults()) reasons.push_back(prefix + "fault");
  if (open_ && Has(JWO_HAL_CAP_HEARTBEAT) &&
      now - last_heartbeat_ns_.load() > Ns(opt_.heartbeat_timeout)) {
    reasons.push_back(prefix + "heartbeat_lost");
  }
  return reasons;
}

std::vector<std::string> GateRunner::UnreadyReasons() const {
  std::lock_guard lock(state_mutex_);
  return UnreadyReasonsLocked(DriverHost::NowNs());
}

void GateRunner::Supervise() {
  if (abandoned_) return;
  const int64_t now = DriverHost::NowNs();
  const int64_t started = call_started_ns_.load();
  if (started != 0 && now - started > Ns(opt_.stuck_after) && !stuck_logged_.exchange(true)) {
    core::LogError("gate driver call has not returned; the gate is unready (driver_stuck)",
                   {{"gate", cfg_.name},
                    {"call", call_name_.load()},
                    {"elapsed_ms", std::to_string((now - started) / kNsPerMs)}});
  }
  std::lock_guard lock(state_mutex_);
  m_.ready->Set(UnreadyReasonsLocked(now).empty() ? 1 : 0);
  m_.emergency->Set(state_.AnyEmergency() ? 1 : 0);
  m_.faults->Set(static_cast<double>(state_.FaultsJson().size()));
}

json::object GateRunner::Status() const {
  std::lock_guard lock(state_mutex_);
  const std::vector<std::string> reasons = UnreadyReasonsLocked(DriverHost::NowNs());
  json::array reason_list;
  for (const std::string& r : reasons)
    reason_list.push_back(json::string(r.substr(r.rfind(':') + 1)));
  const bool emergency = open_ && state_.AnyEmergency();
  json::object out{{"name", cfg_.name},
                   {"gate_id", cfg_.gate_id},
                   {"state", !reasons.empty() ? "faulty"
                             : emergency      ? "emergency_release"
                                              : "ready"},
                   {"ready", reasons.empty()},
                   {"reasons", reason_list},
                   {"emergency_release", emergency}};
  json::object driver{{"configured", cfg_.driver}};
  if (!driver_path_.empty()) driver["path"] = driver_path_;
  if (lib_) {
    driver["name"] = lib_->name();
    driver["version"] = lib_->version();
    driver["abi"] = std::to_string(lib_->abi_major()) + "." + std::to_string(lib_->abi_minor());
    driver["capabilities"] = hal::CapabilityNames(lib_->capabilities());
    if (open_) driver["instance_capabilities"] = hal::CapabilityNames(caps_.load());
  }
  out["driver"] = driver;
  if (!error_.empty()) out["error"] = error_;
  out["lanes"] = open_ ? state_.LanesJson() : json::array();
  out["faults"] = state_.FaultsJson();
  out["recent_events"] = state_.RecentJson();
  out["commands_queued"] = commands_.size();
  out["events_dropped"] = host_.dropped();
  return out;
}

}  // namespace jwo::gate
