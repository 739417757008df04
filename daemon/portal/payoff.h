// Payoffs: a shopper pays their open debts in the portal and is admitted again.
//
// A payoff is a record ("p/<id>" in table portal) that moves through
//   charging -> settled | declined | action_required -> settled | declined
// (or `failed` when the processor never charged). The id is made when the balance page is
// drawn and travels in the form, so a double submit or a reload finds the same payoff instead
// of starting a second one; it is also the processor's idempotency key (processor.h), so a
// Charge repeated after any failure charges at most once.
//
// Order of work, and why each crash point is safe:
//  1. Begin: commits the payoff (state charging, the debts it covers, their total) before any
//     money moves. A crash after it leaves a charging payoff; nothing was charged or it was.
//  2. the processor charges (no transaction open).
//  3. Apply: in one transaction the debts are settled (reference "payoff:<id>"), amazon_managed
//     stores queue Report Payment Status with the new settledAmount, an audit row is written,
//     and the payoff becomes settled. A crash between 2 and 3 is healed by Recover, which asks
//     the processor with Lookup(id) and applies what it holds — the money is never taken
//     without the debts being settled, and never taken twice.
// A debt settled meanwhile by someone else (an operator, another store) is skipped and its
// amount recorded as `unapplied` on the payoff, for staff to refund; the staff view lists it.
//
// Thread-safe: every step is one LMDB transaction; the processor is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "payments/lifecycle.h"
#include "portal/processor.h"
#include "store/env.h"
#include "store/records.h"

namespace jwo::portal {

enum class PayoffState : uint8_t {
  kCharging = 1,
  kActionRequired = 2,
  kSettled = 3,
  kDeclined = 4,
  kFailed = 5,
};
std::string_view PayoffStateName(PayoffState s);  // "charging", ...

struct PayoffDebt {
  std::string shopper_id, trip_id;
  store::DebtKind kind = store::DebtKind::kTrip;
  int64_t amount = 0;
  std::string origin_store;
};

struct Payoff {
  std::string id;
  std::string email_hash;  // whose: only that shopper's session may see it
  std::string currency;
  int64_t amount = 0;
  std::vector<PayoffDebt> debts;
  PayoffState state = PayoffState::kCharging;
  std::string processor_ref;
  std::string last4;
  std::string message;    // the processor's words for a decline
  int64_t unapplied = 0;  // paid for debts someone else settled first: to refund
  int64_t created_ms = 0, updated_ms = 0;
};

// The shopper's open debts (of every shopper id signed in with the address) in `currency`.
core::Result<std::vector<PayoffDebt>> OpenDebts(const store::ReadTxn& txn,
                                                const std::vector<std::string>& shopper_ids,
                                                std::string_view currency);

core::Result<std::optional<Payoff>> ReadPayoff(const store::ReadTxn& txn, std::string_view id);
// A stored payoff row's value. kCorruption when it does not decode.
core::Result<Payoff> DecodePayoff(std::string_view bytes);

class PayoffService {
 public:
  struct Deps {
    store::Env* env = nullptr;
    PaymentProcessor* processor = nullptr;
    const core::Clock* clock = nullptr;
    std::function<payments::LifecyclePolicy()> payment_policy;  // null: no Report Payment Status
    std::function<void()> outbox_changed;                       // wake the payment dispatcher
    std::string store_id;
  };
  explicit PayoffService(Deps deps) : deps_(std::move(deps)) {}

  // Starts payoff `id` of the open debts in `currency` of `shopper_ids`, which must total
  // `expected` (what the shopper saw). An existing payoff with that id is returned as it is
  // (kNotFound when it belongs to another address: whose it is is not told). Errors:
  // kFailedPrecondition (the balance changed since the page was drawn, or nothing is owed),
  // kInvalidArgument (id).
  core::Result<Payoff> Begin(std::string_view id, std::string_view email_hash,
                             const std::vector<std::string>& shopper_ids, std::string_view currency,
                             int64_t expected);

  // Charges a charging payoff with `card` (the processor's token) and applies the outcome. A
  // payoff in any other state is returned unchanged (a double submit charges nothing).
  core::Result<Payoff> Charge(const Payoff& payoff, const std::string& card);
  // The extra step of an action_required payoff.
  core::Result<Payoff> Confirm(const Payoff& payoff, std::string_view answer);

  // Looks up, at the processor, every payoff left charging for longer than `older_than_ms` and
  // applies what it holds. Returns how many were resolved.
  core::Result<size_t> Recover(int64_t older_than_ms);

 private:
  core::Result<Payoff> Apply(std::string_view id, const ChargeResult& r);
  Deps deps_;
};

}  // namespace jwo::portal
