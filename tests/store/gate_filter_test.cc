#include "store/gate_filter.h"

#include <catch2/catch_test_macros.hpp>
#include <functional>
#include <random>
#include <vector>

#include "store/gate_shoppers.h"
#include "store/records.h"
#include "store/verify.h"
#include "tests/store/store_temp_dir.h"

using namespace jwo;
using store::Table;

namespace {

using TempDir = testing::StoreTempDir;

store::ShopperRecord Owing(int64_t minor) {
  store::ShopperRecord r;
  r.open_debt = {core::Money{minor, *core::FindCurrency("USD")}};
  r.open_debt_count = 1;
  return r;
}

// Indexed, and consistent on its own (a balance would need its debt rows to pass verify).
store::ShopperRecord Blocked() {
  store::ShopperRecord r;
  r.override_mode = store::Override::kAlwaysBlock;
  r.override_by = "op";
  return r;
}

std::string Id(int i) { return "shopper-" + std::to_string(1000000 + i); }

std::string FilterRecord(store::Env& env) {
  std::string out;
  REQUIRE(env.Read([&](const store::ReadTxn& txn) {
               auto v = txn.Get(Table::kGateFilter, store::kGateFilterKey);
               if (v.ok() && v->has_value()) out.assign(**v);
               return v.status();
             })
              .ok());
  return out;
}

void PutAll(store::Env& env, int from, int to, const store::ShopperRecord& r) {
  REQUIRE(env.Write([&](store::WriteTxn& txn) {
               for (int i = from; i < to; ++i) {
                 if (auto s = store::PutShopper(txn, Id(i), r); !s.ok()) return s;
               }
               return core::Status::Ok();
             })
              .ok());
}

std::optional<store::ShopperRecord> ForGate(store::Env& env, std::string_view id) {
  std::optional<store::ShopperRecord> out;
  REQUIRE(env.Read([&](const store::ReadTxn& txn) {
               auto r = store::ReadShopperForGate(txn, id);
               if (r.ok()) out = *r;
               return r.status();
             })
              .ok());
  return out;
}

store::VerifyReport Verify(store::Env& env) {
  store::VerifyReport report;
  REQUIRE(env.Read([&](const store::ReadTxn& txn) {
               auto r = store::VerifyStore(txn);
               if (r.ok()) report = *r;
               return r.status();
             })
              .ok());
  return report;
}

bool Mentions(const store::VerifyReport& r, std::string_view text) {
  for (const std::string& p : r.problems) {
    if (p.find(text) != std::string::npos) return true;
  }
  return false;
}

// Of `n` ids never indexed, how many the filter fails to exclude.
int Maybes(std::string_view filter, int n) {
  int maybe = 0;
  for (int i = 0; i < n; ++i) maybe += !store::GateFilterExcludes(filter, "stranger-" + Id(i));
  return maybe;
}

}  // namespace

TEST_CASE("the filter's hash is MurmurHash64A with a fixed seed: stored filters depend on it") {
  // Computed by an independent implementation of the published algorithm (Python, seed
  // 0x6a776f2d65646765): a change here makes every stored filter exclude debtors.
  CHECK(store::GateFilterHash("") == 0x03cd5f8ea881057dULL);
  CHECK(store::GateFilterHash("a") == 0x35d40c906103094dULL);
  CHECK(store::GateFilterHash("shopper-0000001") == 0x67fb85cb18abcc78ULL);
  CHECK(store::GateFilterHash("0123456789abcdef") == 0xd8259ae3f9d3118eULL);
  CHECK(store::GateFilterHash("The quick brown fox jumps over the lazy dog") ==
        0x96b50841bd22c8b5ULL);
}

TEST_CASE("a new store's filter is empty and excludes every shopper") {
  TempDir dir;
  auto env = std::move(store::Env::Open(testing::StoreOptions(dir))).value();
  const std::string filter = FilterRecord(*env);
  REQUIRE(store::GateFilterProblem(filter).empty());
  CHECK(store::GateFilterShapeOf(filter).blocks == 64);
  CHECK(store::GateFilterShapeOf(filter).load == 0);
  CHECK(Maybes(filter, 1000) == 0);
  CHECK(Verify(*env).problem_count == 0);
}

