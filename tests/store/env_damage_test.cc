// A damaged, lost or full store: refused with a clear error, never a crash or a silent reset.
#include "store/env.h"

#include <catch2/catch_test_macros.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "store/writer.h"
#include "tests/store/store_temp_dir.h"

using namespace jwo;
using store::Table;

namespace {

using TempDir = testing::StoreTempDir;

store::EnvOptions Options(const TempDir& dir) {
  return testing::StoreOptions(dir, 4 << 20, 64 << 20);
}

// Fills the store with about 1 MB of shopper rows, so the data file has many pages.
void Fill(const TempDir& dir) {
  auto env = store::Env::Open(Options(dir));
  REQUIRE(env.ok());
  REQUIRE((*env)
              ->Write([](store::WriteTxn& txn) {
                for (int i = 0; i < 2000; ++i) {
                  if (auto s = txn.Put(Table::kShoppers, "shopper-" + std::to_string(i),
                                       std::string(500, 'v'));
                      !s.ok())
                    return s;
                }
                return core::Status::Ok();
              })
              .ok());
}

bool Contains(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

}  // namespace

TEST_CASE("a truncated data.mdb is refused at open, naming the file and both sizes") {
  TempDir dir;
  Fill(dir);
  const auto data = dir.path / "data.mdb";
  const uint64_t full = std::filesystem::file_size(data);
  REQUIRE(full > 512 * 1024);
  for (uint64_t size : {full / 2, uint64_t{3 * 4096}}) {
    DYNAMIC_SECTION("truncated to " << size << " bytes") {
      std::filesystem::resize_file(data, size);
      auto env = store::Env::Open(Options(dir));  // before the fix: SIGBUS
      REQUIRE_FALSE(env.ok());
      CHECK(env.status().code() == core::StatusCode::kCorruption);
      const std::string msg = env.status().message();
      CHECK(Contains(msg, data.string()));
      CHECK(Contains(msg, std::to_string(size) + " bytes"));
      CHECK(Contains(msg, "truncated"));
    }
  }
}

TEST_CASE("the first open of an empty directory creates the store and its marker") {
  TempDir dir;
  auto env = store::Env::Open(Options(dir));
  REQUIRE(env.ok());
  CHECK(std::filesystem::file_size(dir.path / "data.mdb") > 0);
  CHECK(std::filesystem::exists(dir.path / store::kStoreMarkerFile));
}

TEST_CASE("a store that existed is never silently recreated") {
  TempDir dir;
  Fill(dir);
  const auto data = dir.path / "data.mdb";
  for (const char* how : {"missing", "empty"}) {
    DYNAMIC_SECTION("data.mdb " << how) {
      if (std::string(how) == "missing") {
        std::filesystem::remove(data);
      } else {
        std::filesystem::resize_file(data, 0);
      }
      auto env = store::Env::Open(Options(dir));
      REQUIRE_FALSE(env.ok());
      CHECK(env.status().code() == core::StatusCode::kFailedPrecondition);
      const std::string msg = env.status().message();
      CHECK(Contains(msg, data.string()));
      CHECK(Contains(msg, how));
      CHECK(Contains(msg, "from a backup"));
      CHECK(Contains(msg, "--init-store"));
      // Nothing was created in its place.
      CHECK((!std::filesystem::exists(data) || std::filesystem::file_size(data) == 0));

      // The explicit operator action creates an empty store.
      store::EnvOptions init = Options(dir);
      init.init_store = true;
      auto fresh = store::Env::Open(init);
      REQUIRE(fresh.ok());
      CHECK((*fresh)->Stats().entries[static_cast<size_t>(Table::kShoppers)] == 0);
    }
  }
}

TEST_CASE("creating a fresh store refuses a directory that holds one") {
  TempDir dir;
  Fill(dir);
  store::EnvOptions init = Options(dir);
  init.init_store = true;
  auto env = store::Env::Open(init);
  REQUIRE_FALSE(env.ok());
  CHECK(env.status().code() == core::StatusCode::kAlreadyExists);
  auto kept = store::Env::Open(Options(dir));
  REQUIRE(kept.ok());
  CHECK((*kept)->Stats().entries[static_cast<size_t>(Table::kShoppers)] == 2000);
}

TEST_CASE("a store from before the marker gets one at its next open") {
  TempDir dir;
  Fill(dir);
  std::filesystem::remove(dir.path / store::kStoreMarkerFile);
  REQUIRE(store::Env::Open(Options(dir)).ok());
  CHECK(std::filesystem::exists(dir.path / store::kStoreMarkerFile));
  std::filesystem::resize_file(dir.path / "data.mdb", 0);
  CHECK_FALSE(store::Env::Open(Options(dir)).ok());
}

namespace {

// Counts fatal-handler calls instead of exiting; makes the next `failures` commits fail with
// `error`.
struct FaultyEnv {
  TempDir dir;
  int fatal_calls = 0;
  int failures = 0;
  int error = 0;
  std::unique_ptr<store::Env> env;

