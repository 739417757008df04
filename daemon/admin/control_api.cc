#include "admin/control_api.h"

#include "admin/control_util.h"

#include <boost/json.hpp>

#include "chain/chain_record.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/log.h"
#include "core/money.h"
#include "core/time_format.h"
#include "fa/policy.h"
#include "ledger/ledger.h"
#include "store/gate_shoppers.h"
#include "store/verify.h"

namespace jwo::admin {
namespace {

using namespace internal;

std::string OverrideName(store::Override o) {
  switch (o) {
    case store::Override::kNone:
      return "none";
    case store::Override::kAlwaysAllow:
      return "always_allow";
    case store::Override::kAlwaysBlock:
      return "always_block";
  }
  return "none";
}

json::array BalancesJson(const store::ShopperRecord& r) {
  json::array out;
  for (const core::Money& b : r.open_debt) {
    out.push_back(json::object{{"currency", b.currency.Code()},
                               {"amount", core::FormatMinorUnits(b.minor, b.currency)}});
  }
  return out;
}

json::object DebtJson(const store::DebtRecord& d) {
  json::object o{{"trip", d.trip_id},
                 {"kind", std::string(store::DebtKindName(d.kind))},
                 {"amount", core::FormatMinorUnits(d.amount.minor, d.amount.currency)},
                 {"currency", d.amount.currency.Code()},
                 {"cause", std::string(store::DebtCauseName(d.cause))},
                 {"state", std::string(store::DebtStateName(d.state))},
                 {"origin_store", d.origin_store},
                 {"created", core::FormatIso8601(d.created_ms)}};
  if (!d.note.empty()) o["note"] = d.note;
  if (d.state != store::DebtState::kOpen) {
    o["settlement_ref"] = d.settlement_ref;
    o["settled"] = core::FormatIso8601(d.settled_ms);
  }
  return o;
}

json::object AuditJson(const store::AuditRecord& a) {
  return json::object{{"seq", a.sequence},       {"at", core::FormatIso8601(a.at_ms)},
                      {"actor", a.actor},        {"action", a.action},
                      {"shopper", a.shopper_id}, {"detail", a.detail},
                      {"reason", a.reason}};
}

}  // namespace

std::string ControlApi::Handle(std::string_view request_line, const std::string& actor) {
  json::object answer;
  try {
    auto doc = core::ParseJson(request_line);  // refuses duplicate keys, as the HTTP APIs do
    Check(doc.status());
    const json::value& parsed = *doc;
    if (!parsed.is_object()) Fail(StatusCode::kInvalidArgument, "request must be a JSON object");
    answer = json::object{{"ok", true}, {"result", Dispatch(parsed.get_object(), actor)}};
  } catch (const CommandError& e) {
    answer = json::object{{"ok", false},
                          {"code", std::string(core::StatusCodeName(e.status.code()))},
                          {"error", e.status.message()}};
  } catch (const std::exception& e) {  // Boost.JSON's parse error
    answer = json::object{{"ok", false},
                          {"code", "invalid_argument"},
                          {"error", std::string("request is not valid JSON: ") + e.what()}};
  }
  return json::serialize(answer);
}

json::object ControlApi::DispatchGate(const std::string& command, const json::object& req,
                                      const std::string& actor) {
  if (!deps_.gate) Fail(StatusCode::kFailedPrecondition, "no gates are configured");
  // Reading a gate's state changes nothing; every other gate command moves hardware or state.
  const json::value* inner = req.if_contains("request");
  const bool reads_only = command == "gate.status" ||
                          (command == "gate.control" && inner != nullptr && inner->is_object() &&
                           inner->get_object().if_contains("op") != nullptr &&
                           inner->get_object().at("op") == json::value("state"));
  if (reads_only) {
    auto answer = deps_.gate(req);
    Check(answer.status());
    return std::move(answer).value();
  }
  const std::string reason = ReasonArg(req, command);
  json::object forwarded = req;
  forwarded.erase("reason");
  std::string detail = "gate " + Arg(req, "gate", false);
  if (command == "gate.mode") {
    detail += " lane " + Arg(req, "lane", false) + " mode " + Arg(req, "mode", false);
  } else if (inner != nullptr) {
    detail += " " + json::serialize(*inner);
  }
  if (detail.size() > ledger::kMaxTextBytes) detail.resize(ledger::kMaxTextBytes);
  auto answer = deps_.gate(forwarded);
  Check(answer.status());
  // The change is made on the hardware, not in the store: the audit row follows it. A gate
  // must stay controllable while the store is down, so then the row goes to the journal only.
  core::LogInfo("operator change", {{"action", command}, {"actor", actor}, {"detail", detail}});
  store::Env* env = deps_.env->load();
  const Status audit = env == nullptr
                           ? Status(StatusCode::kUnavailable, "the store is not open")
                           : env->Write([&](store::WriteTxn& txn) {
                               return ledger::AppendAudit(txn, {0, deps_.clock->NowUnixMs(), actor,
                                                                command, "", detail, reason})
                                   .status();
                             });
  if (!audit.ok()) {
    core::LogError(
        "gate command done, but its audit row was not written",
        {{"action", command}, {"actor", actor}, {"reason", reason}, {"error", audit.message()}});
  }
  return std::move(answer).value();
}

json::object ControlApi::Dispatch(const json::object& req, const std::string& actor) {
  const std::string command = Arg(req, "command");
  if (command == "status") return deps_.status();
  if (command.rfind("gate.", 0) == 0) return DispatchGate(command, req, actor);

  store::Env* env = deps_.env->load();
  if (env == nullptr)
    Fail(StatusCode::kUnavailable, "the store is not open (see the daemon's log)");
  const int64_t now = deps_.clock->NowUnixMs();
  const std::shared_ptr<const config::Config> config_snapshot =
      deps_.config->Current();  // held for this request
  const config::Config& cfg = *config_snapshot;

  auto audited_write = [&](const std::string& action, const std::string& shopper,
                           const std::string& detail, const std::string& reason,
                           const std::function<Status(store::WriteTxn&)>& change) {
    if (reason.empty()) Fail(StatusCode::kInvalidArgument, "a reason is required for " + action);
    Check(env->Write([&](store::WriteTxn& txn) {
      if (Status s = change(txn); !s.ok()) return s;
      auto seq = ledger::AppendAudit(txn, {0, now, actor, action, shopper, detail, reason});
      return seq.status();
    }));
    if (deps_.ledger_changed) deps_.ledger_changed();
    core::LogInfo("operator change", {{"action", action},
                                      {"actor", actor},
                                      {"shopper", core::Pseudonym(shopper)},
                                      {"detail", detail}});
  };

  if (command == "shopper.show") {
    const std::string shopper = IdArg(req, "shopper", core::CheckShopperId);
    json::object out{{"shopper", shopper}};
    Check(env->Read([&](const store::ReadTxn& txn) {
      auto rec = ledger::ReadShopper(txn, shopper);
      if (!rec.ok()) return rec.status();
      const store::ShopperRecord r = rec->value_or(store::ShopperRecord{});
      out["known"] = rec->has_value();
      out["open_debt"] = BalancesJson(r);
      out["open_debt_count"] = r.open_debt_count;
      json::object ov{{"mode", OverrideName(r.override_mode)}};
      if (r.override_mode != store::Override::kNone) {
        ov["by"] = r.override_by;
        ov["at"] = core::FormatIso8601(r.override_at_ms);
        ov["reason"] = r.override_reason;
      }
      out["override"] = ov;
      if (r.chain_override_mode != store::Override::kNone) {
        out["chain_override"] = json::object{{"mode", OverrideName(r.chain_override_mode)},
                                             {"by", r.chain_override_by},
                                             {"at", core::FormatIso8601(r.chain_override_at_ms)},
                                             {"reason", r.chain_override_reason},
                                             {"origin_store", r.chain_override_origin}};
      }
      // What the gate would answer, read as the gate reads (through its index, so a record
      // the index missed shows the approval the gate would give).
      fa::AuthorizationRequest probe;
      probe.shopper_id = shopper;
      fa::LedgerView view;
      store::ShopperRecord gate_record;
      auto gate = store::ReadShopperForGate(txn, shopper);
      if (!gate.ok()) {
        view.readable = false;
      } else if (gate->has_value()) {
        gate_record = std::move(**gate);
        view.shopper = &gate_record;
      }
      const fa::Decision d = fa::Decide(probe, view, cfg.fa);
      out["gate_would"] = d.outcome == store::Outcome::kApproved ? "APPROVE" : "DENY";
      out["gate_reason"] = std::string(fa::ReasonName(d.reason));
      auto debts = ledger::ListDebts(txn, shopper);
      if (!debts.ok()) return debts.status();
      json::array list;
      for (const auto& debt : *debts) list.push_back(DebtJson(debt));
      out["debts"] = list;
      auto audit = ledger::RecentAudit(txn, 20, shopper);
      if (!audit.ok()) return audit.status();
      json::array al;
      for (const auto& a : *audit) al.push_back(AuditJson(a));
      out["audit"] = al;
      return Status::Ok();
    }));
    return out;
  }

  if (command == "shopper.allow" || command == "shopper.block" ||
      command == "shopper.clear-override") {
    const std::string shopper = IdArg(req, "shopper", core::CheckShopperId);
    const std::string reason = ReasonArg(req, command);
    const store::Override mode = command == "shopper.allow"   ? store::Override::kAlwaysAllow
                                 : command == "shopper.block" ? store::Override::kAlwaysBlock
                                                              : store::Override::kNone;
    const std::string scope = Arg(req, "scope", /*required=*/false);
    if (!scope.empty() && scope != "store" && scope != "chain") {
      Fail(StatusCode::kInvalidArgument, "argument 'scope' must be store or chain");
    }
    if (scope == "chain") {
      if (!cfg.ledger.enabled) {
        Fail(StatusCode::kFailedPrecondition,
             "--scope chain needs the chain ledger (a ledger: section); this store stands alone");
      }
      audited_write(command, shopper, std::string(OverrideName(mode)) + " (chain)", reason,
                    [&](store::WriteTxn& txn) {
                      return ledger::SetChainOverride(txn, shopper, mode, actor, reason,
                                                      cfg.store_id, now, /*publish=*/true);
                    });
      return json::object{
          {"shopper", shopper}, {"override", OverrideName(mode)}, {"scope", "chain"}};
    }
    audited_write(command, shopper, OverrideName(mode), reason, [&](store::WriteTxn& txn) {
      return ledger::SetOverride(txn, shopper, mode, actor, reason, now);
    });
    return json::object{{"shopper", shopper}, {"override", OverrideName(mode)}, {"scope", "store"}};
  }

  if (command == "debt.add") {
    const std::string shopper = IdArg(req, "shopper", core::CheckShopperId);
    const std::string trip = IdArg(req, "trip", core::CheckTripId);
    const std::string amount = Arg(req, "amount");
    const std::string currency_code = Arg(req, "currency");
    const std::string reason = ReasonArg(req, command);
    auto currency = core::FindCurrency(currency_code);
    if (!currency) Fail(StatusCode::kInvalidArgument, "unknown currency '" + currency_code + "'");
    auto minor = core::ParseMinorUnits(amount, *currency);
    Check(minor.status());
    if (*minor <= 0) Fail(StatusCode::kInvalidArgument, "amount must be greater than zero");
    store::DebtRecord d;
    d.shopper_id = shopper;
    d.trip_id = trip;
    d.kind = store::DebtKind::kManual;  // its own key: never in the way of the trip's own debt
    d.amount = {*minor, *currency};
    d.cause = store::DebtCause::kManual;
    d.origin_store = cfg.store_id;
    d.created_ms = now;
    d.note = reason;
    const std::string detail =
        currency_code + " " + core::FormatMinorUnits(*minor, *currency) + " trip " + trip;
    audited_write(command, shopper, detail, reason,
                  [&](store::WriteTxn& txn) { return ledger::AddDebt(txn, d, now); });
    return DebtJson(d);
  }

  if (command == "debt.settle") {
    const std::string shopper = IdArg(req, "shopper", core::CheckShopperId);
    const std::string trip = IdArg(req, "trip", core::CheckTripId);
    const std::string reference = IdArg(req, "reference", core::CheckReference);
    const std::string reason = ReasonArg(req, command);
    const std::string kind_name = Arg(req, "kind", false);
    std::optional<store::DebtKind> kind;
    if (!kind_name.empty()) {
      kind = store::DebtKindFromName(kind_name);
      if (!kind) Fail(StatusCode::kInvalidArgument, "kind must be trip, expired or manual");
    } else {
      // The common case: the trip has one open debt, and naming the trip is enough.
      Check(env->Read([&](const store::ReadTxn& txn) {
        auto single = ledger::SingleOpenDebtKind(txn, shopper, trip);
        if (single.ok()) kind = *single;
        return single.status();
      }));
    }
    const std::string kind_text(store::DebtKindName(*kind));
    struct WakeOutbox {  // after the commit, also when the settle was refused (harmless)
      const Deps& deps;
      ~WakeOutbox() {
        if (deps.outbox_changed) deps.outbox_changed();
      }
    } wake{deps_};
    audited_write(command, shopper, "trip " + trip + " kind " + kind_text + " ref " + reference,
                  reason, [&](store::WriteTxn& txn) {
                    if (Status s = ledger::CloseDebt(txn, shopper, trip, *kind,
                                                     store::DebtState::kSettled, reference, now);
                        !s.ok()) {
                      return s;
                    }
                    // amazon_managed: Amazon hears of the payoff (a trip of this store only).
                    if (!deps_.payment_policy) return Status::Ok();
                    store::DebtRecord settled;
                    settled.shopper_id = shopper;
                    settled.trip_id = trip;
                    settled.kind = *kind;
                    return payments::QueueDebtSettledReport(txn, settled, deps_.payment_policy(),
                                                            now);
                  });
    return json::object{
        {"shopper", shopper}, {"trip", trip}, {"kind", kind_text}, {"state", "settled"}};
  }

  if (command == "ledger.held") {
    json::array list;
    Check(env->Read([&](const store::ReadTxn& txn) {
      return txn.Scan(store::Table::kChainHeld, {}, [&](std::string_view k, std::string_view v) {
        auto rec = chain::DecodeChainDebt(k, v);
        if (!rec.ok()) {
          list.push_back(json::object{{"key", k}, {"error", rec.status().message()}});
        } else {
          json::object row{{"shopper", rec->debt.shopper_id}};
          for (auto& [name, value] : DebtJson(rec->debt)) row[name] = value;
          row["key"] = k;
          list.push_back(std::move(row));
        }
        return list.size() < 1000;
      });
    }));
    return json::object{{"held", list}};
  }

  if (command == "ledger.confirm") {
    if (!deps_.ledger_confirm) {
      Fail(StatusCode::kFailedPrecondition, "the chain ledger is not configured (no ledger:)");
    }
    const std::string reason = ReasonArg(req, command);
    const std::string origin = IdArg(req, "origin", core::CheckStoreId, /*required=*/false);
    auto confirmed = deps_.ledger_confirm(origin);
    Check(confirmed.status());
    const std::string detail = std::to_string(*confirmed) + " held debts of " +
                               (origin.empty() ? std::string("every store") : origin);
    Check(env->Write([&](store::WriteTxn& txn) {
      return ledger::AppendAudit(txn, {0, now, actor, command, "", detail, reason}).status();
    }));
    core::LogInfo("operator change", {{"action", command}, {"actor", actor}, {"detail", detail}});
    return json::object{{"confirmed", *confirmed}};
  }

  if (command == "debt.list") {
    const std::string shopper = IdArg(req, "shopper", core::CheckShopperId);
    json::array list;
    Check(env->Read([&](const store::ReadTxn& txn) {
      auto debts = ledger::ListDebts(txn, shopper);
      if (!debts.ok()) return debts.status();
      for (const auto& d : *debts) list.push_back(DebtJson(d));
      return Status::Ok();
    }));
    return json::object{{"shopper", shopper}, {"debts", list}};
  }

  if (command == "audit.list") {
    const std::string shopper = IdArg(req, "shopper", core::CheckShopperId, false);
    json::array list;
    Check(env->Read([&](const store::ReadTxn& txn) {
      auto audit = ledger::RecentAudit(txn, 100, shopper);
      if (!audit.ok()) return audit.status();
      for (const auto& a : *audit) list.push_back(AuditJson(a));
      return Status::Ok();
    }));
    return json::object{{"audit", list}};
  }

  if (command == "store.verify") {
    // Reads the whole store in one snapshot: the writer is not blocked, the control socket is.
    store::VerifyReport report;
    Check(env->Read([&](const store::ReadTxn& txn) {
      auto r = store::VerifyStore(txn);
      if (!r.ok()) return r.status();
      report = std::move(r).value();
      return Status::Ok();
    }));
    std::string text = store::FormatVerifyReport(report);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    if (!report.ok()) Fail(StatusCode::kCorruption, "store verify: " + text);
    json::object rows;
    for (store::Table t : store::kAllTables) {
      rows[store::TableName(t)] = report.rows[static_cast<size_t>(t)];
    }
    return json::object{{"problems", 0}, {"rows", rows}, {"verdict", "no problems found"}};
  }

  if (command.rfind("trip.", 0) == 0 || command.rfind("outbox.", 0) == 0 || command == "refund") {
    return DispatchPayments(command, req, actor);
  }
  Fail(StatusCode::kInvalidArgument, "unknown command '" + command + "'");
}

}  // namespace jwo::admin
