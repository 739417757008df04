#include "store/gate_shoppers.h"

#include <catch2/catch_test_macros.hpp>

#include "store/gate_filter.h"
#include "store/records.h"
#include "store/verify.h"
#include "tests/store/store_temp_dir.h"

using namespace jwo;
using store::Table;

namespace {

using TempDir = testing::StoreTempDir;

store::EnvOptions Options(const TempDir& dir) { return testing::StoreOptions(dir); }

store::ShopperRecord Owing(int64_t minor) {
  store::ShopperRecord r;
  r.open_debt = {core::Money{minor, *core::FindCurrency("USD")}};
  r.open_debt_count = 1;
  return r;
}

bool Indexed(store::Env& env, std::string_view id) {
  bool found = false;
  REQUIRE(env.Read([&](const store::ReadTxn& txn) {
               auto v = txn.Get(Table::kGateShoppers, id);
               if (v.ok()) found = v->has_value();
               return v.status();
             })
              .ok());
  return found;
}

core::Result<std::optional<store::ShopperRecord>> ForGate(store::Env& env, std::string_view id) {
  core::Result<std::optional<store::ShopperRecord>> out =
      core::Status(core::StatusCode::kInternal, "unset");
  (void)env.Read([&](const store::ReadTxn& txn) {
    out = store::ReadShopperForGate(txn, id);
    return core::Status::Ok();
  });
  return out;
}

}  // namespace

TEST_CASE("what matters to the gate: open debt in any currency or an override of either scope") {
  store::ShopperRecord r;
  CHECK_FALSE(store::MattersToGate(r));
  r.open_debt_count = 3;  // closed debts counted nowhere; the balance is what the gate reads
  CHECK_FALSE(store::MattersToGate(r));
  CHECK(store::MattersToGate(Owing(1)));
  r.override_mode = store::Override::kAlwaysAllow;
  CHECK(store::MattersToGate(r));
  r.override_mode = store::Override::kNone;
  r.chain_override_mode = store::Override::kAlwaysBlock;
  CHECK(store::MattersToGate(r));
}

TEST_CASE("PutShopper keeps the gate's index in step with the record") {
  TempDir dir;
  auto env = std::move(store::Env::Open(Options(dir))).value();
  auto put = [&](std::string_view id, const store::ShopperRecord& r) {
    REQUIRE(env->Write([&](store::WriteTxn& txn) { return store::PutShopper(txn, id, r); }).ok());
  };

  put("clear", store::ShopperRecord{});
  CHECK_FALSE(Indexed(*env, "clear"));
  auto clear = ForGate(*env, "clear");
  REQUIRE(clear.ok());
  CHECK_FALSE(clear->has_value());  // a record that cannot change a decision is not read

  put("debtor", Owing(1250));
  CHECK(Indexed(*env, "debtor"));
  auto debtor = ForGate(*env, "debtor");
  REQUIRE(debtor.ok());
  REQUIRE(debtor->has_value());
  CHECK((*debtor)->OpenDebt("USD") == 1250);

  put("debtor", store::ShopperRecord{});  // paid off
  CHECK_FALSE(Indexed(*env, "debtor"));

  store::ShopperRecord blocked;
  blocked.chain_override_mode = store::Override::kAlwaysBlock;
  put("blocked", blocked);
  CHECK(Indexed(*env, "blocked"));
  blocked.chain_override_mode = store::Override::kNone;
  put("blocked", blocked);
  CHECK_FALSE(Indexed(*env, "blocked"));

  auto unknown = ForGate(*env, "never-seen");
  REQUIRE(unknown.ok());
  CHECK_FALSE(unknown->has_value());
  CHECK(ForGate(*env, "").status().code() == core::StatusCode::kInvalidArgument);
}

TEST_CASE("an index entry without its record is reported, so the gate's fail mode decides") {
  TempDir dir;
  auto env = std::move(store::Env::Open(Options(dir))).value();
  REQUIRE(env->Write([](store::WriteTxn& txn) {
               if (auto s = txn.Put(Table::kGateShoppers, "ghost", ""); !s.ok()) return s;
               txn.AddToGateFilter("ghost");
               return core::Status::Ok();
             })
              .ok());
  auto r = ForGate(*env, "ghost");
  CHECK(r.status().code() == core::StatusCode::kCorruption);
  CHECK(r.status().message().find("ghost") != std::string::npos);
}