TEST_CASE("PutShopper puts an indexed shopper in the filter and writes nothing when it is held") {
  TempDir dir;
  auto env = std::move(store::Env::Open(testing::StoreOptions(dir))).value();
  PutAll(*env, 0, 1, Owing(500));
  const std::string once = FilterRecord(*env);
  CHECK_FALSE(store::GateFilterExcludes(once, Id(0)));
  CHECK(store::GateFilterShapeOf(once).load == 1);
  PutAll(*env, 0, 1, Owing(700));  // still owes: the bits are set, the record unchanged
  CHECK(FilterRecord(*env) == once);
  REQUIRE(ForGate(*env, Id(0)).has_value());
  CHECK(ForGate(*env, Id(0))->OpenDebt("USD") == 700);

  PutAll(*env, 0, 1, store::ShopperRecord{});  // paid off: out of the index, bits kept
  CHECK(FilterRecord(*env) == once);
  CHECK_FALSE(ForGate(*env, Id(0)).has_value());  // the index decides a "maybe"
  CHECK(Verify(*env).problem_count == 0);
}

TEST_CASE("the filter grows as the index does, excludes no debtor, and few others") {
  TempDir dir;
  auto env = std::move(store::Env::Open(testing::StoreOptions(dir))).value();
  PutAll(*env, 0, 5000, Blocked());
  const std::string filter = FilterRecord(*env);
  REQUIRE(store::GateFilterProblem(filter).empty());
  const store::GateFilterShape shape = store::GateFilterShapeOf(filter);
  CHECK(shape.blocks >= 5000 / 32);
  CHECK(shape.load <= uint64_t{shape.blocks} * 32);
  for (int i = 0; i < 5000; ++i) {
    INFO(Id(i));
    REQUIRE_FALSE(store::GateFilterExcludes(filter, Id(i)));
  }
  // Between 16 and 32 ids a block, 6 bits each: about one "maybe" in a thousand.
  CHECK(Maybes(filter, 100000) < 500);
  CHECK(Verify(*env).problem_count == 0);
}

TEST_CASE("a transaction reads the shoppers it indexed before the filter holds them") {
  TempDir dir;
  auto env = std::move(store::Env::Open(testing::StoreOptions(dir))).value();
  REQUIRE(env->Write([](store::WriteTxn& txn) {
               if (auto s = store::PutShopper(txn, Id(1), Blocked()); !s.ok()) return s;
               CHECK(txn.gate_filter_pending());
               auto r = store::ReadShopperForGate(txn, Id(1));  // queued, not in the filter yet
               REQUIRE(r.ok());
               CHECK(r->has_value());
               return core::Status::Ok();
             })
              .ok());
  CHECK_FALSE(store::GateFilterExcludes(FilterRecord(*env), Id(1)));
  CHECK(ForGate(*env, Id(1)).has_value());
}

TEST_CASE("group-committed transactions each add what they indexed, and a failed one nothing") {
  TempDir dir;
  auto env = std::move(store::Env::Open(testing::StoreOptions(dir))).value();
  std::vector<std::function<core::Status(store::WriteTxn&)>> fns;
  for (int i = 0; i < 3; ++i) {
    fns.push_back([i](store::WriteTxn& txn) {
      for (int j = 0; j < 100; ++j) {
        if (auto s = store::PutShopper(txn, Id(i * 100 + j), Blocked()); !s.ok()) return s;
      }
      // The second one fails after indexing: its rows and its queued ids go with it.
      return i == 1 ? core::InvalidArgument("refused") : core::Status::Ok();
    });
  }
  std::vector<core::Status> results;
  REQUIRE(env->WriteBatch(fns, results).ok());
  CHECK(results[1].code() == core::StatusCode::kInvalidArgument);
  const std::string filter = FilterRecord(*env);
  CHECK(store::GateFilterShapeOf(filter).load == 200);
  for (int i : {0, 99, 200, 299}) CHECK_FALSE(store::GateFilterExcludes(filter, Id(i)));
  CHECK_FALSE(ForGate(*env, Id(150)).has_value());
  CHECK(Verify(*env).problem_count == 0);
}

