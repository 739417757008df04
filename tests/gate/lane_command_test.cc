#include "gate/lane_command.h"

#include <catch2/catch_test_macros.hpp>

using jwo::config::GateConfig;
using jwo::gate::CommandForDecision;
using jwo::gate::CommandKind;
using jwo::gate::DenyMessageFor;

TEST_CASE("deny message: per reason, then the gate's, then the built-in one") {
  GateConfig g;
  CHECK(DenyMessageFor(g, "open_debt") == jwo::gate::kDefaultDenyMessage);
  g.deny_message = "See staff";
  CHECK(DenyMessageFor(g, "open_debt") == "See staff");
  g.deny_messages["open_debt"] = "Pay at the kiosk";
  CHECK(DenyMessageFor(g, "open_debt") == "Pay at the kiosk");
  CHECK(DenyMessageFor(g, "override_block") == "See staff");
}

TEST_CASE("an approved decision admits; a denied one denies with the reason's message") {
  GateConfig g;
  g.deny_messages["open_debt"] = "Pay at the kiosk";
  jwo::fa::Decision approved;
  auto admit = CommandForDecision(g, 2, approved, "trip-1", 77);
  CHECK(admit.kind == CommandKind::kAdmit);
  CHECK(admit.lane == 2);
  CHECK(admit.trip_id == "trip-1");
  CHECK(admit.enqueued_ns == 77);
  jwo::fa::Decision denied;
  denied.outcome = jwo::store::Outcome::kDenied;
  denied.reason = jwo::fa::Reason::kOpenDebt;
  auto deny = CommandForDecision(g, 1, denied, "trip-2", 0);
  CHECK(deny.kind == CommandKind::kDeny);
  CHECK(deny.message == "Pay at the kiosk");
  CHECK(jwo::gate::CommandKindName(CommandKind::kSetMode) == "set_mode");
}
