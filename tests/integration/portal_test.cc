// The shoppers' portal end to end: the real jwo-edged with a portal listener, the Payment
// Service simulator and a real SMTP listener. Sign-in codes and receipts are read from the
// relay; every page is fetched over HTTP with the cookies and CSRF tokens a browser would send.
#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "daemon_process.h"
#include "fa_requests.h"
#include "portal_client.h"
#include "purchases.h"
#include "tests/fakes/payment_sim_process.h"
#include "tests/support/http_client.h"
#include "tests/support/smtp_server.h"

using namespace jwo::testing;
namespace json = boost::json;
using Catch::Matchers::ContainsSubstring;

namespace {

constexpr const char* kStaffPassword = "staff-password-123";

std::string PortalConfig(uint16_t sim_port, const std::string& relay_url) {
  std::string c = PaymentsConfig(sim_port);
  const std::string amazon = "    apis: [shopper_authorization, purchases, health, metrics]\n";
  c.replace(c.find(amazon), amazon.size(),
            amazon + "  - name: portal\n    address: 127.0.0.1\n    port: 0\n    apis: [portal]\n");
  return c + "mail:\n  smtp_url: " + relay_url +
         "\n  require_tls: false\n  from: receipts@it-store.example\n  store_name: IT Store\n"
         "portal:\n  secure_cookies: false\n  staff_password_file: @DIR@/staff-password\n";
}

struct Store {
  PaymentSimProcess sim{std::vector<std::string>{}};
  SmtpServer relay;
  std::unique_ptr<DaemonProcess> daemon;

  void Start(const std::string& env = {}) {
    REQUIRE(sim.Start().ok());
    REQUIRE(relay.Start().ok());
    daemon = std::make_unique<DaemonProcess>(PortalConfig(sim.port(), relay.url()));
    if (!env.empty()) daemon->SetEnv(env);
    std::ofstream(daemon->dir() / "catalog.yaml") << kTestCatalog;
    std::ofstream(daemon->dir() / "aws-credentials")
        << "[default]\naws_access_key_id = " << kSimAccessKeyId
        << "\naws_secret_access_key = " << kSimSecretAccessKey << "\n";
    std::ofstream(daemon->dir() / "staff-password") << kStaffPassword << "\n";
    REQUIRE(daemon->Start());
  }

  std::string Tap(const std::string& shopper, const std::string& trip) {
    auto c = HttpClient::Connect("127.0.0.1", daemon->Port());
    REQUIRE(c.ok());
    auto r = c->Post(kFaPath, FaBody(shopper, trip));
    REQUIRE(r.ok());
    return r->body;
  }

  void Shop(const std::string& shopper, const std::string& trip) {
    REQUIRE(Tap(shopper, trip) == R"({"status":"APPROVED"})");
    auto c = HttpClient::Connect("127.0.0.1", daemon->Port());
    REQUIRE(c.ok());
    auto r = c->Post("/v1/order/purchases", PurchaseBody(trip, {{"CHIPS", "2"}}));
    REQUIRE(r.ok());
    REQUIRE(r->status == 201);
  }

  // Waits until `jwo-edgectl trip show` of the trip contains `text`.
  void WaitForTrip(const std::string& trip, const std::string& text) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    std::string out;
    while (std::chrono::steady_clock::now() < deadline) {
      out = daemon->Ctl({"trip", "show", trip}).output;
      if (out.find(text) != std::string::npos) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    INFO(out);
    INFO(daemon->Stderr());
    FAIL("trip " + trip + " never showed " + text);
  }

  std::vector<ReceivedMail> WaitForMail(size_t n) { return relay.WaitForMessages(n); }

  // Signs `client` in with a code mailed to `email`; returns the page after the redirect.
  void SignIn(PortalClient& client, const std::string& email) {
    const size_t before = relay.Messages().size();
    REQUIRE(client.Get("/").ok());
    auto asked = client.Post("/signin/code", {{"email", email}});
    REQUIRE(asked.ok());
    REQUIRE(asked->status == 200);
    auto mails = WaitForMail(before + 1);
    REQUIRE(mails.size() == before + 1);
    const std::string subject = MailHeader(mails.back().raw, "Subject");
    std::smatch m;
    REQUIRE(std::regex_search(subject, m, std::regex(": ([0-9]{6})$")));
    auto verified = client.Post("/signin/verify", {{"email", email}, {"code", m[1].str()}});
    REQUIRE(verified.ok());
    REQUIRE(verified->status == 303);
    REQUIRE(verified->Header("Location") == "/account");
    REQUIRE(!client.cookie("jwo_session").empty());
  }
};

}  // namespace

