#include "payments/payment_client.h"

#include <catch2/catch_test_macros.hpp>
#include <stdexcept>
#include <string>

#include "tests/payments/payment_client_peer.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"

namespace jwo::payments {
namespace {

using Outcome = TransportOutcome;

struct Pki {
  testing::TempDir dir;
  testing::TestPki files;
  Pki() {
    auto pki = testing::MakeTestPki(dir.path());
    if (!pki.ok()) throw std::runtime_error(pki.status().ToString());
    files = std::move(pki).value();
  }
  http::TlsSettings Server() const { return {files.server_cert, files.server_key, ""}; }
};

OutboundResult SendOne(PaymentClient& client, std::string body) {
  Call call;
  client.Send(Post("/echo", std::move(body)), NoSigning(), call.Done());
  return call.Get();
}

TEST_CASE("HTTPS with a configured CA verifies the server and keeps the connection",
          "[payments][client][tls]") {
  Pki pki;
  PeerServer peer(PeerLimits(), pki.Server());
  IoThreads io;
  PaymentEndpoint endpoint = LocalEndpoint(peer.port(), "https");
  endpoint.ca_file = pki.files.ca_cert;
  REQUIRE(ValidateEndpoint(endpoint).ok());
  PaymentClient client(io.io(), endpoint);
  for (int i = 0; i < 3; ++i) {
    const OutboundResult r = SendOne(client, "secure " + std::to_string(i));
    REQUIRE(r.outcome == Outcome::kResponse);
    CHECK(r.body == "secure " + std::to_string(i));
  }
  CHECK(peer.Stats().accepted == 1);
}

TEST_CASE("HTTPS to a DNS name sends SNI and checks the name", "[payments][client][tls]") {
  Pki pki;  // the server certificate carries DNS:localhost
  PeerServer peer(PeerLimits(), pki.Server());
  IoThreads io;
  PaymentEndpoint endpoint;
  endpoint.base_url = "https://localhost:" + std::to_string(peer.port());
  endpoint.ca_file = pki.files.ca_cert;
  PaymentClient client(io.io(), endpoint);
  CHECK(client.host() == "localhost:" + std::to_string(peer.port()));
  const OutboundResult r = SendOne(client, "by name");
  REQUIRE(r.outcome == Outcome::kResponse);
  CHECK(r.Header("X-Seen-Host") == client.host());
}

TEST_CASE("a server certificate from another CA fails the handshake", "[payments][client][tls]") {
  Pki pki;
  PeerServer peer(PeerLimits(), pki.Server());
  IoThreads io;
  PaymentEndpoint endpoint = LocalEndpoint(peer.port(), "https");
  endpoint.ca_file = pki.files.untrusted_ca_cert;
  PaymentClient client(io.io(), endpoint);
  const OutboundResult r = SendOne(client, "x");
  CHECK(r.outcome == Outcome::kTlsFailed);
  CHECK_FALSE(r.request_may_have_been_sent);
  CHECK(r.error.find("certificate") != std::string::npos);
  CHECK(peer.Stats().requests == 0);
}

TEST_CASE("the system trust store does not trust a private CA", "[payments][client][tls]") {
  Pki pki;
  PeerServer peer(PeerLimits(), pki.Server());
  IoThreads io;
  PaymentClient client(io.io(), LocalEndpoint(peer.port(), "https"));  // no ca_file
  const OutboundResult r = SendOne(client, "x");
  CHECK(r.outcome == Outcome::kTlsFailed);
  CHECK(peer.Stats().requests == 0);
}

TEST_CASE("a certificate for another address fails the handshake", "[payments][client][tls]") {
  Pki pki;  // valid for 127.0.0.1 and localhost only
  PeerServer peer(PeerLimits(), pki.Server(), "127.0.0.2");
  IoThreads io;
  PaymentEndpoint endpoint;
  endpoint.base_url = "https://127.0.0.2:" + std::to_string(peer.port());
  endpoint.ca_file = pki.files.ca_cert;
  PaymentClient client(io.io(), endpoint);
  const OutboundResult r = SendOne(client, "x");
  CHECK(r.outcome == Outcome::kTlsFailed);
  CHECK(r.error.find("mismatch") != std::string::npos);
  CHECK(peer.Stats().requests == 0);
}

TEST_CASE("HTTPS to a plain HTTP server fails the handshake", "[payments][client][tls]") {
  Pki pki;
  PeerServer peer;
  IoThreads io;
  PaymentEndpoint endpoint = LocalEndpoint(peer.port(), "https");
  endpoint.ca_file = pki.files.ca_cert;
  PaymentClient client(io.io(), endpoint);
  const OutboundResult r = SendOne(client, "x");
  CHECK(r.outcome == Outcome::kTlsFailed);
  CHECK_FALSE(r.request_may_have_been_sent);
}

TEST_CASE("HTTPS requests in flight end with kTimeout and kStopped as over HTTP",
          "[payments][client][tls]") {
  Pki pki;
  PeerServer peer(PeerLimits(), pki.Server());
  IoThreads io;
  PaymentEndpoint endpoint = LocalEndpoint(peer.port(), "https");
  endpoint.ca_file = pki.files.ca_cert;
  endpoint.request_timeout_ms = 200;
  PaymentClient client(io.io(), endpoint);

  Call slow;
  client.Send(Post("/defer", "slow"), NoSigning(), slow.Done());
  auto parked = peer.Take();
  REQUIRE(parked);
  const OutboundResult timed_out = slow.Get();
  CHECK(timed_out.outcome == Outcome::kTimeout);
  CHECK(timed_out.request_may_have_been_sent);

  Call stopped;
  client.Send(Post("/defer", "stopped"), NoSigning(), stopped.Done());
  auto parked_again = peer.Take();
  REQUIRE(parked_again);
  client.Stop();
  const OutboundResult r = stopped.Get();
  CHECK(r.outcome == Outcome::kStopped);
  CHECK(r.request_may_have_been_sent);
}

}  // namespace
}  // namespace jwo::payments
