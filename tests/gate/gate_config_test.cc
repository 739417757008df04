// The `gates:` configuration section (config/gate_parser.cc) and its reload rule.
#include "config/loader.h"

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "config/reload.h"
#include "fa/policy.h"
#include "tests/config/config_test_util.h"

using Catch::Matchers::ContainsSubstring;
using jwo::config::testing::Describe;
using jwo::config::testing::LoadMinimalWith;
using jwo::config::testing::SoleError;

namespace {

constexpr const char* kGate = R"(gates:
  - name: entry
    gate_id: g1
    driver: sim
    settings:
      lanes: 2
      socket: /run/jwo-edge/sim.sock
      heartbeat: true
      label: "2"
      ratio: 0.5
      tags: [a, 1]
    lanes:
      - {id: "1", lane: 1}
      - {id: "2", lane: 2}
    deny_message: Please see a member of staff
    deny_messages:
      open_debt: Outstanding balance - pay at the kiosk
    command_max_age_ms: 2000
)";

}  // namespace

TEST_CASE("a gate is read with its settings converted to JSON as written") {
  auto r = LoadMinimalWith(kGate);
  INFO(Describe(r));
  REQUIRE(r.ok());
  REQUIRE(r.config->gates.size() == 1);
  const auto& g = r.config->gates[0];
  CHECK(g.name == "entry");
  CHECK(g.gate_id == "g1");
  CHECK(g.driver == "sim");
  CHECK(g.settings_json ==
        R"({"lanes":2,"socket":"/run/jwo-edge/sim.sock","heartbeat":true,"label":"2",)"
        R"("ratio":0.5,"tags":["a",1]})");
  REQUIRE(g.lanes.size() == 2);
  CHECK(g.lanes[1].id == "2");
  CHECK(g.lanes[1].lane == 2);
  CHECK(g.deny_message == "Please see a member of staff");
  CHECK(g.deny_messages.at("open_debt") == "Outstanding balance - pay at the kiosk");
  CHECK(g.command_max_age_ms == 2000);
}

TEST_CASE("gate defaults: gate_id is the name, settings {}, lanes numbered by position") {
  auto r =
      LoadMinimalWith("gates:\n  - {name: front, driver: ./drv/x.so, lanes: [{id: a}, {id: b}]}\n");
  INFO(Describe(r));
  REQUIRE(r.ok());
  const auto& g = r.config->gates[0];
  CHECK(g.gate_id == "front");
  CHECK(g.settings_json == "{}");
  CHECK(g.driver == "/etc/jwo/drv/x.so");
  CHECK(g.lanes[1].lane == 2);
  CHECK(g.command_max_age_ms == 3000);
}

TEST_CASE("no gates section: no gates") {
  auto r = LoadMinimalWith("");
  REQUIRE(r.ok());
  CHECK(r.config->gates.empty());
}

TEST_CASE("each gate rule is reported with its key") {
  auto key_of = [](const std::string& yaml) { return SoleError(LoadMinimalWith(yaml)).key; };
  auto rule_of = [](const std::string& yaml) { return SoleError(LoadMinimalWith(yaml)).rule; };
  CHECK(key_of("gates:\n  - {name: a, driver: sim}\n") == "gates[0].lanes");
  CHECK(rule_of("gates:\n  - {name: a, driver: sim}\n") == "required key is missing");
  CHECK(key_of("gates:\n  - {name: 'a b', driver: sim, lanes: [{id: '1'}]}\n") == "gates[0].name");
  CHECK(key_of("gates:\n  - {name: a, driver: 'S!M', lanes: [{id: '1'}]}\n") == "gates[0].driver");
  CHECK(key_of("gates:\n  - {name: a, driver: sim, settings: [1], lanes: [{id: '1'}]}\n") ==
        "gates[0].settings");
  CHECK(key_of("gates:\n  - {name: a, driver: sim, lanes: []}\n") == "gates[0].lanes");
  CHECK(rule_of("gates:\n  - {name: a, driver: sim, lanes: [{id: '1'}, {id: '1', lane: 2}]}\n") ==
        "lane id listed twice");
  CHECK_THAT(
      rule_of("gates:\n  - {name: a, driver: sim, lanes: [{id: '1'}, {id: '2', lane: 1}]}\n"),
      ContainsSubstring("mapped twice"));
  CHECK_THAT(rule_of("gates:\n  - {name: a, driver: sim, lanes: [{id: '1'}],"
                     " deny_messages: {debt: x}}\n"),
             ContainsSubstring("not a decision reason"));
  CHECK(key_of("gates:\n  - {name: a, driver: sim, lanes: [{id: '1'}], deny_message: '" +
               std::string(201, 'x') + "'}\n") == "gates[0].deny_message");
  CHECK(key_of("gates:\n  - {name: a, driver: sim, lanes: [{id: '1'}], command_max_age_ms: 5}\n") ==
        "gates[0].command_max_age_ms");
  CHECK_THAT(rule_of("gates:\n  - {name: a, driver: sim, lanes: [{id: '1'}]}\n"
                     "  - {name: a, gate_id: b, driver: sim, lanes: [{id: '1'}]}\n"),
             ContainsSubstring("duplicate gate name"));
  CHECK_THAT(rule_of("gates:\n  - {name: a, gate_id: x, driver: sim, lanes: [{id: '1'}]}\n"
                     "  - {name: b, gate_id: x, driver: sim, lanes: [{id: '1'}]}\n"),
             ContainsSubstring("two gates answer to gate id 'x'"));
  CHECK_THAT(rule_of("gates:\n  - {name: a, driver: sim, lanes: [{id: '1'}], lanez: 1}\n"),
             ContainsSubstring("did you mean"));
}

