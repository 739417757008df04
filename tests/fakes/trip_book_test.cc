#include "tests/fakes/payment_sim/trip_book.h"

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>

using namespace jwo::payment_sim;
using jwo::core::Money;

namespace {

Money Usd(int64_t minor) { return Money{minor, *jwo::core::FindCurrency("USD")}; }

ApiCall Call(Api api, const std::string& trip, Money amount = Usd(0)) {
  ApiCall c;
  c.api = api;
  c.store_id = "store-1";
  c.trip_id = trip;
  c.amount = amount;
  return c;
}

ApiCall RefundCall(const std::string& trip, const std::string& id, int64_t minor,
                   const std::string& reason = "DAMAGED_ITEM") {
  ApiCall c = Call(Api::kRefund, trip, Usd(minor));
  c.refund_request_id = id;
  c.refund_reason = reason;
  return c;
}

// An Adjust for `minor` with `outcome`, then a capture of `captured` (0: none).
void Captured(TripBook& book, const std::string& trip, int64_t minor, int64_t captured) {
  REQUIRE_FALSE(book.CheckAdjust(Call(Api::kAdjust, trip, Usd(minor))).has_value());
  book.ApplyAdjust(Call(Api::kAdjust, trip, Usd(minor)), AdjustOutcome::kApproved);
  if (captured > 0) REQUIRE_FALSE(book.Capture(Call(Api::kCapture, trip, Usd(captured))).breach);
}

std::string RuleOf(const BookResult& r) { return r.breach ? r.breach->rule : ""; }

const char* kId1 = "0f8fad5b-d9cb-469f-a165-70867728950e";
const char* kId2 = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

}  // namespace

TEST_CASE("Adjust answers the cart total when APPROVED, the standing authorization otherwise") {
  TripBook book;
  CHECK(book.ApplyAdjust(Call(Api::kAdjust, "T", Usd(1200)), AdjustOutcome::kPending) == Usd(0));
  CHECK(book.ApplyAdjust(Call(Api::kAdjust, "T", Usd(1599)), AdjustOutcome::kApproved) ==
        Usd(1599));
  CHECK(book.ApplyAdjust(Call(Api::kAdjust, "T", Usd(2000)), AdjustOutcome::kDeclined) ==
        Usd(1599));
  const TripState* t = book.Find("T");
  REQUIRE(t != nullptr);
  CHECK(t->adjust_calls == 3);
  CHECK(t->last_adjust_status == "DECLINED");
  CHECK(t->last_adjust_amount == Usd(2000));
  CHECK(t->authorized == Usd(1599));
  CHECK(t->store_id == "store-1");
}

TEST_CASE("capture rules: approval, amount, currency, one capture, no cancel") {
  TripBook book;
  CHECK(RuleOf(book.Capture(Call(Api::kCapture, "T", Usd(100)))) == "capture_without_approval");
  book.ApplyAdjust(Call(Api::kAdjust, "T", Usd(1000)), AdjustOutcome::kDeclined);
  CHECK(RuleOf(book.Capture(Call(Api::kCapture, "T", Usd(100)))) == "capture_without_approval");
  Captured(book, "T", 1000, 0);
  CHECK(RuleOf(book.Capture(Call(Api::kCapture, "T", Usd(1001)))) == "capture_above_authorized");
  CHECK(
      RuleOf(book.Capture(Call(Api::kCapture, "T", Money{100, *jwo::core::FindCurrency("EUR")}))) ==
      "capture_currency_mismatch");
  CHECK(book.Find("T")->captures.empty());

  const BookResult partial = book.Capture(Call(Api::kCapture, "T", Usd(900)));
  CHECK_FALSE(partial.breach);
  CHECK_FALSE(partial.replay);
  const BookResult again = book.Capture(Call(Api::kCapture, "T", Usd(900)));
  CHECK_FALSE(again.breach);
  CHECK(again.replay);
  CHECK(RuleOf(book.Capture(Call(Api::kCapture, "T", Usd(100)))) == "second_capture");
  CHECK(book.Find("T")->captures == std::vector<Money>{Usd(900)});
  CHECK(book.Find("T")->capture_replays == 1);

  CHECK(book.CheckAdjust(Call(Api::kAdjust, "T", Usd(900)))->rule == "adjust_after_capture");
  CHECK(RuleOf(book.Cancel(Call(Api::kCancel, "T"))) == "cancel_after_capture");
}

