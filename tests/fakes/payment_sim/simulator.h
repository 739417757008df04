// PaymentSimulator: a local stand-in for Amazon's Payment Service. It serves the seven outbound
// APIs with the documented shapes and errors, checks every request's SigV4 signature, answers
// as scripted (Adjust outcomes per trip, unknown trips, 429/500/503, slow answers, dropped
// connections, an outage window) and records what it received, the state of each trip and
// every protocol violation, for tests to assert on through the control API (control_api.h).
//
// A request goes through, in order: the outage window (dropped), the signature (403
// {"message": ...} like API Gateway), validation (400 {"errorMsg": ...}, recorded as an
// `invalid_request` violation: a correct client never sends one), the scripted faults, the
// unknown-trip list (400 UnknownShoppingTrip), then the trip's lifecycle rules (trip_book.h).
// Under CaptureReplay::kApply a second Capture is answered 200 and charged, and recorded as a
// second_capture violation.
//
// Thread safety: all public functions may be called from any thread; one mutex guards the
// behaviour, the trips and the records. Lifetime: the io_context (used for slow answers) must
// outlive the simulator; handlers registered by AddRoutes share ownership of it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "http/message.h"
#include "http/router.h"
#include "tests/fakes/payment_sim/api_call.h"
#include "tests/fakes/payment_sim/behaviour.h"
#include "tests/fakes/payment_sim/request_log.h"
#include "tests/fakes/payment_sim/script.h"
#include "tests/fakes/payment_sim/signature_check.h"
#include "tests/fakes/payment_sim/trip_book.h"

namespace boost::asio {
class io_context;
}

namespace jwo::payment_sim {

struct SimulatorOptions {
  SimCredentials credentials;
  std::string region = "us-east-1";
  int64_t max_skew_ms = 5 * 60 * 1000;  // API Gateway's tolerance for X-Amz-Date
  size_t max_records = 200'000;         // requests kept for GET /_sim/requests
  Script startup_script;                // applied at start and again by Reset
  bool log_requests = true;             // one line per request on the log (stderr)
};

class PaymentSimulator : public std::enable_shared_from_this<PaymentSimulator> {
 public:
  // `io` and `clock` must outlive the simulator. REQUIRES: credentials and region non-empty.
  PaymentSimulator(boost::asio::io_context& io, SimulatorOptions options, const core::Clock& clock);

  // Registers POST <path> for the seven APIs and the control API under /_sim/ on `router`.
  // REQUIRES: the simulator is owned by a shared_ptr; `router` is not yet serving.
  void AddRoutes(http::Router& router);

  // Answers one request to `api` (see the order above). Answers on the calling thread, or
  // later from an io thread for a slow answer.
  void Serve(Api api, http::Request&& request, const http::Respond& respond);

  // Control (see control_api.h for the HTTP side). ApplyScript and SetFaults return
  // kInvalidArgument naming the offending key and change nothing then.
  core::Status ApplyScript(std::string_view script_json);
  core::Status SetFaults(std::string_view faults_json);  // {"faults": [...]}; [] clears
  // Starts an outage of `ms` milliseconds from now (0 ends the current one).
  void StartOutage(int64_t ms);
  // What a second Capture of a captured trip does from now on (script.h); the same as a script
  // {"capture_replay": ...}. Reset returns to the startup script's value (kNoop unless it sets
  // one).
  void SetCaptureReplay(CaptureReplay mode);
  CaptureReplay capture_replay() const;
  // Forgets every record, trip and violation and restores the startup script's behaviour.
  void Reset();

  // A copy of the trip's state (trip_book.h), or nullopt when no call for it was applied. For
  // in-process tests, e.g. "captures.size() <= 1 && capture_replays == 0".
  std::optional<TripState> Trip(const std::string& trip) const;

  std::string RequestsJson(const RecordFilter& filter) const;
  std::string TripJson(const std::string& trip) const;  // "" when the trip is unknown
  std::string TripsJson() const;
  std::string ViolationsJson() const;
  std::string SummaryJson() const;
  std::string BehaviourJson() const;

 private:
  int64_t MonotonicMs() const;
  // REQUIRES: mu_ held.
  http::Response Decide(Api api, const http::Request& request, const core::Status& signature,
                        RecordedRequest& record, int64_t* delay_ms);
  http::Response Apply(const ApiCall& call, RecordedRequest& record);
  http::Response Refuse(const Breach& breach, RecordedRequest& record);

  boost::asio::io_context& io_;
  const SimulatorOptions options_;
  const core::Clock& clock_;
  const SignatureCheck signature_check_;

  mutable std::mutex mu_;
  Behaviour behaviour_;  // guarded by mu_
  TripBook trips_;       // guarded by mu_
  RequestLog log_;       // guarded by mu_
};

}  // namespace jwo::payment_sim
