#include "mail/receipt.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

namespace jwo::mail {
namespace {

using Catch::Matchers::ContainsSubstring;

store::TripRecord CapturedTrip() {
  store::TripRecord t;
  t.trip_id = "trip-42";
  t.store_id = "store-1";
  t.currency = "USD";
  t.end_ms = 1'796'400'000'000;  // 2026-12-04 16:00 UTC
  store::PricedLineRecord chips;
  chips.name = "Chips";
  chips.quantity = "2";
  chips.gross = 798;
  chips.discount = 100;
  chips.promotions = {"2 for 6.98"};
  store::PricedLineRecord apples;
  apples.name = "Apples <organic> & \"fresh\"";
  apples.quantity = "0.5";
  apples.gross = 150;
  t.priced = {chips, apples};
  t.subtotal = 948;
  t.discount = 100;
  t.tax = 70;
  t.total = 918;
  t.captured = 918;
  t.refunded = 150;
  t.state = store::TripState::kCaptured;
  t.transactional_data =
      R"({"brand":"VISA","tail":"4242","posEntryMode":"EMV_9F39_07","applicationId":"A0000000031010",)"
      R"("authorizationResponseCode":"123456","terminalId":"T-9","reconciliationId":"rec-77",)"
      R"("expirationDate":{"expirationYear":2030,"expirationMonth":1},"panSequenceNumber":"01"})";
  return t;
}

}  // namespace

TEST_CASE("a receipt lists lines, promotions, totals, refunds and the card's receipt data") {
  auto r = RenderReceipt(CapturedTrip(), {"Corner Store", "Questions? portal.example"});
  REQUIRE(r.ok());
  CHECK(r->subject == "Your receipt from Corner Store: 9.18 USD");
  const std::string& text = r->text;
  CHECK_THAT(text, ContainsSubstring("2026-12-04 16:00 UTC"));
  CHECK_THAT(text, ContainsSubstring("Chips x 2"));
  CHECK_THAT(text, ContainsSubstring("  2 for 6.98\n"));
  CHECK_THAT(text, ContainsSubstring("-1.00 USD"));
  CHECK_THAT(text, ContainsSubstring("Subtotal"));
  CHECK_THAT(text, ContainsSubstring("9.48 USD"));
  CHECK_THAT(text, ContainsSubstring("Refunded"));
  CHECK_THAT(text, ContainsSubstring("-1.50 USD"));
  CHECK_THAT(text, ContainsSubstring("VISA ending 4242"));
  CHECK_THAT(text, ContainsSubstring("AID: A0000000031010"));
  CHECK_THAT(text, ContainsSubstring("Authorization: 123456"));
  CHECK_THAT(text, ContainsSubstring("Reference: rec-77"));
  CHECK_THAT(text, ContainsSubstring("Questions? portal.example"));
  // What could identify the card beyond its last four is not on a receipt.
  for (const std::string* part : {&r->text, &r->html}) {
    CHECK_THAT(*part, !ContainsSubstring("2030"));
    CHECK_THAT(*part, !ContainsSubstring("expiration"));
  }
}

TEST_CASE("the HTML part escapes every text from the trip") {
  store::TripRecord t = CapturedTrip();
  t.trip_id = "t<script>alert(1)</script>";
  auto r = RenderReceipt(t, {"Shop & Co", ""});
  REQUIRE(r.ok());
  CHECK_THAT(r->html, ContainsSubstring("Apples &lt;organic&gt; &amp; &quot;fresh&quot;"));
  CHECK_THAT(r->html, ContainsSubstring("Shop &amp; Co"));
  CHECK_THAT(r->html, !ContainsSubstring("<script>"));
  CHECK_THAT(r->html, ContainsSubstring("&lt;script&gt;"));
}

TEST_CASE("a receipt never carries more than the last four digits of the card") {
  store::TripRecord t = CapturedTrip();
  t.transactional_data = R"({"brand":"VISA","tail":"4111 1111 1111 1234"})";
  auto r = RenderReceipt(t, {});
  REQUIRE(r.ok());
  CHECK_THAT(r->text, ContainsSubstring("VISA ending 1234"));
  CHECK_THAT(r->text, !ContainsSubstring("4111"));
  CHECK_THAT(r->html, !ContainsSubstring("4111"));
  CHECK(r->subject.find("store-1") != std::string::npos);  // no store name: the store id
}

TEST_CASE("no receipt for a trip that was not captured, or with damaged receipt data") {
  store::TripRecord t = CapturedTrip();
  t.state = store::TripState::kDeclined;
  CHECK(RenderReceipt(t, {}).status().code() == core::StatusCode::kFailedPrecondition);
  t = CapturedTrip();
  t.transactional_data = "[1,2]";
  CHECK(RenderReceipt(t, {}).status().code() == core::StatusCode::kCorruption);
  t = CapturedTrip();
  t.transactional_data.clear();  // not fetched (yet): a receipt without the card block
  auto r = RenderReceipt(t, {});
  REQUIRE(r.ok());
  CHECK_THAT(r->text, !ContainsSubstring("Payment"));
}

}  // namespace jwo::mail
