#include "fa/request.h"

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include "tests/fa/sample_requests.h"

using namespace jwo;
namespace json = boost::json;

namespace {

json::object Valid() { return json::parse(testing::kCompleteAuthorizationRequest).as_object(); }

std::string Error(const json::object& o) {
  auto r = fa::ParseAuthorizationRequest(json::serialize(o));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == core::StatusCode::kInvalidArgument);
  return r.status().message();
}

json::object& Interaction(json::object& o) { return o["shopperInteraction"].as_object(); }
json::object& Event(json::object& o) {
  return Interaction(o)["gateAuthenticationEvent"].as_object();
}

}  // namespace

TEST_CASE("a complete request parses, unknown fields ignored") {
  auto r = fa::ParseAuthorizationRequest(json::serialize(Valid()));
  REQUIRE(r.ok());
  CHECK(r->store_id == "store-1");
  CHECK(r->shopper_id == "shopper-0000042");
  CHECK(r->authorized_amount->minor == 5000);
  CHECK(r->authorized_amount->currency.Code() == "USD");
  CHECK(r->trip_id == "5f1c2b7e-8a4d-4e1a-9c3b-1d2e3f4a5b6c");
  CHECK(r->gate_event->type == "CREDIT_CARD");
  CHECK(r->gate_event->timestamp_ms == 1795774530123);
  CHECK(r->GateData("lane") == "2");
  CHECK(r->GateData("nope").empty());
  CHECK(r->recommendation->shopper_authorized);
  CHECK(r->recommendation->conditions.at(0).amount.minor == 2550);
  CHECK(r->recommendation->risks == std::vector<std::string>{"InvalidCard"});
}

TEST_CASE("the minimal request: storeId, shopper and trip") {
  auto r = fa::ParseAuthorizationRequest(
      R"({"storeId":"s","shopperIdentity":{"id":"x"},"shopperInteraction":{"shoppingTripId":"t"}})");
  REQUIRE(r.ok());
  CHECK_FALSE(r->authorized_amount);
  CHECK_FALSE(r->gate_event);
  CHECK_FALSE(r->recommendation);
}

TEST_CASE("missing required fields name the field") {
  auto o = Valid();
  o.erase("storeId");
  CHECK(Error(o) == "storeId is required");
  o = Valid();
  o.erase("shopperIdentity");
  CHECK(Error(o) == "shopperIdentity is required");
  o = Valid();
  o["shopperIdentity"].as_object().erase("id");
  CHECK(Error(o) == "shopperIdentity.id is required");
  o = Valid();
  o.erase("shopperInteraction");
  CHECK(Error(o) == "shopperInteraction is required");
  o = Valid();
  Interaction(o).erase("shoppingTripId");
  CHECK(Error(o) == "shopperInteraction.shoppingTripId is required");
  o = Valid();
  Event(o).erase("id");
  CHECK(Error(o) == "shopperInteraction.gateAuthenticationEvent.id is required");
  o = Valid();
  Interaction(o)["recommendation"].as_object().erase("shopperAuthorized");
  CHECK(Error(o) == "shopperInteraction.recommendation.shopperAuthorized is required");
  o = Valid();
  o["authorizedAmount"].as_object().erase("currencyCode");
  CHECK(Error(o) == "authorizedAmount.currencyCode is required");
  o = Valid();
  o["storeId"] = nullptr;
  CHECK(Error(o) == "storeId is required");
}

TEST_CASE("wrong types are rejected") {
  auto o = Valid();
  o["storeId"] = 12345;
  CHECK(Error(o) == "storeId must be a string");
  o = Valid();
  Interaction(o)["shoppingTripId"] = true;
  CHECK(Error(o) == "shopperInteraction.shoppingTripId must be a string");
  o = Valid();
  o["shopperIdentity"] = "x";
  CHECK(Error(o) == "shopperIdentity must be an object");
  o = Valid();
  o["authorizedAmount"].as_object()["value"] = "50.00";
  CHECK(Error(o) == "authorizedAmount.value must be a number");
  o = Valid();
  Interaction(o)["recommendation"].as_object()["shopperAuthorized"] = "yes";
  CHECK(Error(o) == "shopperInteraction.recommendation.shopperAuthorized must be a boolean");
  o = Valid();
  Event(o)["data"] = json::object{{"lane", 2}};
  CHECK(Error(o) == "shopperInteraction.gateAuthenticationEvent.data.lane must be a string");
}

TEST_CASE("formats, lengths, empty and whitespace-only values") {
  auto o = Valid();
  o["storeId"] = "INVALID@STORE#ID";
  CHECK(Error(o) == "storeId must match ^[0-9a-zA-Z_-]+$");
  o["storeId"] = std::string(256, 'a');
  CHECK(Error(o) == "storeId must be at most 255 characters");
  o["storeId"] = "";
  CHECK(Error(o) == "storeId must not be empty");
  o["storeId"] = "   ";
  CHECK(Error(o) == "storeId must not be empty");
  o = Valid();
  o["shopperIdentity"].as_object()["id"] = std::string(256, 's');
  CHECK(Error(o) == "shopperIdentity.id must be at most 255 characters");
  o["shopperIdentity"].as_object()["id"] = "a\u0001b";
  CHECK(Error(o) == "shopperIdentity.id must not contain control characters");
  o = Valid();
  Interaction(o)["shoppingTripId"] = "trip id with spaces";
  CHECK(Error(o) == "shopperInteraction.shoppingTripId must match ^[0-9a-zA-Z_-]+$");
  o = Valid();
  Event(o)["timestamp"] = "yesterday";
  CHECK(Error(o) ==
        "shopperInteraction.gateAuthenticationEvent.timestamp must be an ISO 8601 date-time");
  o = Valid();
  Interaction(o)["recommendation"].as_object()["shopperRisks"] = json::array{"Bad Debt"};
  CHECK(
      Error(o) ==
      "shopperInteraction.recommendation.shopperRisks entries must be risk names such as BadDebt");
  o = Valid();
  Interaction(o)["recommendation"]
      .as_object()["authorizationConditions"]
      .as_array()[0]
      .as_object()["type"] = "REDUCE";
  CHECK(Error(o) ==
        "shopperInteraction.recommendation.authorizationConditions[0].type must be ADJUST");
}

