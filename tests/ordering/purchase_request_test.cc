#include "ordering/purchase_request.h"

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>

using namespace jwo;
namespace json = boost::json;

namespace {

// Amazon's success case 1.2 (multi-item) as a base; each test varies one thing.
json::object Valid() {
  return json::parse(R"({
    "requestId": "3f1c2b7e-8a4d-4e1a-9c3b-1d2e3f4a5b6c",
    "idempotentShoppingTripId": "trip-0001",
    "storeId": "store-1",
    "shoppingTrip": {
      "startTime": "2026-11-27T10:00:00Z",
      "endTime": "2026-11-27T11:05:00.250+01:00",
      "authEvents": [{"id": "9d1c2b7e-8a4d-4e1a-9c3b-1d2e3f4a5b6c",
                      "timestamp": "2026-11-27T10:00:00Z", "location": "ENTRY",
                      "payloadType": "FINANCIAL"}]
    },
    "cartItems": [
      {"id": "COLA", "type": "SKU", "quantity": {"value": "2.0", "unit": "unit"}},
      {"id": "CHIPS", "type": "SKU", "quantity": {"value": "1", "unit": "unit"}}
    ],
    "shopperIdentity": {"id": "shopper-1"},
    "shopperDeviceId": "device-1",
    "paymentSource": {"id": "card-1"}
  })")
      .as_object();
}

core::Result<ordering::PurchaseRequest> Parse(const json::object& o) {
  return ordering::ParsePurchaseRequest(json::serialize(o));
}

std::string Error(const json::object& o) {
  auto r = Parse(o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == core::StatusCode::kInvalidArgument);
  return r.status().message();
}

json::object& Trip(json::object& o) { return o["shoppingTrip"].as_object(); }
json::object& Event(json::object& o, size_t i = 0) {
  return Trip(o)["authEvents"].as_array()[i].as_object();
}
json::object& Item(json::object& o, size_t i = 0) {
  return o["cartItems"].as_array()[i].as_object();
}

}  // namespace

TEST_CASE("success cases 1.1-1.15 parse") {
  SECTION("1.2 multi-item, all fields") {
    auto r = Parse(Valid());
    REQUIRE(r.ok());
    CHECK(r->trip_id == "trip-0001");
    CHECK(r->cart.size() == 2);
    CHECK(r->cart[0].quantity == "2.0");
    CHECK(r->shopper_id == "shopper-1");
    CHECK(r->device_id == "device-1");
    CHECK(r->payment_source_id == "card-1");
    CHECK(r->end_ms - r->start_ms == 5 * 60000 + 250);
  }
  SECTION("1.1 single item, 1.3 weight, 1.4 SCANCODE, 1.5 external identifiers, 1.6 lineItemId") {
    auto o = Valid();
    o["cartItems"] = json::parse(R"([
      {"id": "BANANAS", "type": "SKU", "quantity": {"value": "0.455", "unit": "kg"}, "lineItemId": "a"},
      {"id": "4011", "type": "SCANCODE", "quantity": {"value": "1", "unit": "each"},
       "externalIdentifiers": [{"id": "049000028911", "type": "UPC"}], "lineItemId": "b"}])");
    auto r = Parse(o);
    REQUIRE(r.ok());
    CHECK(r->cart[0].quantity == "0.455");
    CHECK(r->cart[0].unit == "kg");
    CHECK(r->cart[1].item_type == "SCANCODE");
    CHECK(r->cart[1].upcs == std::vector<std::string>{"049000028911"});
    CHECK(r->cart[1].line_id == "b");
  }
  SECTION("1.7 empty cart") {
    auto o = Valid();
    o["cartItems"] = json::array{};
    auto r = Parse(o);
    REQUIRE(r.ok());
    CHECK(r->cart.empty());
  }
  SECTION("1.9 QR entry (SCAN_CODE) with a scan result, 1.10-1.12 associate, cash, loyalty") {
    auto o = Valid();
    Event(o)["payloadType"] = "SCAN_CODE";
    Event(o)["scanResult"] = json::object{{"id", "qr-123"}, {"type", "SHOPPER"}};
    auto r = Parse(o);
    REQUIRE(r.ok());
    CHECK(r->auth_events[0].payload_type == "SCAN_CODE");
    CHECK(r->auth_events[0].scan_result_id == "qr-123");
  }
  SECTION("1.13 group trip with several auth events, 1.14 MANUAL_IN_STORE") {
    auto o = Valid();
    Trip(o)["authEvents"].as_array().push_back(json::parse(
        R"({"id": "8d1c2b7e-8a4d-4e1a-9c3b-1d2e3f4a5b6c", "location": "MANUAL_IN_STORE",
            "payloadType": "FINANCIAL"})"));
    auto r = Parse(o);
    REQUIRE(r.ok());
    CHECK(r->auth_events.size() == 2);
    CHECK(r->auth_events[1].location == "MANUAL_IN_STORE");
  }
  SECTION("1.15 optional fields omitted; unknown fields ignored") {
    auto o = Valid();
    o.erase("shopperIdentity");
    o.erase("shopperDeviceId");
    o.erase("paymentSource");
    Event(o).erase("timestamp");
    Event(o).erase("location");
    o["aFieldFromTheFuture"] = json::object{{"x", 1}};
    auto r = Parse(o);
    REQUIRE(r.ok());
    CHECK(r->shopper_id.empty());
  }
}

