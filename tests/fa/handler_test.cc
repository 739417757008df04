#include "fa/handler.h"

#include <catch2/catch_test_macros.hpp>
#include <thread>

#include "tests/store/store_temp_dir.h"

using namespace jwo;

namespace {

struct Fixture {
  testing::StoreTempDir dir;
  std::unique_ptr<store::Env> env;
  std::atomic<store::Env*> env_ptr{nullptr};
  std::shared_ptr<config::Config> first = Config("store-1");
  config::ConfigHolder holder{first};
  fa::FaMetrics metrics;
  fa::DecisionLog log{first->audit};
  core::SystemClock clock;
  fa::AuthorizationHandler handler{{&holder, &env_ptr, &log, &metrics, &clock, nullptr}};

  Fixture() {
    env = store::Env::Open(testing::StoreOptions(dir, 8 << 20)).value();
    env_ptr = env.get();
    log.Attach(env.get());
  }
  ~Fixture() {
    log.Stop();
    env.reset();
  }
  static std::shared_ptr<config::Config> Config(const std::string& store_id) {
    auto c = std::make_shared<config::Config>();
    c->store_id = store_id;
    return c;
  }
  http::Response Tap(const std::string& store_id) const {
    http::Request r;
    r.method = "POST";
    r.body = R"({"storeId":")" + store_id +
             R"(","shopperIdentity":{"id":"shopper-1"},"shopperInteraction":)"
             R"({"shoppingTripId":"trip-1","gateAuthenticationEvent":{"id":"ev-1"}}})";
    return handler.Handle(r);
  }
};

}  // namespace

TEST_CASE("a configuration reload applies from the next tap on the same thread") {
  Fixture f;
  CHECK(f.Tap("store-1").status == 200);
  CHECK(f.Tap("store-2").status == 404);
  f.holder.Replace(Fixture::Config("store-2"));
  CHECK(f.Tap("store-2").status == 200);  // this thread's snapshot was refreshed
  CHECK(f.Tap("store-1").status == 404);
  // Another thread sees the same configuration.
  int other = 0;
  std::thread([&] { other = f.Tap("store-2").status; }).join();
  CHECK(other == 200);
  f.holder.Replace(Fixture::Config("store-1"));
  std::thread([&] { other = f.Tap("store-2").status; }).join();
  CHECK(other == 404);
}

TEST_CASE("answers in a row on one thread do not carry a request's fields into the next") {
  Fixture f;
  CHECK(f.Tap("store-1").status == 200);
  CHECK(f.Tap("bad store id!").status == 400);
  const http::Response ok = f.Tap("store-1");
  CHECK(ok.status == 200);
  CHECK(ok.body == R"({"status":"APPROVED"})");
  f.log.Stop();
  CHECK(f.log.Stats().written == 2);  // the refused request decided nothing
}
