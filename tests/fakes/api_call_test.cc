#include "tests/fakes/payment_sim/api_call.h"

#include <catch2/catch_test_macros.hpp>
#include <string>

using namespace jwo::payment_sim;

namespace {

std::string ErrorOf(Api api, const std::string& body) {
  auto call = ParseApiCall(api, body);
  REQUIRE_FALSE(call.ok());
  CHECK(call.status().code() == jwo::core::StatusCode::kInvalidArgument);
  return call.status().message();
}

}  // namespace

TEST_CASE("every API has a name and a path that map back to it") {
  for (Api api : kAllApis) {
    CHECK(ApiFromName(ApiName(api)) == api);
    CHECK(ApiPath(api).substr(0, 4) == "/v1/");
  }
  CHECK(ApiPath(Api::kAdjust) == "/v1/adjust/charge");
  CHECK(ApiPath(Api::kPaymentStatus) == "/v1/feedback/payment-status");
  CHECK_FALSE(ApiFromName("charge").has_value());
}

TEST_CASE("Adjust parses store, trip and an exact amount; unknown fields are ignored") {
  auto call = ParseApiCall(
      Api::kAdjust,
      R"({"storeId":"s_1-A","shoppingTripId":"T-1","amount":{"amount":15.99,"code":"USD"},"new":1})");
  REQUIRE(call.ok());
  CHECK(call->store_id == "s_1-A");
  CHECK(call->trip_id == "T-1");
  CHECK(call->amount.minor == 1599);
  CHECK(call->amount.currency.Code() == "USD");
  auto zero = ParseApiCall(
      Api::kAdjust, R"({"storeId":"s","shoppingTripId":"T","amount":{"amount":0,"code":"JPY"}})");
  REQUIRE(zero.ok());
  CHECK(zero->amount.minor == 0);
}

TEST_CASE("the body itself: empty, not JSON, not an object") {
  CHECK(ErrorOf(Api::kCancel, "") == "request body is empty");
  CHECK(ErrorOf(Api::kCancel, "  \n") == "request body is empty");
  CHECK(ErrorOf(Api::kCancel, "{").rfind("request body is not valid JSON", 0) == 0);
  CHECK(ErrorOf(Api::kCancel, "[]") == "request body must be a JSON object");
  CHECK(ErrorOf(Api::kCancel, "{}") == "storeId is required");
}

