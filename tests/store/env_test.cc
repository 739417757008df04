#include "store/env.h"

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <random>
#include <thread>
#include <tuple>

#include "core/ids.h"
#include "store/codec.h"
#include "store/records.h"
#include "store/trip_record.h"
#include "tests/store/store_temp_dir.h"

using namespace jwo;
using store::Table;

namespace {

using TempDir = testing::StoreTempDir;

store::EnvOptions Options(const TempDir& dir) { return testing::StoreOptions(dir); }

std::string ReadValue(store::Env& env, Table t, std::string_view key) {
  std::string out;
  REQUIRE(env.Read([&](const store::ReadTxn& txn) {
               auto v = txn.Get(t, key);
               if (!v.ok()) return v.status();
               if (v->has_value()) out = std::string(**v);
               return core::Status::Ok();
             })
              .ok());
  return out;
}

// The encodings of schema 2, as that build wrote them, to build old stores in tests.
namespace legacy {

// A trip row of schema 2 (record version 1): refund states by name, no receipt flags.
std::string TripV1(std::string_view trip, std::string_view refunds_json,
                   std::string_view transactional_data, std::string_view history_json,
                   bool receipt_complete) {
  std::string v = "\x01";
  v += R"({"trip":")" + std::string(trip) + R"(","shopper":"s1","currency":"USD","state":4,)";
  v += R"("total":500,"captured":500,"cart":[],"priced":[],"refunds":)" + std::string(refunds_json);
  v +=
      R"(,"transactional_data":)" + boost::json::serialize(boost::json::string(transactional_data));
  v += R"(,"receipt_complete":)" + std::string(receipt_complete ? "true" : "false");
  v += R"(,"history":)" + std::string(history_json) + "}";
  return v;
}

// A debts key of schema 2: u8 len(shopper) · shopper · trip id (no kind).
std::string DebtKey(std::string_view shopper, std::string_view trip) {
  std::string k(1, static_cast<char>(shopper.size()));
  k.append(shopper);
  k.append(trip);
  return k;
}

// A DebtRecord value (record version 1; unchanged in schema 3): cause 1 declined adjust,
// 2 partial capture, 3 expired pre-auth, 4 manual; state 1 open, 2 settled.
std::string DebtValue(int64_t minor, std::string_view currency, uint8_t cause, uint8_t state = 1) {
  store::Encoder e;
  e.U8(1);
  e.I64(minor);
  e.Str(currency);
  e.U8(cause);
  e.Str("store-1");
  e.I64(1000);
  e.U8(state);
  e.Str(state == 1 ? "" : "ref-1");
  e.I64(state == 1 ? 0 : 2000);
  e.Str("");
  return e.Take();
}

// Schema 2's ledger::ExpiredDebtTripId: where the expired remainder of a trip that already had
// a debt was booked.
std::string ExpiredDebtTripId(std::string_view trip) {
  if (trip.size() + 8 <= 255) return std::string(trip) + "-expired";
  return std::string(trip.substr(0, 255 - 8 - 16 - 1)) + "~" + core::Sha256Hex(trip).substr(0, 16) +
         "-expired";
}

}  // namespace legacy

// A store at schema 2 (what the schema-2 build created), filled by `fill`.
void MakeSchema2Store(const TempDir& dir,
                      const std::function<core::Status(store::WriteTxn&)>& fill) {
  auto options = Options(dir);
  options.migrations = store::Migrations().subspan(0, 2);
  auto v2 = store::Env::Open(options);
  REQUIRE(v2.ok());
  REQUIRE((*v2)->schema_version() == 2);
  REQUIRE((*v2)->Write(fill).ok());
}

}  // namespace

TEST_CASE("a new store is created at the current schema version") {
  TempDir dir;
  auto env = store::Env::Open(Options(dir));
  REQUIRE(env.ok());
  CHECK((*env)->schema_version() == store::kSchemaVersion);
  CHECK(ReadValue(**env, Table::kMeta, "format") == "jwo-edge");
  CHECK(std::filesystem::exists(dir.path / "data.mdb"));
}

TEST_CASE("writes commit and survive reopening") {
  TempDir dir;
  {
    auto env = store::Env::Open(Options(dir));
    REQUIRE(env.ok());
    REQUIRE(
        (*env)
            ->Write([](store::WriteTxn& txn) { return txn.Put(Table::kMeta, "store_id", "s1"); })
            .ok());
  }
  auto env = store::Env::Open(Options(dir));
  REQUIRE(env.ok());
  CHECK(ReadValue(**env, Table::kMeta, "store_id") == "s1");
}

