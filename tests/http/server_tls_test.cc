#include "http/server.h"

#include <boost/json/parse.hpp>
#include <catch2/catch_test_macros.hpp>
#include <string>

#include "tests/http/test_server.h"
#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"

namespace jwo::http {
namespace {

using testing::HttpClient;
using testing::TlsClientOptions;

struct Pki {
  testing::TempDir dir;
  testing::TestPki files;
  Pki() {
    auto pki = testing::MakeTestPki(dir.path());
    if (!pki.ok()) throw std::runtime_error(pki.status().ToString());
    files = std::move(pki).value();
  }
  TlsSettings Server(bool require_client_cert) const {
    return {files.server_cert, files.server_key, require_client_cert ? files.ca_cert : ""};
  }
};

// A request that must fail somewhere: in TLS 1.3 the client finishes its handshake before the
// server has judged the client certificate, so a refusal may surface on the first read instead.
bool RequestFails(TestServer& server, const TlsClientOptions& options) {
  auto client = server.Connect(options);
  if (!client.ok()) return true;
  auto r = client->Get("/info");
  return !r.ok();
}

std::string Subject(const testing::ClientResponse& r) {
  return std::string(boost::json::parse(r.body).as_object().at("subject").as_string());
}

TEST_CASE("HTTPS serves requests with keep-alive", "[http][tls]") {
  Pki pki;
  TestServer server(TestLimits(), pki.Server(false));
  auto client = server.Connect(TlsClientOptions{pki.files.ca_cert, "", ""});
  REQUIRE(client.ok());
  for (int i = 0; i < 3; ++i) {
    auto r = client->Post("/echo", "secure " + std::to_string(i));
    REQUIRE(r.ok());
    CHECK(r->status == 200);
    CHECK(r->body == "secure " + std::to_string(i));
  }
  auto info = client->Get("/info");
  REQUIRE(info.ok());
  CHECK(Subject(*info).empty());
  CHECK(server.Stats().accepted == 1);
}

TEST_CASE("HTTPS pipelining and server-side close still work", "[http][tls]") {
  Pki pki;
  TestServer server(TestLimits(), pki.Server(false));
  auto client = server.Connect(TlsClientOptions{pki.files.ca_cert, "", ""});
  REQUIRE(client.ok());
  REQUIRE(client
              ->WriteRaw("GET /info HTTP/1.1\r\nHost: t\r\n\r\n"
                         "GET /info HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
              .ok());
  auto first = client->ReadResponse();
  auto second = client->ReadResponse();
  REQUIRE((first.ok() && second.ok()));
  CHECK(first->keep_alive);
  CHECK_FALSE(second->keep_alive);
  CHECK(client->WaitForClose().ok());
}

TEST_CASE("HTTPS refuses plain HTTP and counts the failed handshake", "[http][tls]") {
  Pki pki;
  TestServer server(TestLimits(), pki.Server(false));
  auto client = server.Connect();
  REQUIRE(client.ok());
  CHECK_FALSE(client->Get("/info").ok());
  CHECK(server.WaitFor([](const ServerStats& s) { return s.tls_handshake_failures == 1; }));
}

TEST_CASE("HTTPS with a client CA requires a trusted client certificate", "[http][tls]") {
  Pki pki;
  TestServer server(TestLimits(), pki.Server(true));

  SECTION("no client certificate: refused") {
    CHECK(RequestFails(server, TlsClientOptions{pki.files.ca_cert, "", ""}));
    CHECK(server.WaitFor([](const ServerStats& s) { return s.tls_handshake_failures == 1; }));
    CHECK(server.Stats().requests == 0);
  }
  SECTION("certificate from another CA: refused") {
    CHECK(RequestFails(server, TlsClientOptions{pki.files.ca_cert, pki.files.untrusted_client_cert,
                                                pki.files.untrusted_client_key}));
    CHECK(server.WaitFor([](const ServerStats& s) { return s.tls_handshake_failures == 1; }));
    CHECK(server.Stats().requests == 0);
  }
  SECTION("trusted certificate: served, with its subject") {
    auto client = server.Connect(
        TlsClientOptions{pki.files.ca_cert, pki.files.client_cert, pki.files.client_key});
    REQUIRE(client.ok());
    auto r = client->Get("/info");
    REQUIRE(r.ok());
    CHECK(r->status == 200);
    CHECK(Subject(*r) == testing::kTestClientSubject);
    CHECK(server.Stats().tls_handshake_failures == 0);
  }
}

TEST_CASE("HTTPS client verifies the server name", "[http][tls]") {
  Pki pki;
  TestServer server(TestLimits(), pki.Server(false));
  // The test server certificate names 127.0.0.1 and localhost; a client trusting only another
  // CA must refuse it.
  auto wrong_ca = server.Connect(TlsClientOptions{pki.files.untrusted_ca_cert, "", ""});
  CHECK_FALSE(wrong_ca.ok());
  auto by_name =
      HttpClient::Connect("localhost", server.port(), TlsClientOptions{pki.files.ca_cert, "", ""});
  if (by_name.ok()) {  // localhost may resolve to ::1 first, where nothing listens
    auto r = by_name->Get("/info");
    REQUIRE(r.ok());
    CHECK(r->status == 200);
  }
}

TEST_CASE("AddListener reports a key that does not match its certificate", "[http][tls]") {
  Pki pki;
  boost::asio::io_context io;
  Server server(io, TestLimits());
  ListenerSpec spec;
  spec.name = "mismatch";
  spec.address = "127.0.0.1";
  spec.router = std::make_shared<Router>();
  spec.tls = TlsSettings{pki.files.server_cert, pki.files.client_key, ""};
  auto r = server.AddListener(spec);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == core::StatusCode::kInvalidArgument);
  CHECK(r.status().message().find("mismatch") != std::string::npos);
}

}  // namespace
}  // namespace jwo::http
