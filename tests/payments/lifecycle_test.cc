#include "payments/lifecycle.h"

#include <catch2/catch_test_macros.hpp>
#include <filesystem>
#include <random>

#include "ledger/ledger.h"
#include "payments/backoff.h"
#include "payments/expiry.h"
#include "payments/operator_actions.h"
#include "payments/outbox_commits.h"
#include "store/codec.h"

using namespace jwo;
using payments::AnswerVerdict;
using store::Operation;
using store::TripState;

namespace {

// An approval of whatever was asked: the tests' trips are in USD, and 100.00 covers them.
constexpr const char* kApprovedAll =
    R"({"status":"APPROVED","authorizedAmount":{"amount":100.00,"code":"USD"}})";

struct Fixture {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("jwo-lifecycle-" + std::to_string(std::random_device{}()));
  std::unique_ptr<store::Env> env;
  payments::LifecyclePolicy policy{"store-1", false, true};
  Fixture() {
    store::EnvOptions o;
    o.directory = dir.string();
    o.map_size_bytes = 4 << 20;
    env = store::Env::Open(o).value();
  }
  ~Fixture() {
    env.reset();
    std::filesystem::remove_all(dir);
  }

  void Start(const std::string& trip, int64_t total, bool empty = false,
             const std::string& shopper = "") {
    store::TripRecord t;
    t.trip_id = trip;
    t.shopper_id = shopper.empty() ? "shopper-" + trip : shopper;
    t.currency = "USD";
    t.total = total;
    t.created_ms = 1000;
    if (!empty) t.cart = {{"l1", "SKU", "SKU", "1", "", {}}};
    REQUIRE(
        env->Write([&](store::WriteTxn& txn) { return payments::StartTrip(txn, t, policy, 1000); })
            .ok());
  }

  std::vector<store::OutboxEntry> Outbox() {
    std::vector<store::OutboxEntry> out;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 auto l = payments::ListOutbox(txn, false, 1000);
                 if (l.ok()) out = *l;
                 return l.status();
               })
                .ok());
    return out;
  }

  // The outbox without Get Shopper Identity calls (queued when a trip becomes debt, for the
  // portal's sign-in): the payment calls.
  std::vector<store::OutboxEntry> PaymentCalls() {
    auto out = Outbox();
    std::erase_if(out, [](const store::OutboxEntry& e) {
      return e.operation == Operation::kGetShopperIdentity;
    });
    return out;
  }
  size_t IdentityCalls() { return Outbox().size() - PaymentCalls().size(); }

  // Answers the oldest outbox entry with (status, body).
  AnswerVerdict Answer(int status, const std::string& body) {
    auto entries = Outbox();
    REQUIRE_FALSE(entries.empty());
    std::optional<AnswerVerdict> verdict;
    REQUIRE(env->Write([&](store::WriteTxn& txn) {
                 auto v = payments::ApplyAnswer(txn, entries.front(), status, body, policy, 2000);
                 if (v.ok()) verdict = v->verdict;
                 return v.status();
               })
                .ok());
    return *verdict;
  }

  core::Status Expire(const std::string& trip, int64_t now) {
    return env->Write([&](store::WriteTxn& txn) {
      return payments::ExpireTrips(txn, {trip}, policy, now).status();
    });
  }

  store::TripRecord Trip(const std::string& id) {
    store::TripRecord t;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 auto r = payments::LoadTrip(txn, id);
                 if (r.ok()) t = *r;
                 return r.status();
               })
                .ok());
    return t;
  }

  int64_t Debt(const std::string& shopper) {
    int64_t owed = 0;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 auto s = ledger::ReadShopper(txn, shopper);
                 if (s.ok() && s->has_value()) owed = (*s)->OpenDebt("USD");
                 return s.status();
               })
                .ok());
    return owed;
  }
};

}  // namespace

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

TEST_CASE("a decline on a trip with a manual debt of the same trip id books its own debt") {
  Fixture f;
  // An operator booked something against the trip id before its Adjust was answered.
  store::DebtRecord manual;
  manual.shopper_id = "shopper-m1";
  manual.trip_id = "m1";
  manual.amount = {300, *core::FindCurrency("USD")};
  manual.cause = store::DebtCause::kManual;
  manual.kind = store::DebtKind::kManual;
  REQUIRE(
      f.env->Write([&](store::WriteTxn& txn) { return ledger::AddDebt(txn, manual, 500); }).ok());
  f.Start("m1", 1000);
  CHECK(f.Answer(200, R"({"status":"DECLINED"})") == AnswerVerdict::kDone);
  CHECK(f.Trip("m1").state == TripState::kDeclined);
  // Regression: the decline's AddDebt hit the manual debt's key, kAlreadyExists was taken for
  // "recorded before", and the 10.00 was never owed.
  CHECK(f.Debt("shopper-m1") == 1300);
  std::vector<store::DebtRecord> debts;
  REQUIRE(f.env
              ->Read([&](const store::ReadTxn& txn) {
                auto l = ledger::ListDebts(txn, "shopper-m1");
                if (l.ok()) debts = *l;
                return l.status();
              })
              .ok());
  CHECK(debts.size() == 2);
}