TEST_CASE("duplicate keys are rejected, not resolved last-wins") {
  std::string body = json::serialize(Valid());
  body.insert(1, R"("storeId":"other-store",)");
  auto r = ordering::ParsePurchaseRequest(body);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == core::StatusCode::kInvalidArgument);
  CHECK(r.status().message() == "body has a duplicate key 'storeId'");
}

TEST_CASE("a 10000-line cart parses; a body of more JSON values than any cart is refused") {
  json::object big = Valid();
  json::array& items = big["cartItems"].as_array();
  const json::value line = items[0];
  items.clear();
  for (int i = 0; i < 10000; ++i) {
    items.push_back(line);
    items.back().as_object()["lineItemId"] = "line-" + std::to_string(i);
    items.back().as_object()["externalIdentifiers"] =
        json::parse(R"([{"id":"012345678905","type":"UPC"},{"id":"012345678912","type":"UPC"}])");
  }
  auto parsed = Parse(big);
  REQUIRE(parsed.ok());
  CHECK(parsed->cart.size() == 10000);
  CHECK(parsed->cart.back().upcs.size() == 2);

  // Far past any cart: refused before it is read, with the limit named.
  std::string body = json::serialize(Valid());
  std::string zeros = R"(,"padding":[0)";
  zeros.reserve(2 * ordering::kMaxPurchaseJsonValues + 16);
  for (size_t i = 0; i < ordering::kMaxPurchaseJsonValues; ++i) zeros += ",0";
  body.insert(body.size() - 1, zeros + "]");
  auto refused = ordering::ParsePurchaseRequest(body);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == core::StatusCode::kInvalidArgument);
  CHECK(refused.status().message() == "body has more than 1048576 JSON values");
}

TEST_CASE("validation cases 3.x name the field and the rule") {
  auto o = Valid();
  o.erase("requestId");
  CHECK(Error(o) == "requestId is required");
  o = Valid();
  o["requestId"] = "not-a-uuid";
  CHECK(Error(o) == "requestId must be a UUID");
  o = Valid();
  o.erase("idempotentShoppingTripId");
  CHECK(Error(o) == "idempotentShoppingTripId is required");
  o = Valid();
  o["idempotentShoppingTripId"] = "trip 1";
  CHECK(Error(o) == "idempotentShoppingTripId must match ^[0-9a-zA-Z_-]+$");
  o = Valid();
  o["storeId"] = std::string(256, 's');
  CHECK(Error(o) == "storeId must be at most 255 characters");
  o = Valid();
  o["storeId"] = "";
  CHECK(Error(o) == "storeId must not be empty");
  o = Valid();
  o.erase("shoppingTrip");
  CHECK(Error(o) == "shoppingTrip is required");
  o = Valid();
  Trip(o).erase("startTime");
  CHECK(Error(o) == "shoppingTrip.startTime is required");
  o = Valid();
  Trip(o)["endTime"] = "2026-11-27";
  CHECK(Error(o) == "shoppingTrip.endTime must be an ISO 8601 date-time with a zone");
  o = Valid();
  Trip(o)["endTime"] = "2026-11-27T09:59:59Z";
  CHECK(Error(o) == "shoppingTrip.endTime must not be before shoppingTrip.startTime");
  o = Valid();
  Trip(o)["authEvents"] = json::array{};
  CHECK(Error(o) == "shoppingTrip.authEvents must not be empty");
  o = Valid();
  Event(o)["id"] = "ev-1";
  CHECK(Error(o) == "shoppingTrip.authEvents[0].id must be a UUID");
  o = Valid();
  Event(o).erase("payloadType");
  CHECK(Error(o) == "shoppingTrip.authEvents[0].payloadType is required");
  o = Valid();
  Event(o)["location"] = "EXIT";
  CHECK(Error(o) == "shoppingTrip.authEvents[0].location must be one of ENTRY, MANUAL_IN_STORE");
  o = Valid();
  Event(o)["scanResult"] = json::object{{"id", "x"}, {"type", "ROBOT"}};
  CHECK(Error(o) == "shoppingTrip.authEvents[0].scanResult.type must be one of SHOPPER");
  o = Valid();
  o.erase("cartItems");
  CHECK(Error(o) == "cartItems is required");
  o = Valid();
  Item(o).erase("id");
  CHECK(Error(o) == "cartItems[0].id is required");
  o = Valid();
  Item(o)["type"] = "PLU";
  CHECK(Error(o) == "cartItems[0].type must be one of SKU, SCANCODE");
  o = Valid();
  Item(o).erase("quantity");
  CHECK(Error(o) == "cartItems[0].quantity is required");
  o = Valid();
  Item(o)["quantity"].as_object()["value"] = "abc";
  CHECK(Error(o) ==
        "cartItems[0].quantity.value must be a positive decimal number such as \"1.0\"");
  o = Valid();
  Item(o)["quantity"].as_object()["value"] = "0";
  CHECK(Error(o) ==
        "cartItems[0].quantity.value must be a positive decimal number such as \"1.0\"");
  // 3.26: quantity is {value, unit}, both required.
  o = Valid();
  Item(o)["quantity"].as_object().erase("unit");
  CHECK(Error(o) == "cartItems[0].quantity.unit is required");
  o = Valid();
  Item(o, 1)["quantity"].as_object()["unit"] = nullptr;
  CHECK(Error(o) == "cartItems[1].quantity.unit is required");
  o = Valid();
  Item(o)["quantity"].as_object()["unit"] = " ";
  CHECK(Error(o) == "cartItems[0].quantity.unit must not be empty");
  o = Valid();
  Item(o)["quantity"].as_object()["unit"] = std::string(33, 'u');
  CHECK(Error(o) == "cartItems[0].quantity.unit must be at most 32 characters");
  o = Valid();
  Item(o)["externalIdentifiers"] = json::parse(R"([{"id": "1", "type": "EAN"}])");
  CHECK(Error(o) == "cartItems[0].externalIdentifiers[0].type must be one of UPC");
  o = Valid();
  Item(o, 0)["lineItemId"] = "x";
  Item(o, 1)["lineItemId"] = "x";
  CHECK(Error(o) == "cartItems[1].lineItemId duplicates 'x'");
  o = Valid();
  o["shopperIdentity"] = json::object{{"id", std::string(256, 'p')}};
  CHECK(Error(o) == "shopperIdentity.id must be at most 255 characters");
  CHECK(ordering::ParsePurchaseRequest("{}").status().message() == "body is an empty request");
  CHECK(ordering::ParsePurchaseRequest("[]").status().message() == "body must be a JSON object");
}

