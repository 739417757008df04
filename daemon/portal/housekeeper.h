// The portal's and the privacy rules' background work, on a thread of its own once the store is
// open: every minute the portal's expired codes, sessions and lock-outs go and payoffs left
// charging are looked up at the processor (PortalService::Housekeep); every hour (and at
// start) shopper e-mail addresses past `retention.shopper_email_days` are erased.
//
// Retention: a trip's address (and its shopper_index row) is erased that many days after the
// trip was created — unless the trip's shopper still has an open debt from it, since the address
// is how they sign in to pay it; it goes with the first sweep after the debt is settled and the
// period has passed. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "core/clock.h"
#include "core/status.h"
#include "portal/portal_service.h"
#include "store/env.h"

namespace jwo::portal {

// Erases the addresses of trips created before now - days (at most `limit` per call). Returns
// how many were erased.
core::Result<size_t> EraseExpiredEmails(store::Env& env, uint32_t days, int64_t now_ms,
                                        size_t limit = 1000);

class Housekeeper {
 public:
  Housekeeper(store::Env& env, const core::Clock& clock, uint32_t email_days,
              PortalService* portal);
  ~Housekeeper();  // Stop()
  void Start();
  void Stop();
  // One round; `retention` also sweeps addresses; `startup` (the first round) recovers every
  // payoff left charging. Errors are logged by the thread.
  core::Status RunOnce(bool retention, bool startup = false);

 private:
  store::Env& env_;
  const core::Clock& clock_;
  const uint32_t email_days_;
  PortalService* const portal_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace jwo::portal
