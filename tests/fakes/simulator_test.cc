#include "tests/fakes/payment_sim/simulator.h"

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>

#include "tests/fakes/payment_sim/card_data.h"
#include "tests/fakes/payment_sim/control_api.h"
#include "tests/fakes/sim_fixture.h"

using namespace jwo::payment_sim;
namespace json = boost::json;
using jwo::testing::ClientResponse;

namespace {

json::object Body(const ClientResponse& r) { return json::parse(r.body).as_object(); }

std::string ErrorMsg(const ClientResponse& r) {
  return std::string(Body(r).at("errorMsg").as_string());
}

ClientResponse MustCall(SimFixture& f, Api api, const std::string& body) {
  auto r = f.Call(api, body);
  REQUIRE(r.ok());
  return *r;
}

const char* kRefundId = "0f8fad5b-d9cb-469f-a165-70867728950e";

}  // namespace

TEST_CASE("the happy path: Adjust, Capture, transactional data, shopper identity") {
  SimFixture f;
  auto adjust = MustCall(f, Api::kAdjust, AdjustBody("T1", "15.99"));
  CHECK(adjust.status == 200);
  CHECK(adjust.body == R"({"status":"APPROVED","authorizedAmount":{"amount":15.99,"code":"USD"}})");

  auto capture = MustCall(f, Api::kCapture, CaptureBody("T1", "15.99"));
  CHECK(capture.status == 200);
  CHECK(capture.body.empty());

  auto data = MustCall(f, Api::kTransactionalData, CancelBody("T1"));
  CHECK(data.status == 200);
  CHECK(data.body == CardDataJson(CardDataForTrip("T1", "USD")));

  auto shopper =
      MustCall(f, Api::kShopperIdentity, R"({"storeId":"store-1","shopperId":{"id":"shopper-7"}})");
  CHECK(shopper.status == 200);
  CHECK(shopper.body == R"({"shopperEmail":"shopper-7@example.test"})");

  auto status = MustCall(
      f, Api::kPaymentStatus,
      R"({"storeId":"store-1","shoppingTripId":"T1","totalAmount":{"amount":15.99,"code":"USD"},)"
      R"("settledAmount":{"amount":15.99,"code":"USD"},"paymentStatusTime":1767225600000})");
  CHECK(status.status == 200);
  CHECK(status.body == R"({"status":"Accepted"})");

  const auto trip = f.Get("/_sim/trips?id=T1").as_object();
  CHECK(trip.at("authorized").as_object().at("amount") == "15.99");
  CHECK(trip.at("captures") == 1);
  CHECK(trip.at("status_reports").as_array().size() == 1);
  CHECK(f.Get("/_sim/violations").as_object().at("violations").as_array().empty());
  CHECK(f.Control("GET", "/_sim/trips?id=nope").status == 404);
}

TEST_CASE("amounts keep their exact decimals, JPY has none") {
  SimFixture f;
  CHECK(MustCall(f, Api::kAdjust, AdjustBody("T", "1500", "JPY")).body ==
        R"({"status":"APPROVED","authorizedAmount":{"amount":1500,"code":"JPY"}})");
  CHECK(MustCall(f, Api::kAdjust, AdjustBody("U", "10.5", "USD")).body ==
        R"({"status":"APPROVED","authorizedAmount":{"amount":10.50,"code":"USD"}})");
}