TEST_CASE("First and Last give a table's lowest and highest rows, nothing when it is empty") {
  TempDir dir;
  auto env = store::Env::Open(Options(dir));
  REQUIRE(env.ok());
  const auto edges = [&] {
    std::pair<std::string, std::string> out;
    REQUIRE((*env)
                ->Read([&](const store::ReadTxn& txn) {
                  auto first = txn.First(Table::kChainOutbox);
                  auto last = txn.Last(Table::kChainOutbox);
                  REQUIRE((first.ok() && last.ok()));
                  REQUIRE(first->has_value() == last->has_value());
                  if (first->has_value()) {
                    out = {std::string((*first)->first) + "=" + std::string((*first)->second),
                           std::string((*last)->first) + "=" + std::string((*last)->second)};
                  }
                  return core::Status::Ok();
                })
                .ok());
    return out;
  };
  CHECK(edges() == std::pair<std::string, std::string>{});
  REQUIRE((*env)
              ->Write([](store::WriteTxn& txn) {
                for (const char* k : {"b", "c", "a"}) {
                  if (auto s = txn.Put(Table::kChainOutbox, k, std::string("v") + k); !s.ok()) {
                    return s;
                  }
                }
                return core::Status::Ok();
              })
              .ok());
  CHECK(edges() == std::pair<std::string, std::string>{"a=va", "c=vc"});
}

TEST_CASE("a failing write function aborts everything it did") {
  TempDir dir;
  auto env = store::Env::Open(Options(dir));
  REQUIRE(env.ok());
  core::Status s = (*env)->Write([](store::WriteTxn& txn) {
    REQUIRE(txn.Put(Table::kMeta, "a", "1").ok());
    return core::InvalidArgument("changed my mind");
  });
  CHECK(s.code() == core::StatusCode::kInvalidArgument);
  CHECK(ReadValue(**env, Table::kMeta, "a").empty());
}

TEST_CASE("keys outside LMDB's limits are refused before any LMDB call") {
  TempDir dir;
  auto env = store::Env::Open(Options(dir));
  REQUIRE(env.ok());
  core::Status s = (*env)->Write([](store::WriteTxn& txn) {
    CHECK(txn.Put(Table::kMeta, "", "x").code() == core::StatusCode::kInvalidArgument);
    CHECK(txn.Put(Table::kMeta, std::string(512, 'k'), "x").code() ==
          core::StatusCode::kInvalidArgument);
    CHECK(txn.Put(Table::kMeta, std::string(511, 'k'), "x").ok());
    return core::Status::Ok();
  });
  CHECK(s.ok());
}

TEST_CASE("the map grows on MDB_MAP_FULL and the write goes through") {
  TempDir dir;
  auto env = store::Env::Open(Options(dir));
  REQUIRE(env.ok());
  const uint64_t before = (*env)->Stats().map_size_bytes;
  const std::string value(4000, 'v');
  for (int batch = 0; batch < 8; ++batch) {
    REQUIRE((*env)
                ->Write([&](store::WriteTxn& txn) {
                  for (int i = 0; i < 200; ++i) {
                    const std::string key = "k" + std::to_string(batch * 1000 + i);
                    if (auto s = txn.Put(Table::kShoppers, key, value); !s.ok()) return s;
                  }
                  return core::Status::Ok();
                })
                .ok());
  }
  const store::EnvStats stats = (*env)->Stats();
  CHECK(stats.map_size_bytes > before);
  CHECK(stats.map_grows >= 1);
  CHECK(stats.entries[static_cast<size_t>(Table::kShoppers)] == 1600);
}

