// Receipts by e-mail end to end: the real jwo-edged, the Payment Service simulator and a real
// SMTP listener on loopback. A captured trip's receipt reaches the shopper's address from Get
// Shopper Identity once, with the priced cart and the card's last four digits.
#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include "daemon_process.h"
#include "fa_requests.h"
#include "purchases.h"
#include "tests/fakes/payment_sim_process.h"
#include "tests/support/http_client.h"
#include "tests/support/smtp_server.h"

using namespace jwo::testing;
namespace json = boost::json;
using Catch::Matchers::ContainsSubstring;

TEST_CASE("a captured trip's receipt is mailed to the shopper once, through the relay") {
  PaymentSimProcess sim(std::vector<std::string>{});
  REQUIRE(sim.Start().ok());
  SmtpServer relay;
  REQUIRE(relay.Start().ok());
  const std::string config = PaymentsConfig(sim.port()) + "mail:\n  smtp_url: " + relay.url() +
                             "\n  require_tls: false\n  from: receipts@it-store.example\n"
                             "  from_name: IT Store\n  store_name: IT Store, 1 Main St\n"
                             "  support_line: Questions? Ask at the counter.\n";
  DaemonProcess daemon(config);
  std::ofstream(daemon.dir() / "catalog.yaml") << kTestCatalog;
  std::ofstream(daemon.dir() / "aws-credentials")
      << "[default]\naws_access_key_id = " << kSimAccessKeyId
      << "\naws_secret_access_key = " << kSimSecretAccessKey << "\n";
  REQUIRE(daemon.Start());

  auto c = HttpClient::Connect("127.0.0.1", daemon.Port());
  REQUIRE(c.ok());
  auto tap = c->Post(kFaPath, FaBody("shopper-r", "trip-r"));
  REQUIRE(tap.ok());
  REQUIRE(tap->body == R"({"status":"APPROVED"})");
  auto purchase = c->Post("/v1/order/purchases", PurchaseBody("trip-r", {{"CHIPS", "2"}}));
  REQUIRE(purchase.ok());
  REQUIRE(purchase->status == 201);

  const std::vector<ReceivedMail> mails = relay.WaitForMessages(1);
  INFO(daemon.Stderr());
  REQUIRE(mails.size() == 1);
  const ReceivedMail& m = mails[0];
  INFO(m.raw);
  REQUIRE(m.rcpt_tos.size() == 1);
  CHECK_THAT(m.rcpt_tos[0], ContainsSubstring("shopper-r@"));  // Get Shopper Identity's answer
  CHECK(m.mail_from == "receipts@it-store.example");
  CHECK(MailHeader(m.raw, "Message-ID") == "<receipt.trip-r@it-store.jwo-edge>");
  // 2 x 3.99 = 7.98, 8.25 % tax 0.66: 8.64 charged.
  CHECK(MailHeader(m.raw, "Subject") == "Your receipt from IT Store, 1 Main St: 8.64 USD");
  const std::string body = MailDecoded(m.raw);
  CHECK_THAT(body, ContainsSubstring("Chips x 2"));
  CHECK_THAT(body, ContainsSubstring("Chips &times; 2"));  // the HTML part
  CHECK_THAT(body, ContainsSubstring(" ending "));
  CHECK_THAT(body, ContainsSubstring("Questions? Ask at the counter."));

  // Recorded on the trip and in the status; never sent twice.
  auto shown = daemon.Ctl({"trip", "show", "trip-r"});
  CHECK_THAT(shown.output, ContainsSubstring("receipt_mailed"));
  auto status = daemon.Ctl({"--json", "status"});
  REQUIRE(status.exit_code == 0);
  const json::value doc = json::parse(status.output);
  CHECK(doc.at("result").at("mail").at("sent").to_number<int64_t>() == 1);
  auto metrics = HttpClient::Connect("127.0.0.1", daemon.Port());
  REQUIRE(metrics.ok());
  auto scraped = metrics->Get("/metrics");
  REQUIRE(scraped.ok());
  CHECK_THAT(scraped->body, ContainsSubstring("jwo_mail_receipts_total{outcome=\"sent\"} 1"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // a dispatcher round or two
  CHECK(relay.Messages().size() == 1);
}
