#include "portal/housekeeper.h"

#include "core/log.h"
#include "ledger/ledger.h"
#include "store/shopper_index.h"

namespace jwo::portal {

using core::Status;

core::Result<size_t> EraseExpiredEmails(store::Env& env, uint32_t days, int64_t now_ms,
                                        size_t limit) {
  const int64_t cutoff = now_ms - int64_t{days} * 86'400'000;
  size_t erased = 0;
  Status s = env.Write([&](store::WriteTxn& txn) {
    erased = 0;
    auto rows = store::EmailRowsBefore(txn, cutoff, limit);
    if (!rows.ok()) return rows.status();
    for (const store::EmailRow& row : *rows) {
      auto debts = ledger::ListTripDebts(txn, row.trip.shopper_id, row.trip.trip_id);
      if (!debts.ok()) return debts.status();
      bool open = false;
      for (const auto& d : *debts) open = open || d.state == store::DebtState::kOpen;
      if (open) continue;  // the shopper signs in with it to pay
      Status e = store::EraseShopperEmail(txn, row.email_hash, row.trip.trip_id, now_ms);
      if (!e.ok() && e.code() != core::StatusCode::kNotFound) return e;
      ++erased;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return erased;
}

Housekeeper::Housekeeper(store::Env& env, const core::Clock& clock, uint32_t email_days,
                         PortalService* portal)
    : env_(env), clock_(clock), email_days_(email_days), portal_(portal) {}

Housekeeper::~Housekeeper() { Stop(); }

void Housekeeper::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    for (uint64_t round = 0;; ++round) {
      if (Status s = RunOnce(round % 60 == 0, round == 0); !s.ok()) {
        core::LogError("housekeeping failed", {{"error", s.ToString()}});
      }
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, std::chrono::seconds(60), [&] { return stopping_; })) return;
    }
  });
}

void Housekeeper::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

Status Housekeeper::RunOnce(bool retention, bool startup) {
  if (retention) {
    auto erased = EraseExpiredEmails(env_, email_days_, clock_.NowUnixMs());
    if (!erased.ok()) return erased.status();
    if (*erased > 0) {
      core::LogInfo("shopper e-mail addresses erased (retention)",
                    {{"count", std::to_string(*erased)}, {"days", std::to_string(email_days_)}});
    }
  }
  if (portal_ != nullptr) {
    auto n = portal_->Housekeep(startup);
    if (!n.ok()) return n.status();
  }
  return Status::Ok();
}

}  // namespace jwo::portal