TEST_CASE(
    "portal: denied at the gate, the shopper signs in with a mailed code, pays, and is admitted") {
  Store store;
  store.Start();
  auto script = HttpClient::Connect("127.0.0.1", store.sim.port());
  REQUIRE(script.ok());
  REQUIRE(script->Post("/_sim/script", R"({"trips":[{"trip":"trip-d","adjust":["DECLINED"]}]})")
              ->status == 200);
  store.Shop("shopper-d", "trip-d");
  store.WaitForTrip("trip-d", "shopper_identity");  // the debt's address, for the sign-in
  REQUIRE(store.Tap("shopper-d", "trip-e") == R"({"status":"DENIED","shopperRisks":["BadDebt"]})");

  PortalClient browser(store.daemon->Port("portal"));
  SECTION("a wrong code is refused and signs nobody in") {
    REQUIRE(browser.Get("/").ok());
    REQUIRE(browser.Post("/signin/code", {{"email", "shopper-d@example.test"}})->status == 200);
    auto wrong =
        browser.Post("/signin/verify", {{"email", "shopper-d@example.test"}, {"code", "000000"}});
    REQUIRE(wrong.ok());
    CHECK(wrong->status == 400);
    CHECK(browser.cookie("jwo_session").empty());
    CHECK(browser.Get("/account")->status == 303);  // back to the sign-in page
  }
  SECTION("an address not on file gets the same answer and no mail") {
    REQUIRE(browser.Get("/").ok());
    const size_t before = store.relay.Messages().size();
    auto asked = browser.Post("/signin/code", {{"email", "stranger@example.test"}});
    REQUIRE(asked.ok());
    CHECK(asked->status == 200);
    CHECK_THAT(asked->body,
               ContainsSubstring("If <strong>stranger@example.test</strong> is on file"));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    CHECK(store.relay.Messages().size() == before);
  }
  SECTION("payoff: a declined card changes nothing, a good one settles and restores access") {
    store.SignIn(browser, "shopper-d@example.test");
    auto account = browser.Get("/account");
    REQUIRE(account.ok());
    REQUIRE(account->status == 200);
    CHECK_THAT(account->body, ContainsSubstring("The card was declined after the visit"));
    CHECK_THAT(account->body, ContainsSubstring("Pay 8.64 USD"));

    // Declined: nothing charged, the debt still open.
    std::string payoff = browser.Find("name=\"payoff\" value=\"([0-9a-f]{32})\"");
    REQUIRE(!payoff.empty());
    auto declined = browser.Post("/payoff", {{"payoff", payoff},
                                             {"currency", "USD"},
                                             {"expected", "864"},
                                             {"card", "4000 0000 0000 0002"}});
    REQUIRE(declined.ok());
    REQUIRE(declined->status == 303);
    auto shown = browser.Follow(*declined);
    CHECK_THAT(shown->body, ContainsSubstring("The payment did not go through"));
    CHECK(store.Tap("shopper-d", "trip-f") == R"({"status":"DENIED","shopperRisks":["BadDebt"]})");

    // A good card: settled, the audit says so, and the next tap is admitted.
    REQUIRE(browser.Get("/account").ok());
    payoff = browser.Find("name=\"payoff\" value=\"([0-9a-f]{32})\"");
    const std::vector<std::pair<std::string, std::string>> form = {
        {"payoff", payoff}, {"currency", "USD"}, {"expected", "864"}, {"card", "4242424242424242"}};
    auto paid = browser.Post("/payoff", form);
    REQUIRE(paid.ok());
    REQUIRE(paid->status == 303);
    auto done = browser.Follow(*paid);
    CHECK_THAT(done->body, ContainsSubstring("Access restored"));
    CHECK_THAT(done->body, ContainsSubstring("card ending 4242"));
    // A double submit of the same form charges nothing more and lands on the same payoff.
    auto again = browser.Post("/payoff", form);
    REQUIRE(again.ok());
    CHECK(again->Header("Location") == paid->Header("Location"));
    CHECK(store.Tap("shopper-d", "trip-g") == R"({"status":"APPROVED"})");
    auto debts = store.daemon->Ctl({"--json", "debt", "list", "shopper-d"});
    CHECK_THAT(debts.output, ContainsSubstring("\"settled\""));
    CHECK_THAT(debts.output, ContainsSubstring("payoff:" + payoff));
    auto audit = store.daemon->Ctl({"audit", "shopper-d"});
    CHECK_THAT(audit.output, ContainsSubstring("debt.payoff"));
    auto account_after = browser.Get("/account");
    CHECK_THAT(account_after->body, ContainsSubstring("You owe nothing"));
  }
}

