#include "ledger/ledger.h"

#include <catch2/catch_test_macros.hpp>
#include <filesystem>
#include <random>

#include "store/gate_shoppers.h"
#include "store/verify.h"

using namespace jwo;

namespace {

struct Fixture {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("jwo-ledger-test-" + std::to_string(std::random_device{}()));
  std::unique_ptr<store::Env> env;
  Fixture() {
    store::EnvOptions o;
    o.directory = dir.string();
    o.map_size_bytes = 4 << 20;
    env = store::Env::Open(o).value();
  }
  ~Fixture() {
    env.reset();
    std::filesystem::remove_all(dir);
  }
  std::vector<store::DebtRecord> Debts(std::string_view shopper, std::string_view trip = {}) {
    std::vector<store::DebtRecord> out;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 auto r = trip.empty() ? ledger::ListDebts(txn, shopper)
                                       : ledger::ListTripDebts(txn, shopper, trip);
                 if (r.ok()) out = *r;
                 return r.status();
               })
                .ok());
    return out;
  }
  core::Result<store::DebtKind> SingleOpen(std::string_view shopper, std::string_view trip) {
    core::Result<store::DebtKind> out = core::Status(core::StatusCode::kInternal, "unset");
    (void)env->Read([&](const store::ReadTxn& txn) {
      out = ledger::SingleOpenDebtKind(txn, shopper, trip);
      return core::Status::Ok();
    });
    return out;
  }
  core::Status Close(std::string_view shopper, std::string_view trip, store::DebtKind kind) {
    return env->Write([&](store::WriteTxn& txn) {
      return ledger::CloseDebt(txn, shopper, trip, kind, store::DebtState::kSettled, "ref", 300);
    });
  }
  store::ShopperRecord Shopper(std::string_view id) {
    store::ShopperRecord out;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 auto r = ledger::ReadShopper(txn, id);
                 if (!r.ok()) return r.status();
                 if (r->has_value()) out = **r;
                 return core::Status::Ok();
               })
                .ok());
    return out;
  }
  core::Status Add(std::string shopper, std::string trip, int64_t minor, std::string cur = "USD",
                   store::DebtCause cause = store::DebtCause::kDeclinedAdjust) {
    store::DebtRecord d;
    d.shopper_id = std::move(shopper);
    d.trip_id = std::move(trip);
    // An unknown code stays empty, as a caller's failed FindCurrency would leave it.
    d.amount = {minor, core::FindCurrency(cur).value_or(core::Currency{})};
    d.origin_store = "s1";
    d.cause = cause;
    d.kind = store::DebtKindOf(cause);
    return env->Write([&](store::WriteTxn& txn) { return ledger::AddDebt(txn, d, 100); });
  }
};

}  // namespace

TEST_CASE("the balance is the sum of open debts, per currency") {
  Fixture f;
  REQUIRE(f.Add("alice", "t1", 1000).ok());
  REQUIRE(f.Add("alice", "t2", 599).ok());
  REQUIRE(f.Add("alice", "t3", 300, "EUR").ok());
  auto s = f.Shopper("alice");
  CHECK(s.OpenDebt("USD") == 1599);
  CHECK(s.OpenDebt("EUR") == 300);
  CHECK(s.open_debt_count == 3);

  REQUIRE(f.env
              ->Write([](store::WriteTxn& txn) {
                return ledger::CloseDebt(txn, "alice", "t1", store::DebtKind::kTrip,
                                         store::DebtState::kSettled, "pay-1", 200);
              })
              .ok());
  s = f.Shopper("alice");
  CHECK(s.OpenDebt("USD") == 599);
  CHECK(s.open_debt_count == 2);
}

TEST_CASE("the same trip's debt cannot be recorded twice") {
  Fixture f;
  REQUIRE(f.Add("bob", "t1", 1000).ok());
  CHECK(f.Add("bob", "t1", 1000).code() == core::StatusCode::kAlreadyExists);
  CHECK(f.Shopper("bob").OpenDebt("USD") == 1000);
}