TEST_CASE("the cart digest changes with the cart and only with it") {
  auto a = Parse(Valid()).value();
  auto b = Parse(Valid()).value();
  CHECK(ordering::CartDigest(a.cart) == ordering::CartDigest(b.cart));
  b.cart[0].quantity = "3.0";
  CHECK(ordering::CartDigest(a.cart) != ordering::CartDigest(b.cart));
  CHECK(ordering::CartDigest(a.cart).size() == 64);
}

// Every shape of field path the parser names (a path is text only for an error), including
// indexes of more than one digit and elements that are not objects.
TEST_CASE("errors name the field's full path at every depth") {
  auto o = Valid();
  o["paymentSource"] = json::object{{"id", ""}};
  CHECK(Error(o) == "paymentSource.id must not be empty");
  o = Valid();
  Event(o)["scanResult"] = json::object{{"type", "SHOPPER"}};
  CHECK(Error(o) == "shoppingTrip.authEvents[0].scanResult.id is required");
  o = Valid();
  Trip(o)["authEvents"].as_array().push_back(7);
  CHECK(Error(o) == "shoppingTrip.authEvents[1] must be an object");
  o = Valid();
  Event(o)["timestamp"] = "yesterday";
  CHECK(Error(o) ==
        "shoppingTrip.authEvents[0].timestamp must be an ISO 8601 date-time with a zone");
  o = Valid();
  Item(o)["externalIdentifiers"] = json::parse(R"([{"id": "1", "type": "UPC"}, "2"])");
  CHECK(Error(o) == "cartItems[0].externalIdentifiers[1] must be an object");
  o = Valid();
  Item(o, 1)["externalIdentifiers"] = json::parse(R"([{"type": "UPC"}])");
  CHECK(Error(o) == "cartItems[1].externalIdentifiers[0].id is required");
  o = Valid();
  json::array& items = o["cartItems"].as_array();
  while (items.size() < 12) items.push_back(items[0]);
  items[11].as_object()["quantity"].as_object()["value"] = 1;
  CHECK(Error(o) == "cartItems[11].quantity.value must be a string");
  o = Valid();
  o["shopperDeviceId"] = "a\tb";
  CHECK(Error(o) == "shopperDeviceId must not contain control characters");
  o = Valid();
  Trip(o)["startTime"] = nullptr;
  CHECK(Error(o) == "shoppingTrip.startTime is required");
}
