// The portal's sign-in, sessions, CSRF, lock-out and isolation rules, request by request on a
// real LMDB store with a fake clock (so expiry is tested without waiting).
#include "portal/portal_service.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "portal_rig.h"

namespace jwo::portal {
namespace {

using Catch::Matchers::ContainsSubstring;
using testing::CapturedTrip;
using testing::Rig;

TEST_CASE("portal: a mailed code signs the shopper in once; sessions are cookies") {
  Rig rig;
  rig.AddTrip(CapturedTrip("t-ann", "shopper-ann", "Ann@Example.test", 500));
  REQUIRE(rig.SignIn("ann@example.test"));  // the address in any case
  CHECK_THAT(rig.set_cookies.back(), ContainsSubstring("HttpOnly"));
  CHECK_THAT(rig.set_cookies.back(), ContainsSubstring("SameSite=Strict"));
  CHECK_THAT(rig.set_cookies.back(), ContainsSubstring("Secure"));
  testing::Page account = rig.Request("GET", "/account");
  REQUIRE(account.status == 200);
  CHECK_THAT(account.body, ContainsSubstring("t-ann"));
  CHECK_THAT(account.body, ContainsSubstring("You owe nothing"));
  // The code worked once.
  rig.jar.erase("jwo_session");
  const std::string code = rig.LastCode();
  rig.Request("GET", "/");
  CHECK(rig.Request("POST", "/signin/verify", "email=ann@example.test&code=" + code).status == 400);
  // The mail names the code, the store; the page never shows it.
  CHECK(code.size() == 6);
}

TEST_CASE("portal: an expired code is refused") {
  config::PortalConfig cfg;
  cfg.code_ttl_seconds = 60;
  Rig rig(cfg);
  rig.AddTrip(CapturedTrip("t-bo", "shopper-bo", "bo@example.test", 500));
  rig.Request("GET", "/");
  REQUIRE(rig.Request("POST", "/signin/code", "email=bo@example.test").status == 200);
  REQUIRE(rig.WaitForMails(1));
  rig.clock.Advance(std::chrono::seconds(61));
  testing::Page p =
      rig.Request("POST", "/signin/verify", "email=bo@example.test&code=" + rig.LastCode());
  CHECK(p.status == 400);
  CHECK_THAT(p.body, ContainsSubstring("has expired"));
  CHECK(rig.jar.count("jwo_session") == 0);
}

TEST_CASE("portal: wrong codes void the code, then lock the address and the peer out") {
  config::PortalConfig cfg;
  cfg.code_attempts = 3;
  cfg.lockout_failures = 5;
  cfg.lockout_minutes = 15;
  Rig rig(cfg);
  rig.AddTrip(CapturedTrip("t-cy", "shopper-cy", "cy@example.test", 500));
  rig.Request("GET", "/");
  REQUIRE(rig.Request("POST", "/signin/code", "email=cy@example.test").status == 200);
  REQUIRE(rig.WaitForMails(1));
  const std::string right = rig.LastCode();
  const std::string wrong = right == "000000" ? "111111" : "000000";
  for (int i = 0; i < 3; ++i) {
    CHECK(rig.Request("POST", "/signin/verify", "email=cy@example.test&code=" + wrong).status ==
          400);
  }
  // Three wrong entries: the right code no longer works either.
  CHECK(rig.Request("POST", "/signin/verify", "email=cy@example.test&code=" + right).status == 400);
  // The fifth failure locks the address: even asking for a code is refused, with the time.
  testing::Page locked =
      rig.Request("POST", "/signin/verify", "email=cy@example.test&code=" + wrong);
  CHECK(locked.status == 400);
  testing::Page asked = rig.Request("POST", "/signin/code", "email=cy@example.test");
  CHECK(asked.status == 429);
  CHECK_THAT(asked.body, ContainsSubstring("try again after"));
  // Another address from the same peer is locked too (the peer counted the same failures).
  CHECK(rig.Request("POST", "/signin/code", "email=other@example.test").status == 429);
  // From another peer, another address is fine; after the window, everyone is.
  CHECK(rig.Request("POST", "/signin/code", "email=other@example.test", true, "203.0.113.5:1")
            .status == 200);
  rig.clock.Advance(std::chrono::minutes(16));
  CHECK(rig.Request("POST", "/signin/code", "email=cy@example.test").status == 200);
}

TEST_CASE("portal: codes per address are limited per hour, and unknown addresses get no mail") {
  config::PortalConfig cfg;
  cfg.codes_per_hour = 2;
  Rig rig(cfg);
  rig.AddTrip(CapturedTrip("t-di", "shopper-di", "di@example.test", 500));
  rig.Request("GET", "/");
  for (int i = 0; i < 4; ++i) {
    CHECK(rig.Request("POST", "/signin/code", "email=di@example.test").status == 200);
  }
  CHECK(rig.WaitForMails(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(rig.MailCount() == 2);
  testing::Page unknown = rig.Request("POST", "/signin/code", "email=nobody@example.test");
  CHECK(unknown.status == 200);  // the same answer as for a known address
  CHECK_THAT(unknown.body, ContainsSubstring("is on file here, a six-digit code is on its way"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(rig.MailCount() == 2);
  rig.clock.Advance(std::chrono::minutes(61));
  CHECK(rig.Request("POST", "/signin/code", "email=di@example.test").status == 200);
  CHECK(rig.WaitForMails(3));
}

TEST_CASE("portal: every POST needs the CSRF token of this browser's cookie") {
  Rig rig;
  rig.AddTrip(CapturedTrip("t-ed", "shopper-ed", "ed@example.test", 500));
  rig.Request("GET", "/");
  CHECK(rig.Request("POST", "/signin/code", "email=ed@example.test", /*csrf=*/false).status == 403);
  // A token from another browser (another jwo_pre cookie) is refused too.
  REQUIRE(rig.SignIn("ed@example.test"));
  rig.jar["jwo_pre"] = std::string(32, 'a');
  testing::Page forged = rig.Request("POST", "/refund", "trip=t-ed&amount=1.00&reason=OTHER");
  CHECK(forged.status == 403);
  CHECK_THAT(forged.body, ContainsSubstring("Nothing was changed"));
  // No cookie at all: refused.
  rig.jar.clear();
  CHECK(rig.Request("POST", "/signin/code", "email=ed@example.test").status == 403);
  // A form field given twice is refused before anything else.
  rig.Request("GET", "/");
  CHECK(rig.Request("POST", "/signin/code", "email=a@example.test&email=b@example.test").status ==
        400);
}

TEST_CASE("portal: a session sees only its own address's trips, debts and payoffs") {
  Rig rig;
  rig.AddTrip(CapturedTrip("t-fay", "shopper-fay", "fay@example.test", 500));
  rig.AddTrip(CapturedTrip("t-gus", "shopper-gus", "gus@example.test", 700), 700);
  REQUIRE(rig.SignIn("fay@example.test"));
  CHECK(rig.Request("GET", "/receipt?trip=t-fay").status == 200);
  testing::Page other = rig.Request("GET", "/receipt?trip=t-gus");
  CHECK(other.status == 404);
  CHECK_THAT(other.body, !ContainsSubstring("gus"));
  CHECK(rig.Request("POST", "/refund", "trip=t-gus&amount=1.00&reason=OTHER").status == 404);
  CHECK(rig.Request("POST", "/receipt/resend", "trip=t-gus").status == 404);
  testing::Page account = rig.Request("GET", "/account");
  CHECK_THAT(account.body, !ContainsSubstring("t-gus"));
  CHECK_THAT(account.body, ContainsSubstring("You owe nothing"));
  // Gus's payoff, under Fay's session: not found, and nothing charged.
  testing::Page pay = rig.Request(
      "POST", "/payoff",
      "payoff=" + std::string(32, 'b') + "&currency=USD&expected=700&card=4242424242424242");
  CHECK(pay.status == 409);
  CHECK(rig.processor->SucceededCharges() == 0);
}

TEST_CASE("portal: refunds within the window and the refundable amount only") {
  Rig rig;
  store::TripRecord old = CapturedTrip("t-old", "shopper-lu", "lu@example.test", 500);
  old.start_ms = old.created_ms = old.end_ms = 1'767'261'600'000 - 40LL * 86'400'000;  // 40 days
  rig.AddTrip(old);
  rig.AddTrip(CapturedTrip("t-new", "shopper-lu", "lu@example.test", 500));
  REQUIRE(rig.SignIn("lu@example.test"));
  // The form is not offered past the window, and a forged request is refused with the reason.
  testing::Page page = rig.Request("GET", "/receipt?trip=t-old");
  CHECK_THAT(page.body, !ContainsSubstring("Ask for the refund"));
  testing::Page late = rig.Request("POST", "/refund", "trip=t-old&amount=1.00&reason=OTHER");
  CHECK(late.status == 409);
  CHECK_THAT(late.body, ContainsSubstring("refund window has passed"));
  rig.Request("GET", "/receipt?trip=t-new");
  CHECK(rig.Request("POST", "/refund", "trip=t-new&amount=5.01&reason=OTHER").status == 409);
  CHECK(rig.Request("POST", "/refund", "trip=t-new&amount=abc&reason=OTHER").status == 400);
  CHECK(rig.Request("POST", "/refund", "trip=t-new&amount=1.00&reason=MADE_UP").status == 400);
  testing::Page ok = rig.Request("POST", "/refund", "trip=t-new&amount=3.00&reason=ITEM_DAMAGED");
  CHECK(ok.status == 200);
  // 3.00 pending: only 2.00 is left.
  CHECK(rig.Request("POST", "/refund", "trip=t-new&amount=2.01&reason=OTHER").status == 409);
  CHECK(rig.Request("POST", "/refund", "trip=t-new&amount=2.00&reason=OTHER").status == 200);
}

TEST_CASE("portal: sessions end after their idle time and at sign-out") {
  config::PortalConfig cfg;
  cfg.session_minutes = 30;
  Rig rig(cfg);
  rig.AddTrip(CapturedTrip("t-hal", "shopper-hal", "hal@example.test", 500));
  REQUIRE(rig.SignIn("hal@example.test"));
  rig.clock.Advance(std::chrono::minutes(20));
  CHECK(rig.Request("GET", "/account").status == 200);  // activity keeps it alive
  rig.clock.Advance(std::chrono::minutes(20));
  CHECK(rig.Request("GET", "/account").status == 200);
  rig.clock.Advance(std::chrono::minutes(31));
  testing::Page expired = rig.Request("GET", "/account");
  CHECK(expired.status == 303);
  CHECK(expired.location == "/");
  REQUIRE(rig.SignIn("hal@example.test"));
  CHECK(rig.Request("POST", "/signout").status == 303);
  CHECK(rig.Request("GET", "/account").status == 303);
}

TEST_CASE("portal: receipt-only access by date, last four and amount sees that trip only") {
  Rig rig;
  rig.AddTrip(CapturedTrip("t-ivy", "shopper-ivy", "ivy@example.test", 864));
  rig.AddTrip(CapturedTrip("t-jo", "shopper-jo", "jo@example.test", 500));
  rig.Request("GET", "/");
  CHECK(rig.Request("POST", "/signin/receipt", "date=2026-01-01&last4=4242&amount=8.63").status ==
        400);
  CHECK(rig.Request("POST", "/signin/receipt", "date=2026-01-02&last4=4242&amount=8.64").status ==
        400);
  CHECK(rig.Request("POST", "/signin/receipt", "date=2026-01-01&last4=1111&amount=8.64").status ==
        400);
  testing::Page found =
      rig.Request("POST", "/signin/receipt", "date=2026-01-01&last4=4242&amount=8.64");
  REQUIRE(found.status == 303);
  CHECK(found.location == "/receipt?trip=t-ivy");
  CHECK(rig.Request("GET", "/receipt?trip=t-ivy").status == 200);
  CHECK(rig.Request("GET", "/receipt?trip=t-jo").status == 404);
  CHECK(rig.Request("GET", "/account").location == "/receipt?trip=t-ivy");
  // No payoff from a receipt session.
  CHECK(rig.Request(
               "POST", "/payoff",
               "payoff=" + std::string(32, 'c') + "&currency=USD&expected=1&card=4242424242424242")
            .location == "/");
}

TEST_CASE("portal: the staff view needs the staff password, separately from any session") {
  Rig rig;
  rig.AddTrip(CapturedTrip("t-kim", "shopper-kim", "kim@example.test", 500));
  REQUIRE(rig.SignIn("kim@example.test"));
  CHECK(rig.Request("GET", "/staff").status == 401);  // a shopper's session is no staff sign-in
  rig.extra_headers = {{"Authorization", "Basic c3RhZmY6d3Jvbmc="}};  // staff:wrong
  CHECK(rig.Request("GET", "/staff").status == 401);
  rig.extra_headers = {{"Authorization", "Basic c3RhZmY6Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5"}};
  testing::Page staff = rig.Request("GET", "/staff");
  CHECK(staff.status == 200);
  CHECK_THAT(staff.body, ContainsSubstring("Payoffs to look at"));
}

TEST_CASE("portal: pages escape what they show and carry strict security headers") {
  Rig rig;
  store::TripRecord t = CapturedTrip("t-x", "shopper-x", "x@example.test", 500);
  t.priced[0].name = "<script>alert(1)</script>";
  rig.AddTrip(t);
  REQUIRE(rig.SignIn("x@example.test"));
  http::Request r;
  r.method = "GET";
  r.target = r.path = "/receipt";
  r.target += "?trip=t-x";
  r.peer = "198.51.100.7:1";
  std::string cookies;
  for (const auto& [k, v] : rig.jar) cookies += (cookies.empty() ? "" : "; ") + k + "=" + v;
  r.headers.emplace_back("Cookie", cookies);
  http::Response resp = rig.portal->Serve(r);
  REQUIRE(resp.status == 200);
  CHECK_THAT(resp.body, !ContainsSubstring("<script>"));
  CHECK_THAT(resp.body, ContainsSubstring("&lt;script&gt;"));
  bool csp = false, nostore = false;
  for (const auto& [k, v] : resp.headers) {
    if (k == "Content-Security-Policy") csp = v.find("default-src 'none'") != std::string::npos;
    if (k == "Cache-Control") nostore = v == "no-store";
  }
  CHECK(csp);
  CHECK(nostore);
}

}  // namespace
}  // namespace jwo::portal
