#include "lifecycle_fixture.h"

using namespace jwo;
using namespace jwo::payments::testing;
using payments::AnswerVerdict;
using store::Operation;
using store::TripState;

TEST_CASE("approved: Adjust, then Capture of the total, then the receipt calls") {
  Fixture f;
  f.Start("t1", 1599);
  auto out = f.Outbox();
  REQUIRE(out.size() == 1);
  CHECK(out[0].operation == Operation::kAdjust);
  CHECK(out[0].body ==
        R"({"storeId":"store-1","shoppingTripId":"t1","amount":{"amount":15.99,"code":"USD"}})");
  CHECK(
      f.Answer(200, R"({"status":"APPROVED","authorizedAmount":{"amount":15.99,"code":"USD"}})") ==
      AnswerVerdict::kDone);
  CHECK(f.Trip("t1").state == TripState::kCapturing);
  out = f.Outbox();
  REQUIRE(out.size() == 1);
  CHECK(out[0].operation == Operation::kCapture);
  CHECK(f.Answer(200, "") == AnswerVerdict::kDone);
  const auto t = f.Trip("t1");
  CHECK(t.state == TripState::kCaptured);
  CHECK(t.captured == 1599);
  out = f.Outbox();
  REQUIRE(out.size() == 2);
  CHECK(out[0].operation == Operation::kGetTransactionalData);
  CHECK(out[1].operation == Operation::kGetShopperIdentity);
  CHECK(f.Answer(200, R"({"brand":"VISA","tail":"4242"})") == AnswerVerdict::kDone);
  CHECK(f.Answer(200, R"({"shopperEmail":"a@example.test"})") == AnswerVerdict::kDone);
  CHECK(f.Trip("t1").receipt_complete);
  CHECK(f.Trip("t1").shopper_email == "a@example.test");
  CHECK(f.Outbox().empty());
}

TEST_CASE("receipt_complete comes from the applied answers, never from the history's wording") {
  Fixture f;
  f.Start("rc", 500);
  f.Answer(200, kApprovedAll);
  f.Answer(200, "");
  // Regression: completeness was read from a history event named "shopper_identity", so an
  // entry with that wording (or a renamed event) decided it. Write such an entry by hand.
  REQUIRE(f.env
              ->Write([&](store::WriteTxn& txn) {
                auto t = payments::LoadTrip(txn, "rc");
                if (!t.ok()) return t.status();
                t->Record(2000, "shopper_identity", "written by hand, no answer applied");
                return payments::SaveTrip(txn, *t);
              })
              .ok());
  REQUIRE(f.Outbox().front().operation == Operation::kGetTransactionalData);
  CHECK(f.Answer(200, R"({"brand":"VISA"})") == AnswerVerdict::kDone);
  auto t = f.Trip("rc");
  CHECK(t.have_transactional_data);
  CHECK_FALSE(t.have_shopper_identity);
  CHECK_FALSE(t.receipt_complete);
  REQUIRE(f.Outbox().front().operation == Operation::kGetShopperIdentity);
  CHECK(f.Answer(200, R"({"shopperEmail":"b@example.test"})") == AnswerVerdict::kDone);
  t = f.Trip("rc");
  CHECK(t.have_shopper_identity);
  CHECK(t.receipt_complete);
}

TEST_CASE("declined: the total becomes one debt, no Capture") {
  Fixture f;
  f.Start("t2", 432);
  CHECK(f.Answer(200, R"({"status":"DECLINED"})") == AnswerVerdict::kDone);
  CHECK(f.Trip("t2").state == TripState::kDeclined);
  CHECK(f.Debt("shopper-t2") == 432);
  CHECK(f.PaymentCalls().empty());
  CHECK(f.IdentityCalls() == 1);  // the address the shopper signs in to the portal with
  CHECK(f.Trip("t2").identity_requested);
}

TEST_CASE("PENDING, 429, 5xx, 401/403 and malformed answers keep the same entry for a retry") {
  Fixture f;
  f.Start("t3", 100);
  const uint64_t seq = f.Outbox().front().sequence;
  for (auto [status, body] :
       std::vector<std::pair<int, std::string>>{{200, R"({"status":"PENDING"})"},
                                                {429, ""},
                                                {500, ""},
                                                {503, ""},
                                                {403, ""},
                                                {200, "not json"},
                                                {200, R"({"status":"MAYBE"})"}}) {
    INFO(status << " " << body);
    CHECK(f.Answer(status, body) == AnswerVerdict::kRetry);
    REQUIRE(f.Outbox().size() == 1);
    CHECK(f.Outbox().front().sequence == seq);
    CHECK(f.Trip("t3").state == TripState::kAdjusting);
  }
}