TEST_CASE("a DECLINED increase that leaves an authorization captures it; the rest is debt") {
  Fixture f;
  f.Start("p1", 1000);
  // Regression: authorizedAmount of a DECLINED answer was ignored and the whole 10.00 booked.
  CHECK(f.Answer(200, R"({"status":"DECLINED","authorizedAmount":{"amount":6.00,"code":"USD"}})") ==
        AnswerVerdict::kDone);
  const auto t = f.Trip("p1");
  CHECK(t.state == TripState::kCapturing);
  CHECK(t.authorized == 600);
  REQUIRE(f.PaymentCalls().size() == 1);
  CHECK(f.Outbox().front().operation == Operation::kCapture);
  CHECK(f.Outbox().front().body.find(R"("amount":6.00)") != std::string::npos);
  CHECK(f.Debt("shopper-p1") == 400);
  CHECK(f.Answer(200, "") == AnswerVerdict::kDone);
  CHECK(f.Trip("p1").captured == 600);
}

TEST_CASE("an approval that cannot be captured as read is a dead letter, never a guess") {
  for (const char* body :
       {R"({"status":"APPROVED"})",
        R"({"status":"APPROVED","authorizedAmount":{"amount":10.00,"code":"EUR"}})",
        R"({"status":"APPROVED","authorizedAmount":{"amount":"ten","code":"USD"}})",
        R"({"status":"APPROVED","authorizedAmount":{"amount":1.001,"code":"USD"}})"}) {
    INFO(body);
    Fixture f;
    f.Start("a1", 1000);
    // Regression: an unreadable or foreign-currency amount meant "the full total".
    CHECK(f.Answer(200, body) == AnswerVerdict::kDeadLetter);
    CHECK(f.Trip("a1").state == TripState::kAttention);
    CHECK(f.Outbox().front().dead);
    CHECK(f.Debt("shopper-a1") == 0);
  }
}

TEST_CASE("an approval of 0 queues no Capture of 0: the total is owed") {
  Fixture f;
  f.Start("z1", 1000);
  CHECK(f.Answer(200, R"({"status":"APPROVED","authorizedAmount":{"amount":0,"code":"USD"}})") ==
        AnswerVerdict::kDone);
  CHECK(f.Trip("z1").state == TripState::kDeclined);
  CHECK(f.PaymentCalls().empty());
  CHECK(f.Debt("shopper-z1") == 1000);
}

TEST_CASE("a stored Capture without an amount is an error, not the trip total") {
  Fixture f;
  f.Start("c1", 1000);
  f.Answer(200, kApprovedAll);
  store::OutboxEntry capture = f.Outbox().front();
  capture.body = R"({"storeId":"store-1","shoppingTripId":"c1"})";
  auto s = f.env->Write([&](store::WriteTxn& txn) {
    return payments::ApplyAnswer(txn, capture, 200, "", f.policy, 3000).status();
  });
  CHECK(s.code() == core::StatusCode::kCorruption);
  CHECK(f.Trip("c1").state == TripState::kCapturing);  // nothing changed
}