TEST_CASE("the map stops growing at its configured maximum, visibly") {
  TempDir dir;
  auto options = Options(dir);
  options.max_map_size_bytes = 2 << 20;
  auto env = store::Env::Open(options);
  REQUIRE(env.ok());
  const std::string value(4000, 'v');
  const auto put_many = [&](store::WriteTxn& txn) {
    for (int i = 0; i < 2000; ++i) {
      if (auto p = txn.Put(Table::kShoppers, "k" + std::to_string(i), value); !p.ok()) return p;
    }
    return core::Status::Ok();
  };
  const auto put_one = [&](store::WriteTxn& txn) { return txn.Put(Table::kShoppers, "one", "1"); };
  CHECK((*env)->MapFullError().empty());
  SECTION("single write") {
    core::Status s = (*env)->Write(put_many);
    // 503 for a request that needed the write (Amazon retries), not a 400 that blames it.
    CHECK(s.code() == core::StatusCode::kUnavailable);
    CHECK(s.message().find("store.max_map_size_mib") != std::string::npos);
  }
  SECTION("group commit: every job gets the refusal") {
    const std::vector<std::function<core::Status(store::WriteTxn&)>> jobs = {put_one, put_many};
    std::vector<core::Status> results;
    core::Status s = (*env)->WriteBatch(jobs, results);
    CHECK(s.code() == core::StatusCode::kUnavailable);
    REQUIRE(results.size() == 2);
    CHECK(results[0].code() == core::StatusCode::kUnavailable);  // its commit was aborted too
    CHECK(results[1].code() == core::StatusCode::kUnavailable);
  }
  CHECK((*env)->MapFullError().find("raise store.max_map_size_mib") != std::string::npos);
  CHECK((*env)->Stats().entries[static_cast<size_t>(Table::kShoppers)] == 0);  // nothing torn
  CHECK((*env)->NoSpaceError().empty());

  // A write that fits clears the state by itself.
  REQUIRE((*env)->Write(put_one).ok());
  CHECK((*env)->MapFullError().empty());
}

TEST_CASE("a store with a newer schema version is refused") {
  TempDir dir;
  {
    auto env = store::Env::Open(Options(dir));
    REQUIRE(env.ok());
    REQUIRE((*env)
                ->Write([](store::WriteTxn& txn) {
                  store::Encoder e;
                  e.U32(store::kSchemaVersion + 1);
                  return txn.Put(Table::kMeta, "schema_version", e.bytes());
                })
                .ok());
  }
  auto env = store::Env::Open(Options(dir));
  REQUIRE_FALSE(env.ok());
  CHECK(env.status().code() == core::StatusCode::kFailedPrecondition);
  CHECK(env.status().message().find("newer than this build") != std::string::npos);
}

TEST_CASE("an older store is migrated step by step, once") {
  TempDir dir;
  {
    auto env = store::Env::Open(Options(dir));  // this build's version
    REQUIRE(env.ok());
  }
  int runs = 0;
  std::vector<store::Migration> steps(store::Migrations().begin(), store::Migrations().end());
  steps.push_back({store::kSchemaVersion, "test step: add a marker", [&](store::WriteTxn& txn) {
                     ++runs;
                     return txn.Put(Table::kMeta, "marker", "migrated");
                   }});
  auto options = Options(dir);
  options.migrations = steps;
  {
    auto env = store::Env::Open(options);
    REQUIRE(env.ok());
    CHECK((*env)->schema_version() == store::kSchemaVersion + 1);
    CHECK(ReadValue(**env, Table::kMeta, "marker") == "migrated");
  }
  auto again = store::Env::Open(options);
  REQUIRE(again.ok());
  CHECK(runs == 1);
  // The build that does not know the test step now refuses the migrated store.
  auto old_build = store::Env::Open(Options(dir));
  CHECK(old_build.status().code() == core::StatusCode::kFailedPrecondition);
}

TEST_CASE("a version-1 store is migrated to the current schema with its data kept") {
  TempDir dir;
  {
    auto options = Options(dir);
    options.migrations = store::Migrations().subspan(0, 1);  // what a version-1 build did
    auto v1 = store::Env::Open(options);
    REQUIRE(v1.ok());
    CHECK((*v1)->schema_version() == 1);
    REQUIRE((*v1)
                ->Write([](store::WriteTxn& txn) { return txn.Put(Table::kShoppers, "kept", "x"); })
                .ok());
  }
  auto env = store::Env::Open(Options(dir));
  REQUIRE(env.ok());
  CHECK((*env)->schema_version() == store::kSchemaVersion);
  CHECK(ReadValue(**env, Table::kShoppers, "kept") == "x");
  REQUIRE(
      (*env)->Write([](store::WriteTxn& txn) { return txn.Put(Table::kTrips, "t", "v"); }).ok());
}