TEST_CASE("a 400 makes a dead letter and puts an unsettled trip in attention") {
  Fixture f;
  f.Start("t4", 100);
  CHECK(f.Answer(400, R"({"errorMsg":"UnknownShoppingTrip"})") == AnswerVerdict::kDeadLetter);
  auto out = f.Outbox();
  REQUIRE(out.size() == 1);
  CHECK(out[0].dead);
  CHECK(out[0].last_error.find("UnknownShoppingTrip") != std::string::npos);
  CHECK(f.Trip("t4").state == TripState::kAttention);
  // An operator retries it: due again, trip back to waiting for its Adjust.
  REQUIRE(f.env
              ->Write([&](store::WriteTxn& txn) {
                return payments::RetryOutbox(txn, out[0].sequence, 3000);
              })
              .ok());
  CHECK_FALSE(f.Outbox().front().dead);
  CHECK(f.Trip("t4").state == TripState::kAdjusting);
}

TEST_CASE("an empty cart queues a Cancel") {
  Fixture f;
  f.Start("t5", 0, true);
  auto out = f.Outbox();
  REQUIRE(out.size() == 1);
  CHECK(out[0].operation == Operation::kCancel);
  CHECK(f.Answer(200, "") == AnswerVerdict::kDone);
  CHECK(f.Trip("t5").state == TripState::kCancelled);
}

TEST_CASE("partial approval: capture what was authorized, the rest is debt") {
  Fixture f;
  f.Start("t6", 1000);
  CHECK(f.Answer(200, R"({"status":"APPROVED","authorizedAmount":{"amount":6.00,"code":"USD"}})") ==
        AnswerVerdict::kDone);
  CHECK(f.Outbox().front().body.find(R"("amount":6.00)") != std::string::npos);
  CHECK(f.Debt("shopper-t6") == 400);
}

TEST_CASE("amazon_managed reports the payment status after each outcome") {
  Fixture f;
  f.policy.report_payment_status = true;
  f.Start("t7", 250);
  REQUIRE(f.Answer(200, R"({"status":"DECLINED"})") == AnswerVerdict::kDone);
  auto out = f.PaymentCalls();
  REQUIRE(out.size() == 1);
  CHECK(out[0].operation == Operation::kReportPaymentStatus);
  CHECK(out[0].body.find(R"("settledAmount":{"amount":0.00,"code":"USD"})") != std::string::npos);
  CHECK(out[0].body.find(R"("totalAmount":{"amount":2.50,"code":"USD"})") != std::string::npos);
}

TEST_CASE("refunds: captured only, within what is left, id persisted") {
  Fixture f;
  f.Start("t8", 1000);
  auto refund = [&](int64_t amount) {
    core::Result<std::string> id = core::Status(core::StatusCode::kInternal, "unset");
    (void)f.env->Write([&](store::WriteTxn& txn) {
      id = payments::RequestRefund(txn, "t8", amount, "DAMAGED_ITEM", "ops", 30, f.policy, 2000);
      return id.status();
    });
    return id;
  };
  CHECK(refund(100).status().code() == core::StatusCode::kFailedPrecondition);  // not captured
  f.Answer(200, kApprovedAll);
  f.Answer(200, "");
  while (f.Outbox().size() > 0) f.Answer(200, "{}");
  CHECK(refund(1001).status().code() == core::StatusCode::kOutOfRange);
  auto id = refund(600);
  REQUIRE(id.ok());
  CHECK(refund(401).status().code() == core::StatusCode::kOutOfRange);  // 600 pending
  auto out = f.Outbox();
  REQUIRE(out.size() == 1);
  CHECK(out[0].body.find(*id) != std::string::npos);
  f.Answer(200, R"({"reconciliationId":"r-1"})");
  CHECK(f.Trip("t8").refunded == 600);
  CHECK(f.Trip("t8").refunds.at(0).reconciliation_id == "r-1");
}

