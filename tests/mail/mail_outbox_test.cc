// The mail outbox against a real LMDB store and a real SMTP listener: idempotent queueing,
// sending, retries and giving up, each recorded in the trip's history.
#include "mail/mail_outbox.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <chrono>
#include <memory>
#include <thread>

#include "core/clock.h"
#include "tests/support/smtp_server.h"
#include "tests/support/temp_dir.h"

namespace jwo::mail {
namespace {

using Catch::Matchers::ContainsSubstring;

store::TripRecord ReceiptReadyTrip(const std::string& id, const std::string& email) {
  store::TripRecord t;
  t.trip_id = id;
  t.store_id = "store-1";
  t.currency = "USD";
  t.state = store::TripState::kCaptured;
  t.subtotal = t.total = t.captured = 399;
  store::PricedLineRecord l;
  l.name = "Chips";
  l.quantity = "1";
  l.gross = l.total = 399;
  t.priced = {l};
  t.transactional_data = R"({"brand":"VISA","tail":"4242"})";
  t.have_transactional_data = t.have_shopper_identity = t.receipt_complete = true;
  t.shopper_email = email;
  return t;
}

struct Rig {
  testing::TempDir dir;
  std::unique_ptr<store::Env> env;
  core::FakeClock clock;
  Rig() {
    store::EnvOptions o;
    o.directory = dir.File("store");
    auto e = store::Env::Open(o);
    REQUIRE(e.ok());
    env = std::move(*e);
  }
  bool Queue(const store::TripRecord& t) {
    bool added = false;
    REQUIRE(env->Write([&](store::WriteTxn& txn) {
                 if (auto p = txn.Put(store::Table::kTrips, t.trip_id, store::EncodeTrip(t));
                     !p.ok()) {
                   return p;
                 }
                 auto q = QueueReceipt(txn, t, clock.NowUnixMs());
                 if (!q.ok()) return q.status();
                 added = *q;
                 return core::Status::Ok();
               })
                .ok());
    return added;
  }
  MailEntry Entry(const std::string& trip) {
    MailEntry e;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 auto v = txn.Get(store::Table::kMailOutbox, MailKey("receipt", trip));
                 if (!v.ok()) return v.status();
                 REQUIRE(v->has_value());
                 auto d = DecodeMailEntry(**v);
                 if (!d.ok()) return d.status();
                 e = *d;
                 return core::Status::Ok();
               })
                .ok());
    return e;
  }
  std::string History(const std::string& trip) {
    std::string out;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 auto v = txn.Get(store::Table::kTrips, trip);
                 if (!v.ok()) return v.status();
                 auto t = store::DecodeTrip(**v);
                 if (!t.ok()) return t.status();
                 for (const auto& h : t->history) out += h.event + ": " + h.detail + "\n";
                 return core::Status::Ok();
               })
                .ok());
    return out;
  }
  MailDispatcherOptions Options(const testing::SmtpServer& relay) {
    MailDispatcherOptions o;
    o.smtp.url = relay.url();
    o.smtp.require_tls = false;
    o.smtp.timeout_ms = 3000;
    o.from = "receipts@store-1.example";
    o.from_name = "Corner Store";
    o.message_id_domain = "store-1.jwo-edge";
    o.receipt.store_name = "Corner Store";
    return o;
  }
};

}  // namespace

TEST_CASE("a complete receipt is queued once; a trip without an address or not complete is not") {
  Rig rig;
  CHECK(rig.Queue(ReceiptReadyTrip("trip-1", "shopper@mail.example")));
  CHECK_FALSE(rig.Queue(ReceiptReadyTrip("trip-1", "shopper@mail.example")));
  CHECK_FALSE(rig.Queue(ReceiptReadyTrip("trip-2", "")));
  store::TripRecord incomplete = ReceiptReadyTrip("trip-3", "shopper@mail.example");
  incomplete.receipt_complete = false;
  CHECK_FALSE(rig.Queue(incomplete));
  const MailEntry e = rig.Entry("trip-1");
  CHECK(e.state == MailState::kPending);
  CHECK(e.attempts == 0);
}

