#include "tests/fakes/payment_sim/simulator.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <chrono>

#include "core/json.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "tests/fakes/payment_sim/card_data.h"
#include "tests/fakes/payment_sim/control_api.h"

namespace jwo::payment_sim {
namespace {

namespace json = boost::json;

constexpr size_t kMaxEmailLength = 128;

http::Response JsonAnswer(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  if (r.body.empty()) r.content_type = {};
  return r;
}

// API Gateway's shape for authentication failures.
http::Response Forbidden(std::string_view message) {
  std::string body = "{\"message\":\"";
  core::AppendJsonEscaped(message, &body);
  body += "\"}";
  return JsonAnswer(403, std::move(body));
}

http::Response Dropped() {
  http::Response r;
  r.close_without_response = true;
  return r;
}

bool IsJsonContentType(std::string_view value) {
  constexpr std::string_view kJson = "application/json";
  return value.size() >= kJson.size() &&
         http::EqualsIgnoreCase(value.substr(0, kJson.size()), kJson);
}

// For the record of a request that failed validation: its trip and store, when readable.
void ReadIds(std::string_view body, RecordedRequest& record) {
  auto parsed = core::ParseJson(body);
  if (!parsed.ok() || !parsed->is_object()) return;
  const json::object& o = parsed->get_object();
  if (const json::value* v = o.if_contains("shoppingTripId"); v != nullptr && v->is_string()) {
    record.trip.assign(v->get_string().data(), v->get_string().size());
  }
  if (const json::value* v = o.if_contains("storeId"); v != nullptr && v->is_string()) {
    record.store.assign(v->get_string().data(), v->get_string().size());
  }
}

std::string AdjustAnswer(AdjustOutcome outcome, const core::Money& authorized) {
  std::string body = "{\"status\":\"";
  body += AdjustOutcomeName(outcome);
  body += "\",\"authorizedAmount\":{\"amount\":";
  body += core::MinorUnitsToJsonNumber(authorized.minor, authorized.currency);
  body += ",\"code\":\"";
  body += authorized.currency.Code();
  body += "\"}}";
  return body;
}

void LogRequest(const RecordedRequest& r) {
  core::LogInfo("request", {{"seq", std::to_string(r.seq)},
                            {"api", r.api},
                            {"trip", r.trip},
                            {"status", r.dropped ? "dropped" : std::to_string(r.status)},
                            {"fault", r.fault},
                            {"signature", r.signature_ok ? "ok" : r.signature_error},
                            {"violation", r.violation}});
}

}  // namespace

PaymentSimulator::PaymentSimulator(boost::asio::io_context& io, SimulatorOptions options,
                                   const core::Clock& clock)
    : io_(io),
      options_(std::move(options)),
      clock_(clock),
      signature_check_(options_.credentials, options_.region, options_.max_skew_ms),
      log_(std::max<size_t>(1, options_.max_records)) {
  behaviour_.Apply(options_.startup_script, MonotonicMs());
}

int64_t PaymentSimulator::MonotonicMs() const { return clock_.MonotonicNs() / 1'000'000; }

void PaymentSimulator::AddRoutes(http::Router& router) {
  auto self = shared_from_this();
  for (Api api : kAllApis) {
    router.Add("POST", std::string(ApiPath(api)),
               [self, api](http::Request&& request, http::Respond respond) {
                 self->Serve(api, std::move(request), respond);
               });
  }
  AddControlRoutes(router, self);
}

void PaymentSimulator::Serve(Api api, http::Request&& request, const http::Respond& respond) {
  RecordedRequest record;
  record.time_ms = clock_.NowUnixMs();
  record.api = ApiName(api);
  record.method = request.method;
  record.target = request.target;
  record.peer = request.peer;
  const core::Status signature = signature_check_.Verify(request, record.time_ms);
  int64_t delay_ms = 0;
  http::Response response;
  {
    std::lock_guard lock(mu_);
    response = Decide(api, request, signature, record, &delay_ms);
    record.body = std::move(request.body);
    record.headers = std::move(request.headers);
    record.delay_ms = delay_ms;
    record.dropped = response.close_without_response;
    if (!record.dropped || record.fault == "drop_after") record.status = response.status;
    if (!record.dropped) record.answer = response.body;
    record.seq = log_.Add(record);
    if (!record.violation.empty()) {
      log_.AddViolation(Violation{record.seq, record.time_ms, record.api, record.trip,
                                  record.violation, record.violation_detail});
    }
  }
  if (options_.log_requests) LogRequest(record);
  if (delay_ms <= 0) {
    respond(std::move(response));
    return;
  }
  auto timer =
      std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(delay_ms));
  // Answered even when the wait is cancelled (shutdown): the server then discards it.
  timer->async_wait(
      [timer, respond, response = std::move(response)](const boost::system::error_code&) mutable {
        respond(std::move(response));
      });
}

