#include "gate/gate_service.h"

#include <prometheus/counter.h>

#include <boost/json.hpp>

#include "core/log.h"
#include "gate/lane_map.h"

namespace jwo::gate {
namespace {

namespace json = boost::json;

constexpr auto kSuperviseInterval = std::chrono::milliseconds(100);

std::string StringArg(const json::object& req, std::string_view key) {
  const json::value* v = req.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

core::Status Missing(std::string_view key) {
  return core::InvalidArgument("missing argument '" + std::string(key) + "'");
}

}  // namespace

GateService::GateService() : GateService(Options{}) {}
GateService::GateService(Options options) : options_(options) {}
GateService::~GateService() { Stop(); }

void GateService::Start(const std::vector<config::GateConfig>& gates,
                        prometheus::Registry& registry) {
  if (gates.empty()) return;
  map_ = std::make_unique<LaneMap>(gates);
  families_ = std::make_unique<GateMetricFamilies>(registry);
  for (const config::GateConfig& g : gates) {
    runners_.push_back(
        std::make_shared<GateRunner>(g, GateMetrics(*families_, g.name), options_.runner));
  }
  for (auto& r : runners_) r->Start();
  supervisor_ = std::thread([this] { Supervise(); });
  core::LogInfo("gates started", {{"gates", std::to_string(runners_.size())}});
}

void GateService::Supervise() {
  std::unique_lock lock(supervisor_mutex_);
  while (!supervisor_cv_.wait_for(lock, kSuperviseInterval, [&] { return stopping_; })) {
    for (auto& r : runners_) r->Supervise();
  }
}

void GateService::Stop() {
  if (runners_.empty()) return;
  {
    std::lock_guard lock(supervisor_mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  supervisor_cv_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
  for (auto& r : runners_) r->Stop(options_.stop_deadline);
}

void GateService::OnDecision(const fa::AuthorizationRequest& request,
                             const fa::Decision& decision) {
  if (runners_.empty()) return;
  const auto target = map_->Find(request.GateData("gate"), request.GateData("lane"));
  if (!target) {
    families_->unmapped->Increment();
    if (core::LogEnabled(core::LogLevel::kDebug)) {  // the fields cost strings on every tap
      core::LogDebug("decision maps to no configured lane; no lane command",
                     {{"gate", std::string(request.GateData("gate"))},
                      {"lane", std::string(request.GateData("lane"))},
                      {"trip", request.trip_id}});
    }
    return;
  }
  GateRunner& runner = *runners_[target->gate];
  runner.Enqueue(CommandForDecision(runner.config(), target->lane, decision, request.trip_id,
                                    DriverHost::NowNs()));
}

json::object GateService::Status() const {
  json::array gates;
  for (const auto& r : runners_) gates.push_back(r->Status());
  json::object out{{"gates", gates}};
  if (families_) out["unmapped_decisions"] = static_cast<uint64_t>(families_->unmapped->Value());
  return out;
}

std::vector<std::string> GateService::UnreadyReasons() const {
  std::vector<std::string> out;
  for (const auto& r : runners_) {
    for (std::string& reason : r->UnreadyReasons()) out.push_back(std::move(reason));
  }
  return out;
}

GateRunner* GateService::FindGate(const std::string& name) const {
  for (const auto& r : runners_) {
    if (r->config().name == name) return r.get();
  }
  return nullptr;
}

core::Result<json::object> GateService::HandleControl(const json::object& req) {
  const std::string command = StringArg(req, "command");
  if (runners_.empty()) {
    return core::Status(core::StatusCode::kFailedPrecondition,
                        "no gates are configured (see `gates:` in docs/hal.md)");
  }
  if (command == "gate.status") return Status();
  const std::string name = StringArg(req, "gate");
  if (name.empty()) return Missing("gate");
  GateRunner* runner = FindGate(name);
  if (runner == nullptr) {
    std::string names;
    for (const auto& r : runners_) names += (names.empty() ? "" : ", ") + r->config().name;
    return core::NotFound("no gate named '" + name + "' (configured: " + names + ")");
  }
  if (command == "gate.mode") {
    const std::string lane_id = StringArg(req, "lane");
    const std::string mode_name = StringArg(req, "mode");
    if (lane_id.empty()) return Missing("lane");
    std::optional<uint32_t> lane;
    for (size_t i = 0; i < runners_.size(); ++i) {
      if (runners_[i].get() == runner) lane = map_->DriverLane(i, lane_id);
    }
    if (!lane) return core::NotFound("gate '" + name + "' has no lane '" + lane_id + "'");
    uint32_t mode = 0;
    if (mode_name == "normal") {
      mode = JWO_HAL_LANE_MODE_NORMAL;
    } else if (mode_name == "locked") {
      mode = JWO_HAL_LANE_MODE_LOCKED;
    } else if (mode_name == "out_of_service") {
      mode = JWO_HAL_LANE_MODE_OUT_OF_SERVICE;
    } else {
      return core::InvalidArgument("mode must be normal, locked or out_of_service");
    }
    return runner->SetLaneMode(*lane, mode);
  }
  if (command == "gate.control") {
    const json::value* request = req.if_contains("request");
    if (request == nullptr) return Missing("request");
    const std::string text =
        request->is_string() ? std::string(request->get_string()) : json::serialize(*request);
    return runner->Control(text);
  }
  return core::InvalidArgument("unknown command '" + command + "'");
}

}  // namespace jwo::gate