  FaultyEnv() {
    store::EnvOptions o = Options(dir);
    o.on_fatal = [this](const core::Status&) { ++fatal_calls; };
    o.commit_fault = [this] {
      if (failures == 0) return 0;
      --failures;
      return error;
    };
    auto opened = store::Env::Open(std::move(o));
    REQUIRE(opened.ok());
    env = std::move(opened).value();
  }

  core::Status Put(const std::string& key) {
    return env->Write([&](store::WriteTxn& txn) { return txn.Put(Table::kShoppers, key, "v"); });
  }
  core::Status PutBatch(const std::string& key) {
    std::vector<std::function<core::Status(store::WriteTxn&)>> fns = {
        [&](store::WriteTxn& txn) { return txn.Put(Table::kShoppers, key, "v"); }};
    std::vector<core::Status> results;
    return env->WriteBatch(fns, results);
  }
  uint64_t Shoppers() { return env->Stats().entries[static_cast<size_t>(Table::kShoppers)]; }
};

}  // namespace

TEST_CASE("a commit refused for lack of space is an error, not an exit, and recovers by itself") {
  for (int error : {ENOSPC, EDQUOT}) {
    for (bool batch : {false, true}) {
      DYNAMIC_SECTION(std::strerror(error) << (batch ? ", group commit" : ", single write")) {
        FaultyEnv f;
        REQUIRE(f.Put("before").ok());
        f.error = error;
        f.failures = 1;
        const core::Status s = batch ? f.PutBatch("lost") : f.Put("lost");
        CHECK(f.fatal_calls == 0);  // before the fix: the fatal handler, i.e. _exit(75)
        CHECK(s.code() == core::StatusCode::kUnavailable);
        CHECK(Contains(s.message(), "no space"));
        CHECK(Contains(s.message(), f.dir.path.string()));
        CHECK(Contains(f.env->NoSpaceError(), "no space"));
        CHECK(f.Shoppers() == 1);  // aborted: nothing of it is stored, the rest is intact

        // Space is back: the next commit goes through and clears the state.
        REQUIRE((batch ? f.PutBatch("after") : f.Put("after")).ok());
        CHECK(f.env->NoSpaceError().empty());
        CHECK(f.Shoppers() == 2);
      }
    }
  }
}

TEST_CASE("a commit that fails for another reason (a failed fsync) still stops the process") {
  for (bool batch : {false, true}) {
    DYNAMIC_SECTION((batch ? "group commit" : "single write")) {
      FaultyEnv f;
      f.error = EIO;
      f.failures = 1;
      (void)(batch ? f.PutBatch("k") : f.Put("k"));
      CHECK(f.fatal_calls == 1);
      CHECK(f.env->NoSpaceError().empty());
    }
  }
}

TEST_CASE(
    "writer jobs refused for lack of space complete with kUnavailable (Create Purchases: 503)") {
  FaultyEnv f;
  f.error = ENOSPC;
  f.failures = 1;
  store::Writer writer(*f.env);
  std::vector<core::Status> done;
  for (int i = 0; i < 3; ++i) {
    REQUIRE(writer.Submit(
        [i](store::WriteTxn& txn) {
          return txn.Put(Table::kShoppers, "job-" + std::to_string(i), "v");
        },
        [&](const core::Status& s) { done.push_back(s); }));
  }
  writer.RunQueued();
  REQUIRE(done.size() == 3);
  for (const core::Status& s : done) CHECK(s.code() == core::StatusCode::kUnavailable);
  CHECK(f.fatal_calls == 0);
  CHECK(f.Shoppers() == 0);
}