TEST_CASE("migrating to schema 7 indexes the stored shoppers that matter to the gate") {
  TempDir dir;
  {
    auto options = Options(dir);
    options.migrations = store::Migrations().subspan(0, 6);  // what a schema-6 build did
    auto v6 = std::move(store::Env::Open(options)).value();
    REQUIRE(v6->schema_version() == 6);
    REQUIRE(v6->Write([](store::WriteTxn& txn) {
                store::ShopperRecord allowed;
                allowed.override_mode = store::Override::kAlwaysAllow;
                allowed.override_by = "op";
                for (auto [id, r] : {std::pair{"a-debtor", Owing(500)},
                                     std::pair{"b-clear", store::ShopperRecord{}},
                                     std::pair{"c-allowed", allowed}}) {
                  if (auto s = txn.Put(Table::kShoppers, id, store::EncodeShopper(r)); !s.ok())
                    return s;
                }
                // Damaged: indexed, so the gate's read fails and its fail mode decides.
                return txn.Put(Table::kShoppers, "d-damaged", "\x07");
              }).ok());
  }
  auto env = std::move(store::Env::Open(Options(dir))).value();
  CHECK(env->schema_version() == store::kSchemaVersion);
  CHECK(Indexed(*env, "a-debtor"));
  CHECK_FALSE(Indexed(*env, "b-clear"));
  CHECK(Indexed(*env, "c-allowed"));
  CHECK(Indexed(*env, "d-damaged"));
  CHECK(ForGate(*env, "d-damaged").status().code() == core::StatusCode::kCorruption);
  REQUIRE(env->Read([](const store::ReadTxn& txn) {
               auto report = store::VerifyStore(txn);
               if (!report.ok()) return report.status();
               INFO(store::FormatVerifyReport(*report));
               // The damaged record once, and a-debtor's balance (no debt rows were written
               // for it); nothing about the index.
               CHECK(report->problem_count == 3);
               for (const std::string& p : report->problems) {
                 CHECK(p.find("gate_shoppers") == std::string::npos);
               }
               CHECK(report->rows[static_cast<size_t>(Table::kGateShoppers)] == 3);
               return core::Status::Ok();
             })
              .ok());
}

TEST_CASE("the migration to schema 7 grows a map its store had filled, up to the maximum") {
  TempDir dir;
  int written = 0;
  {
    auto options = Options(dir);
    options.max_map_size_bytes = 1 << 20;  // the map cannot grow: the store fills it
    options.migrations = store::Migrations().subspan(0, 6);
    auto v6 = std::move(store::Env::Open(options)).value();
    const std::string record = store::EncodeShopper(Owing(100));
    core::Status s;
    while (s.ok()) {
      s = v6->Write([&](store::WriteTxn& txn) {
        for (int i = 0; i < 100; ++i) {
          const std::string id = "debtor-" + std::to_string(100000 + written + i);
          if (auto p = txn.Put(Table::kShoppers, id, record); !p.ok()) return p;
        }
        return core::Status::Ok();
      });
      if (s.ok()) written += 100;
    }
    REQUIRE(s.code() == core::StatusCode::kUnavailable);  // the map is full
    REQUIRE(written > 1000);
  }
  auto options = Options(dir);
  SECTION("room to grow: migrated, every debtor indexed") {
    options.max_map_size_bytes = 16 << 20;
    auto env = store::Env::Open(options);
    REQUIRE(env.ok());
    CHECK((*env)->schema_version() == store::kSchemaVersion);
    CHECK((*env)->Stats().map_grows >= 1);
    CHECK((*env)->Stats().entries[static_cast<size_t>(Table::kGateShoppers)] ==
          static_cast<uint64_t>(written));
  }
  SECTION("no room: refused, naming the setting, and the store left at schema 6") {
    options.max_map_size_bytes = 1 << 20;
    auto refused = store::Env::Open(options);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().message().find("store.max_map_size_mib") != std::string::npos);
    CHECK(refused.status().message().find("migration 6->7") != std::string::npos);
    options.migrations = store::Migrations().subspan(0, 6);
    auto v6 = store::Env::Open(options);
    REQUIRE(v6.ok());
    CHECK((*v6)->schema_version() == 6);
  }
}