TEST_CASE("money shape: currency, precision, sign") {
  auto amount = [](json::value value, const char* code) {
    auto o = Valid();
    o["authorizedAmount"] = json::object{{"value", value}, {"currencyCode", code}};
    return o;
  };
  CHECK(Error(amount(50, "usd")) ==
        "authorizedAmount.currencyCode must be an ISO 4217 currency code");
  CHECK(Error(amount(50, "XYZ")) ==
        "authorizedAmount.currencyCode must be an ISO 4217 currency code");
  CHECK(Error(amount(-1, "USD")) == "authorizedAmount.value must not be negative");
  CHECK(Error(amount(1.234, "USD")).find("more than 2 decimal places") != std::string::npos);
  CHECK(Error(amount(1.5, "JPY")).find("more than 0 decimal places") != std::string::npos);
  CHECK(fa::ParseAuthorizationRequest(json::serialize(amount(1500, "JPY"))).ok());
}

TEST_CASE("duplicate keys are rejected, not resolved last-wins") {
  // A proxy in front may read the first "id" and this daemon the last: refuse both.
  auto r = fa::ParseAuthorizationRequest(
      R"({"storeId":"store-1","shopperIdentity":{"id":"debtor","id":"clear"},)"
      R"("shopperInteraction":{"shoppingTripId":"t1"}})");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == core::StatusCode::kInvalidArgument);
  CHECK(r.status().message() == "body has a duplicate key 'id'");
}

TEST_CASE("amounts a double cannot hold say what is wrong") {
  auto body = [](const char* value) {
    return std::string(R"({"storeId":"store-1","shopperIdentity":{"id":"s"},)") +
           R"("authorizedAmount":{"value":)" + value +
           R"(,"currencyCode":"USD"},"shopperInteraction":{"shoppingTripId":"t1"}})";
  };
  CHECK(fa::ParseAuthorizationRequest(body("1e999")).status().message() ==
        "authorizedAmount.value is out of range: too large");
  CHECK(fa::ParseAuthorizationRequest(body("1e-400")).status().message() ==
        "authorizedAmount.value is out of range: nonzero but too small");
}

TEST_CASE("bodies that are not a JSON object") {
  for (const char* body : {"", "[]", "null", "\"x\"", "{", "{\"storeId\":\"s\",}"}) {
    INFO(body);
    auto r = fa::ParseAuthorizationRequest(body);
    CHECK(r.status().code() == core::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("parsing into a reused request keeps nothing of the last one") {
  fa::AuthorizationRequest req;
  REQUIRE(fa::ParseAuthorizationRequest(json::serialize(Valid()), req).ok());
  REQUIRE(req.gate_event);

  // The same gate event without its optional fields, and no amount or recommendation.
  json::object lean = Valid();
  lean.erase("authorizedAmount");
  Interaction(lean).erase("recommendation");
  json::object& ev = Event(lean);
  for (const char* key : {"type", "interactionType", "timestamp", "location", "data"}) {
    ev.erase(key);
  }
  ev["id"] = "ev-2";
  lean["storeId"] = "s";
  REQUIRE(fa::ParseAuthorizationRequest(json::serialize(lean), req).ok());
  CHECK(req.store_id == "s");
  CHECK_FALSE(req.authorized_amount);
  CHECK_FALSE(req.recommendation);
  REQUIRE(req.gate_event);
  CHECK(req.gate_event->id == "ev-2");
  CHECK(req.gate_event->type.empty());
  CHECK(req.gate_event->interaction_type.empty());
  CHECK(req.gate_event->timestamp_ms == 0);
  CHECK(req.gate_event->location.empty());
  CHECK(req.gate_event->data.empty());
  CHECK(req.GateData("lane").empty());

  // No gate event at all, then a full request again: each parse stands alone.
  Interaction(lean).erase("gateAuthenticationEvent");
  REQUIRE(fa::ParseAuthorizationRequest(json::serialize(lean), req).ok());
  CHECK_FALSE(req.gate_event);
  REQUIRE(fa::ParseAuthorizationRequest(json::serialize(Valid()), req).ok());
  auto fresh = fa::ParseAuthorizationRequest(json::serialize(Valid()));
  REQUIRE(fresh.ok());
  CHECK(req.store_id == fresh->store_id);
  CHECK(req.gate_event->data == fresh->gate_event->data);
  CHECK(req.recommendation->risks == fresh->recommendation->risks);
  CHECK(req.authorized_amount->minor == fresh->authorized_amount->minor);
}

TEST_CASE("a body with more JSON values than any callback has is refused before validation") {
  auto o = Valid();
  json::array filler;
  for (size_t i = 0; i < fa::kMaxJsonValues; ++i) filler.emplace_back(i);
  o["someFutureField"] = filler;
  CHECK(Error(o) == "body has more than 4096 JSON values");
  o["someFutureField"] = json::array(fa::kMaxJsonValues - 100, json::value(1));
  CHECK(fa::ParseAuthorizationRequest(json::serialize(o)).ok());
}