TEST_CASE("each kind of a trip's debt is its own record; a manual one hides nothing") {
  Fixture f;
  REQUIRE(f.Add("m", "t1", 300, "USD", store::DebtCause::kManual).ok());
  // Regression: the decline's debt shared the manual debt's key and was refused.
  REQUIRE(f.Add("m", "t1", 1000).ok());
  REQUIRE(f.Add("m", "t1", 200, "USD", store::DebtCause::kExpiredPreAuth).ok());
  CHECK(f.Add("m", "t1", 1000, "USD", store::DebtCause::kPartialCapture).code() ==
        core::StatusCode::kAlreadyExists);  // the trip's own debt, a second time
  CHECK(f.Shopper("m").OpenDebt("USD") == 1500);
  CHECK(f.Shopper("m").open_debt_count == 3);
  const auto debts = f.Debts("m", "t1");
  REQUIRE(debts.size() == 3);
  CHECK(debts[0].kind == store::DebtKind::kTrip);
  CHECK(debts[1].kind == store::DebtKind::kExpired);
  CHECK(debts[2].kind == store::DebtKind::kManual);
  // Closing one kind leaves the others open.
  REQUIRE(f.Close("m", "t1", store::DebtKind::kManual).ok());
  CHECK(f.Shopper("m").OpenDebt("USD") == 1200);
  CHECK(f.Close("m", "t1", store::DebtKind::kManual).code() ==
        core::StatusCode::kFailedPrecondition);
}

TEST_CASE("a debt's kind must be the one its cause is booked as") {
  Fixture f;
  store::DebtRecord d;
  d.shopper_id = "k";
  d.trip_id = "t1";
  d.amount = {100, *core::FindCurrency("USD")};
  d.cause = store::DebtCause::kDeclinedAdjust;
  d.kind = store::DebtKind::kManual;
  CHECK(f.env->Write([&](store::WriteTxn& txn) { return ledger::AddDebt(txn, d, 1); }).code() ==
        core::StatusCode::kInvalidArgument);
  CHECK(f.Debts("k").empty());
}

TEST_CASE("an operator naming only the trip settles its one open debt") {
  Fixture f;
  CHECK(f.SingleOpen("n", "t1").status().code() == core::StatusCode::kNotFound);
  REQUIRE(f.Add("n", "t1", 1000).ok());
  CHECK(f.SingleOpen("n", "t1").value() == store::DebtKind::kTrip);
  REQUIRE(f.Add("n", "t1", 300, "USD", store::DebtCause::kManual).ok());
  auto both = f.SingleOpen("n", "t1");
  CHECK(both.status().code() == core::StatusCode::kFailedPrecondition);
  CHECK(both.status().message().find("trip, manual") != std::string::npos);
  REQUIRE(f.Close("n", "t1", store::DebtKind::kTrip).ok());
  CHECK(f.SingleOpen("n", "t1").value() == store::DebtKind::kManual);
  REQUIRE(f.Close("n", "t1", store::DebtKind::kManual).ok());
  auto none = f.SingleOpen("n", "t1");
  CHECK(none.status().code() == core::StatusCode::kFailedPrecondition);
  CHECK(none.status().message() == "debt is already settled");
}

TEST_CASE("a shopper's debts are listed by trip id, then kind") {
  Fixture f;
  // Keys sort by the trip id's length first; the list does not.
  REQUIRE(f.Add("o", "t10", 1).ok());
  REQUIRE(f.Add("o", "t9", 1).ok());
  REQUIRE(f.Add("o", "t1", 1, "USD", store::DebtCause::kManual).ok());
  REQUIRE(f.Add("o", "t1", 1).ok());
  const auto debts = f.Debts("o");
  REQUIRE(debts.size() == 4);
  CHECK(debts[0].trip_id == "t1");
  CHECK(debts[0].kind == store::DebtKind::kTrip);
  CHECK(debts[1].trip_id == "t1");
  CHECK(debts[1].kind == store::DebtKind::kManual);
  CHECK(debts[2].trip_id == "t10");
  CHECK(debts[3].trip_id == "t9");
  CHECK(f.Debts("o", "t1").size() == 2);
}

