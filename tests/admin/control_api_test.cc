#include "admin/control_api.h"

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <memory>
#include <string>

#include "ledger/ledger.h"
#include "tests/support/temp_dir.h"

namespace jwo::admin {
namespace {

namespace json = boost::json;

struct Api {
  testing::TempDir dir;
  std::unique_ptr<store::Env> env_owner;
  std::atomic<store::Env*> env{nullptr};
  config::ConfigHolder config{std::make_shared<const config::Config>()};
  core::FakeClock clock;
  json::object last_gate_request;
  std::unique_ptr<ControlApi> api;

  Api() {
    store::EnvOptions o;
    o.directory = dir.path();
    o.map_size_bytes = 4 << 20;
    env_owner = store::Env::Open(o).value();
    env = env_owner.get();
    ControlApi::Deps deps;
    deps.env = &env;
    deps.config = &config;
    deps.clock = &clock;
    deps.status = [] { return json::object{}; };
    deps.gate = [this](const json::object& req) -> core::Result<json::object> {
      last_gate_request = req;
      return json::object{{"done", true}};
    };
    deps.payment_policy = [] { return payments::LifecyclePolicy{}; };
    api = std::make_unique<ControlApi>(std::move(deps));
  }

  json::object Ask(const json::object& req, const std::string& actor = "alice") {
    return json::parse(api->Handle(json::serialize(req), actor)).as_object();
  }

  std::vector<store::AuditRecord> Audit() {
    std::vector<store::AuditRecord> out;
    REQUIRE(env_owner
                ->Read([&](const store::ReadTxn& txn) {
                  auto a = ledger::RecentAudit(txn, 100);
                  if (a.ok()) out = *a;
                  return a.status();
                })
                .ok());
    return out;
  }
};

std::string Error(const json::object& answer) {
  if (answer.at("ok").as_bool()) return "";
  return std::string(answer.at("error").as_string());
}

}  // namespace

TEST_CASE("blank, whitespace or control-character ids and reasons are refused like the HTTP APIs") {
  Api a;
  const auto add = [&](std::string shopper, std::string trip, std::string reason) {
    return a.Ask({{"command", "debt.add"},
                  {"shopper", shopper},
                  {"trip", trip},
                  {"amount", "1.00"},
                  {"currency", "USD"},
                  {"reason", reason}});
  };
  CHECK(Error(add("   ", "t1", "r")) == "argument 'shopper' must not be empty");
  CHECK(Error(add("s\x01", "t1", "r")) == "argument 'shopper' must not contain control characters");
  CHECK(Error(add("s", "trip 1", "r")) == "argument 'trip' must match ^[0-9a-zA-Z_-]+$");
  CHECK(Error(add("s", "t1", " \t ")) == "argument 'reason' must not be empty");
  CHECK(Error(add("s", "t1", "")) == "a reason is required for debt.add");
  CHECK(Error(add("s", "t1", "bad\nreason")) ==
        "argument 'reason' must not contain control characters");
  CHECK(Error(a.Ask({{"command", "shopper.block"}, {"shopper", "\t"}, {"reason", "r"}})) ==
        "argument 'shopper' must not be empty");
  CHECK(Error(a.Ask({{"command", "debt.settle"},
                     {"shopper", "s"},
                     {"trip", "t1"},
                     {"reference", "  "},
                     {"reason", "r"}})) == "argument 'reference' must not be empty");
  CHECK(a.Audit().empty());
  CHECK(Error(add("s", "t1", "paid twice")).empty());
}

TEST_CASE("a reason over the documented 1024 bytes is refused, never truncated") {
  Api a;
  const std::string huge(70'000, 'r');  // past the u16 length: it used to wrap
  auto answer = a.Ask({{"command", "shopper.block"}, {"shopper", "s"}, {"reason", huge}});
  CHECK(Error(answer) == "argument 'reason' must be at most 1024 bytes");
  CHECK(a.Audit().empty());
  answer =
      a.Ask({{"command", "shopper.block"}, {"shopper", "s"}, {"reason", std::string(1024, 'r')}});
  CHECK(Error(answer).empty());
  REQUIRE(a.Audit().size() == 1);
  CHECK(a.Audit()[0].reason == std::string(1024, 'r'));
}

TEST_CASE("gate commands that change state need a reason and leave an audit row with the actor") {
  Api a;
  auto refused =
      a.Ask({{"command", "gate.mode"}, {"gate", "entry"}, {"lane", "2"}, {"mode", "locked"}});
  CHECK(Error(refused) == "a reason is required for gate.mode");
  refused = a.Ask({{"command", "gate.control"},
                   {"gate", "entry"},
                   {"request", {{"op", "emergency"}, {"active", true}, {"lane", 0}}}});
  CHECK(Error(refused) == "a reason is required for gate.control");
  CHECK(a.last_gate_request.empty());  // the gate was never asked
  CHECK(a.Audit().empty());

  auto done = a.Ask({{"command", "gate.mode"},
                     {"gate", "entry"},
                     {"lane", "2"},
                     {"mode", "locked"},
                     {"reason", "wet floor"}},
                    "bob");
  CHECK(Error(done).empty());
  CHECK(a.last_gate_request.at("mode") == "locked");
  CHECK(a.last_gate_request.if_contains("reason") == nullptr);
  REQUIRE(a.Audit().size() == 1);
  const store::AuditRecord row = a.Audit()[0];
  CHECK(row.actor == "bob");
  CHECK(row.action == "gate.mode");
  CHECK(row.detail == "gate entry lane 2 mode locked");
  CHECK(row.reason == "wet floor");

  // Reading state changes nothing and needs no reason.
  CHECK(Error(a.Ask({{"command", "gate.status"}})).empty());
  CHECK(
      Error(a.Ask({{"command", "gate.control"}, {"gate", "entry"}, {"request", {{"op", "state"}}}}))
          .empty());
  CHECK(a.Audit().size() == 1);
}

TEST_CASE("a refund needs an operator's reason besides Amazon's reason code") {
  Api a;
  auto answer = a.Ask(
      {{"command", "refund"}, {"trip", "t1"}, {"amount", "1.00"}, {"reason_code", "DAMAGED_ITEM"}});
  CHECK(Error(answer) == "a reason is required for refund");
}

}  // namespace jwo::admin
