#include "config/config_holder.h"

#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace jwo::config {
namespace {

std::shared_ptr<const Config> Named(const std::string& store_id) {
  auto c = std::make_shared<Config>();
  c->store_id = store_id;
  return c;
}

TEST_CASE("a snapshot stays valid however often Current() and Replace() are called") {
  ConfigHolder holder(Named("first"));
  const std::shared_ptr<const Config> request = holder.Current();
  holder.Replace(Named("second"));
  // A callee on the same thread asks again: it used to free the caller's snapshot here.
  const std::shared_ptr<const Config> callee = holder.Current();
  holder.Replace(Named("third"));
  (void)holder.Current();
  CHECK(request->store_id == "first");
  CHECK(callee->store_id == "second");
  CHECK(holder.Current()->store_id == "third");
}

TEST_CASE("readers on many threads see whole configurations while one thread replaces them") {
  ConfigHolder holder(Named("s0"));
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!stop) {
        const auto snap = holder.Current();
        const std::string before = snap->store_id;
        (void)holder.Current();  // a callee's call does not disturb this snapshot
        if (snap->store_id != before || before.empty() || before[0] != 's') ++torn;
      }
    });
  }
  for (int i = 1; i < 2000; ++i) holder.Replace(Named("s" + std::to_string(i)));
  stop = true;
  for (auto& r : readers) r.join();
  CHECK(torn == 0);
}

}  // namespace
}  // namespace jwo::config

namespace jwo::config {
namespace {

TEST_CASE("the generation changes with every Replace() and differs between holders") {
  ConfigHolder a(Named("a"));
  ConfigHolder b(Named("b"));
  const uint64_t a0 = a.Generation();
  CHECK(a0 != b.Generation());
  CHECK(a.Generation() == a0);  // reading changes nothing
  a.Replace(Named("a2"));
  const uint64_t a1 = a.Generation();
  CHECK(a1 != a0);
  CHECK(a1 != b.Generation());
  a.Replace(Named("a3"));
  CHECK(a.Generation() != a1);
}

}  // namespace
}  // namespace jwo::config
