#include "fa/response.h"

#include <catch2/catch_test_macros.hpp>

using namespace jwo;

TEST_CASE("approved: status only") {
  fa::Decision d;
  CHECK(fa::SerializeDecision(d) == R"({"status":"APPROVED"})");
}

TEST_CASE("denied: status and risks") {
  fa::Decision d{store::Outcome::kDenied, fa::Reason::kOpenDebt, {"BadDebt"}, {}};
  CHECK(fa::SerializeDecision(d) == R"({"status":"DENIED","shopperRisks":["BadDebt"]})");
  d.risks = {"CustomerFraud", "InvalidCard"};
  CHECK(fa::SerializeDecision(d) ==
        R"({"status":"DENIED","shopperRisks":["CustomerFraud","InvalidCard"]})");
  d.risks.clear();
  CHECK(fa::SerializeDecision(d) == R"({"status":"DENIED"})");
}

TEST_CASE("admitted with an ADJUST condition: exact amount digits") {
  fa::Decision d{store::Outcome::kApproved,
                 fa::Reason::kRuleAdjust,
                 {},
                 core::Money{2500, *core::FindCurrency("USD")}};
  CHECK(
      fa::SerializeDecision(d) ==
      R"({"status":"APPROVED","authorizationConditions":[{"type":"ADJUST","amount":{"value":25.00,"currencyCode":"USD"}}]})");
  d.adjust_amount = core::Money{3000, *core::FindCurrency("JPY")};
  CHECK(
      fa::SerializeDecision(d) ==
      R"({"status":"APPROVED","authorizationConditions":[{"type":"ADJUST","amount":{"value":3000,"currencyCode":"JPY"}}]})");
}
