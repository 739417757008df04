#include "portal/payoff.h"

#include <boost/json.hpp>

#include "core/json.h"
#include "core/log.h"
#include "core/money.h"
#include "ledger/ledger.h"

namespace jwo::portal {
namespace {

namespace json = boost::json;
using core::Status;
using core::StatusCode;

std::string PayoffKey(std::string_view id) { return "p/" + std::string(id); }

std::string EncodePayoff(const Payoff& p) {
  json::array debts;
  for (const PayoffDebt& d : p.debts) {
    debts.push_back(json::object{{"shopper", d.shopper_id},
                                 {"trip", d.trip_id},
                                 {"kind", store::DebtKindName(d.kind)},
                                 {"amount", d.amount},
                                 {"origin", d.origin_store}});
  }
  return json::serialize(json::object{{"id", p.id},
                                      {"email_hash", p.email_hash},
                                      {"currency", p.currency},
                                      {"amount", p.amount},
                                      {"debts", debts},
                                      {"state", static_cast<int64_t>(p.state)},
                                      {"ref", p.processor_ref},
                                      {"last4", p.last4},
                                      {"message", p.message},
                                      {"unapplied", p.unapplied},
                                      {"created", p.created_ms},
                                      {"updated", p.updated_ms}});
}

}  // namespace

core::Result<Payoff> DecodePayoff(std::string_view bytes) {
  const Status bad(StatusCode::kCorruption, "portal: a payoff record does not decode");
  auto doc = core::ParseJson(bytes);
  if (!doc.ok() || !doc->is_object()) return bad;
  const json::object& o = doc->as_object();
  const auto str = [](const json::object& obj, std::string_view k) {
    return core::JsonStringOr(obj, k);
  };
  const auto num = [](const json::object& obj, std::string_view k) {
    return core::JsonIntOr(obj, k);
  };
  Payoff p;
  p.id = str(o, "id");
  p.email_hash = str(o, "email_hash");
  p.currency = str(o, "currency");
  p.amount = num(o, "amount");
  const int64_t state = num(o, "state");
  if (p.id.empty() || state < 1 || state > 5) return bad;
  p.state = static_cast<PayoffState>(state);
  p.processor_ref = str(o, "ref");
  p.last4 = str(o, "last4");
  p.message = str(o, "message");
  p.unapplied = num(o, "unapplied");
  p.created_ms = num(o, "created");
  p.updated_ms = num(o, "updated");
  const json::value* debts = o.if_contains("debts");
  if (debts == nullptr || !debts->is_array()) return bad;
  for (const json::value& v : debts->as_array()) {
    if (!v.is_object()) return bad;
    const json::object& d = v.as_object();
    auto kind = store::DebtKindFromName(str(d, "kind"));
    if (!kind) return bad;
    p.debts.push_back(
        {str(d, "shopper"), str(d, "trip"), *kind, num(d, "amount"), str(d, "origin")});
  }
  return p;
}

std::string_view PayoffStateName(PayoffState s) {
  switch (s) {
    case PayoffState::kCharging:
      return "charging";
    case PayoffState::kActionRequired:
      return "action_required";
    case PayoffState::kSettled:
      return "settled";
    case PayoffState::kDeclined:
      return "declined";
    case PayoffState::kFailed:
      return "failed";
  }
  return "unknown";
}

core::Result<std::vector<PayoffDebt>> OpenDebts(const store::ReadTxn& txn,
                                                const std::vector<std::string>& shopper_ids,
                                                std::string_view currency) {
  std::vector<PayoffDebt> out;
  for (const std::string& shopper : shopper_ids) {
    auto debts = ledger::ListDebts(txn, shopper);
    if (!debts.ok()) return debts.status();
    for (const store::DebtRecord& d : *debts) {
      if (d.state != store::DebtState::kOpen || d.amount.currency.Code() != currency) continue;
      out.push_back({d.shopper_id, d.trip_id, d.kind, d.amount.minor, d.origin_store});
    }
  }
  return out;
}

core::Result<std::optional<Payoff>> ReadPayoff(const store::ReadTxn& txn, std::string_view id) {
  auto bytes = txn.Get(store::Table::kPortal, PayoffKey(id));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<Payoff>();
  auto p = DecodePayoff(**bytes);
  if (!p.ok()) return p.status();
  return std::optional<Payoff>(std::move(*p));
}

core::Result<Payoff> PayoffService::Begin(std::string_view id, std::string_view email_hash,
                                          const std::vector<std::string>& shopper_ids,
                                          std::string_view currency, int64_t expected) {
  if (id.size() != 32 || id.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return Status(StatusCode::kInvalidArgument, "not a payoff id");
  }
  Payoff result;
  const int64_t now = deps_.clock->NowUnixMs();
  Status s = deps_.env->Write([&](store::WriteTxn& txn) {
    auto existing = ReadPayoff(txn, id);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {
      if ((*existing)->email_hash != email_hash) {
        return Status(StatusCode::kNotFound, "no such payoff");  // never say whose it is
      }
      result = std::move(**existing);
      return Status::Ok();
    }
    auto debts = OpenDebts(txn, shopper_ids, currency);
    if (!debts.ok()) return debts.status();
    int64_t total = 0;
    for (const PayoffDebt& d : *debts) total += d.amount;
    if (total <= 0) return Status(StatusCode::kFailedPrecondition, "nothing is owed");
    if (total != expected) {
      return Status(StatusCode::kFailedPrecondition,
                    "the balance changed since the page was shown; please review it");
    }
    result = Payoff{};
    result.id = std::string(id);
    result.email_hash = std::string(email_hash);
    result.currency = std::string(currency);
    result.amount = total;
    result.debts = std::move(*debts);
    result.created_ms = result.updated_ms = now;
    return txn.Put(store::Table::kPortal, PayoffKey(id), EncodePayoff(result));
  });
  if (!s.ok()) return s;
  return result;
}

core::Result<Payoff> PayoffService::Charge(const Payoff& payoff, const std::string& card) {
  if (payoff.state != PayoffState::kCharging) return payoff;
  ChargeRequest req{payoff.id, payoff.amount, payoff.currency, card,
                    "jwo-edge payoff " + payoff.id + " for store " + deps_.store_id};
  const ChargeResult r = deps_.processor->Charge(req);  // no transaction open
  if (r.status == ChargeStatus::kInvalid) {
    // Nothing charged and nothing to remember: the shopper corrects the card on the same payoff.
    return Status(StatusCode::kInvalidArgument, r.message);
  }
  return Apply(payoff.id, r);
}

core::Result<Payoff> PayoffService::Confirm(const Payoff& payoff, std::string_view answer) {
  if (payoff.state != PayoffState::kActionRequired) return payoff;
  return Apply(payoff.id, deps_.processor->Confirm(payoff.id, answer));
}

core::Result<Payoff> PayoffService::Apply(std::string_view id, const ChargeResult& r) {
  Payoff result;
  bool settled_now = false;
  const int64_t now = deps_.clock->NowUnixMs();
  Status s = deps_.env->Write([&](store::WriteTxn& txn) {
    settled_now = false;
    auto existing = ReadPayoff(txn, id);
    if (!existing.ok()) return existing.status();
    if (!existing->has_value()) return Status(StatusCode::kNotFound, "no such payoff");
    Payoff p = std::move(**existing);
    // A failed payoff is reopened only by money taken after all (a charge still in flight when
    // Recover found none): the processor's success always settles the debts.
    const bool open = p.state == PayoffState::kCharging ||
                      p.state == PayoffState::kActionRequired ||
                      (p.state == PayoffState::kFailed && r.status == ChargeStatus::kSucceeded);
    if (!open) {  // decided before (a double submit, a recovery that won the race)
      result = std::move(p);
      return Status::Ok();
    }
    if (!r.last4.empty()) p.last4 = r.last4;
    if (!r.reference.empty()) p.processor_ref = r.reference;
    p.message = r.message;
    p.updated_ms = now;
    switch (r.status) {
      case ChargeStatus::kSucceeded: {
        p.state = PayoffState::kSettled;
        const std::string ref = "payoff:" + p.id;
        for (const PayoffDebt& d : p.debts) {
          Status c = ledger::CloseDebt(txn, d.shopper_id, d.trip_id, d.kind,
                                       store::DebtState::kSettled, ref, now);
          if (c.code() == StatusCode::kFailedPrecondition || c.code() == StatusCode::kNotFound) {
            p.unapplied += d.amount;  // settled by someone else meanwhile: staff refund it
            continue;
          }
          if (!c.ok()) return c;
          if (deps_.payment_policy) {
            store::DebtRecord settled;
            settled.shopper_id = d.shopper_id;
            settled.trip_id = d.trip_id;
            settled.kind = d.kind;
            if (Status q =
                    payments::QueueDebtSettledReport(txn, settled, deps_.payment_policy(), now);
                !q.ok()) {
              return q;
            }
          }
        }
        auto audit = ledger::AppendAudit(
            txn, {0, now, "portal", "debt.payoff", p.debts.empty() ? "" : p.debts[0].shopper_id,
                  p.currency + " " + std::to_string(p.amount) + " minor units, " +
                      std::to_string(p.debts.size()) + " debts, processor ref " + p.processor_ref,
                  "paid by the shopper in the portal (payoff " + p.id + ")"});
        if (!audit.ok()) return audit.status();
        settled_now = true;
        break;
      }
      case ChargeStatus::kDeclined:
        p.state = PayoffState::kDeclined;
        break;
      case ChargeStatus::kActionRequired:
        p.state = PayoffState::kActionRequired;
        break;
      case ChargeStatus::kNotFound:
        p.state = PayoffState::kFailed;  // the processor never charged it
        p.message = "The payment did not go through; nothing was charged.";
        break;
      case ChargeStatus::kUnavailable:
      case ChargeStatus::kInvalid:
        break;  // still charging: Recover asks the processor again
    }
    result = p;
    return txn.Put(store::Table::kPortal, PayoffKey(p.id), EncodePayoff(p));
  });
  if (!s.ok()) return s;
  if (settled_now) {
    core::LogInfo("payoff settled", {{"payoff", result.id},
                                     {"debts", std::to_string(result.debts.size())},
                                     {"unapplied", std::to_string(result.unapplied)}});
    if (deps_.outbox_changed) deps_.outbox_changed();
  }
  return result;
}

core::Result<size_t> PayoffService::Recover(int64_t older_than_ms) {
  const int64_t now = deps_.clock->NowUnixMs();
  std::vector<std::string> stuck;
  Status s = deps_.env->Read([&](const store::ReadTxn& txn) {
    return txn.Scan(store::Table::kPortal, "p/", [&](std::string_view, std::string_view v) {
      auto p = DecodePayoff(v);
      if (p.ok() && p->state == PayoffState::kCharging && p->updated_ms <= now - older_than_ms) {
        stuck.push_back(p->id);
      }
      return true;
    });
  });
  if (!s.ok()) return s;
  size_t resolved = 0;
  for (const std::string& id : stuck) {
    const ChargeResult r = deps_.processor->Lookup(id);
    if (r.status == ChargeStatus::kUnavailable) continue;
    auto applied = Apply(id, r);
    if (!applied.ok()) return applied.status();
    if (applied->state != PayoffState::kCharging) {
      ++resolved;
      core::LogInfo("payoff recovered",
                    {{"payoff", id}, {"state", std::string(PayoffStateName(applied->state))}});
    }
  }
  return resolved;
}

}  // namespace jwo::portal
