#include "store/verify.h"

#include <map>
#include <set>
#include <utility>

#include "store/codec.h"
#include "store/gate_filter.h"
#include "store/gate_shoppers.h"
#include "store/records.h"
#include "store/trip_record.h"

namespace jwo::store {
namespace {

using core::Status;

// Keys may hold any bytes: shown printable, the rest as \xNN, at most 80 characters.
std::string Printable(std::string_view key) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : key.substr(0, 80)) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (key.size() > 80) out += "...";
  return out;
}

class Verifier {
 public:
  explicit Verifier(const ReadTxn& txn) : txn_(txn) {}

  Status Run() {
    if (Status s = CheckMeta(); !s.ok()) return s;
    if (Status s = CheckDebts(); !s.ok()) return s;
    if (Status s = CheckShoppers(); !s.ok()) return s;
    if (Status s = ReadGateFilter(); !s.ok()) return s;
    if (Status s = CheckGateIndex(); !s.ok()) return s;
    if (Status s = CheckTrips(); !s.ok()) return s;
    if (Status s = CheckOpenTrips(); !s.ok()) return s;
    if (Status s = CheckOutbox(); !s.ok()) return s;
    for (Table t : {Table::kDecisions, Table::kAudit, Table::kGateEvents, Table::kPurchases}) {
      if (Status s = CheckDecodes(t); !s.ok()) return s;
    }
    return Status::Ok();
  }
  VerifyReport report;

 private:
  void Problem(Table t, std::string_view key, const std::string& what) {
    ++report.problem_count;
    if (report.problems.size() < VerifyReport::kMaxListedProblems) {
      report.problems.push_back(std::string(TableName(t)) + " [" + Printable(key) + "]: " + what);
    }
  }
  uint64_t& Rows(Table t) { return report.rows[static_cast<size_t>(t)]; }

  // Walks table t, counting rows; fn checks one row.
  Status Walk(Table t, const std::function<void(std::string_view, std::string_view)>& fn) {
    return txn_.Scan(t, "", [&](std::string_view k, std::string_view v) {
      ++Rows(t);
      fn(k, v);
      return true;
    });
  }

  Status CheckMeta() {
    auto format = txn_.Get(Table::kMeta, "format");
    if (!format.ok()) return format.status();
    if (!format->has_value() || **format != "jwo-edge") {
      Problem(Table::kMeta, "format", "missing or not \"jwo-edge\"");
    }
    auto version = txn_.Get(Table::kMeta, "schema_version");
    if (!version.ok()) return version.status();
    uint32_t v = 0;
    if (!version->has_value()) {
      Problem(Table::kMeta, "schema_version", "missing");
    } else if (Decoder d(**version); !d.U32(v) || !d.done() || v != kSchemaVersion) {
      Problem(Table::kMeta, "schema_version",
              "does not decode as version " + std::to_string(kSchemaVersion));
    }
    return Walk(Table::kMeta, [](std::string_view, std::string_view) {});
  }

  Status CheckDebts() {
    return Walk(Table::kDebts, [&](std::string_view k, std::string_view v) {
      auto debt = DecodeDebt(k, v);
      if (!debt.ok()) return Problem(Table::kDebts, k, debt.status().message());
      if (debt->state != DebtState::kOpen) return;
      OpenDebts& open = open_debts_[debt->shopper_id];
      ++open.count;
      int64_t& sum = open.minor[std::string(debt->amount.currency.Code())];
      if (__builtin_add_overflow(sum, debt->amount.minor, &sum)) {
        Problem(Table::kDebts, k, "open debts of the shopper overflow a 64-bit sum");
      }
    });
  }

  Status CheckShoppers() {
    std::set<std::string> seen;
    Status s = Walk(Table::kShoppers, [&](std::string_view k, std::string_view v) {
      seen.emplace(k);
      auto shopper = DecodeShopper(v);
      if (!shopper.ok()) {
        undecodable_shoppers_.emplace(k);
        return Problem(Table::kShoppers, k, shopper.status().message());
      }
      if (MattersToGate(*shopper)) matters_to_gate_.emplace(k);
      const auto it = open_debts_.find(std::string(k));
      const OpenDebts none;
      const OpenDebts& open = it == open_debts_.end() ? none : it->second;
      std::map<std::string, int64_t> balance;
      for (const core::Money& m : shopper->open_debt)
        balance[std::string(m.currency.Code())] = m.minor;
      if (balance != open.minor) {
        Problem(Table::kShoppers, k,
                "balance " + Describe(balance) + " differs from the sum of open debts " +
                    Describe(open.minor));
      }
      if (shopper->open_debt_count != open.count) {
        Problem(Table::kShoppers, k,
                "open_debt_count " + std::to_string(shopper->open_debt_count) + " but " +
                    std::to_string(open.count) + " open debts");
      }
    });
    if (!s.ok()) return s;
    for (const auto& [shopper, open] : open_debts_) {
      if (!seen.count(shopper)) {
        Problem(Table::kShoppers, shopper,
                "missing, but the shopper has " + std::to_string(open.count) + " open debts");
      }
    }
    return Status::Ok();
  }

  // The gate reads only the shoppers its index names (store/gate_shoppers.h): a shopper who owes
  // or has an override and is missing from it, or whom the filter excludes, would be let in.
  Status CheckGateIndex() {
    Status s = Walk(Table::kGateShoppers, [&](std::string_view k, std::string_view v) {
      const std::string key(k);
      if (GateFilterExcludes(gate_filter_, k)) {  // empty when missing or damaged: excludes none
        Problem(Table::kGateFilter, k, "excludes an indexed shopper: the gate would not see them");
      }
      // A record that does not decode may be indexed (it is reported as such).
      if (matters_to_gate_.erase(key) == 0 && undecodable_shoppers_.count(key) == 0) {
        Problem(Table::kGateShoppers, k,
                "indexed, but the shopper has no record, or one without debt or override");
      } else if (!v.empty()) {
        Problem(Table::kGateShoppers, k, "value is not empty");
      }
    });
    if (!s.ok()) return s;
    for (const std::string& shopper : matters_to_gate_) {
      Problem(Table::kGateShoppers, shopper,
              "missing, but the shopper has open debt or an override: the gate would not see it");
    }
    return Status::Ok();
  }

