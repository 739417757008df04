// The gate's request parser (core::FlatJson) against the parser it replaced (a boost::json
// document, tests/fa/request_dom_reference.cc): the same mutated requests must give the same
// request or the same error, word for word.
#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <random>
#include <string>
#include <vector>

#include "fa/request.h"
#include "tests/fa/request_dom_reference.h"
#include "tests/fa/sample_requests.h"

using namespace jwo;
namespace json = boost::json;

namespace {

// The complete request, with a second condition in another currency and a future field of
// every type.
json::value FullRequest() {
  json::value doc = json::parse(testing::kCompleteAuthorizationRequest);
  json::object& rec = doc.at("shopperInteraction").at("recommendation").as_object();
  rec["shopperAuthorized"] = false;
  rec["authorizationConditions"].as_array().push_back(
      json::parse(R"({"type": "ADJUST", "amount": {"value": 1, "currencyCode": "JPY"}})"));
  rec["shopperRisks"].as_array().emplace_back("BadDebt");
  doc.as_object()["someFutureField"] = json::parse(R"({"anything": [1, 2.5, "x", null, true]})");
  return doc;
}

// Values a mutation puts in place of another: each type, edge strings and edge numbers.
std::vector<json::value> Replacements() {
  std::vector<json::value> v = {nullptr, true, false, 0, -1, 7, 18446744073709551615ull};
  for (const char* text :
       {"15.99", "-0.5", "1e999", "-1e999", "1e-400", "15.990000000000000001", "0.1e1", "25.5"}) {
    v.push_back(json::parse(text));
  }
  for (const char* s :
       {"", " \t", "x", "ADJUST", "USD", "JPY", "EUR", "US", "2026-11-27T10:15:30Z", "not a date",
        "BadDebt", "bad token", "store-1", "a\x01z", "caf\xc3\xa9", "quo\"te"}) {
    v.emplace_back(s);
  }
  v.emplace_back(std::string(300, 'k'));
  v.emplace_back(json::object{});
  v.emplace_back(json::array{});
  v.emplace_back(json::parse(R"({"value": 1.5, "currencyCode": "USD"})"));
  v.emplace_back(json::parse(R"([{"type": "ADJUST"}])"));
  v.emplace_back(json::parse(R"(["BadDebt", 1])"));
  json::array many;
  for (int i = 0; i < 40; ++i) many.emplace_back("BadDebt");
  v.emplace_back(many);
  json::object wide;
  for (int i = 0; i < 40; ++i) wide["k" + std::to_string(i)] = "v";
  v.emplace_back(wide);
  return v;
}

// Every value of the document, by pointer, so a mutation can pick one.
void Collect(json::value& v, std::vector<json::value*>& out) {
  out.push_back(&v);
  if (v.is_object()) {
    for (auto& kv : v.get_object()) Collect(kv.value(), out);
  } else if (v.is_array()) {
    for (auto& e : v.get_array()) Collect(e, out);
  }
}

std::string Mutate(std::mt19937& rng, const std::vector<json::value>& replacements) {
  json::value doc = FullRequest();
  const int steps = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < steps; ++i) {
    std::vector<json::value*> nodes;
    Collect(doc, nodes);
    json::value& target = *nodes[rng() % nodes.size()];
    switch (rng() % 4) {
      case 0:
      case 1:
        target = replacements[rng() % replacements.size()];
        break;
      case 2:  // drop a member
        if (target.is_object() && !target.get_object().empty()) {
          auto it = target.get_object().begin();
          std::advance(it, rng() % target.get_object().size());
          target.get_object().erase(it);
        }
        break;
      default:  // add a member an object may or may not know
        if (target.is_object()) {
          static const char* kKeys[] = {"storeId", "id",   "value", "currencyCode",     "type",
                                        "amount",  "data", "extra", "shopperAuthorized"};
          target.get_object()[kKeys[rng() % 9]] = replacements[rng() % replacements.size()];
        }
    }
  }
  std::string text = json::serialize(doc);
  switch (rng() % 8) {  // then, sometimes, damage the text itself
    case 0:
      text.resize(rng() % text.size());
      break;
    case 1:
      text.insert(rng() % text.size(), 1, "{}[],:\"\\x0 "[rng() % 11]);
      break;
    case 2: {  // a repeated key, possibly spelled with an escape
      const size_t brace = text.find('{', rng() % text.size());
      if (brace != std::string::npos) {
        text.insert(brace + 1, rng() % 2 ? R"("storeId":"s",)" : R"("\u0073toreId":"s",)");
      }
      break;
    }
    case 3: {  // a known key spelled with an escape: the same key
      const size_t at = text.find("\"id\"");
      if (at != std::string::npos) text.replace(at, 4, R"("\u0069d")");
      break;
    }
    default:
      break;
  }
  return text;
}

void CheckSame(const fa::AuthorizationRequest& a, const fa::AuthorizationRequest& b) {
  CHECK(a.store_id == b.store_id);
  CHECK(a.shopper_id == b.shopper_id);
  CHECK(a.trip_id == b.trip_id);
  CHECK(a.authorized_amount.has_value() == b.authorized_amount.has_value());
  if (a.authorized_amount && b.authorized_amount) {
    CHECK(a.authorized_amount->minor == b.authorized_amount->minor);
    CHECK(a.authorized_amount->currency.Code() == b.authorized_amount->currency.Code());
  }
  CHECK(a.gate_event.has_value() == b.gate_event.has_value());
  if (a.gate_event && b.gate_event) {
    CHECK(a.gate_event->id == b.gate_event->id);
    CHECK(a.gate_event->type == b.gate_event->type);
    CHECK(a.gate_event->interaction_type == b.gate_event->interaction_type);
    CHECK(a.gate_event->timestamp_ms == b.gate_event->timestamp_ms);
    CHECK(a.gate_event->location == b.gate_event->location);
    CHECK(a.gate_event->data == b.gate_event->data);
  }
  CHECK(a.recommendation.has_value() == b.recommendation.has_value());
  if (a.recommendation && b.recommendation) {
    CHECK(a.recommendation->shopper_authorized == b.recommendation->shopper_authorized);
    CHECK(a.recommendation->risks == b.recommendation->risks);
    REQUIRE(a.recommendation->conditions.size() == b.recommendation->conditions.size());
    for (size_t i = 0; i < a.recommendation->conditions.size(); ++i) {
      CHECK(a.recommendation->conditions[i].amount.minor ==
            b.recommendation->conditions[i].amount.minor);
    }
  }
}

}  // namespace

TEST_CASE("the flat parser and the document parser agree on 20,000 mutated requests") {
  const std::vector<json::value> replacements = Replacements();
  std::mt19937 rng(20261205);
  fa::AuthorizationRequest flat;  // reused, as the gate reuses its request per thread
  size_t accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string body = Mutate(rng, replacements);
    fa::AuthorizationRequest reference;
    const core::Status want = fa::dom_reference::Parse(body, reference);
    const core::Status got = fa::ParseAuthorizationRequest(body, flat);
    INFO(body);
    REQUIRE(got.code() == want.code());
    REQUIRE(got.message() == want.message());
    if (want.ok()) {
      ++accepted;
      CheckSame(flat, reference);
    }
  }
  // The walk reaches both sides: requests that pass and every kind of refusal.
  CHECK(accepted > 1000);
  CHECK(accepted < 19000);
}