TEST_CASE(
    "portal: a crash between the processor's charge and the commit settles once, at restart") {
  Store store;
  store.Start("JWO_SANDBOX_CRASH_AFTER_CHARGE=1");
  auto script = HttpClient::Connect("127.0.0.1", store.sim.port());
  REQUIRE(script->Post("/_sim/script", R"({"trips":[{"trip":"trip-k","adjust":["DECLINED"]}]})")
              ->status == 200);
  store.Shop("shopper-k", "trip-k");
  store.WaitForTrip("trip-k", "shopper_identity");
  PortalClient browser(store.daemon->Port("portal"));
  store.SignIn(browser, "shopper-k@example.test");
  REQUIRE(browser.Get("/account").ok());
  const std::string payoff = browser.Find("name=\"payoff\" value=\"([0-9a-f]{32})\"");
  const std::vector<std::pair<std::string, std::string>> form = {
      {"payoff", payoff}, {"currency", "USD"}, {"expected", "864"}, {"card", "4242424242424242"}};
  // The processor charges; the daemon dies before the portal commits: no answer comes.
  CHECK_FALSE(browser.Post("/payoff", form).ok());
  REQUIRE(store.daemon->WaitExit() == 86);
  // At restart, recovery asks the processor and settles the debt: once.
  store.daemon->ClearEnv();
  REQUIRE(store.daemon->Start());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string debts;
  while (std::chrono::steady_clock::now() < deadline &&
         debts.find("payoff:" + payoff) == std::string::npos) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    debts = store.daemon->Ctl({"--json", "debt", "list", "shopper-k"}).output;
  }
  INFO(store.daemon->Stderr());
  REQUIRE_THAT(debts, ContainsSubstring("payoff:" + payoff));
  CHECK_THAT(store.daemon->Stderr(), ContainsSubstring("payoff recovered"));
  CHECK(store.Tap("shopper-k", "trip-k2") == R"({"status":"APPROVED"})");
  // The session survived the restart (it lives in the store); the shopper sees the outcome, and
  // the form submitted again lands on the same settled payoff.
  PortalClient after(store.daemon->Port("portal"));
  after.set_cookie("jwo_pre", browser.cookie("jwo_pre"));
  after.set_cookie("jwo_session", browser.cookie("jwo_session"));
  auto shown = after.Get("/payoff?id=" + payoff);
  REQUIRE(shown.ok());
  CHECK_THAT(shown->body, ContainsSubstring("Access restored"));
  REQUIRE(after.Get("/account").ok());
  auto again = after.Post("/payoff", form);
  REQUIRE(again.ok());
  CHECK(again->Header("Location") == "/payoff?id=" + payoff);
  auto audit = store.daemon->Ctl({"--json", "audit", "shopper-k"});
  size_t payoffs = 0;
  for (size_t at = audit.output.find("debt.payoff"); at != std::string::npos;
       at = audit.output.find("debt.payoff", at + 1)) {
    ++payoffs;
  }
  CHECK(payoffs == 1);
}

