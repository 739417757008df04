#include "store/writer.h"

#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <filesystem>
#include <future>
#include <random>

using namespace jwo;
using store::Table;

namespace {

struct Fixture {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("jwo-writer-" + std::to_string(std::random_device{}()));
  std::unique_ptr<store::Env> env;
  Fixture() {
    store::EnvOptions o;
    o.directory = dir.string();
    o.map_size_bytes = 1 << 20;
    env = store::Env::Open(o).value();
  }
  ~Fixture() {
    env.reset();
    std::filesystem::remove_all(dir);
  }
  bool Has(const std::string& key) {
    bool found = false;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 auto v = txn.Get(Table::kMeta, key);
                 found = v.ok() && v->has_value();
                 return core::Status::Ok();
               })
                .ok());
    return found;
  }
};

}  // namespace

TEST_CASE("a failing job in a batch aborts only itself") {
  Fixture f;
  std::vector<std::function<core::Status(store::WriteTxn&)>> jobs = {
      [](store::WriteTxn& t) { return t.Put(Table::kMeta, "a", "1"); },
      [](store::WriteTxn& t) {
        (void)t.Put(Table::kMeta, "b", "1");
        return core::InvalidArgument("no");
      },
      [](store::WriteTxn& t) { return t.Put(Table::kMeta, "c", "1"); },
  };
  std::vector<core::Status> results;
  REQUIRE(f.env->WriteBatch(jobs, results).ok());
  CHECK(results[0].ok());
  CHECK(results[1].code() == core::StatusCode::kInvalidArgument);
  CHECK(results[2].ok());
  CHECK(f.Has("a"));
  CHECK_FALSE(f.Has("b"));
  CHECK(f.Has("c"));
}

TEST_CASE("a batch that fills the map grows it and runs again") {
  Fixture f;
  std::vector<std::function<core::Status(store::WriteTxn&)>> jobs;
  for (int j = 0; j < 4; ++j) {
    jobs.push_back([j](store::WriteTxn& t) {
      for (int i = 0; i < 200; ++i) {
        if (auto s = t.Put(Table::kShoppers, std::to_string(j * 1000 + i), std::string(2000, 'x'));
            !s.ok())
          return s;
      }
      return core::Status::Ok();
    });
  }
  std::vector<core::Status> results;
  REQUIRE(f.env->WriteBatch(jobs, results).ok());
  for (const auto& r : results) CHECK(r.ok());
  CHECK(f.env->Stats().entries[static_cast<size_t>(Table::kShoppers)] == 800);
}

TEST_CASE("the writer reports each job after its commit, and drains on Stop") {
  Fixture f;
  store::Writer writer(*f.env);
  writer.Start();
  std::atomic<int> done{0}, failed{0};
  for (int i = 0; i < 500; ++i) {
    REQUIRE(writer.Submit(
        [i](store::WriteTxn& t) {
          if (i % 100 == 7) return core::InvalidArgument("bad");
          return t.Put(Table::kMeta, "k" + std::to_string(i), "v");
        },
        [&](const core::Status& s) { (s.ok() ? done : failed)++; }));
  }
  writer.Stop();
  CHECK(done == 495);
  CHECK(failed == 5);
  CHECK(f.Has("k0"));
  CHECK_FALSE(f.Has("k7"));
  const auto stats = writer.GetStats();
  CHECK(stats.jobs == 500);
  CHECK(stats.batches <= 500);
  CHECK_FALSE(writer.Submit([](store::WriteTxn&) { return core::Status::Ok(); }, nullptr));
}

TEST_CASE("a full writer queue refuses instead of growing") {
  Fixture f;
  store::Writer writer(*f.env, /*queue_max=*/2, /*batch_max=*/1);
  writer.Start();
  std::promise<void> release;
  auto gate = release.get_future().share();
  int accepted = 0;
  for (int i = 0; i < 10; ++i) {
    accepted += writer.Submit(
                    [gate](store::WriteTxn&) {
                      gate.wait();
                      return core::Status::Ok();
                    },
                    nullptr)
                    ? 1
                    : 0;
  }
  release.set_value();
  writer.Stop();
  CHECK(accepted >= 2);
  CHECK(accepted <= 3);  // one may already be running when the others arrive
}
