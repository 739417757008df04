// The payment lifecycle at its edges: debts beside manual ones, partial and zero approvals,
// stored calls that cannot be read back, expiry of long ids and unknown captures.
#include "lifecycle_fixture.h"

using namespace jwo;
using namespace jwo::payments::testing;
using payments::AnswerVerdict;
using store::Operation;
using store::TripState;

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