TEST_CASE("portal: receipt look-up by card and amount, refund through the outbox, re-send") {
  Store store;
  store.Start();
  store.Shop("shopper-r", "trip-r");
  auto mails = store.WaitForMail(1);
  INFO(store.daemon->Ctl({"--json", "trip", "show", "trip-r"}).output);
  INFO(store.daemon->Ctl({"--json", "outbox", "list"}).output);
  INFO(store.daemon->Ctl({"--json", "status"}).output);
  INFO(store.daemon->Stderr());
  REQUIRE(mails.size() == 1);
  std::smatch m;
  const std::string body = MailDecoded(mails[0].raw);
  REQUIRE(std::regex_search(body, m, std::regex("ending ([0-9]{4})")));
  const std::string last4 = m[1].str();
  // Another shopper's trip, which this session must never see.
  store.Shop("shopper-o", "trip-o");

  PortalClient browser(store.daemon->Port("portal"));
  REQUIRE(browser.Get("/").ok());
  SECTION("wrong details find nothing") {
    auto none = browser.Post("/signin/receipt",
                             {{"date", "2026-11-27"}, {"last4", last4}, {"amount", "8.65"}});
    REQUIRE(none.ok());
    CHECK(none->status == 400);
    CHECK(browser.cookie("jwo_session").empty());
  }
  SECTION("a form without its CSRF token changes nothing") {
    auto forged = browser.Post("/signin/receipt",
                               {{"date", "2026-11-27"}, {"last4", last4}, {"amount", "8.64"}},
                               /*csrf=*/false);
    REQUIRE(forged.ok());
    CHECK(forged->status == 403);
    CHECK(browser.cookie("jwo_session").empty());
  }
  SECTION("found: the receipt, a refund that reaches the Payment Service, a re-send") {
    auto found = browser.Post("/signin/receipt",
                              {{"date", "2026-11-27"}, {"last4", last4}, {"amount", "8.64"}});
    REQUIRE(found.ok());
    REQUIRE(found->status == 303);
    CHECK(found->Header("Location") == "/receipt?trip=trip-r");
    auto receipt = browser.Follow(*found);
    REQUIRE(receipt->status == 200);
    CHECK_THAT(receipt->body, ContainsSubstring("Chips x 2"));
    // The session sees this trip only.
    CHECK(browser.Get("/receipt?trip=trip-o")->status == 404);
    REQUIRE(browser.Get("/receipt?trip=trip-r").ok());

    auto over = browser.Post("/refund",
                             {{"trip", "trip-r"}, {"amount", "9.00"}, {"reason", "ITEM_DAMAGED"}});
    REQUIRE(over.ok());
    CHECK(over->status == 409);
    CHECK_THAT(over->body, ContainsSubstring("more than can be refunded"));
    auto refund = browser.Post(
        "/refund", {{"trip", "trip-r"}, {"amount", "1.50"}, {"reason", "ITEM_DAMAGED"}});
    REQUIRE(refund.ok());
    CHECK(refund->status == 200);
    CHECK_THAT(refund->body, ContainsSubstring("Your refund is requested"));
    store.WaitForTrip("trip-r", "refunded");
    auto sim = HttpClient::Connect("127.0.0.1", store.sim.port());
    auto trip = sim->Get("/_sim/trips?id=trip-r");
    REQUIRE(trip.ok());
    const json::value t = json::parse(trip->body);
    REQUIRE(t.at("refunds").as_array().size() == 1);
    CHECK(t.at("refunds").at(0).at("refundReasonCode") == "ITEM_DAMAGED");
    auto after = browser.Get("/receipt?trip=trip-r");
    CHECK_THAT(after->body, ContainsSubstring("Refunded"));

    auto resend = browser.Post("/receipt/resend", {{"trip", "trip-r"}});
    REQUIRE(resend.ok());
    CHECK(resend->status == 200);
    const auto all = store.WaitForMail(3);
    for (const auto& mail : all)
      UNSCOPED_INFO(MailHeader(mail.raw, "Subject") << " to " << mail.rcpt_tos[0]);
    INFO(store.daemon->Ctl({"trip", "show", "trip-o"}).output);
    INFO(store.daemon->Ctl({"--json", "outbox", "list"}).output);
    INFO(store.daemon->Ctl({"--json", "trip", "show", "trip-o"}).output);
    CHECK(all.size() == 3);  // trip-r's, trip-o's, and the copy
  }
}

TEST_CASE("portal: the staff view needs its own password and shows the store's state") {
  Store store;
  store.Start();
  PortalClient browser(store.daemon->Port("portal"));
  auto anonymous = browser.Get("/staff");
  REQUIRE(anonymous.ok());
  CHECK(anonymous->status == 401);
  CHECK_THAT(std::string(anonymous->Header("WWW-Authenticate")), ContainsSubstring("Basic"));
  auto c = HttpClient::Connect("127.0.0.1", store.daemon->Port("portal"));
  REQUIRE(c.ok());
  // "staff:wrong" and "staff:staff-password-123" in Base64.
  auto wrong = c->Get("/staff", {{"Authorization", "Basic c3RhZmY6d3Jvbmc="}});
  CHECK(wrong->status == 401);
  auto c2 = HttpClient::Connect("127.0.0.1", store.daemon->Port("portal"));
  auto right = c2->Get("/staff", {{"Authorization", "Basic c3RhZmY6c3RhZmYtcGFzc3dvcmQtMTIz"}});
  REQUIRE(right.ok());
  CHECK(right->status == 200);
  CHECK_THAT(right->body, ContainsSubstring("Held carts"));
  CHECK_THAT(right->body, ContainsSubstring("Outbox dead letters"));
  // A shopper's session is no staff sign-in, and the Amazon listener serves no portal page.
  auto amazon = HttpClient::Connect("127.0.0.1", store.daemon->Port());
  CHECK(amazon->Get("/staff")->status == 404);
}