TEST_CASE("a full filter is rebuilt from the shoppers indexed then, dropping those who left") {
  TempDir dir;
  auto env = std::move(store::Env::Open(testing::StoreOptions(dir))).value();
  PutAll(*env, 0, 4000, Blocked());
  const uint32_t grown = store::GateFilterShapeOf(FilterRecord(*env)).blocks;
  PutAll(*env, 0, 3990, store::ShopperRecord{});  // paid off: the bits stay
  CHECK(store::GateFilterShapeOf(FilterRecord(*env)).blocks == grown);
  // New debtors fill the filter until it is rebuilt from those indexed at that moment.
  int next = 4000;
  while (store::GateFilterShapeOf(FilterRecord(*env)).blocks == grown) {
    PutAll(*env, next, next + 100, Blocked());
    next += 100;
    REQUIRE(next < 4000 + static_cast<int>(grown) * 32);
  }
  const std::string rebuilt = FilterRecord(*env);
  const store::GateFilterShape shape = store::GateFilterShapeOf(rebuilt);
  CHECK(shape.load == static_cast<uint64_t>(next - 3990));  // what was indexed at the rebuild
  int maybe = 0;  // of those who paid off: their bits went with the rebuild
  for (int i = 0; i < 3990; ++i) maybe += !store::GateFilterExcludes(rebuilt, Id(i));
  CHECK(maybe < 40);
  for (int i = 3990; i < next; ++i) REQUIRE_FALSE(store::GateFilterExcludes(rebuilt, Id(i)));
  CHECK(Verify(*env).problem_count == 0);
}

TEST_CASE("past 65536 indexed shoppers the filter is off; at 32768 a write builds it again") {
  TempDir dir;
  auto env = std::move(store::Env::Open(testing::StoreOptions(dir))).value();
  PutAll(*env, 0, 70000, Blocked());
  std::string filter = FilterRecord(*env);
  REQUIRE(store::GateFilterProblem(filter).empty());
  CHECK(filter.size() == 48);
  CHECK(store::GateFilterShapeOf(filter).blocks == 0);
  CHECK(Maybes(filter, 100) == 100);  // it excludes nobody: the gate searches the index
  CHECK(ForGate(*env, Id(69999)).has_value());
  CHECK_FALSE(ForGate(*env, "stranger").has_value());
  CHECK(Verify(*env).problem_count == 0);

  PutAll(*env, 0, 30000, store::ShopperRecord{});  // 40,000 left
  PutAll(*env, 70000, 70001, Blocked());           // 40,001: still off
  CHECK(store::GateFilterShapeOf(FilterRecord(*env)).blocks == 0);
  PutAll(*env, 30000, 37234, store::ShopperRecord{});               // 32,767 left
  CHECK(store::GateFilterShapeOf(FilterRecord(*env)).blocks == 0);  // leaving changes nothing
  PutAll(*env, 70001, 70002, Blocked());                            // 32,768 indexed: on again
  filter = FilterRecord(*env);
  CHECK(store::GateFilterShapeOf(filter).blocks == 2048);
  CHECK(store::GateFilterShapeOf(filter).load == 32768);
  CHECK_FALSE(store::GateFilterExcludes(filter, Id(70001)));
  CHECK(Maybes(filter, 10000) < 50);
  CHECK(Verify(*env).problem_count == 0);
}

TEST_CASE("a damaged or missing filter excludes nothing, is reported, and a write rebuilds it") {
  TempDir dir;
  auto env = std::move(store::Env::Open(testing::StoreOptions(dir))).value();
  PutAll(*env, 0, 10, Blocked());
  const std::string good = FilterRecord(*env);
  struct Damage {
    const char* name;
    std::string record;  // empty: deleted
    const char* report;
  };
  std::string shortened = good.substr(0, good.size() - 1);
  std::string magic = good;
  magic[0] = 'X';
  std::string blocks = good;
  blocks[4] = 63;  // 63 blocks: not a power of two
  std::string reserved = good;
  reserved[20] = 1;
  for (const Damage& d : {Damage{"deleted", "", "gate_filter [filter]: missing"},
                          Damage{"shortened", shortened, "bytes where 64 blocks take"},
                          Damage{"not a filter", magic, "not a gate filter of format JGF1"},
                          Damage{"bad block count", blocks, "block count 63 is neither 0"},
                          Damage{"reserved bytes", reserved, "reserved header bytes"}}) {
    DYNAMIC_SECTION(d.name) {
      REQUIRE(env->Write([&](store::WriteTxn& txn) {
                   if (d.record.empty()) return txn.Delete(Table::kGateFilter, "filter");
                   return txn.Put(Table::kGateFilter, "filter", d.record);
                 })
                  .ok());
      if (!d.record.empty()) CHECK(Maybes(d.record, 100) == 100);
      // The gate still decides by the index.
      CHECK(ForGate(*env, Id(3)).has_value());
      CHECK_FALSE(ForGate(*env, "stranger").has_value());
      const store::VerifyReport r = Verify(*env);
      INFO(store::FormatVerifyReport(r));
      CHECK(r.problem_count == 1);
      CHECK(Mentions(r, d.report));
      PutAll(*env, 10, 11, Blocked());  // the next indexed shopper rebuilds it
      const std::string rebuilt = FilterRecord(*env);
      CHECK(store::GateFilterProblem(rebuilt).empty());
      CHECK(store::GateFilterShapeOf(rebuilt).load == 11);
      CHECK(Verify(*env).problem_count == 0);
    }
  }
}

