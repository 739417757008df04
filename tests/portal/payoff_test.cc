// Payoffs against a real LMDB store and the sandbox processor: settled once, never charged
// twice (double submit, a crash between the processor's answer and the commit), declines and
// the extra step, a balance that changed, and Amazon told in amazon_managed mode.
#include "portal/payoff.h"

#include <catch2/catch_test_macros.hpp>

#include "ledger/ledger.h"
#include "payments/operator_actions.h"
#include "portal/sandbox_processor.h"
#include "portal_rig.h"

namespace jwo::portal {
namespace {

using core::StatusCode;
using testing::CapturedTrip;

struct PayoffRig {
  jwo::testing::TempDir dir;
  std::unique_ptr<store::Env> env;
  core::FakeClock clock;
  std::unique_ptr<SandboxProcessor> processor;
  std::unique_ptr<PayoffService> payoffs;
  payments::LifecyclePolicy policy{"store-1", false, true, false};

  PayoffRig() {
    env = testing::OpenStore(dir);
    processor = std::make_unique<SandboxProcessor>(*env);
    payoffs = std::make_unique<PayoffService>(PayoffService::Deps{
        env.get(), processor.get(), &clock, [this] { return policy; }, nullptr, "store-1"});
  }

  // A declined trip of `shopper` owing `amount`.
  void Owe(const std::string& trip, const std::string& shopper, int64_t amount) {
    store::TripRecord t = CapturedTrip(trip, shopper, shopper + "@example.test", amount);
    t.state = store::TripState::kDeclined;
    t.captured = 0;
    REQUIRE(env->Write([&](store::WriteTxn& txn) {
                 if (auto s = payments::SaveTrip(txn, t); !s.ok()) return s;
                 store::DebtRecord d;
                 d.shopper_id = shopper;
                 d.trip_id = trip;
                 d.cause = store::DebtCause::kDeclinedAdjust;
                 d.amount = {amount, *core::FindCurrency("USD")};
                 d.origin_store = "store-1";
                 return ledger::AddDebt(txn, d, clock.NowUnixMs());
               })
                .ok());
  }

  int64_t Balance(const std::string& shopper) {
    int64_t open = 0;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 auto debts = OpenDebts(txn, {shopper}, "USD");
                 if (!debts.ok()) return debts.status();
                 for (const auto& d : *debts) open += d.amount;
                 return core::Status::Ok();
               })
                .ok());
    return open;
  }
};

const std::string kId = "0123456789abcdef0123456789abcdef";

TEST_CASE("payoff: a good card settles every open debt once; a double submit charges nothing") {
  PayoffRig rig;
  rig.Owe("t1", "sh-1", 500);
  rig.Owe("t2", "sh-1", 250);
  auto p = rig.payoffs->Begin(kId, "hash-1", {"sh-1"}, "USD", 750);
  REQUIRE(p.ok());
  CHECK(p->state == PayoffState::kCharging);
  CHECK(p->debts.size() == 2);
  auto done = rig.payoffs->Charge(*p, "4242 4242 4242 4242");
  REQUIRE(done.ok());
  CHECK(done->state == PayoffState::kSettled);
  CHECK(done->last4 == "4242");
  CHECK(rig.Balance("sh-1") == 0);
  // The same form again (a reload, a double click): the same payoff, nothing more charged.
  auto again = rig.payoffs->Begin(kId, "hash-1", {"sh-1"}, "USD", 750);
  REQUIRE(again.ok());
  CHECK(again->state == PayoffState::kSettled);
  auto recharged = rig.payoffs->Charge(*again, "4242424242424242");
  REQUIRE(recharged.ok());
  CHECK(rig.processor->SucceededCharges() == 1);
  // The debts carry the payoff as their settlement reference; the audit says who.
  REQUIRE(rig.env
              ->Read([&](const store::ReadTxn& txn) {
                auto debts = ledger::ListDebts(txn, "sh-1");
                REQUIRE(debts.ok());
                for (const auto& d : *debts) {
                  CHECK(d.state == store::DebtState::kSettled);
                  CHECK(d.settlement_ref == "payoff:" + kId);
                }
                auto audit = ledger::RecentAudit(txn, 10, "sh-1");
                REQUIRE(audit.ok());
                REQUIRE(audit->size() == 1);
                CHECK((*audit)[0].action == "debt.payoff");
                CHECK((*audit)[0].actor == "portal");
                return core::Status::Ok();
              })
              .ok());
}