http::Response PaymentSimulator::Decide(Api api, const http::Request& request,
                                        const core::Status& signature, RecordedRequest& record,
                                        int64_t* delay_ms) {
  if (behaviour_.InOutage(MonotonicMs())) {
    record.fault = "outage";
    record.signature_error = "not checked during an outage";
    ReadIds(request.body, record);
    return Dropped();
  }
  record.signature_ok = signature.ok();
  if (!signature.ok()) {
    record.signature_error = signature.message();
    ReadIds(request.body, record);
    return Forbidden(signature.message());
  }
  auto call = ParseApiCall(api, request.body);
  std::string invalid;
  if (!call.ok()) {
    invalid = call.status().message();
  } else if (!IsJsonContentType(request.Header("content-type"))) {
    invalid = "Content-Type must be application/json";
  }
  if (!invalid.empty()) {
    ReadIds(request.body, record);
    record.violation = "invalid_request";
    record.violation_detail = invalid;
    return http::JsonError(400, invalid);
  }
  record.trip = call->trip_id;
  record.store = call->store_id;

  const std::optional<FaultRule> fault = behaviour_.PickFault(api, call->trip_id);
  if (fault) {
    record.fault = FaultKindName(fault->kind);
    switch (fault->kind) {
      case FaultKind::kThrottle: {
        http::Response r = http::JsonError(429, "TooManyRequestsException: rate exceeded");
        r.headers.emplace_back("Retry-After", std::to_string(fault->retry_after_s));
        return r;
      }
      case FaultKind::kServerError:
        return http::JsonError(500, "InternalServerError");
      case FaultKind::kUnavailable:
        return http::JsonError(503, "ServiceUnavailable");
      case FaultKind::kDrop:
        return Dropped();
      case FaultKind::kSlow:
        *delay_ms = fault->delay_ms;
        break;
      case FaultKind::kDropAfter:
        break;
    }
  }
  if (api != Api::kShopperIdentity && behaviour_.IsUnknownTrip(call->trip_id)) {
    return http::JsonError(400, "UnknownShoppingTrip");
  }
  http::Response response = Apply(*call, record);
  if (fault && fault->kind == FaultKind::kDropAfter) response.close_without_response = true;
  return response;
}

http::Response PaymentSimulator::Refuse(const Breach& breach, RecordedRequest& record) {
  record.violation = breach.rule;
  record.violation_detail = breach.detail;
  return http::JsonError(400, breach.detail);
}

