// A damaged, lost or full store: refused with a clear error, never a crash or a silent reset.
#include "store/env.h"

#include <catch2/catch_test_macros.hpp>
#include <filesystem>
#include <random>
#include <string>

using namespace jwo;
using store::Table;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("jwo-store-damage-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

store::EnvOptions Options(const TempDir& dir) {
  store::EnvOptions o;
  o.directory = dir.path.string();
  o.map_size_bytes = 4 << 20;
  o.max_map_size_bytes = 64 << 20;
  return o;
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