TEST_CASE("migrating to schema 2 re-keys decisions by sequence in decision-time order") {
  TempDir dir;
  auto legacy_value = [](int64_t decided_ms, const char* shopper) {
    store::Encoder e;  // record version 1: ids in the key
    e.U8(1);
    e.Str(shopper);
    e.Str("store");
    e.I64(decided_ms);
    e.I64(0);
    e.U8(1);
    e.Str("ledger_clear");
    e.U8(0);
    e.Str("");
    e.U32(7);
    return e.Take();
  };
  {
    auto options = Options(dir);
    options.migrations = store::Migrations().subspan(0, 1);
    auto v1 = store::Env::Open(options);
    REQUIRE(v1.ok());
    REQUIRE((*v1)
                ->Write([&](store::WriteTxn& txn) {
                  if (auto s = txn.Put(Table::kDecisions, *store::DecisionKey("trip-b", "ev"),
                                       legacy_value(200, "bob"));
                      !s.ok())
                    return s;
                  return txn.Put(Table::kDecisions, *store::DecisionKey("trip-a", "ev"),
                                 legacy_value(100, "alice"));
                })
                .ok());
  }
  auto env = store::Env::Open(Options(dir));
  REQUIRE(env.ok());
  std::vector<store::DecisionRecord> rows;
  REQUIRE((*env)
              ->Read([&](const store::ReadTxn& txn) {
                return txn.Scan(Table::kDecisions, {}, [&](std::string_view k, std::string_view v) {
                  rows.push_back(store::DecodeDecision(k, v).value());
                  return true;
                });
              })
              .ok());
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].sequence == 1);
  CHECK(rows[0].trip_id == "trip-a");
  CHECK(rows[0].shopper_id == "alice");
  CHECK(rows[1].sequence == 2);
  CHECK(rows[1].trip_id == "trip-b");
  CHECK(rows[1].latency_us == 7);
}

TEST_CASE("migrating to schema 3 re-encodes trips with typed refund states and receipt flags") {
  TempDir dir;
  MakeSchema2Store(dir, [](store::WriteTxn& txn) {
    const std::string refunds =
        R"([{"id":"r1","amount":100,"state":"pending"},{"id":"r2","amount":50,"state":"done",)"
        R"("reconciliation":"rec-2"},{"id":"r3","amount":20,"state":"failed"}])";
    const std::string receipt_history =
        R"([{"at":1,"event":"captured"},{"at":2,"event":"transactional_data"},)"
        R"({"at":3,"event":"shopper_identity"}])";
    if (auto s = txn.Put(
            Table::kTrips, "t-receipt",
            legacy::TripV1("t-receipt", refunds, R"({"brand":"VISA"})", receipt_history, true));
        !s.ok()) {
      return s;
    }
    // Receipt data half-fetched: no identity answer yet.
    if (auto s = txn.Put(Table::kTrips, "t-half",
                         legacy::TripV1("t-half", "[]", R"({"brand":"VISA"})",
                                        R"([{"at":1,"event":"transactional_data"}])", false));
        !s.ok()) {
      return s;
    }
    return txn.Put(Table::kTrips, "t-bare",
                   legacy::TripV1("t-bare", "[]", "", R"([{"at":1,"event":"created"}])", false));
  });
  auto env = store::Env::Open(Options(dir));
  REQUIRE(env.ok());
  CHECK((*env)->schema_version() == store::kSchemaVersion);
  auto trip = [&](std::string_view id) {
    const std::string bytes = ReadValue(**env, Table::kTrips, id);
    REQUIRE(!bytes.empty());
    CHECK(bytes[0] == 2);  // re-encoded, not only readable
    auto t = store::DecodeTrip(bytes);
    REQUIRE(t.ok());
    return *t;
  };
  const store::TripRecord receipt = trip("t-receipt");
  REQUIRE(receipt.refunds.size() == 3);
  CHECK(receipt.refunds[0].state == store::RefundState::kPending);
  CHECK(receipt.refunds[0].amount == 100);
  CHECK(receipt.refunds[1].state == store::RefundState::kDone);
  CHECK(receipt.refunds[1].reconciliation_id == "rec-2");
  CHECK(receipt.refunds[2].state == store::RefundState::kFailed);
  CHECK(receipt.have_transactional_data);
  CHECK(receipt.have_shopper_identity);
  CHECK(receipt.receipt_complete);
  CHECK(receipt.transactional_data == R"({"brand":"VISA"})");
  CHECK(receipt.history.size() == 3);
  CHECK(receipt.captured == 500);
  CHECK(receipt.state == store::TripState::kCaptured);

  const store::TripRecord half = trip("t-half");
  CHECK(half.have_transactional_data);
  CHECK_FALSE(half.have_shopper_identity);
  CHECK_FALSE(half.receipt_complete);

  const store::TripRecord bare = trip("t-bare");
  CHECK_FALSE(bare.have_transactional_data);
  CHECK_FALSE(bare.have_shopper_identity);
  CHECK(bare.refunds.empty());
}