TEST_CASE("Amazon's per-API test cases for storeId and shoppingTripId") {
  const auto cancel = [](const std::string& store, const std::string& trip) {
    return ErrorOf(Api::kCancel, R"({"storeId":)" + store + R"(,"shoppingTripId":)" + trip + "}");
  };
  CHECK(cancel(R"("INVALID@STORE#ID")", R"("T")") == "storeId must match ^[0-9a-zA-Z_-]*$");
  CHECK(cancel("12345", "true") == "storeId must be a string");
  CHECK(cancel(R"("s")", "true") == "shoppingTripId must be a string");
  CHECK(cancel("null", R"("T")") == "storeId is required");
  CHECK(cancel(R"("")", R"("T")") == "storeId must not be empty or whitespace");
  CHECK(cancel(R"("   ")", R"("T")") == "storeId must not be empty or whitespace");
  CHECK(cancel(R"("s")", R"("")") == "shoppingTripId must not be empty or whitespace");
  CHECK(cancel(R"("s")", R"("a b")") == "shoppingTripId must match ^[0-9a-zA-Z_-]+$");
  CHECK(cancel('"' + std::string(256, 's') + '"', R"("T")") ==
        "storeId must be at most 255 characters");
  CHECK(cancel(R"("s")", '"' + std::string(256, 't') + '"') ==
        "shoppingTripId must be at most 255 characters");
  CHECK(ParseApiCall(Api::kCancel,
                     R"({"storeId":")" + std::string(255, 's') + R"(","shoppingTripId":"T"})")
            .ok());
}

TEST_CASE("money: shape, currency and exact decimals") {
  const auto adjust = [](const std::string& money) {
    return ErrorOf(Api::kAdjust, R"({"storeId":"s","shoppingTripId":"T","amount":)" + money + "}");
  };
  CHECK(adjust("15.99") == "amount must be an object");
  CHECK(adjust(R"({"amount":1})") == "amount.code is required");
  CHECK(adjust(R"({"amount":1,"code":"usd"})") == "amount.code must match ^[A-Z]{3}$");
  CHECK(adjust(R"({"amount":1,"code":"US"})") == "amount.code must match ^[A-Z]{3}$");
  CHECK(adjust(R"({"amount":1,"code":"XYZ"})") == "amount.code must be an ISO 4217 currency code");
  CHECK(adjust(R"({"code":"USD"})") == "amount.amount is required");
  CHECK(adjust(R"({"amount":"1.00","code":"USD"})") == "amount.amount must be a number");
  CHECK(adjust(R"({"amount":1.999,"code":"USD"})").find("more than 2 decimal places") !=
        std::string::npos);
  CHECK(adjust(R"({"amount":1.5,"code":"JPY"})").find("more than 0 decimal places") !=
        std::string::npos);
  CHECK(adjust(R"({"amount":-0.01,"code":"USD"})") == "amount.amount must not be negative");
}

TEST_CASE("Capture and Refund reject zero and negative amounts") {
  CHECK(ErrorOf(Api::kCapture,
                R"({"storeId":"s","shoppingTripId":"T","amount":{"amount":0,"code":"USD"}})") ==
        "amount.amount must be greater than zero");
  CHECK(ErrorOf(Api::kCapture,
                R"({"storeId":"s","shoppingTripId":"T","amount":{"amount":-1,"code":"USD"}})") ==
        "amount.amount must be greater than zero");
  CHECK(
      ErrorOf(
          Api::kRefund,
          R"({"storeId":"s","shoppingTripId":"T","amount":{"amount":0,"code":"USD"},)"
          R"("refundRequestId":"0f8fad5b-d9cb-469f-a165-70867728950e","refundReasonCode":"X"})") ==
      "amount.amount must be greater than zero");
}

TEST_CASE("Refund needs a UUID refundRequestId and a reason code") {
  const std::string head =
      R"({"storeId":"s","shoppingTripId":"T","amount":{"amount":1,"code":"USD"})";
  auto ok = ParseApiCall(
      Api::kRefund,
      head +
          R"(,"refundRequestId":"0F8FAD5B-D9CB-469F-A165-70867728950E","refundReasonCode":"DAMAGED_ITEM"})");
  REQUIRE(ok.ok());
  CHECK(ok->refund_request_id == "0F8FAD5B-D9CB-469F-A165-70867728950E");
  CHECK(ok->refund_reason == "DAMAGED_ITEM");
  CHECK(ErrorOf(Api::kRefund, head + R"(,"refundReasonCode":"DAMAGED_ITEM"})") ==
        "refundRequestId is required");
  CHECK(ErrorOf(Api::kRefund, head + R"(,"refundRequestId":"r-1","refundReasonCode":"X"})") ==
        "refundRequestId must be a UUID");
  CHECK(ErrorOf(Api::kRefund,
                head + R"(,"refundRequestId":"0f8fad5b-d9cb-469f-a165-70867728950e"})") ==
        "refundReasonCode is required");
  CHECK(
      ErrorOf(
          Api::kRefund,
          head +
              R"(,"refundRequestId":"0f8fad5b-d9cb-469f-a165-70867728950e","refundReasonCode":"damaged"})") ==
      "refundReasonCode must match ^[A-Z0-9_]{1,64}$");
}

TEST_CASE("Report Payment Status: totals, settlement and time") {
  const auto body = [](const std::string& total, const std::string& settled,
                       const std::string& time) {
    return R"({"storeId":"s","shoppingTripId":"T","totalAmount":)" + total +
           R"(,"settledAmount":)" + settled + R"(,"paymentStatusTime":)" + time + "}";
  };
  const std::string usd10 = R"({"amount":10.00,"code":"USD"})";
  const std::string usd0 = R"({"amount":0,"code":"USD"})";
  auto ok = ParseApiCall(Api::kPaymentStatus, body(usd10, usd0, "1767225600000"));
  REQUIRE(ok.ok());
  CHECK(ok->total_amount.minor == 1000);
  CHECK(ok->settled_amount.minor == 0);
  CHECK(ok->payment_status_time == 1767225600000);
  CHECK(ErrorOf(Api::kPaymentStatus, body(usd0, usd10, "1")) ==
        "settledAmount must not exceed totalAmount");
  CHECK(ErrorOf(Api::kPaymentStatus, body(usd10, R"({"amount":1,"code":"EUR"})", "1")) ==
        "settledAmount.code must equal totalAmount.code");
  CHECK(ErrorOf(Api::kPaymentStatus, body(usd10, usd0, "-1")) ==
        "paymentStatusTime must be a non-negative integer");
  CHECK(ErrorOf(Api::kPaymentStatus, body(usd10, usd0, R"("now")")) ==
        "paymentStatusTime must be a non-negative integer");
  CHECK(ErrorOf(Api::kPaymentStatus, body(usd10, usd0, "null")) == "paymentStatusTime is required");
}

TEST_CASE("Get Shopper Identity: shopperId.id, no trip") {
  auto ok = ParseApiCall(Api::kShopperIdentity,
                         R"({"storeId":"s","shopperId":{"id":"amzn1.shopper.X_1-2"}})");
  REQUIRE(ok.ok());
  CHECK(ok->shopper_id == "amzn1.shopper.X_1-2");
  CHECK(ok->trip_id.empty());
  CHECK(ErrorOf(Api::kShopperIdentity, R"({"storeId":"s"})") == "shopperId is required");
  CHECK(ErrorOf(Api::kShopperIdentity, R"({"storeId":"s","shopperId":"x"})") ==
        "shopperId must be an object");
  CHECK(ErrorOf(Api::kShopperIdentity, R"({"storeId":"s","shopperId":{"id":"a@b"}})") ==
        "shopperId.id must match ^[0-9a-zA-Z_.-]+$");
  CHECK(ErrorOf(Api::kShopperIdentity, R"({"storeId":"s","shopperId":{}})") ==
        "shopperId.id is required");
}