TEST_CASE("deny_messages accepts every decision reason the gate decision can give") {
  for (int i = 0; i < jwo::fa::kReasonCount; ++i) {
    const std::string reason(jwo::fa::ReasonName(static_cast<jwo::fa::Reason>(i)));
    auto r = LoadMinimalWith(
        "gates:\n  - {name: a, driver: sim, lanes: [{id: '1'}],"
        " deny_messages: {" +
        reason + ": text}}\n");
    INFO(reason << "\n" << Describe(r));
    CHECK(r.ok());
  }
}

TEST_CASE("any change to gates needs a restart, named by key") {
  auto a = LoadMinimalWith(kGate);
  REQUIRE(a.ok());
  jwo::config::Config b = *a.config;
  b.gates[0].lanes[1].lane = 3;
  b.gates[0].deny_message = "x";
  CHECK(jwo::config::RestartRequiredChanges(*a.config, b) ==
        std::vector<std::string>{"gates[0].lanes", "gates[0].deny_message"});
  jwo::config::Config c = *a.config;
  c.gates.clear();
  CHECK(jwo::config::RestartRequiredChanges(*a.config, c) == std::vector<std::string>{"gates"});
}

TEST_CASE("a YAML alias bomb in gate settings is refused, not expanded") {
  // Seven levels of ten aliases each: 10^7 values from a few hundred bytes.
  std::string yaml =
      "gates:\n  - name: entry\n    driver: sim\n    lanes: [{id: \"1\", lane: 1}]\n"
      "    settings:\n      l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 7; ++i) {
    const std::string prev = "*l" + std::to_string(i - 1);
    yaml += "      l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) yaml += (j ? ", " : "") + prev;
    yaml += "]\n";
  }
  auto r = LoadMinimalWith(yaml);
  REQUIRE_FALSE(r.ok());
  const auto& e = SoleError(r);
  CHECK(e.key == "gates[0].settings");
  CHECK_THAT(e.rule, ContainsSubstring("too large"));
}

TEST_CASE("gate settings larger than 64 KiB as JSON are refused") {
  const std::string yaml =
      "gates:\n  - name: entry\n    driver: sim\n    lanes: [{id: \"1\", "
      "lane: 1}]\n    settings:\n      blob: " +
      std::string(70 * 1024, 'b') + "\n";
  auto r = LoadMinimalWith(yaml);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(SoleError(r).rule, ContainsSubstring("too large"));
}

TEST_CASE("driver settings are always valid JSON, whatever bytes the file holds") {
  // A quote, a backslash, a control character and a byte that is not UTF-8.
  const std::string yaml =
      "gates:\n  - name: front\n    driver: sim\n    lanes: [{id: a}]\n"
      "    settings: {label: \"say \\\"hi\\\" \\\\ \\x01\", raw: caf\xff}\n";
  auto r = LoadMinimalWith(yaml);
  INFO(Describe(r));
  if (!r.ok()) return;  // refusing the byte is fine too; writing invalid JSON is not
  const std::string& json = r.config->gates.at(0).settings_json;
  INFO(json);
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(json, ec);
  REQUIRE_FALSE(ec);
  CHECK(v.at("label").as_string() == "say \"hi\" \\ \x01");
}

TEST_CASE("a lane without `lane:` gets its position in the list; a collision is refused") {
  const std::string head = "gates:\n  - name: entry\n    driver: sim\n    lanes:\n";
  auto r = LoadMinimalWith(
      head + "      - {id: \"A\"}\n      - {id: \"B\"}\n      - {id: \"C\", lane: 7}\n");
  INFO(Describe(r));
  REQUIRE(r.ok());
  const auto& lanes = r.config->gates.at(0).lanes;
  REQUIRE(lanes.size() == 3);
  CHECK(lanes[0].lane == 1);
  CHECK(lanes[1].lane == 2);
  CHECK(lanes[2].lane == 7);
  // "B" would default to 2, which "A" names explicitly.
  const auto e =
      SoleError(LoadMinimalWith(head + "      - {id: \"A\", lane: 2}\n      - {id: \"B\"}\n"));
  CHECK_THAT(e.rule, ContainsSubstring("mapped twice"));
}