  // The gate skips the index for a shopper its filter excludes (store/gate_filter.h): an
  // indexed shopper the filter excludes would be let in (checked in CheckGateIndex's walk).
  Status ReadGateFilter() {
    Status s = Walk(Table::kGateFilter, [&](std::string_view k, std::string_view v) {
      if (k != kGateFilterKey) {
        Problem(Table::kGateFilter, k, "unknown key");
      } else if (std::string problem = GateFilterProblem(v); !problem.empty()) {
        Problem(Table::kGateFilter, k,
                problem + ": the gate searches the index for every tap until a write rebuilds it");
      } else {
        gate_filter_.assign(v);
      }
    });
    if (!s.ok()) return s;
    if (Rows(Table::kGateFilter) == 0) {
      Problem(Table::kGateFilter, kGateFilterKey,
              "missing: the gate searches the index for every tap until a write rebuilds it");
    }
    return Status::Ok();
  }

  Status CheckTrips() {
    return Walk(Table::kTrips, [&](std::string_view k, std::string_view v) {
      auto trip = DecodeTrip(v);
      if (!trip.ok()) {
        trips_.emplace(k, false);  // exists, state unknown: no index problem reported twice
        undecodable_trips_.emplace(k);
        return Problem(Table::kTrips, k, trip.status().message());
      }
      if (trip->trip_id != k) Problem(Table::kTrips, k, "holds trip " + Printable(trip->trip_id));
      trips_.emplace(k, !IsTerminal(trip->state) && trip->state != TripState::kCaptureUnknown);
    });
  }

  Status CheckOpenTrips() {
    std::set<std::string> indexed;
    Status s = Walk(Table::kOpenTrips, [&](std::string_view k, std::string_view v) {
      indexed.emplace(k);
      if (v.size() != 8) Problem(Table::kOpenTrips, k, "value is not 8 bytes");
      const auto it = trips_.find(std::string(k));
      if (it == trips_.end()) return Problem(Table::kOpenTrips, k, "no such trip");
      if (!it->second && !undecodable_trips_.count(it->first)) {
        Problem(Table::kOpenTrips, k, "the trip is settled (terminal or capture_unknown)");
      }
    });
    if (!s.ok()) return s;
    for (const auto& [trip, open] : trips_) {
      if (open && !indexed.count(trip)) {
        Problem(Table::kOpenTrips, trip, "missing for an unsettled trip");
      }
    }
    return Status::Ok();
  }

  Status CheckOutbox() {
    return Walk(Table::kOutbox, [&](std::string_view k, std::string_view v) {
      auto entry = DecodeOutbox(k, v);
      if (!entry.ok()) return Problem(Table::kOutbox, k, entry.status().message());
      if (!trips_.count(entry->trip_id)) {
        Problem(Table::kOutbox, k, "entry for trip " + Printable(entry->trip_id) + ", not stored");
      }
    });
  }

  Status CheckDecodes(Table t) {
    return Walk(t, [&](std::string_view k, std::string_view v) {
      Status s;
      switch (t) {
        case Table::kDecisions:
          s = DecodeDecision(k, v).status();
          break;
        case Table::kAudit:
          s = DecodeAudit(k, v).status();
          break;
        case Table::kGateEvents:
          s = DecodeGateEvent(k, v).status();
          break;
        case Table::kPurchases:
          s = DecodePurchase(v).status();
          break;
        default:
          break;
      }
      if (!s.ok()) Problem(t, k, s.message());
    });
  }

  static std::string Describe(const std::map<std::string, int64_t>& m) {
    if (m.empty()) return "{}";
    std::string out = "{";
    for (const auto& [currency, minor] : m) {
      if (out.size() > 1) out += ", ";
      out += currency + " " + std::to_string(minor);
    }
    return out + "} (minor units)";
  }

  struct OpenDebts {
    std::map<std::string, int64_t> minor;  // per currency code
    uint32_t count = 0;
  };
  const ReadTxn& txn_;
  std::map<std::string, OpenDebts> open_debts_;
  std::set<std::string> matters_to_gate_;  // shoppers the gate's index must name
  // The filter record when it is well formed (it may be off: then it excludes no one).
  std::string gate_filter_;
  std::set<std::string> undecodable_shoppers_;
  std::map<std::string, bool> trips_;  // trip id -> expects an open_trips row
  std::set<std::string> undecodable_trips_;
};

}  // namespace

core::Result<VerifyReport> VerifyStore(const ReadTxn& txn) {
  Verifier v(txn);
  if (Status s = v.Run(); !s.ok()) return s;
  return std::move(v.report);
}

std::string FormatVerifyReport(const VerifyReport& r) {
  std::string out = "rows:";
  for (Table t : kAllTables) {
    out += " " + std::string(TableName(t)) + "=" + std::to_string(r.rows[static_cast<size_t>(t)]);
  }
  out += "\n";
  if (r.ok()) return out + "no problems found\n";
  out += std::to_string(r.problem_count) + " problem(s):\n";
  for (const std::string& p : r.problems) out += "  " + p + "\n";
  if (r.problem_count > r.problems.size()) {
    out += "  ... and " + std::to_string(r.problem_count - r.problems.size()) + " more\n";
  }
  return out;
}

}  // namespace jwo::store