TEST_CASE("the dispatcher mails the receipt and records it; nothing is sent twice") {
  Rig rig;
  testing::SmtpServer relay;
  REQUIRE(relay.Start().ok());
  REQUIRE(rig.Queue(ReceiptReadyTrip("trip-1", "shopper@mail.example")));
  MailDispatcher d(*rig.env, rig.Options(relay), rig.clock);
  auto n = d.RunOnce();
  REQUIRE(n.ok());
  CHECK(*n == 1);
  const auto mails = relay.Messages();
  REQUIRE(mails.size() == 1);
  CHECK(mails[0].rcpt_tos == std::vector<std::string>{"shopper@mail.example"});
  CHECK(testing::MailHeader(mails[0].raw, "Message-ID") == "<receipt.trip-1@store-1.jwo-edge>");
  CHECK(testing::MailHeader(mails[0].raw, "Subject") == "Your receipt from Corner Store: 3.99 USD");
  CHECK(rig.Entry("trip-1").state == MailState::kSent);
  CHECK_THAT(rig.History("trip-1"), ContainsSubstring("receipt_mailed"));
  CHECK(d.RunOnce().value() == 0);
  CHECK(relay.Messages().size() == 1);
  CHECK(d.Stats().sent == 1);
}

TEST_CASE("a relay that is down: retried later with back-off, then given up") {
  Rig rig;
  testing::SmtpServer relay;
  REQUIRE(relay.Start().ok());
  MailDispatcherOptions o = rig.Options(relay);
  relay.Stop();
  REQUIRE(rig.Queue(ReceiptReadyTrip("trip-1", "shopper@mail.example")));
  MailDispatcher d(*rig.env, o, rig.clock);
  REQUIRE(d.RunOnce().ok());
  MailEntry e = rig.Entry("trip-1");
  CHECK(e.state == MailState::kPending);
  CHECK(e.attempts == 1);
  CHECK(e.next_ms == rig.clock.NowUnixMs() + 60'000);
  CHECK_FALSE(e.last_error.empty());
  CHECK(d.RunOnce().value() == 0);  // not due yet
  rig.clock.Advance(std::chrono::milliseconds(60000));
  REQUIRE(d.RunOnce().ok());
  e = rig.Entry("trip-1");
  CHECK(e.attempts == 2);
  CHECK(e.next_ms == rig.clock.NowUnixMs() + 120'000);  // doubled
  rig.clock.Advance(std::chrono::hours(72));
  REQUIRE(d.RunOnce().ok());
  CHECK(rig.Entry("trip-1").state == MailState::kFailed);
  CHECK_THAT(rig.History("trip-1"), ContainsSubstring("receipt_mail_failed"));
  CHECK(d.Stats().failed == 1);
}

TEST_CASE("the relay back, the retried receipt goes out; a refused mailbox is given up at once") {
  Rig rig;
  testing::SmtpServerOptions so;
  so.reject_rcpt = {"gone@mail.example:550"};
  testing::SmtpServer relay(so);
  REQUIRE(relay.Start().ok());
  REQUIRE(rig.Queue(ReceiptReadyTrip("trip-ok", "shopper@mail.example")));
  REQUIRE(rig.Queue(ReceiptReadyTrip("trip-gone", "gone@mail.example")));
  MailDispatcher d(*rig.env, rig.Options(relay), rig.clock);
  REQUIRE(d.RunOnce().value() == 2);
  CHECK(rig.Entry("trip-ok").state == MailState::kSent);
  const MailEntry gone = rig.Entry("trip-gone");
  CHECK(gone.state == MailState::kFailed);
  CHECK_THAT(gone.last_error, ContainsSubstring("550"));
  CHECK_THAT(gone.last_error, !ContainsSubstring("gone@mail.example"));
  CHECK(relay.Messages().size() == 1);
}

TEST_CASE("the dispatcher's thread sends what is queued when woken") {
  Rig rig;
  testing::SmtpServer relay;
  REQUIRE(relay.Start().ok());
  MailDispatcherOptions o = rig.Options(relay);
  o.poll_ms = 60'000;  // only Wake() can explain a prompt send
  MailDispatcher d(*rig.env, o, rig.clock);
  d.Start();
  REQUIRE(rig.Queue(ReceiptReadyTrip("trip-1", "shopper@mail.example")));
  d.Wake();
  for (int i = 0; i < 500 && relay.Messages().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(relay.Messages().size() == 1);
  d.Stop();
}

}  // namespace jwo::mail