TEST_CASE("debts of two very long ids are booked, found and closed by the full trip id") {
  Fixture f;
  const std::string shopper(255, 's');
  const std::string trip(255, 't');
  REQUIRE(f.Add(shopper, trip, 700).ok());
  REQUIRE(f.Add(shopper, trip.substr(0, 254) + "u", 50).ok());  // another trip, same prefix
  const auto debts = f.Debts(shopper, trip);
  REQUIRE(debts.size() == 1);
  CHECK(debts[0].trip_id == trip);
  CHECK(debts[0].amount.minor == 700);
  REQUIRE(f.Close(shopper, trip, store::DebtKind::kTrip).ok());
  CHECK(f.Shopper(shopper).OpenDebt("USD") == 50);
}

TEST_CASE("closing twice or closing a missing debt changes nothing") {
  Fixture f;
  REQUIRE(f.Add("carol", "t1", 500).ok());
  auto close = [&](std::string trip) {
    return f.env->Write([&](store::WriteTxn& txn) {
      return ledger::CloseDebt(txn, "carol", trip, store::DebtKind::kTrip,
                               store::DebtState::kSettled, "r", 1);
    });
  };
  REQUIRE(close("t1").ok());
  CHECK(close("t1").code() == core::StatusCode::kFailedPrecondition);
  CHECK(close("nope").code() == core::StatusCode::kNotFound);
  CHECK(f.Shopper("carol").OpenDebt("USD") == 0);
  CHECK(f.Shopper("carol").open_debt.empty());
}

TEST_CASE("bad debts are refused") {
  Fixture f;
  CHECK(f.Add("d", "t", 0).code() == core::StatusCode::kInvalidArgument);
  CHECK(f.Add("d", "t", -5).code() == core::StatusCode::kInvalidArgument);
  CHECK(f.Add("d", "t", 5, "XYZ").code() == core::StatusCode::kInvalidArgument);
  CHECK(f.Add("", "t", 5).code() == core::StatusCode::kInvalidArgument);
}

TEST_CASE("overrides need who and why, and audit records number themselves") {
  Fixture f;
  CHECK(f.env
            ->Write([](store::WriteTxn& txn) {
              return ledger::SetOverride(txn, "e", store::Override::kAlwaysBlock, "", "", 1);
            })
            .code() == core::StatusCode::kInvalidArgument);
  REQUIRE(f.env
              ->Write([](store::WriteTxn& txn) {
                if (auto s = ledger::SetOverride(txn, "e", store::Override::kAlwaysBlock, "ops",
                                                 "fraud report", 1);
                    !s.ok())
                  return s;
                auto a = ledger::AppendAudit(txn, {0, 1, "ops", "shopper.block", "e", "", "fraud"});
                auto b = ledger::AppendAudit(txn, {0, 2, "ops", "shopper.clear", "e", "", "ok"});
                CHECK(*a == 1);
                CHECK(*b == 2);
                return core::Status::Ok();
              })
              .ok());
  CHECK(f.Shopper("e").override_mode == store::Override::kAlwaysBlock);
  std::vector<store::AuditRecord> recent;
  REQUIRE(f.env
              ->Read([&](const store::ReadTxn& txn) {
                auto r = ledger::RecentAudit(txn, 10, "e");
                if (r.ok()) recent = *r;
                return r.status();
              })
              .ok());
  REQUIRE(recent.size() == 2);
  CHECK(recent[0].action == "shopper.clear");  // newest first
}

