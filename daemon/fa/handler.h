// The Shopper Authorization endpoint: HTTP request in, gate decision out.
//
// Hot path (any I/O thread, concurrently): parse and validate, one LMDB read in a reused
// read-only transaction, Decide(), serialize, then hand the audit record to the DecisionLog
// and the decision to the `on_decided` hook (the lane command) — both non-blocking. No network
// call, no write transaction, no lock shared with the store writer.
#pragma once

#include <atomic>
#include <functional>

#include "config/config_holder.h"
#include "core/clock.h"
#include "fa/decision_log.h"
#include "fa/metrics.h"
#include "fa/policy.h"
#include "http/message.h"
#include "store/env.h"

namespace jwo::fa {

class AuthorizationHandler {
 public:
  struct Deps {
    const config::ConfigHolder* config = nullptr;
    const std::atomic<store::Env*>* env = nullptr;  // null while the store is not open
    DecisionLog* decision_log = nullptr;
    FaMetrics* metrics = nullptr;
    const core::Clock* clock = nullptr;
    // Called after each decision, on the I/O thread; must not block.
    std::function<void(const AuthorizationRequest&, const Decision&)> on_decided;
  };

  explicit AuthorizationHandler(Deps deps) : deps_(std::move(deps)) {}

  // 200 with the decision; 400 {"errorMsg"} for a request that breaks a rule; 404 when
  // storeId is valid but is not this store's. Never throws.
  http::Response Handle(const http::Request& request) const;

 private:
  Deps deps_;
};

}  // namespace jwo::fa