TEST_CASE("migrating to schema 3 re-keys every debt with its kind, balances unchanged") {
  TempDir dir;
  const std::string long_trip(250, 'L');
  std::string shopper_before;
  MakeSchema2Store(dir, [&](store::WriteTxn& txn) {
    const std::vector<std::pair<std::string, std::string>> rows = {
        {legacy::DebtKey("alice", "t-declined"), legacy::DebtValue(1000, "USD", 1)},
        // A partial capture, then the expiry's remainder under the suffixed id.
        {legacy::DebtKey("alice", "t-partial"), legacy::DebtValue(400, "USD", 2)},
        {legacy::DebtKey("alice", "t-partial-expired"), legacy::DebtValue(600, "USD", 3)},
        // Expired with nothing else owed: booked under the trip's own id; settled since.
        {legacy::DebtKey("alice", "t-plain"), legacy::DebtValue(500, "USD", 3, 2)},
        {legacy::DebtKey("alice", "t-manual"), legacy::DebtValue(300, "USD", 4)},
        // A trip whose real id ends in "-expired" and that expired on its own.
        {legacy::DebtKey("bob", "x-expired"), legacy::DebtValue(700, "EUR", 3)},
        // The shortened legacy id of a long trip id.
        {legacy::DebtKey("carol", long_trip), legacy::DebtValue(100, "USD", 2)},
        {legacy::DebtKey("carol", legacy::ExpiredDebtTripId(long_trip)),
         legacy::DebtValue(200, "USD", 3)},
    };
    for (const auto& [k, v] : rows) {
      if (auto s = txn.Put(Table::kDebts, k, v); !s.ok()) return s;
    }
    store::ShopperRecord alice;  // the shopper encoding is the same in schemas 2 and 3
    alice.open_debt = {{2300, *core::FindCurrency("USD")}};
    alice.open_debt_count = 4;
    shopper_before = store::EncodeShopper(alice);
    return txn.Put(Table::kShoppers, "alice", shopper_before);
  });
  REQUIRE(legacy::ExpiredDebtTripId(long_trip).find('~') != std::string::npos);

  auto env = store::Env::Open(Options(dir));
  REQUIRE(env.ok());
  CHECK((*env)->schema_version() == store::kSchemaVersion);
  std::map<std::tuple<std::string, std::string, store::DebtKind>, store::DebtRecord> debts;
  REQUIRE((*env)
              ->Read([&](const store::ReadTxn& txn) {
                return txn.Scan(Table::kDebts, {}, [&](std::string_view k, std::string_view v) {
                  auto d = store::DecodeDebt(k, v);
                  REQUIRE(d.ok());
                  debts[{d->shopper_id, d->trip_id, d->kind}] = *d;
                  return true;
                });
              })
              .ok());
  REQUIRE(debts.size() == 8);
  auto debt = [&](const std::string& shopper, const std::string& trip, store::DebtKind kind) {
    auto it = debts.find({shopper, trip, kind});
    REQUIRE(it != debts.end());
    return it->second;
  };
  using store::DebtKind;
  CHECK(debt("alice", "t-declined", DebtKind::kTrip).amount.minor == 1000);
  CHECK(debt("alice", "t-declined", DebtKind::kTrip).cause == store::DebtCause::kDeclinedAdjust);
  CHECK(debt("alice", "t-partial", DebtKind::kTrip).amount.minor == 400);
  const store::DebtRecord remainder = debt("alice", "t-partial", DebtKind::kExpired);
  CHECK(remainder.amount.minor == 600);
  CHECK(remainder.cause == store::DebtCause::kExpiredPreAuth);
  CHECK(remainder.state == store::DebtState::kOpen);
  CHECK(remainder.origin_store == "store-1");
  CHECK(remainder.created_ms == 1000);
  const store::DebtRecord plain = debt("alice", "t-plain", DebtKind::kExpired);
  CHECK(plain.state == store::DebtState::kSettled);
  CHECK(plain.settlement_ref == "ref-1");
  CHECK(plain.settled_ms == 2000);
  CHECK(debt("alice", "t-manual", DebtKind::kManual).amount.minor == 300);
  const store::DebtRecord own = debt("bob", "x-expired", DebtKind::kExpired);
  CHECK(own.amount == core::Money{700, *core::FindCurrency("EUR")});
  CHECK(debt("carol", long_trip, DebtKind::kTrip).amount.minor == 100);
  CHECK(debt("carol", long_trip, DebtKind::kExpired).amount.minor == 200);
  // No debt is left under a legacy "-expired" id.
  CHECK(debts.count({"alice", "t-partial-expired", DebtKind::kExpired}) == 0);
  CHECK(debts.count({"carol", legacy::ExpiredDebtTripId(long_trip), DebtKind::kExpired}) == 0);
  // The same debts stay open, so the shopper record (the gate's balance) is untouched.
  CHECK(ReadValue(**env, Table::kShoppers, "alice") == shopper_before);
}