TEST_CASE("a debt that would take the balance past the largest amount is refused, never wrapped") {
  Fixture f;
  // The report: 9,224 debts of 9,999,999,999,999.99 wrapped the int64 balance negative.
  int added = 0;
  core::Status refused;
  for (int i = 0; i < 9224 && refused.ok(); ++i) {
    refused = f.Add("mallory", "t" + std::to_string(i), core::kMaxMinorUnits);
    if (refused.ok()) ++added;
  }
  CHECK(added == 1);
  CHECK(refused.code() == core::StatusCode::kOutOfRange);
  CHECK(f.Shopper("mallory").OpenDebt("USD") == core::kMaxMinorUnits);
  CHECK(f.Shopper("mallory").open_debt_count == 1);
  CHECK(f.Debts("mallory").size() == 1);  // the refused debt left nothing behind
  CHECK(f.Add("mallory", "t-eur", core::kMaxMinorUnits, "EUR").ok());  // per currency
}

TEST_CASE("fields over their documented limits are refused before anything is written") {
  Fixture f;
  const std::string huge(70'000, 'r');  // over the u16 length a stored string carries
  CHECK(f.env
            ->Write([&](store::WriteTxn& txn) {
              return ledger::SetOverride(txn, "s", store::Override::kAlwaysBlock, "ops", huge, 1);
            })
            .code() == core::StatusCode::kInvalidArgument);
  CHECK(
      f.env
          ->Write([&](store::WriteTxn& txn) {
            return ledger::AppendAudit(txn, {0, 1, "ops", "shopper.block", "s", "", huge}).status();
          })
          .code() == core::StatusCode::kInvalidArgument);
  store::DebtRecord d;
  d.shopper_id = "s";
  d.trip_id = "t";
  d.amount = {100, *core::FindCurrency("USD")};
  d.note = std::string(ledger::kMaxTextBytes + 1, 'n');
  CHECK(f.env->Write([&](store::WriteTxn& txn) { return ledger::AddDebt(txn, d, 1); }).code() ==
        core::StatusCode::kInvalidArgument);
  CHECK(f.Debts("s").empty());
}

TEST_CASE("whatever the ledger does, the gate's index names exactly the shoppers who matter") {
  Fixture f;
  std::mt19937 rng(7);
  const char* shoppers[] = {"s0", "s1", "s2", "s3"};
  const store::Override modes[] = {store::Override::kNone, store::Override::kAlwaysAllow,
                                   store::Override::kAlwaysBlock};
  for (int step = 0; step < 400; ++step) {
    const std::string shopper = shoppers[rng() % 4];
    const std::string trip = "t" + std::to_string(rng() % 5);
    const store::Override mode = modes[rng() % 3];
    const auto op = rng() % 5;
    // Refusals (a debt booked twice, a debt already closed) are part of the walk.
    (void)f.env->Write([&](store::WriteTxn& txn) {
      switch (op) {
        case 0:
        case 1: {
          store::DebtRecord d;
          d.shopper_id = shopper;
          d.trip_id = trip;
          d.amount = {static_cast<int64_t>(1 + rng() % 900), *core::FindCurrency("USD")};
          d.cause = store::DebtCause::kDeclinedAdjust;
          d.kind = store::DebtKindOf(d.cause);
          return ledger::AddDebt(txn, d, step);
        }
        case 2:
          return ledger::CloseDebt(txn, shopper, trip, store::DebtKind::kTrip,
                                   store::DebtState::kSettled, "ref", step);
        case 3:
          return ledger::SetOverride(txn, shopper, mode, "ops", "test", step);
        default:
          return ledger::SetChainOverride(txn, shopper, mode, "ops", "test", "other-store", step,
                                          false);
      }
    });
    REQUIRE(f.env
                ->Read([&](const store::ReadTxn& txn) {
                  for (const char* id : shoppers) {
                    auto full = ledger::ReadShopper(txn, id);
                    auto gate = store::ReadShopperForGate(txn, id);
                    REQUIRE(full.ok());
                    REQUIRE(gate.ok());
                    const bool matters = full->has_value() && store::MattersToGate(**full);
                    INFO("step " << step << " shopper " << id);
                    CHECK(gate->has_value() == matters);
                  }
                  auto report = store::VerifyStore(txn);
                  if (!report.ok()) return report.status();
                  INFO(store::FormatVerifyReport(*report));
                  CHECK(report->ok());
                  return core::Status::Ok();
                })
                .ok());
  }
}
