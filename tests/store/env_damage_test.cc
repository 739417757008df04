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
