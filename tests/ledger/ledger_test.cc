#include "ledger/ledger.h"

#include <catch2/catch_test_macros.hpp>
#include <filesystem>
#include <random>

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
  core::Status Add(std::string shopper, std::string trip, int64_t minor, std::string cur = "USD") {
    store::DebtRecord d;
    d.shopper_id = std::move(shopper);
    d.trip_id = std::move(trip);
    // An unknown code stays empty, as a caller's failed FindCurrency would leave it.
    d.amount = {minor, core::FindCurrency(cur).value_or(core::Currency{})};
    d.origin_store = "s1";
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
                return ledger::CloseDebt(txn, "alice", "t1", store::DebtState::kSettled, "pay-1",
                                         200);
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

TEST_CASE("closing twice or closing a missing debt changes nothing") {
  Fixture f;
  REQUIRE(f.Add("carol", "t1", 500).ok());
  auto close = [&](std::string trip) {
    return f.env->Write([&](store::WriteTxn& txn) {
      return ledger::CloseDebt(txn, "carol", trip, store::DebtState::kSettled, "r", 1);
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