TEST_CASE("validation: 400 naming the field, nothing applied, an invalid_request violation") {
  SimFixture f;
  auto bad_store = MustCall(
      f, Api::kAdjust,
      R"({"storeId":"INVALID@STORE#ID","shoppingTripId":"T","amount":{"amount":1,"code":"USD"}})");
  CHECK(bad_store.status == 400);
  CHECK(ErrorMsg(bad_store) == "storeId must match ^[0-9a-zA-Z_-]*$");
  auto types = MustCall(f, Api::kCancel, R"({"storeId":12345,"shoppingTripId":true})");
  CHECK(ErrorMsg(types) == "storeId must be a string");
  auto zero = MustCall(f, Api::kCapture, CaptureBody("T", "0"));
  CHECK(ErrorMsg(zero) == "amount.amount must be greater than zero");
  CHECK(f.Control("GET", "/_sim/trips?id=T").status == 404);

  const auto v = f.Get("/_sim/violations").as_object().at("violations").as_array();
  REQUIRE(v.size() == 3);
  CHECK(v[0].as_object().at("rule") == "invalid_request");
  CHECK(v[0].as_object().at("detail") == "storeId must match ^[0-9a-zA-Z_-]*$");
  CHECK(v[2].as_object().at("trip") == "T");
}

TEST_CASE("a request without Content-Type: application/json is refused") {
  SimFixture f;
  auto client = f.Connect();
  REQUIRE(client.ok());
  const std::string body = CancelBody("T");
  const jwo::testing::Headers headers = SignedHeaders(ApiPath(Api::kCancel), body, f.credentials(),
                                                      f.clock().NowUnixMs(), "us-east-1", false);
  auto r = client->Post(ApiPath(Api::kCancel), body, headers);
  REQUIRE(r.ok());
  CHECK(r->status == 400);
  CHECK(ErrorMsg(*r) == "Content-Type must be application/json");
}

TEST_CASE("scripted Adjust outcomes: a per-trip sequence and the default") {
  SimFixture f;
  REQUIRE(
      f.Control(
           "POST", "/_sim/script",
           R"({"default_adjust":"DECLINED","trips":[{"trip":"P","adjust":["PENDING","PENDING","APPROVED"]}]})")
          .status == 200);
  std::vector<std::string> seen;
  for (int i = 0; i < 4; ++i) {
    seen.emplace_back(
        Body(MustCall(f, Api::kAdjust, AdjustBody("P", "20.00"))).at("status").as_string());
  }
  CHECK(seen == std::vector<std::string>{"PENDING", "PENDING", "APPROVED", "APPROVED"});
  CHECK(MustCall(f, Api::kAdjust, AdjustBody("D", "20.00")).body ==
        R"({"status":"DECLINED","authorizedAmount":{"amount":0.00,"code":"USD"}})");
  CHECK(f.Get("/_sim/trips?id=P").as_object().at("adjust_calls") == 4);
}

TEST_CASE("unknown trips answer 400 UnknownShoppingTrip on every trip API") {
  SimFixture f;
  REQUIRE(f.Control("POST", "/_sim/script", R"({"unknown_trips":["GONE"]})").status == 200);
  for (auto [api, body] :
       {std::pair{Api::kAdjust, AdjustBody("GONE")}, std::pair{Api::kCapture, CaptureBody("GONE")},
        std::pair{Api::kCancel, CancelBody("GONE")},
        std::pair{Api::kRefund, RefundBody("GONE", kRefundId)},
        std::pair{Api::kTransactionalData, CancelBody("GONE")}}) {
    auto r = MustCall(f, api, body);
    CHECK(r.status == 400);
    CHECK(ErrorMsg(r) == "UnknownShoppingTrip");
  }
  CHECK(f.Get("/_sim/violations").as_object().at("violations").as_array().empty());
}

TEST_CASE("lifecycle violations are answered 400, change nothing and are listed") {
  SimFixture f;
  MustCall(f, Api::kAdjust, AdjustBody("T", "10.00"));
  CHECK(MustCall(f, Api::kCapture, CaptureBody("T", "10.01")).status == 400);
  CHECK(MustCall(f, Api::kCapture, CaptureBody("T", "10.00")).status == 200);
  CHECK(MustCall(f, Api::kCapture, CaptureBody("T", "10.00")).status == 200);  // a replay
  CHECK(MustCall(f, Api::kCapture, CaptureBody("T", "9.00")).status == 400);
  CHECK(MustCall(f, Api::kAdjust, AdjustBody("T", "12.00")).status == 400);
  CHECK(MustCall(f, Api::kCancel, CancelBody("T")).status == 400);

  MustCall(f, Api::kAdjust, AdjustBody("C", "5.00"));
  CHECK(MustCall(f, Api::kCancel, CancelBody("C")).status == 200);
  CHECK(MustCall(f, Api::kCapture, CaptureBody("C", "5.00")).status == 400);

  std::vector<std::string> rules;
  const json::array violations = f.Get("/_sim/violations").as_object().at("violations").as_array();
  for (const auto& v : violations) {
    rules.emplace_back(v.as_object().at("rule").as_string());
  }
  CHECK(rules == std::vector<std::string>{"capture_above_authorized", "second_capture",
                                          "adjust_after_capture", "cancel_after_capture",
                                          "capture_after_cancel"});
  const auto t = f.Get("/_sim/trips?id=T").as_object();
  CHECK(t.at("captures") == 1);
  CHECK(t.at("capture_replays") == 1);
  CHECK(t.at("adjust_calls") == 1);
  CHECK_FALSE(t.at("cancelled").as_bool());
  const auto requests =
      f.Get("/_sim/requests?trip=T&api=capture").as_object().at("requests").as_array();
  REQUIRE(requests.size() == 4);
  CHECK(requests[0].as_object().at("violation").as_object().at("rule") ==
        "capture_above_authorized");
}

TEST_CASE("Refund is idempotent on refundRequestId and bounded by what was captured") {
  SimFixture f;
  MustCall(f, Api::kAdjust, AdjustBody("T", "20.00"));
  MustCall(f, Api::kCapture, CaptureBody("T", "20.00"));
  auto first = MustCall(f, Api::kRefund, RefundBody("T", kRefundId, "15.00"));
  CHECK(first.status == 200);
  CHECK(Body(first).at("reconciliationId").as_string() == DeterministicUuid(kRefundId).c_str());
  auto again = MustCall(f, Api::kRefund, RefundBody("T", kRefundId, "15.00"));
  CHECK(again.status == 200);
  CHECK(again.body == first.body);
  auto changed = MustCall(f, Api::kRefund, RefundBody("T", kRefundId, "14.00"));
  CHECK(changed.status == 400);
  auto too_much =
      MustCall(f, Api::kRefund, RefundBody("T", "7c9e6679-7425-40de-944b-e07fc1f90ae7", "5.01"));
  CHECK(too_much.status == 400);
  CHECK(ErrorMsg(too_much) == "refund of 5.01 USD exceeds the refundable 5.00 USD");

  const auto t = f.Get("/_sim/trips?id=T").as_object();
  CHECK(t.at("refunded_minor") == 1500);
  CHECK(t.at("refund_replays") == 1);
  std::vector<std::string> rules;
  const json::array violations = f.Get("/_sim/violations").as_object().at("violations").as_array();
  for (const auto& v : violations) {
    rules.emplace_back(v.as_object().at("rule").as_string());
  }
  CHECK(rules == std::vector<std::string>{"refund_id_reused", "refund_above_refundable"});

  REQUIRE(f.Control("POST", "/_sim/script", R"({"refund_answer":"empty"})").status == 200);
  MustCall(f, Api::kAdjust, AdjustBody("U", "20.00"));
  MustCall(f, Api::kCapture, CaptureBody("U", "20.00"));
  auto empty = MustCall(f, Api::kRefund, RefundBody("U", "9b2c0e6a-5f1e-4c55-9d35-1f0c2b7e8a10"));
  CHECK(empty.status == 200);
  CHECK(empty.body.empty());
}

TEST_CASE("shopper identity: unknown shoppers get 200 without an e-mail") {
  SimFixture f;
  REQUIRE(f.Control("POST", "/_sim/script",
                    R"({"unknown_shoppers":["ghost"],"shopper_email_domain":"shop.test"})")
              .status == 200);
  const auto call = [&](const std::string& id) {
    return MustCall(f, Api::kShopperIdentity,
                    R"({"storeId":"s","shopperId":{"id":")" + id + R"("}})");
  };
  CHECK(call("ghost").body == "{}");
  CHECK(call("known").body == R"({"shopperEmail":"known@shop.test"})");
  CHECK(call(std::string(120, 'x')).body == "{}");  // no valid e-mail fits in 128 characters
}

TEST_CASE("signatures: unsigned, wrong key, wrong secret, other region, stale date get 403") {
  SimFixture f;
  const std::string body = AdjustBody("T");
  const std::string path(ApiPath(Api::kAdjust));
  const int64_t now = f.clock().NowUnixMs();
  const auto send = [&](const jwo::testing::Headers& headers) {
    auto client = f.Connect();
    REQUIRE(client.ok());
    auto r = client->Post(path, body, headers);
    REQUIRE(r.ok());
    return *r;
  };
  jwo::payments::AwsCredentials other_key = f.credentials();
  other_key.access_key_id = "AKIDOTHER";
  jwo::payments::AwsCredentials wrong_secret = f.credentials();
  wrong_secret.secret_access_key = "not-the-secret";

  const std::vector<jwo::testing::Headers> refused = {
      {{"Content-Type", "application/json"}},
      SignedHeaders(path, body, other_key, now),
      SignedHeaders(path, body, wrong_secret, now),
      SignedHeaders(path, body, f.credentials(), now, "eu-west-1"),
      SignedHeaders(path, body, f.credentials(), now - 10 * 60 * 1000),
  };
  for (const auto& headers : refused) {
    auto r = send(headers);
    CHECK(r.status == 403);
    CHECK_FALSE(Body(r).at("message").as_string().empty());
  }
  // A body changed after signing.
  auto client = f.Connect();
  REQUIRE(client.ok());
  auto tampered =
      client->Post(path, AdjustBody("T", "0.01"), SignedHeaders(path, body, f.credentials(), now));
  REQUIRE(tampered.ok());
  CHECK(tampered->status == 403);

  const auto requests = f.Get("/_sim/requests").as_object().at("requests").as_array();
  REQUIRE(requests.size() == 6);
  for (const auto& r : requests) {
    CHECK_FALSE(r.as_object().at("signature").as_object().at("ok").as_bool());
    CHECK_FALSE(r.as_object().at("signature").as_object().at("error").as_string().empty());
  }
  CHECK(f.Control("GET", "/_sim/trips?id=T").status == 404);
  CHECK(f.Get("/_sim/summary").as_object().at("bad_signatures") == 6);
}

TEST_CASE("with a session token, requests must carry it") {
  SimulatorOptions options = TestOptions();
  options.credentials.session_token = "session-token-1";
  SimFixture f(options);
  CHECK(MustCall(f, Api::kAdjust, AdjustBody("T")).status == 200);
  jwo::payments::AwsCredentials no_token = f.credentials();
  no_token.session_token.clear();
  auto client = f.Connect();
  REQUIRE(client.ok());
  const std::string body = AdjustBody("U");
  auto r =
      client->Post(ApiPath(Api::kAdjust), body,
                   SignedHeaders(ApiPath(Api::kAdjust), body, no_token, f.clock().NowUnixMs()));
  REQUIRE(r.ok());
  CHECK(r->status == 403);
}

TEST_CASE("records hold what was received and answered; reset forgets them") {
  SimFixture f;
  MustCall(f, Api::kAdjust, AdjustBody("T", "3.00"));
  const auto all = f.Get("/_sim/requests").as_object();
  const auto& requests = all.at("requests").as_array();
  REQUIRE(requests.size() == 1);
  const auto& r = requests[0].as_object();
  CHECK(r.at("api") == "adjust");
  CHECK(r.at("trip") == "T");
  CHECK(r.at("store") == "store-1");
  CHECK(r.at("body").as_string() == AdjustBody("T", "3.00").c_str());
  CHECK(r.at("status") == 200);
  CHECK(r.at("answer") ==
        R"({"status":"APPROVED","authorizedAmount":{"amount":3.00,"code":"USD"}})");
  CHECK(r.at("signature").as_object().at("ok").as_bool());
  CHECK(r.at("time") == "2026-01-01T00:00:00.000Z");
  CHECK(f.Get("/_sim/requests?after=1").as_object().at("requests").as_array().empty());
  CHECK(f.Control("GET", "/_sim/requests?after=x").status == 400);
  CHECK(f.Get("/_sim/summary")
            .as_object()
            .at("by_api")
            .as_object()
            .at("adjust")
            .as_object()
            .at("200") == 1);

  REQUIRE(f.Control("POST", "/_sim/script", R"({"default_adjust":"DECLINED"})").status == 200);
  REQUIRE(f.Control("POST", "/_sim/reset").status == 200);
  CHECK(f.Get("/_sim/requests").as_object().at("requests").as_array().empty());
  CHECK(f.Get("/_sim/trips").as_object().at("trips").as_object().empty());
  CHECK(f.Get("/_sim/behaviour").as_object().at("default_adjust") == "APPROVED");
}

TEST_CASE("the control API refuses bad scripts, naming the key") {
  SimFixture f;
  auto r = f.Control("POST", "/_sim/script", R"({"faults":[{"kind":"418"}]})");
  CHECK(r.status == 400);
  CHECK(r.json.as_object().at("errorMsg") ==
        "faults[0].kind must be one of 429, 500, 503, slow, drop, drop_after");
  CHECK(f.Control("POST", "/_sim/faults", R"({"default_adjust":"DECLINED"})").status == 400);
  CHECK(f.Control("POST", "/_sim/outage", R"({"seconds":"soon"})").status == 400);
  CHECK(f.Control("GET", "/_sim/health").status == 200);
  CHECK(f.Control("GET", "/v1/adjust/charge").status == 405);
}

TEST_CASE("the query helper decodes parameters") {
  CHECK(QueryParam("/x?a=1&trip=T%2D1&b", "trip") == "T-1");
  CHECK(QueryParam("/x?a=1&b", "b").empty());
  CHECK(QueryParam("/x", "a").empty());
  CHECK(QueryParam("/x?a=1", "c").empty());
}
