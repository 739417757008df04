#include "tests/payments/sim/sim_service.h"

#include <catch2/catch_test_macros.hpp>

using jwo::sim::CardBehaviour;
using jwo::sim::SimService;
using jwo::store::Operation;

namespace {
const std::string kAdjust =
    R"({"storeId":"s","shoppingTripId":"t","amount":{"amount":10.00,"code":"USD"}})";
const std::string kCapture =
    R"({"storeId":"s","shoppingTripId":"t","amount":{"amount":6.00,"code":"USD"}})";
}  // namespace

TEST_CASE("the simulated service answers Adjust as the card behaves") {
  SimService s("USD");
  s.SetCard("t", CardBehaviour{1, false, 600});
  CHECK(s.Apply(Operation::kAdjust, kAdjust).body == R"({"status":"PENDING"})");
  CHECK(s.Apply(Operation::kAdjust, kAdjust).body ==
        R"({"status":"APPROVED","authorizedAmount":{"amount":6.00,"code":"USD"}})");
  CHECK(s.Apply(Operation::kCapture, kCapture).status == 200);
  CHECK(s.Trip("t")->captures.size() == 1);
  // A second Capture is a second charge: counted, for the simulation to catch.
  CHECK(s.Apply(Operation::kCapture, kCapture).status == 200);
  CHECK(s.Trip("t")->captures.size() == 2);
  CHECK(s.violations().empty());
}

TEST_CASE("the simulated service refuses what jwo-edge must never send") {
  SimService s("USD");
  CHECK(s.Apply(Operation::kCapture, kCapture).status == 400);  // nothing authorized
  CHECK(s.Apply(Operation::kAdjust, R"({"shoppingTripId":"t"})").status == 400);
  CHECK(s.violations().size() == 2);
}

TEST_CASE("refunds are applied once per refundRequestId, never above the capture") {
  SimService s("USD");
  s.SetCard("t", CardBehaviour{});
  s.Apply(Operation::kAdjust, kAdjust);
  s.Apply(Operation::kCapture, kCapture);
  const std::string refund =
      R"({"storeId":"s","shoppingTripId":"t","amount":{"amount":4.00,"code":"USD"},)"
      R"("refundRequestId":"r1","refundReasonCode":"DAMAGED_ITEM"})";
  CHECK(s.Apply(Operation::kRefund, refund).status == 200);
  CHECK(s.Apply(Operation::kRefund, refund).status == 200);  // replay: no second refund
  CHECK(s.Trip("t")->refunded == 400);
  s.RefuseRefund("r2");
  std::string r2 = refund;
  r2.replace(r2.find("r1"), 2, "r2");
  CHECK(s.Apply(Operation::kRefund, r2).status == 400);
  CHECK(s.violations().empty());
}
