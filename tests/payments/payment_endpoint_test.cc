#include "payments/payment_endpoint.h"

#include <catch2/catch_test_macros.hpp>
#include <fstream>
#include <stdexcept>
#include <string>

#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"

namespace jwo::payments {
namespace {

TEST_CASE("Payment Service URLs parse into connection parts", "[payments][endpoint]") {
  auto amazon = ParseEndpointUrl("https://us-east-1.payments.amazonphysicalstores.com");
  REQUIRE(amazon.ok());
  CHECK(amazon->tls);
  CHECK(amazon->host == "us-east-1.payments.amazonphysicalstores.com");
  CHECK_FALSE(amazon->host_is_ip);
  CHECK(amazon->port == 443);
  CHECK(amazon->host_header == "us-east-1.payments.amazonphysicalstores.com");

  auto simulator = ParseEndpointUrl("http://127.0.0.1:8080/");
  REQUIRE(simulator.ok());
  CHECK_FALSE(simulator->tls);
  CHECK(simulator->host_is_ip);
  CHECK(simulator->port == 8080);
  CHECK(simulator->host_header == "127.0.0.1:8080");

  auto v6 = ParseEndpointUrl("https://[::1]:8443");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->host_header == "[::1]:8443");

  auto upper = ParseEndpointUrl("HTTPS://Payments.Example.COM:443");
  REQUIRE(upper.ok());
  CHECK(upper->host == "payments.example.com");
  CHECK(upper->host_header == "payments.example.com");  // the default port is not written
}

TEST_CASE("URLs the client cannot use are refused with the reason", "[payments][endpoint]") {
  for (const char* url :
       {"", "not a url", "ftp://example.com", "https://", "https://:443",
        "https://user:pw@example.com", "https://example.com/prod", "https://example.com/?a=1",
        "https://example.com/#x", "https://example.com:0", "https://example.com:70000",
        "https://example.com:x", "https://ex%61mple.com"}) {
    INFO(url);
    auto parsed = ParseEndpointUrl(url);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == core::StatusCode::kInvalidArgument);
    CHECK(parsed.status().message().find("payments.base_url") != std::string::npos);
  }
}

TEST_CASE("ValidateEndpoint checks limits and the trust anchors", "[payments][endpoint]") {
  PaymentEndpoint plain;
  plain.base_url = "http://127.0.0.1:9000";
  CHECK(ValidateEndpoint(plain).ok());

  PaymentEndpoint no_connections = plain;
  no_connections.max_connections = 0;
  CHECK(ValidateEndpoint(no_connections).message().find("max_connections") != std::string::npos);
  PaymentEndpoint no_timeout = plain;
  no_timeout.request_timeout_ms = 0;
  CHECK(ValidateEndpoint(no_timeout).message().find("request_timeout_ms") != std::string::npos);

  PaymentEndpoint system_store;
  system_store.base_url = "https://us-east-1.payments.amazonphysicalstores.com";
  CHECK(ValidateEndpoint(system_store).ok());

  testing::TempDir dir;
  auto pki = testing::MakeTestPki(dir.path());
  REQUIRE(pki.ok());
  PaymentEndpoint private_ca = system_store;
  private_ca.ca_file = pki->ca_cert;
  CHECK(ValidateEndpoint(private_ca).ok());

  private_ca.ca_file = dir.File("missing.pem");
  auto missing = ValidateEndpoint(private_ca);
  CHECK(missing.code() == core::StatusCode::kInvalidArgument);
  CHECK(missing.message().find("missing.pem") != std::string::npos);

  std::ofstream(dir.File("junk.pem")) << "not a certificate\n";
  private_ca.ca_file = dir.File("junk.pem");
  CHECK_FALSE(ValidateEndpoint(private_ca).ok());
}

}  // namespace
}  // namespace jwo::payments
