// ControlApi: what jwo-edgectl can ask of the daemon, independent of the socket it arrives on.
//
// Protocol (docs/operations.md): one JSON object per request, one per answer.
//   request:  {"command": "shopper.block", "shopper": "...", "reason": "..."}
//   answer:   {"ok": true, "result": {...}}  or  {"ok": false, "code": "not_found", "error": "..."}
//
// Every command that changes state (shopper status, debts, trips, refunds, the outbox, gates)
// requires a reason and writes an audit record (who: the unix user of the caller, when, what,
// why) in the same transaction as the change; a gate command changes hardware, so its row is
// written right after the change (or, while the store is down, only to the journal). A change
// without a reason is refused and changes nothing. Handle() blocks on store writes: call it from
// the control thread, never from an I/O thread. Thread-compatible: one caller at a time.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "config/config_holder.h"
#include "core/clock.h"
#include "core/status.h"
#include "payments/lifecycle.h"
#include "store/env.h"

namespace jwo::admin {

class ControlApi {
 public:
  struct Deps {
    const std::atomic<store::Env*>* env = nullptr;
    const config::ConfigHolder* config = nullptr;
    const core::Clock* clock = nullptr;
    // Fills the "status" command's answer with the live state of the daemon.
    std::function<boost::json::object()> status;
    // Payments (null when not configured): the lifecycle policy, and a call that tells the
    // outbox dispatcher entries were added or changed.
    std::function<payments::LifecyclePolicy()> payment_policy;
    std::function<void()> outbox_changed;
    // The `gate.*` commands (gate::GateService::HandleControl); null: no gates configured.
    std::function<core::Result<boost::json::object>(const boost::json::object&)> gate;
    // The chain ledger's breaker (null: no `ledger:` section): applies the held debts of one
    // origin store (all when empty); returns how many.
    std::function<core::Result<uint64_t>(std::string_view origin)> ledger_confirm;
    // Tells the chain ledger's publishers that debts or chain overrides changed (null: none).
    std::function<void()> ledger_changed;
  };

  explicit ControlApi(Deps deps) : deps_(std::move(deps)) {}

  // Runs one request line from the unix user `actor`; returns the answer line (no newline).
  std::string Handle(std::string_view request_line, const std::string& actor);

 private:
  boost::json::object Dispatch(const boost::json::object& req, const std::string& actor);
  // gate.*: every command but reading state needs a reason and leaves an audit row.
  boost::json::object DispatchGate(const std::string& command, const boost::json::object& req,
                                   const std::string& actor);
  // trip.*, refund, outbox.* (control_payments.cc).
  boost::json::object DispatchPayments(const std::string& command, const boost::json::object& req,
                                       const std::string& actor);

  Deps deps_;
};

}  // namespace jwo::admin