TEST_CASE("the expired remainder of a trip with a very long id still becomes debt") {
  Fixture f;
  const std::string trip(250, 'x');
  f.Start(trip, 1000, false, "shopper-long");
  REQUIRE(
      f.Answer(200, R"({"status":"APPROVED","authorizedAmount":{"amount":6.00,"code":"USD"}})") ==
      AnswerVerdict::kDone);
  CHECK(f.Debt("shopper-long") == 400);  // partial capture
  // Regression: "<trip>-expired" passed the 255-byte limit and the expiry failed forever.
  REQUIRE(f.Expire(trip, 20'000).ok());
  CHECK(f.Trip(trip).state == TripState::kExpired);
  CHECK(f.Debt("shopper-long") == 1000);
  // The remainder is the trip's expired debt, under the trip's own id.
  std::vector<store::DebtRecord> debts;
  REQUIRE(f.env
              ->Read([&](const store::ReadTxn& txn) {
                auto l = ledger::ListTripDebts(txn, "shopper-long", trip);
                if (l.ok()) debts = *l;
                return l.status();
              })
              .ok());
  REQUIRE(debts.size() == 2);
  CHECK(debts[0].kind == store::DebtKind::kTrip);
  CHECK(debts[0].amount.minor == 400);
  CHECK(debts[1].kind == store::DebtKind::kExpired);
  CHECK(debts[1].amount.minor == 600);
  CHECK(debts[1].trip_id == trip);
}

TEST_CASE("expiry never turns a Capture that may have happened into debt") {
  Fixture f;
  f.Start("u1", 800);
  f.Answer(200, kApprovedAll);
  const uint64_t seq = f.Outbox().front().sequence;
  // The daemon crashed with the Capture on the wire (its start was committed).
  REQUIRE(f.env
              ->Write([&](store::WriteTxn& txn) {
                return payments::CommitAttemptStart(txn, seq, 2500);
              })
              .ok());
  REQUIRE(f.Expire("u1", 20'000).ok());
  CHECK(f.Trip("u1").state == TripState::kCaptureUnknown);
  CHECK(f.Debt("shopper-u1") == 0);
  CHECK(f.Outbox().front().outcome_unknown);
  // And once held, later expiry runs leave it alone.
  REQUIRE(f.Expire("u1", 30'000).ok());
  CHECK(f.Trip("u1").state == TripState::kCaptureUnknown);
  CHECK(f.Debt("shopper-u1") == 0);
}

TEST_CASE("an operator resolves an unknown Capture: captured, or sent once more") {
  Fixture f;
  f.Start("k1", 800);
  f.Start("k2", 900);
  f.Answer(200, kApprovedAll);  // k1's Adjust
  f.Answer(200, kApprovedAll);  // k2's Adjust
  for (const auto& e : f.Outbox()) {
    REQUIRE(f.env
                ->Write([&](store::WriteTxn& txn) {
                  return payments::HoldUnknownCapture(txn, e.sequence, "timeout", 3000);
                })
                .ok());
  }
  auto resolve = [&](const std::string& trip, std::optional<int64_t> amount) {
    core::Result<store::TripRecord> r = core::Status(core::StatusCode::kInternal, "unset");
    (void)f.env->Write([&](store::WriteTxn& txn) {
      r = payments::ResolveUnknownCapture(txn, trip, amount, "ops", f.policy, 4000);
      return r.status();
    });
    return r;
  };
  CHECK(resolve("k1", 700).status().code() == core::StatusCode::kInvalidArgument);
  REQUIRE(resolve("k1", 800).ok());
  CHECK(f.Trip("k1").state == TripState::kCaptured);
  CHECK(f.Trip("k1").captured == 800);
  REQUIRE(resolve("k2", std::nullopt).ok());
  CHECK(f.Trip("k2").state == TripState::kCapturing);
  CHECK(resolve("k2", std::nullopt).status().code() == core::StatusCode::kFailedPrecondition);
  int captures = 0, receipts = 0;
  for (const auto& e : f.Outbox()) {
    if (e.operation == Operation::kCapture) {
      ++captures;
      CHECK(e.trip_id == "k2");
      CHECK(e.live());
    }
    if (e.operation == Operation::kGetTransactionalData) ++receipts;
  }
  CHECK(captures == 1);
  CHECK(receipts == 1);  // k1's receipt calls follow its confirmed capture
  CHECK(f.Debt("shopper-k1") == 0);
}

TEST_CASE("an outbox row that does not decode stops an expiry instead of being skipped") {
  Fixture f;
  f.Start("x1", 700);
  REQUIRE(f.env
              ->Write([&](store::WriteTxn& txn) {
                return txn.Put(store::Table::kOutbox, store::BigEndianKey(999), "garbage");
              })
              .ok());
  // Regression: undecodable rows were skipped, so a damaged Capture of the trip could not be
  // withdrawn, and the expiry booked debt for money that might have been taken.
  CHECK(f.Expire("x1", 20'000).code() == core::StatusCode::kCorruption);
  CHECK(f.Trip("x1").state == TripState::kAdjusting);
  CHECK(f.Debt("shopper-x1") == 0);
}

TEST_CASE("many overdue trips expire in one pass over the outbox") {
  Fixture f;
  std::vector<std::string> trips;
  for (int i = 0; i < 50; ++i) {
    trips.push_back("m" + std::to_string(i));
    f.Start(trips.back(), 100 + i);
  }
  std::vector<std::string> expired;
  REQUIRE(f.env
              ->Write([&](store::WriteTxn& txn) {
                auto r = payments::ExpireTrips(txn, trips, f.policy, 20'000);
                if (r.ok()) expired = *r;
                return r.status();
              })
              .ok());
  CHECK(expired.size() == 50);
  CHECK(f.PaymentCalls().empty());
  CHECK(f.IdentityCalls() == 50);
  CHECK(f.Debt("shopper-m49") == 149);
}