TEST_CASE("simulator capture_replay apply: a second Capture, identical or not, is charged") {
  TripBook book;
  Captured(book, "T", 1000, 900);
  const BookResult same = book.Capture(Call(Api::kCapture, "T", Usd(900)), CaptureReplay::kApply);
  CHECK_FALSE(same.breach);
  CHECK_FALSE(same.replay);
  REQUIRE(same.violation);
  CHECK(same.violation->rule == "second_capture");
  const BookResult other = book.Capture(Call(Api::kCapture, "T", Usd(100)), CaptureReplay::kApply);
  REQUIRE(other.violation);
  CHECK(other.violation->rule == "second_capture");
  CHECK(book.Find("T")->captures == std::vector<Money>{Usd(900), Usd(900), Usd(100)});
  CHECK(book.Find("T")->capture_replays == 0);
  // The authorisation rules still hold for the second charge.
  CHECK(RuleOf(book.Capture(Call(Api::kCapture, "T", Usd(1001)), CaptureReplay::kApply)) ==
        "capture_above_authorized");
  CHECK(book.Find("T")->captures.size() == 3);

  // noop (the default) keeps the replay answer.
  Captured(book, "U", 500, 500);
  const BookResult replay = book.Capture(Call(Api::kCapture, "U", Usd(500)));
  CHECK(replay.replay);
  CHECK_FALSE(replay.violation);
  CHECK(book.Find("U")->captures.size() == 1);
}

TEST_CASE("cancel: idempotent, and no capture after it") {
  TripBook book;
  Captured(book, "T", 500, 0);
  const BookResult first = book.Cancel(Call(Api::kCancel, "T"));
  CHECK_FALSE(first.breach);
  CHECK_FALSE(first.replay);
  CHECK(book.Cancel(Call(Api::kCancel, "T")).replay);
  CHECK(book.Find("T")->cancelled);
  CHECK(book.Find("T")->cancel_calls == 2);
  CHECK(RuleOf(book.Capture(Call(Api::kCapture, "T", Usd(500)))) == "capture_after_cancel");
}

TEST_CASE("refunds: never above captured minus refunded; idempotent on refundRequestId") {
  TripBook book;
  std::string answer = "{}";
  CHECK(RuleOf(book.Refund(RefundCall("T", kId1, 100), &answer)) == "refund_above_refundable");
  Captured(book, "T", 1000, 800);
  answer = R"({"reconciliationId":"r1"})";
  CHECK_FALSE(book.Refund(RefundCall("T", kId1, 500), &answer).breach);
  answer = R"({"reconciliationId":"other"})";
  const BookResult replay = book.Refund(RefundCall("T", kId1, 500), &answer);
  CHECK(replay.replay);
  CHECK(answer == R"({"reconciliationId":"r1"})");
  CHECK(book.Find("T")->refunded_minor == 500);
  CHECK(book.Find("T")->refund_replays == 1);

  std::string ignored;
  CHECK(RuleOf(book.Refund(RefundCall("T", kId1, 400), &ignored)) == "refund_id_reused");
  CHECK(RuleOf(book.Refund(RefundCall("T", kId1, 500, "WRONG_ITEM"), &ignored)) ==
        "refund_id_reused");
  Captured(book, "U", 1000, 1000);
  CHECK(RuleOf(book.Refund(RefundCall("U", kId1, 500), &ignored)) == "refund_id_reused");
  CHECK(RuleOf(book.Refund(RefundCall("T", kId2, 301), &ignored)) == "refund_above_refundable");
  CHECK_FALSE(book.Refund(RefundCall("T", kId2, 300), &ignored).breach);
  CHECK(book.Find("T")->refunded_minor == 800);
  CHECK(book.Find("T")->refunds.size() == 2);
}

TEST_CASE("trip state reads back as JSON with exact money") {
  TripBook book;
  Captured(book, "T", 1599, 1599);
  ApiCall report = Call(Api::kPaymentStatus, "T");
  report.total_amount = Usd(1599);
  report.settled_amount = Usd(1599);
  report.payment_status_time = 42;
  book.ReportStatus(report);
  CHECK(book.TransactionalData(Call(Api::kTransactionalData, "T")) == "USD");
  CHECK(book.TripJson("nope").empty());
  const auto t = boost::json::parse(book.TripJson("T")).as_object();
  CHECK(t.at("shoppingTripId") == "T");
  CHECK(t.at("authorized").as_object().at("amount") == "15.99");
  CHECK(t.at("authorized").as_object().at("minor") == 1599);
  CHECK(t.at("captures") == 1);
  CHECK(t.at("capture_replays") == 0);
  REQUIRE(t.at("capture_amounts").as_array().size() == 1);
  CHECK(t.at("capture_amounts").as_array()[0].as_object().at("minor") == 1599);
  CHECK(t.at("status_reports").as_array()[0].as_object().at("paymentStatusTime") == 42);
  CHECK(t.at("transactional_data_calls") == 1);
  const auto all = boost::json::parse(book.AllJson()).as_object();
  CHECK(all.at("trips").as_object().contains("T"));
  book.Clear();
  CHECK(book.size() == 0);
}