TEST_CASE("a schema-2 trip that does not decode stops the migration and names the trip") {
  TempDir dir;
  MakeSchema2Store(dir, [](store::WriteTxn& txn) {
    if (auto s = txn.Put(Table::kTrips, "t-good", legacy::TripV1("t-good", "[]", "", "[]", false));
        !s.ok()) {
      return s;
    }
    return txn.Put(
        Table::kTrips, "t-broken",
        legacy::TripV1("t-broken", R"([{"id":"r","state":"refunded"}])", "", "[]", false));
  });
  auto env = store::Env::Open(Options(dir));
  REQUIRE_FALSE(env.ok());
  CHECK(env.status().code() == core::StatusCode::kCorruption);
  CHECK(env.status().message().find("migration 2->3") != std::string::npos);
  CHECK(env.status().message().find("t-broken") != std::string::npos);
  // All or nothing: the store is still a schema-2 store, every row as it was.
  auto options = Options(dir);
  options.migrations = store::Migrations().subspan(0, 2);
  auto v2 = store::Env::Open(options);
  REQUIRE(v2.ok());
  CHECK((*v2)->schema_version() == 2);
  CHECK(ReadValue(**v2, Table::kTrips, "t-good")[0] == 1);
}

TEST_CASE("append keeps key order and reverse scans walk back from the newest") {
  TempDir dir;
  auto env = store::Env::Open(Options(dir));
  REQUIRE(env.ok());
  REQUIRE((*env)
              ->Write([](store::WriteTxn& txn) {
                for (uint64_t i = 1; i <= 3; ++i) {
                  if (auto s = txn.Append(Table::kAudit, store::BigEndianKey(i), "v"); !s.ok())
                    return s;
                }
                CHECK(txn.Append(Table::kAudit, store::BigEndianKey(2), "v").code() ==
                      core::StatusCode::kAlreadyExists);
                return core::Status::Ok();
              })
              .ok());
  std::vector<uint64_t> seen;
  REQUIRE((*env)
              ->Read([&](const store::ReadTxn& txn) {
                return txn.ScanReverse(Table::kAudit, [&](std::string_view k, std::string_view) {
                  seen.push_back(store::FromBigEndianKey(k));
                  return seen.size() < 2;
                });
              })
              .ok());
  CHECK(seen == std::vector<uint64_t>{3, 2});
}

TEST_CASE("a failing migration leaves the store untouched") {
  TempDir dir;
  { REQUIRE(store::Env::Open(Options(dir)).ok()); }
  std::vector<store::Migration> steps(store::Migrations().begin(), store::Migrations().end());
  steps.push_back({store::kSchemaVersion, "broken step", [](store::WriteTxn& txn) {
                     (void)txn.Put(Table::kMeta, "half", "done");
                     return core::Corruption("cannot convert");
                   }});
  auto options = Options(dir);
  options.migrations = steps;
  auto env = store::Env::Open(options);
  REQUIRE_FALSE(env.ok());
  const std::string step =
      std::to_string(store::kSchemaVersion) + "->" + std::to_string(store::kSchemaVersion + 1);
  CHECK(env.status().message().find("migration " + step) != std::string::npos);
  auto current = store::Env::Open(Options(dir));
  REQUIRE(current.ok());
  CHECK((*current)->schema_version() == store::kSchemaVersion);
  CHECK(ReadValue(**current, Table::kMeta, "half").empty());
}