http::Response PaymentSimulator::Apply(const ApiCall& call, RecordedRequest& record) {
  switch (call.api) {
    case Api::kAdjust: {
      if (auto breach = trips_.CheckAdjust(call)) return Refuse(*breach, record);
      const AdjustOutcome outcome = behaviour_.NextAdjust(call.trip_id);
      const core::Money authorized = trips_.ApplyAdjust(call, outcome);
      return JsonAnswer(200, AdjustAnswer(outcome, authorized));
    }
    case Api::kCapture:
    case Api::kCancel: {
      const BookResult result = call.api == Api::kCapture
                                    ? trips_.Capture(call, behaviour_.capture_replay())
                                    : trips_.Cancel(call);
      if (result.breach) return Refuse(*result.breach, record);
      if (result.violation) {
        record.violation = result.violation->rule;
        record.violation_detail = result.violation->detail;
      }
      return JsonAnswer(200, "");
    }
    case Api::kRefund: {
      std::string answer;
      if (behaviour_.refund_reconciliation_id()) {
        answer = json::serialize(
            json::object{{"reconciliationId", DeterministicUuid(call.refund_request_id)}});
      }
      const BookResult result = trips_.Refund(call, &answer);
      if (result.breach) return Refuse(*result.breach, record);
      return JsonAnswer(200, std::move(answer));
    }
    case Api::kPaymentStatus:
      trips_.ReportStatus(call);
      return JsonAnswer(200,
                        json::serialize(json::object{{"status", behaviour_.payment_status()}}));
    case Api::kTransactionalData: {
      const std::string currency = trips_.TransactionalData(call);
      return JsonAnswer(200, CardDataJson(CardDataForTrip(call.trip_id, currency)));
    }
    case Api::kShopperIdentity: {
      const std::string email = call.shopper_id + "@" + behaviour_.shopper_email_domain();
      if (behaviour_.IsUnknownShopper(call.shopper_id) || email.size() > kMaxEmailLength) {
        return JsonAnswer(200, "{}");
      }
      return JsonAnswer(200, json::serialize(json::object{{"shopperEmail", email}}));
    }
  }
  return http::JsonError(500, "InternalServerError");
}

core::Status PaymentSimulator::ApplyScript(std::string_view script_json) {
  auto script = ParseScript(script_json);
  if (!script.ok()) return script.status();
  std::lock_guard lock(mu_);
  behaviour_.Apply(*script, MonotonicMs());
  return core::Status::Ok();
}

core::Status PaymentSimulator::SetFaults(std::string_view faults_json) {
  auto script = ParseScript(faults_json);
  if (!script.ok()) return script.status();
  auto parsed = core::ParseJson(faults_json);
  if (!parsed->get_object().contains("faults") || parsed->get_object().size() != 1) {
    return core::InvalidArgument("body must be {\"faults\": [...]}");
  }
  std::lock_guard lock(mu_);
  behaviour_.SetFaults(std::move(script->faults));
  return core::Status::Ok();
}

void PaymentSimulator::StartOutage(int64_t ms) {
  Script script;
  script.outage_ms = std::max<int64_t>(0, ms);
  std::lock_guard lock(mu_);
  behaviour_.Apply(script, MonotonicMs());
}

void PaymentSimulator::SetCaptureReplay(CaptureReplay mode) {
  Script script;
  script.capture_replay = mode;
  std::lock_guard lock(mu_);
  behaviour_.Apply(script, MonotonicMs());
}

CaptureReplay PaymentSimulator::capture_replay() const {
  std::lock_guard lock(mu_);
  return behaviour_.capture_replay();
}

std::optional<TripState> PaymentSimulator::Trip(const std::string& trip) const {
  std::lock_guard lock(mu_);
  const TripState* t = trips_.Find(trip);
  if (t == nullptr) return std::nullopt;
  return *t;
}

void PaymentSimulator::Reset() {
  std::lock_guard lock(mu_);
  trips_.Clear();
  log_.Clear();
  behaviour_ = Behaviour();
  behaviour_.Apply(options_.startup_script, MonotonicMs());
}

std::string PaymentSimulator::RequestsJson(const RecordFilter& filter) const {
  std::lock_guard lock(mu_);
  return log_.RequestsJson(filter);
}

std::string PaymentSimulator::TripJson(const std::string& trip) const {
  std::lock_guard lock(mu_);
  return trips_.TripJson(trip);
}

std::string PaymentSimulator::TripsJson() const {
  std::lock_guard lock(mu_);
  return trips_.AllJson();
}

std::string PaymentSimulator::ViolationsJson() const {
  std::lock_guard lock(mu_);
  return log_.ViolationsJson();
}

std::string PaymentSimulator::SummaryJson() const {
  std::lock_guard lock(mu_);
  return log_.SummaryJson();
}

std::string PaymentSimulator::BehaviourJson() const {
  std::lock_guard lock(mu_);
  return behaviour_.ToJson(MonotonicMs());
}

}  // namespace jwo::payment_sim