TEST_CASE("payoff: a crash between the processor's charge and the commit is healed by recovery") {
  PayoffRig rig;
  rig.Owe("t1", "sh-1", 500);
  auto p = rig.payoffs->Begin(kId, "hash-1", {"sh-1"}, "USD", 500);
  REQUIRE(p.ok());
  // The processor takes the money; the daemon dies before it commits the answer.
  ChargeResult taken = rig.processor->Charge({kId, 500, "USD", "4242424242424242", "test"});
  REQUIRE(taken.status == ChargeStatus::kSucceeded);
  CHECK(rig.Balance("sh-1") == 500);
  // After the restart, recovery asks the processor and settles; once.
  rig.clock.Advance(std::chrono::minutes(2));
  auto n = rig.payoffs->Recover(60'000);
  REQUIRE(n.ok());
  CHECK(*n == 1);
  CHECK(rig.Balance("sh-1") == 0);
  auto again = rig.payoffs->Recover(0);
  REQUIRE(again.ok());
  CHECK(*again == 0);
  CHECK(rig.processor->SucceededCharges() == 1);
  // The shopper resubmitting the old form meanwhile gets the settled payoff, not a charge.
  auto resubmit = rig.payoffs->Begin(kId, "hash-1", {"sh-1"}, "USD", 500);
  REQUIRE(resubmit.ok());
  CHECK(resubmit->state == PayoffState::kSettled);
}

TEST_CASE("payoff: a processor that never charged leaves the debt open and the payoff failed") {
  PayoffRig rig;
  rig.Owe("t1", "sh-1", 500);
  auto p = rig.payoffs->Begin(kId, "hash-1", {"sh-1"}, "USD", 500);
  REQUIRE(p.ok());
  auto unknown = rig.payoffs->Charge(*p, "4000 0000 0000 0119");  // no answer
  REQUIRE(unknown.ok());
  CHECK(unknown->state == PayoffState::kCharging);
  CHECK(rig.payoffs->Recover(60'000).value() == 0);  // too young to look up
  rig.clock.Advance(std::chrono::minutes(2));
  CHECK(rig.payoffs->Recover(60'000).value() == 1);
  auto after = rig.payoffs->Begin(kId, "hash-1", {"sh-1"}, "USD", 500);
  CHECK(after->state == PayoffState::kFailed);
  CHECK(rig.Balance("sh-1") == 500);
}

TEST_CASE("payoff: declines, the extra step, bad cards and changed balances charge nothing") {
  PayoffRig rig;
  rig.Owe("t1", "sh-1", 500);
  SECTION("declined") {
    auto p = rig.payoffs->Begin(kId, "hash-1", {"sh-1"}, "USD", 500);
    auto d = rig.payoffs->Charge(*p, "4000000000000002");
    REQUIRE(d.ok());
    CHECK(d->state == PayoffState::kDeclined);
    CHECK(rig.Balance("sh-1") == 500);
  }
  SECTION("the extra step: a wrong answer declines, the right one settles") {
    auto p = rig.payoffs->Begin(kId, "hash-1", {"sh-1"}, "USD", 500);
    auto step = rig.payoffs->Charge(*p, "4000000000003220");
    REQUIRE(step.ok());
    CHECK(step->state == PayoffState::kActionRequired);
    CHECK(rig.Balance("sh-1") == 500);
    auto wrong = rig.payoffs->Confirm(*step, "9999");
    CHECK(wrong->state == PayoffState::kDeclined);
    auto p2 =
        rig.payoffs->Begin("fedcba9876543210fedcba9876543210", "hash-1", {"sh-1"}, "USD", 500);
    auto step2 = rig.payoffs->Charge(*p2, "4000000000003220");
    auto right = rig.payoffs->Confirm(*step2, "1234");
    CHECK(right->state == PayoffState::kSettled);
    CHECK(rig.Balance("sh-1") == 0);
  }
  SECTION("not a test card: refused, the payoff still open for another card") {
    auto p = rig.payoffs->Begin(kId, "hash-1", {"sh-1"}, "USD", 500);
    auto bad = rig.payoffs->Charge(*p, "1234 5678 9012 3456");
    CHECK(bad.status().code() == StatusCode::kInvalidArgument);
    auto good = rig.payoffs->Charge(*p, "4242424242424242");
    CHECK(good->state == PayoffState::kSettled);
  }
  SECTION("the balance changed since the page was drawn") {
    CHECK(rig.payoffs->Begin(kId, "hash-1", {"sh-1"}, "USD", 400).status().code() ==
          StatusCode::kFailedPrecondition);
  }
  SECTION("another address's payoff id is not found") {
    REQUIRE(rig.payoffs->Begin(kId, "hash-1", {"sh-1"}, "USD", 500).ok());
    CHECK(rig.payoffs->Begin(kId, "hash-2", {"sh-2"}, "USD", 500).status().code() ==
          StatusCode::kNotFound);
  }
  CHECK(rig.processor->SucceededCharges() <= 1);
}

TEST_CASE("payoff: a debt settled by someone else meanwhile is recorded as unapplied") {
  PayoffRig rig;
  rig.Owe("t1", "sh-1", 500);
  rig.Owe("t2", "sh-1", 300);
  auto p = rig.payoffs->Begin(kId, "hash-1", {"sh-1"}, "USD", 800);
  REQUIRE(p.ok());
  REQUIRE(rig.env
              ->Write([&](store::WriteTxn& txn) {
                return ledger::CloseDebt(txn, "sh-1", "t2", store::DebtKind::kTrip,
                                         store::DebtState::kSettled, "kiosk-7", 1);
              })
              .ok());
  auto done = rig.payoffs->Charge(*p, "4242424242424242");
  REQUIRE(done.ok());
  CHECK(done->state == PayoffState::kSettled);
  CHECK(done->unapplied == 300);
  CHECK(rig.Balance("sh-1") == 0);
}

TEST_CASE("payoff: amazon_managed stores report the settlement to Amazon through the outbox") {
  PayoffRig rig;
  rig.policy.report_payment_status = true;
  rig.Owe("t1", "sh-1", 500);
  auto p = rig.payoffs->Begin(kId, "hash-1", {"sh-1"}, "USD", 500);
  REQUIRE(rig.payoffs->Charge(*p, "4242424242424242")->state == PayoffState::kSettled);
  REQUIRE(rig.env
              ->Read([&](const store::ReadTxn& txn) {
                auto entries = payments::ListOutbox(txn, false, 10);
                REQUIRE(entries.ok());
                REQUIRE(entries->size() == 1);
                CHECK((*entries)[0].operation == store::Operation::kReportPaymentStatus);
                CHECK((*entries)[0].body.find(R"("settledAmount":{"amount":5)") !=
                      std::string::npos);
                return core::Status::Ok();
              })
              .ok());
}

}  // namespace
}  // namespace jwo::portal
