#include "tests/fakes/payment_sim/card_data.h"

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <set>

#include "core/ids.h"

using namespace jwo::payment_sim;

TEST_CASE("card data is deterministic per trip and shaped like an EMV receipt") {
  const CardData a = CardDataForTrip("trip-1", "USD");
  const CardData b = CardDataForTrip("trip-1", "USD");
  CHECK(CardDataJson(a) == CardDataJson(b));
  CHECK(a.tail.size() == 4);
  CHECK(a.tail.find_first_not_of("0123456789") == std::string::npos);
  CHECK(std::set<std::string>{"VISA", "MASTERCARD", "AMEX", "DISCOVER"}.count(a.brand) == 1);
  CHECK(a.application_id.rfind("A0000", 0) == 0);
  CHECK(a.expiration_month >= 1);
  CHECK(a.expiration_month <= 12);
  CHECK(a.expiration_year >= 2027);
  CHECK(jwo::core::IsUuid(a.reconciliation_id));
  CHECK(a.card_statement_transaction_id.size() == 12);
  CHECK(a.currency == "USD");

  std::set<std::string> tails;
  for (int i = 0; i < 50; ++i)
    tails.insert(CardDataForTrip("trip-" + std::to_string(i), "USD").tail);
  CHECK(tails.size() > 40);
}

TEST_CASE("the Get Transactional Data body uses Amazon's field names") {
  const auto v = boost::json::parse(CardDataJson(CardDataForTrip("T", "EUR"))).as_object();
  for (const char* key : {"brand", "posEntryMode", "currency", "authorizationResponseCode",
                          "cryptogramInformationData", "tail", "panSequenceNumber", "applicationId",
                          "expirationDate", "cardholderVerificationMethodResult", "terminalId",
                          "reconciliationId", "cardStatementTransactionId"}) {
    CHECK(v.contains(key));
  }
  CHECK(v.at("currency") == "EUR");
  const auto& exp = v.at("expirationDate").as_object();
  CHECK(exp.at("expirationMonth").as_string().size() == 2);
  CHECK(exp.at("expirationYear").as_string().size() == 4);
}

TEST_CASE("deterministic UUIDs") {
  CHECK(DeterministicUuid("a") == DeterministicUuid("a"));
  CHECK(DeterministicUuid("a") != DeterministicUuid("b"));
  CHECK(jwo::core::IsUuid(DeterministicUuid("a")));
}
