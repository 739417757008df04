// HTTPS listeners, with and without client-certificate verification.
#include <algorithm>
#include <catch2/catch_test_macros.hpp>

#include "daemon_process.h"
#include "fa_requests.h"
#include "tests/support/http_client.h"
#include "tests/support/test_certs.h"

using namespace jwo::testing;

namespace {

std::string TlsConfig(const TestPki& pki, bool client_ca) {
  std::string cfg = DefaultTestConfig();
  const std::string plain = "    apis: [shopper_authorization, health, metrics]\n";
  std::string tls = plain + "    tls:\n      certificate: " + pki.server_cert +
                    "\n      private_key: " + pki.server_key + "\n";
  if (client_ca) tls += "      client_ca: " + pki.ca_cert + "\n";
  cfg.replace(cfg.find(plain), plain.size(), tls);
  return cfg;
}

}  // namespace

TEST_CASE("HTTPS without client certificates") {
  DaemonProcess probe;
  std::filesystem::create_directories(probe.dir() / "pki");
  auto made = MakeTestPki((probe.dir() / "pki").string());
  INFO(made.status().ToString());
  REQUIRE(made.ok());
  const TestPki pki = *made;
  DaemonProcess d(TlsConfig(pki, false));
  REQUIRE(d.Start());
  const auto messages = d.NotifyMessages();
  CHECK(std::any_of(messages.begin(), messages.end(), [](const std::string& m) {
    return m.find("amazon=https://") != std::string::npos;
  }));
  auto c = HttpClient::Connect("127.0.0.1", d.Port(), TlsClientOptions{pki.ca_cert, "", ""});
  REQUIRE(c.ok());
  auto r = c->Post(kFaPath, FaBody("tls-shopper"));
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->body == R"({"status":"APPROVED"})");
  // Plain HTTP to a TLS port gets no answer.
  auto plain = HttpClient::Connect("127.0.0.1", d.Port(), std::nullopt, std::chrono::seconds(2));
  if (plain.ok()) CHECK_FALSE(plain->Post(kFaPath, FaBody("x")).ok());
}

TEST_CASE("HTTPS with client-certificate verification") {
  DaemonProcess probe;
  std::filesystem::create_directories(probe.dir() / "pki");
  auto made = MakeTestPki((probe.dir() / "pki").string());
  INFO(made.status().ToString());
  REQUIRE(made.ok());
  const TestPki pki = *made;
  DaemonProcess d(TlsConfig(pki, true));
  REQUIRE(d.Start());

  auto with_cert = HttpClient::Connect(
      "127.0.0.1", d.Port(), TlsClientOptions{pki.ca_cert, pki.client_cert, pki.client_key});
  REQUIRE(with_cert.ok());
  auto r = with_cert->Post(kFaPath, FaBody("mtls-shopper"));
  REQUIRE(r.ok());
  CHECK(r->body == R"({"status":"APPROVED"})");

  auto without = HttpClient::Connect("127.0.0.1", d.Port(), TlsClientOptions{pki.ca_cert, "", ""});
  if (without.ok()) CHECK_FALSE(without->Post(kFaPath, FaBody("x")).ok());

  auto untrusted = HttpClient::Connect(
      "127.0.0.1", d.Port(),
      TlsClientOptions{pki.ca_cert, pki.untrusted_client_cert, pki.untrusted_client_key});
  if (untrusted.ok()) CHECK_FALSE(untrusted->Post(kFaPath, FaBody("x")).ok());

  // A failed handshake does not disturb the verified client's connection.
  auto again = with_cert->Post(kFaPath, FaBody("mtls-shopper", "t2"));
  REQUIRE(again.ok());
  CHECK(again->status == 200);
}
