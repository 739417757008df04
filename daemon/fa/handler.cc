#include "fa/handler.h"

#include "core/ids.h"
#include "core/log.h"
#include "fa/response.h"
#include "http/status_answer.h"
#include "store/gate_shoppers.h"

namespace jwo::fa {
namespace {

// This thread's snapshot of the configuration, taken again only when a reload has installed a
// new one: a tap then touches neither the holder's mutex nor the snapshot's shared count. The
// reference stays valid for the whole request: only this function replaces the snapshot, and
// Handle does not re-enter on a thread. (A retired snapshot lives until the thread's next tap.)
const config::Config& ConfigForThisThread(const config::ConfigHolder& holder) {
  thread_local std::shared_ptr<const config::Config> snapshot;
  thread_local uint64_t generation = 0;
  const uint64_t now = holder.Generation();
  if (snapshot == nullptr || generation != now) {
    snapshot = holder.Current();  // may be newer than `now`: the next tap just takes it again
    generation = now;
  }
  return *snapshot;
}

}  // namespace

http::Response AuthorizationHandler::Handle(const http::Request& request) const {
  const int64_t start_ns = deps_.clock->MonotonicNs();
  const config::Config& cfg = ConfigForThisThread(*deps_.config);

  // One request per thread, parsed into again and again: its strings keep their storage, so a
  // tap allocates nothing to hold the request (Handle does not re-enter on a thread).
  thread_local AuthorizationRequest req;
  if (core::Status parsed = ParseAuthorizationRequest(request.body, req); !parsed.ok()) {
    deps_.metrics->bad_requests.Add();
    return http::StatusAnswer(parsed);
  }
  if (req.store_id != cfg.store_id) {
    deps_.metrics->unknown_store.Add();
    return http::StatusAnswer(
        core::NotFound("no connector configuration for storeId '" + req.store_id + "'"));
  }

  store::ShopperRecord shopper;
  LedgerView view;
  store::Env* env = deps_.env->load(std::memory_order_acquire);
  core::Status read_status = core::IoError("store is not open");
  if (env != nullptr) {
    read_status = env->Read([&](const store::ReadTxn& txn) {
      // Through the gate's small index: a shopper outside it decides as one without a record.
      auto rec = store::ReadShopperForGate(txn, req.shopper_id);
      if (!rec.ok()) return rec.status();
      if (rec->has_value()) {
        shopper = std::move(**rec);
        view.shopper = &shopper;
      }
      return core::Status::Ok();
    });
  }
  if (!read_status.ok()) {
    view.readable = false;
    deps_.metrics->store_errors.Add();
    core::LogWarning(
        "ledger read failed; fail mode decides",
        {{"error", read_status.ToString()}, {"shopper", core::Pseudonym(req.shopper_id)}});
  }

  const Decision decision = Decide(req, view, cfg.fa);
  http::Response response;
  response.body = SerializeDecision(decision);
  const int64_t elapsed_ns = deps_.clock->MonotonicNs() - start_ns;
  deps_.metrics->latency.Observe(static_cast<double>(elapsed_ns) * 1e-9);
  deps_.metrics->CountDecision(decision);

  if (decision.outcome == store::Outcome::kDenied && core::LogEnabled(core::LogLevel::kInfo)) {
    core::LogInfo("shopper denied", {{"shopper", core::Pseudonym(req.shopper_id)},
                                     {"trip", req.trip_id},
                                     {"reason", std::string(ReasonName(decision.reason))}});
  } else if (core::LogEnabled(core::LogLevel::kDebug)) {
    // Checked first: the fields (a SHA-256 pseudonym) would otherwise be built for every tap.
    core::LogDebug("shopper approved", {{"shopper", core::Pseudonym(req.shopper_id)},
                                        {"trip", req.trip_id},
                                        {"reason", std::string(ReasonName(decision.reason))}});
  }
  if (deps_.on_decided) deps_.on_decided(req, decision);

  // The audit record borrows the request's strings: the log copies the encoded bytes.
  store::DecisionView record;
  record.gate_event_id = req.gate_event ? std::string_view(req.gate_event->id) : "none";
  record.event_ms = req.gate_event ? req.gate_event->timestamp_ms : 0;
  record.lane = req.GateData("lane");
  record.trip_id = req.trip_id;
  record.shopper_id = req.shopper_id;
  record.store_id = req.store_id;
  record.decided_ms = deps_.clock->NowUnixMs();
  record.outcome = decision.outcome;
  record.reason = ReasonName(decision.reason);
  record.risks = decision.risks;
  record.latency_us = static_cast<uint32_t>(elapsed_ns / 1000);
  deps_.decision_log->Record(record);
  return response;
}

}  // namespace jwo::fa