TEST_CASE("a directory holding another program's LMDB store is refused") {
  TempDir dir;
  {
    auto env = store::Env::Open(Options(dir));
    REQUIRE(env.ok());
    REQUIRE((*env)
                ->Write([](store::WriteTxn& txn) {
                  return txn.Put(Table::kMeta, "format", "something-else");
                })
                .ok());
  }
  auto env = store::Env::Open(Options(dir));
  CHECK(env.status().code() == core::StatusCode::kFailedPrecondition);
}

TEST_CASE("a corrupt data file is an error, not a crash") {
  TempDir dir;
  {
    std::ofstream f(dir.path / "data.mdb", std::ios::binary);
    f << std::string(8192, 'x');
  }
  auto env = store::Env::Open(Options(dir));
  REQUIRE_FALSE(env.ok());
  CHECK(env.status().code() == core::StatusCode::kIoError);
}

TEST_CASE("prefix scans stop at the end of the prefix") {
  TempDir dir;
  auto env = store::Env::Open(Options(dir));
  REQUIRE(env.ok());
  REQUIRE((*env)
              ->Write([](store::WriteTxn& txn) {
                for (const char* k : {"a1", "b1", "b2", "b3", "c1"}) {
                  if (auto s = txn.Put(Table::kDebts, k, "v"); !s.ok()) return s;
                }
                return core::Status::Ok();
              })
              .ok());
  std::vector<std::string> seen;
  REQUIRE((*env)
              ->Read([&](const store::ReadTxn& txn) {
                return txn.Scan(Table::kDebts, "b", [&](std::string_view k, std::string_view) {
                  seen.emplace_back(k);
                  return true;
                });
              })
              .ok());
  CHECK(seen == std::vector<std::string>{"b1", "b2", "b3"});
}

TEST_CASE("read transactions are reused per thread and see committed writes") {
  TempDir dir;
  auto env = store::Env::Open(Options(dir));
  REQUIRE(env.ok());
  for (int i = 0; i < 100; ++i) {
    REQUIRE((*env)
                ->Write([&](store::WriteTxn& txn) {
                  return txn.Put(Table::kMeta, "n", std::to_string(i));
                })
                .ok());
    CHECK(ReadValue(**env, Table::kMeta, "n") == std::to_string(i));
  }
  CHECK((*env)->Stats().readers_used <= 2);
}

TEST_CASE("threads that read and exit give their reader slots back") {
  TempDir dir;
  auto options = Options(dir);
  options.max_readers = 8;
  auto env = store::Env::Open(options);
  REQUIRE(env.ok());
  // A thread per control connection, as the control server runs them. Before the fix each
  // exited thread kept its cached read transaction's slot: the 9th read failed for good.
  for (int i = 0; i < 50; ++i) {
    core::Status s;
    std::thread([&] {
      s = (*env)->Read(
          [](const store::ReadTxn& txn) { return txn.Get(Table::kShoppers, "nobody").status(); });
    }).join();
    REQUIRE(s.ok());
  }
  CHECK((*env)->Stats().readers_used <= 2);
}

TEST_CASE("a thread that outlives the Env it read from exits cleanly") {
  TempDir dir;
  auto env = store::Env::Open(Options(dir));
  REQUIRE(env.ok());
  std::promise<void> env_closed;
  std::promise<void> read_done;
  std::thread reader([&] {
    (void)(*env)->Read([](const store::ReadTxn&) { return core::Status::Ok(); });
    read_done.set_value();
    env_closed.get_future().wait();
  });  // exits after the Env is gone: its cached transaction must not be touched
  read_done.get_future().wait();
  env->reset();
  env_closed.set_value();
  reader.join();  // without the fix: the exit hook aborted a transaction of a closed env
  auto again = store::Env::Open(Options(dir));
  REQUIRE(again.ok());
  CHECK((*again)->Read([](const store::ReadTxn&) { return core::Status::Ok(); }).ok());
}