TEST_CASE("pre-auth expiry: unsettled trips expire into debt, settled ones are left alone") {
  Fixture f;
  f.Start("t9", 700);
  f.Start("t10", 300);
  f.Answer(200, kApprovedAll);  // t9 -> capturing
  payments::ExpiryScan scan;
  REQUIRE(f.env
              ->Read([&](const store::ReadTxn& txn) {
                auto s = payments::ScanExpiry(txn, 1000 + 9'000, 10'000, 2'000);
                if (s.ok()) scan = *s;
                return s.status();
              })
              .ok());
  CHECK(scan.nearing.size() == 2);
  CHECK(scan.overdue.empty());
  REQUIRE(f.Expire("t9", 20'000).ok());
  CHECK(f.Trip("t9").state == TripState::kExpired);
  CHECK(f.Debt("shopper-t9") == 700);
  for (const auto& e : f.PaymentCalls()) CHECK(e.trip_id != "t9");  // its Capture was withdrawn
  CHECK(f.IdentityCalls() == 1);  // t9's shopper will sign in to pay
}

TEST_CASE("held trips wait for an operator, then start their Adjust") {
  Fixture f;
  store::TripRecord t;
  t.trip_id = "h1";
  t.currency = "USD";
  t.total = 149;
  t.state = TripState::kHeld;
  t.cart = {{"a", "COLA", "SKU", "1", "", {}}, {"b", "MYSTERY", "SKU", "1", "", {}}};
  t.unpriced = {"line b (MYSTERY): unknown SKU"};
  REQUIRE(
      f.env
          ->Write([&](store::WriteTxn& txn) { return payments::StartTrip(txn, t, f.policy, 1000); })
          .ok());
  CHECK(f.Outbox().empty());
  REQUIRE(f.env
              ->Write([&](store::WriteTxn& txn) {
                return payments::ResolveHeld(txn, "h1", payments::HeldAction::kPriceLine, "b", 200,
                                             "", "ops", f.policy, 2000)
                    .status();
              })
              .ok());
  CHECK(f.Trip("h1").state == TripState::kAdjusting);
  CHECK(f.Trip("h1").total == 349);
  CHECK(f.Outbox().front().operation == Operation::kAdjust);
}

TEST_CASE("backoff doubles to the cap with jitter, Retry-After is a floor") {
  for (uint64_t r : {uint64_t{0}, uint64_t{12345}, ~uint64_t{0}}) {
    const int64_t d0 = payments::RetryDelayMs(0, 1000, 300'000, "", r);
    CHECK(d0 >= 500);
    CHECK(d0 <= 1000);
    const int64_t d3 = payments::RetryDelayMs(3, 1000, 300'000, "", r);
    CHECK(d3 >= 4000);
    CHECK(d3 <= 8000);
    const int64_t d30 = payments::RetryDelayMs(30, 1000, 300'000, "", r);
    CHECK(d30 >= 150'000);
    CHECK(d30 <= 300'000);
  }
  CHECK(payments::RetryDelayMs(0, 1000, 300'000, "7", 0) == 7000);
  CHECK(payments::RetryDelayMs(0, 1000, 300'000, "999999", 0) == 3'600'000);
  CHECK(payments::RetryDelayMs(0, 1000, 300'000, "soon", 0) == 500);
}

TEST_CASE("a refund refused with a 400 keeps its amount reserved until its entry is dropped") {
  Fixture f;
  f.Start("r1", 1000);
  f.Answer(200, kApprovedAll);
  f.Answer(200, "");
  while (!f.Outbox().empty()) f.Answer(200, "{}");
  auto refund = [&](int64_t amount) {
    core::Result<std::string> id = core::Status(core::StatusCode::kInternal, "unset");
    (void)f.env->Write([&](store::WriteTxn& txn) {
      id = payments::RequestRefund(txn, "r1", amount, "DAMAGED_ITEM", "ops", 30, f.policy, 2000);
      return id.status();
    });
    return id;
  };
  REQUIRE(refund(1000).ok());
  CHECK(refund(1).status().code() == core::StatusCode::kOutOfRange);
  CHECK(f.Answer(400, R"({"errorMsg":"BadRequestException"})") == AnswerVerdict::kDeadLetter);
  // Regression: the amount used to be freed here, and `outbox retry` then revived the dead
  // entry without reserving it again: the same 10.00 could be refunded twice.
  CHECK(f.Trip("r1").refunds.at(0).state == store::RefundState::kPending);
  CHECK(refund(1).status().code() == core::StatusCode::kOutOfRange);
  CHECK(f.Trip("r1").state == TripState::kCaptured);  // a refused refund does not unsettle it
  const uint64_t seq = f.Outbox().front().sequence;
  REQUIRE(f.env->Write([&](store::WriteTxn& txn) { return payments::RetryOutbox(txn, seq, 2500); })
              .ok());
  CHECK(refund(1).status().code() == core::StatusCode::kOutOfRange);  // still reserved
  CHECK(f.Answer(400, R"({"errorMsg":"BadRequestException"})") == AnswerVerdict::kDeadLetter);
  // Dropping the dead letter gives the refund up and frees its amount.
  REQUIRE(
      f.env
          ->Write([&](store::WriteTxn& txn) { return payments::DropOutbox(txn, seq, "ops", 2600); })
          .ok());
  CHECK(f.Trip("r1").refunds.at(0).state == store::RefundState::kFailed);
  CHECK(refund(1000).ok());
}

TEST_CASE("only dead letters can be retried or dropped") {
  Fixture f;
  f.Start("d1", 1000);
  const uint64_t seq = f.Outbox().front().sequence;
  // Regression: a live entry could be dropped while on the wire, and its later 200 was lost.
  auto drop = f.env->Write(
      [&](store::WriteTxn& txn) { return payments::DropOutbox(txn, seq, "ops", 2000); });
  CHECK(drop.code() == core::StatusCode::kFailedPrecondition);
  auto retry =
      f.env->Write([&](store::WriteTxn& txn) { return payments::RetryOutbox(txn, seq, 2000); });
  CHECK(retry.code() == core::StatusCode::kFailedPrecondition);
  REQUIRE(f.Outbox().size() == 1);
}

TEST_CASE("a refund answered 200 after it was given up is recorded, not lost") {
  Fixture f;
  f.Start("r2", 1000);
  f.Answer(200, kApprovedAll);
  f.Answer(200, "");
  while (!f.Outbox().empty()) f.Answer(200, "{}");
  REQUIRE(f.env
              ->Write([&](store::WriteTxn& txn) {
                return payments::RequestRefund(txn, "r2", 300, "DAMAGED_ITEM", "ops", 30, f.policy,
                                               2000)
                    .status();
              })
              .ok());
  const store::OutboxEntry sent = f.Outbox().front();
  CHECK(f.Answer(400, "{}") == AnswerVerdict::kDeadLetter);
  REQUIRE(f.env
              ->Write([&](store::WriteTxn& txn) {
                return payments::DropOutbox(txn, sent.sequence, "ops", 2600);
              })
              .ok());
  // A copy of the request was still on the wire and the money went back after all.
  store::TripRecord t = f.Trip("r2");
  REQUIRE(t.refunds.at(0).state == store::RefundState::kFailed);
  store::OutboxEntry again = sent;
  REQUIRE(f.env
              ->Write([&](store::WriteTxn& txn) {
                // Re-create the entry as it was, as if the answer arrived for it.
                if (auto s = txn.Put(store::Table::kOutbox, store::BigEndianKey(again.sequence),
                                     store::EncodeOutbox(again));
                    !s.ok()) {
                  return s;
                }
                return payments::ApplyAnswer(txn, again, 200, "", f.policy, 2700).status();
              })
              .ok());
  t = f.Trip("r2");
  CHECK(t.refunds.at(0).state == store::RefundState::kDone);
  CHECK(t.refunded == 300);
  CHECK(t.history.back().event == "refunded");
}

TEST_CASE("a Capture that succeeded after its entry was withdrawn is still recorded") {
  Fixture f;
  f.Start("w1", 500);
  f.Answer(200, kApprovedAll);
  const store::OutboxEntry capture = f.Outbox().front();
  REQUIRE(capture.operation == Operation::kCapture);
  // The pre-auth expires meanwhile: the Capture is withdrawn and the total becomes debt.
  REQUIRE(f.Expire("w1", 9000).ok());
  CHECK(f.Debt("shopper-w1") == 500);
  // ... but the Capture was already on the wire and succeeded.
  REQUIRE(f.env
              ->Write([&](store::WriteTxn& txn) {
                return payments::ApplyOrphanCapture(txn, capture, 9100);
              })
              .ok());
  CHECK(f.Trip("w1").captured == 500);
  CHECK(f.Trip("w1").state == TripState::kAttention);
  CHECK(f.Debt("shopper-w1") == 0);
}
