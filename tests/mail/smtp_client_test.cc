// SMTP delivery through libcurl against a real SMTP listener on loopback (python3-aiosmtpd):
// what arrives, and what each failure means for a retry.
#include "mail/smtp_client.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <string>

#include "tests/support/smtp_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"

namespace jwo::mail {
namespace {

using Catch::Matchers::ContainsSubstring;
using testing::MailHeader;
using testing::SmtpServer;
using testing::SmtpServerOptions;

Message Receipt() {
  Message m;
  m.from = "receipts@store-1.example";
  m.from_name = "Corner Store";
  m.to = "shopper@mail.example";
  m.subject = "Your receipt: 2 items, $4.32";
  m.text = "Thank you for shopping.\r\nTotal: $4.32\r\n";
  m.html = "<p>Thank you for shopping.</p><p>Total: <b>$4.32</b></p>";
  m.message_id = "receipt.trip-1@store-1.jwo-edge";
  m.date_unix_ms = 1'796'400'000'000;
  return m;
}

SmtpOptions Plain(const SmtpServer& s) {
  SmtpOptions o;
  o.url = s.url();
  o.require_tls = false;
  o.timeout_ms = 5000;
  return o;
}

}  // namespace

TEST_CASE("a receipt arrives with its headers, both parts and the envelope") {
  SmtpServer server;
  REQUIRE(server.Start().ok());
  const SendOutcome out = Send(Plain(server), Receipt());
  INFO(out.detail);
  REQUIRE(out.result == SendResult::kSent);
  CHECK(out.smtp_code == 250);
  const auto mails = server.Messages();
  REQUIRE(mails.size() == 1);
  const std::string& raw = mails[0].raw;
  CHECK(mails[0].mail_from == "receipts@store-1.example");
  CHECK(mails[0].rcpt_tos == std::vector<std::string>{"shopper@mail.example"});
  CHECK(MailHeader(raw, "From") == "Corner Store <receipts@store-1.example>");
  CHECK(MailHeader(raw, "To") == "<shopper@mail.example>");
  CHECK(MailHeader(raw, "Subject") == "Your receipt: 2 items, $4.32");
  CHECK(MailHeader(raw, "Message-ID") == "<receipt.trip-1@store-1.jwo-edge>");
  CHECK(MailHeader(raw, "Date") == "Fri, 04 Dec 2026 16:00:00 +0000");
  // libcurl's top level is multipart/mixed (room for an attachment later), holding the
  // multipart/alternative of the two renderings.
  CHECK_THAT(MailHeader(raw, "Content-Type"), ContainsSubstring("multipart/mixed"));
  CHECK_THAT(raw, ContainsSubstring("Content-Type: multipart/alternative"));
  CHECK_THAT(raw, ContainsSubstring("text/plain; charset=utf-8"));
  CHECK_THAT(raw, ContainsSubstring("text/html; charset=utf-8"));
  CHECK_THAT(raw, ContainsSubstring("Total: <b>$4.32</b>"));
  CHECK_FALSE(mails[0].tls);
}

TEST_CASE("a subject and sender name beyond ASCII are encoded words") {
  SmtpServer server;
  REQUIRE(server.Start().ok());
  Message m = Receipt();
  m.subject = "Ihre Quittung: 2 Artikel, 4,32 \xE2\x82\xAC";  // euro sign
  m.from_name = "Caf\xC3\xA9 M\xC3\xBCller";
  REQUIRE(Send(Plain(server), m).result == SendResult::kSent);
  const std::string raw = server.Messages().at(0).raw;
  CHECK(MailHeader(raw, "Subject").rfind("=?UTF-8?B?", 0) == 0);
  CHECK(MailHeader(raw, "From").rfind("=?UTF-8?B?", 0) == 0);
  CHECK(EncodeHeaderText("plain\r\nBcc: x@y.example") == "plainBcc: x@y.example");
}

TEST_CASE("STARTTLS: required and offered, the message travels encrypted") {
  testing::TempDir dir;
  auto pki = testing::MakeTestPki(dir.path());
  REQUIRE(pki.ok());
  SmtpServerOptions so;
  so.tls_cert = pki->server_cert;
  so.tls_key = pki->server_key;
  so.require_starttls = true;
  so.auth = "store1:s3cret";
  SmtpServer server(so);
  REQUIRE(server.Start().ok());
  SmtpOptions o = Plain(server);
  o.require_tls = true;
  o.ca_file = pki->ca_cert;
  o.username = "store1";
  o.password = "s3cret";
  const SendOutcome out = Send(o, Receipt());
  INFO(out.detail);
  REQUIRE(out.result == SendResult::kSent);
  const auto mails = server.Messages();
  REQUIRE(mails.size() == 1);
  CHECK(mails[0].tls);
  CHECK(mails[0].auth_user == "store1");

  SECTION("wrong credentials: permanent, nothing delivered, no password in the detail") {
    o.password = "wrong-password";
    const SendOutcome bad = Send(o, Receipt());
    CHECK(bad.result == SendResult::kPermanent);
    CHECK_THAT(bad.detail, !ContainsSubstring("wrong-password"));
    CHECK(server.Messages().size() == 1);
  }
  SECTION("a relay certificate from an unknown CA: permanent") {
    o.ca_file = pki->untrusted_ca_cert;
    CHECK(Send(o, Receipt()).result == SendResult::kPermanent);
  }
}

TEST_CASE("TLS required but the relay offers no STARTTLS: permanent, nothing sent in clear") {
  SmtpServer server;
  REQUIRE(server.Start().ok());
  SmtpOptions o = Plain(server);
  o.require_tls = true;
  const SendOutcome out = Send(o, Receipt());
  INFO(out.detail);
  CHECK(out.result == SendResult::kPermanent);
  CHECK(server.Messages().empty());
}

TEST_CASE("the relay's refusals: 5xx permanent, 4xx transient") {
  SmtpServerOptions so;
  so.reject_rcpt = {"gone@mail.example:550", "busy@mail.example:451"};
  SmtpServer server(so);
  REQUIRE(server.Start().ok());
  Message m = Receipt();
  m.to = "gone@mail.example";
  SendOutcome out = Send(Plain(server), m);
  CHECK(out.result == SendResult::kPermanent);
  CHECK(out.smtp_code == 550);
  m.to = "busy@mail.example";
  out = Send(Plain(server), m);
  CHECK(out.result == SendResult::kTransient);
  CHECK(out.smtp_code == 451);
  CHECK(server.Messages().empty());
}

TEST_CASE("no relay, or one that never answers DATA: transient") {
  SmtpServer server;
  REQUIRE(server.Start().ok());
  SmtpOptions o = Plain(server);
  server.Stop();  // the port is closed now
  CHECK(Send(o, Receipt()).result == SendResult::kTransient);

  SmtpServerOptions so;
  so.hang_data = true;
  SmtpServer hung(so);
  REQUIRE(hung.Start().ok());
  o = Plain(hung);
  o.timeout_ms = 1000;
  const SendOutcome out = Send(o, Receipt());
  INFO(out.detail);
  CHECK(out.result == SendResult::kTransient);
}

TEST_CASE("addresses that could inject headers or commands are refused before connecting") {
  CHECK(IsValidAddress("shopper@mail.example"));
  CHECK(IsValidAddress("first.last+tag@sub.mail.example"));
  for (const char* bad :
       {"", "no-at", "@mail.example", "shopper@", "a@b@c", "shopper@mail.example\r\nRCPT TO:<x@y>",
        "a b@c.example", "<a@b.example>", "a@b.example>"}) {
    INFO(bad);
    CHECK_FALSE(IsValidAddress(bad));
  }
  Message m = Receipt();
  m.to = "victim@mail.example\r\nBcc: all@mail.example";
  SmtpOptions o;
  o.url = "smtp://127.0.0.1:1";
  CHECK(Send(o, m).result == SendResult::kPermanent);
  m = Receipt();
  m.message_id = "id>\r\nX: y";
  CHECK(Send(o, m).result == SendResult::kPermanent);
}

}  // namespace jwo::mail