TEST_CASE("verify reports a filter that excludes an indexed shopper") {
  TempDir dir;
  auto env = std::move(store::Env::Open(testing::StoreOptions(dir))).value();
  // Written around PutShopper: indexed, but the filter was not told.
  REQUIRE(env->Write([](store::WriteTxn& txn) {
               if (auto s = txn.Put(Table::kShoppers, "debtor", store::EncodeShopper(Owing(5)));
                   !s.ok()) {
                 return s;
               }
               return txn.Put(Table::kGateShoppers, "debtor", "");
             })
              .ok());
  const store::VerifyReport r = Verify(*env);
  INFO(store::FormatVerifyReport(r));
  CHECK(Mentions(r, "gate_filter [debtor]: excludes an indexed shopper"));
}

TEST_CASE("no record, however damaged, makes the filter read outside it") {
  std::mt19937 rng(7);
  const std::string base = "JGF1";
  int well_formed = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string rec = base;
    const uint32_t blocks = i % 3 == 0 ? 64u : i % 7 == 0 ? 0u : rng() % 200;
    for (int b = 0; b < 4; ++b) rec.push_back(static_cast<char>((blocks >> (8 * b)) & 0xff));
    const size_t size = i % 5 == 0 ? 48 + 64 * 64 : i % 7 == 0 ? 48 : rng() % (48 + 64 * 70);
    rec.resize(size, i % 2 == 0 ? '\0' : '\xff');
    // A read past the end is what ASan would report.
    const bool excludes = store::GateFilterExcludes(rec, Id(i));
    const bool ok =
        ((rec.size() == 48 + 64 * 64 && blocks == 64) || (rec.size() == 48 && blocks == 0)) &&
        rec.substr(8).find_first_not_of('\0') == std::string::npos;
    CHECK(store::GateFilterProblem(rec).empty() == ok);
    // A damaged or an off record excludes nothing; a good one here has no bits set.
    CHECK(excludes == (ok && blocks != 0));
    well_formed += ok;
  }
  CHECK(well_formed > 0);
}

TEST_CASE("migrating to schema 8 builds the filter from the gate's index") {
  TempDir dir;
  {
    auto options = testing::StoreOptions(dir);
    options.migrations = store::Migrations().subspan(0, 7);  // what a schema-7 build did
    auto v7 = std::move(store::Env::Open(options)).value();
    REQUIRE(v7->schema_version() == 7);
    REQUIRE(v7->Write([](store::WriteTxn& txn) {
                for (int i = 0; i < 300; ++i) {
                  // As a schema-7 build wrote them: the record and the index only.
                  if (auto s = txn.Put(Table::kShoppers, Id(i), store::EncodeShopper(Owing(9)));
                      !s.ok()) {
                    return s;
                  }
                  if (auto s = txn.Put(Table::kGateShoppers, Id(i), ""); !s.ok()) return s;
                }
                return core::Status::Ok();
              }).ok());
  }
  auto env = std::move(store::Env::Open(testing::StoreOptions(dir))).value();
  CHECK(env->schema_version() == store::kSchemaVersion);
  const std::string filter = FilterRecord(*env);
  REQUIRE(store::GateFilterProblem(filter).empty());
  CHECK(store::GateFilterShapeOf(filter).load == 300);
  for (int i = 0; i < 300; ++i) REQUIRE_FALSE(store::GateFilterExcludes(filter, Id(i)));
  CHECK(ForGate(*env, Id(299)).has_value());
  const store::VerifyReport r = Verify(*env);
  INFO(store::FormatVerifyReport(r));
  // The 300 balances without debt rows are what the test wrote around the ledger; nothing else.
  for (const std::string& p : r.problems) CHECK(p.find("gate_") == std::string::npos);
}
