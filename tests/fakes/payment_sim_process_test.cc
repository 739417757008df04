// The jwo-payment-sim binary: start-up line, scripts, signals, argument errors.
#include "tests/fakes/payment_sim_process.h"

#include <signal.h>

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>
#include <chrono>
#include <fstream>

#include "tests/fakes/payment_sim/api_call.h"
#include "tests/fakes/sim_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"

using namespace jwo::testing;
using jwo::payment_sim::AdjustBody;
using jwo::payment_sim::Api;
using jwo::payment_sim::ApiPath;

namespace {

jwo::payments::AwsCredentials SimCredentials() {
  return {kSimAccessKeyId, kSimSecretAccessKey, "", 0};
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ClientResponse SignedAdjust(HttpClient& client, const std::string& trip) {
  const std::string body = AdjustBody(trip);
  auto r = client.Post(
      ApiPath(Api::kAdjust), body,
      jwo::payment_sim::SignedHeaders(ApiPath(Api::kAdjust), body, SimCredentials(), NowMs()));
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

TEST_CASE("the binary prints its port, serves signed requests, logs them and exits 0 on SIGTERM") {
  PaymentSimProcess sim;
  REQUIRE(sim.Start().ok());
  CHECK(sim.port() != 0);
  auto client = HttpClient::Connect("127.0.0.1", sim.port());
  REQUIRE(client.ok());
  CHECK(SignedAdjust(*client, "T1").status == 200);
  auto health = client->Get("/_sim/health");
  REQUIRE(health.ok());
  CHECK(health->status == 200);
  sim.Signal(SIGTERM);
  CHECK(sim.WaitExit() == 0);
  const std::string log = sim.Stderr();
  CHECK(log.find("listening") != std::string::npos);
  CHECK(log.find("trip=T1") != std::string::npos);
}

TEST_CASE("SIGINT also stops it cleanly, and a restart listens on the same port") {
  PaymentSimProcess sim({"--quiet"});
  REQUIRE(sim.Start().ok());
  const uint16_t port = sim.port();
  sim.Signal(SIGINT);
  CHECK(sim.WaitExit() == 0);
  REQUIRE(sim.Start().ok());
  CHECK(sim.port() == port);
  auto client = HttpClient::Connect("127.0.0.1", port);
  REQUIRE(client.ok());
  CHECK(SignedAdjust(*client, "T").status == 200);
}

TEST_CASE(
    "a script file given with --script sets the startup behaviour; a bad one stops the start") {
  TempDir dir;
  {
    std::ofstream(dir.File("script.json"))
        << R"({"trips":[{"trip":"P","adjust":["PENDING","APPROVED"]}]})";
    std::ofstream(dir.File("bad.json")) << R"({"trips":[{"trip":"P"}]})";
  }
  PaymentSimProcess sim({"--script", dir.File("script.json")});
  REQUIRE(sim.Start().ok());
  auto client = HttpClient::Connect("127.0.0.1", sim.port());
  REQUIRE(client.ok());
  CHECK(boost::json::parse(SignedAdjust(*client, "P").body).at("status") == "PENDING");
  CHECK(boost::json::parse(SignedAdjust(*client, "P").body).at("status") == "APPROVED");

  PaymentSimProcess bad({"--script", dir.File("bad.json")});
  const auto status = bad.Start();
  REQUIRE_FALSE(status.ok());
  CHECK(status.message().find("trips[0].adjust is required") != std::string::npos);
  CHECK(bad.WaitExit() == -1);  // already reaped by Start
}

TEST_CASE("jwo-payment-sim --capture-replay apply: wins over --script and survives reset") {
  TempDir dir;
  std::ofstream(dir.File("noop.json")) << R"({"capture_replay":"noop"})";
  PaymentSimProcess sim(
      {"--quiet", "--script", dir.File("noop.json"), "--capture-replay", "apply"});
  REQUIRE(sim.Start().ok());
  auto client = HttpClient::Connect("127.0.0.1", sim.port());
  REQUIRE(client.ok());
  const auto mode = [&] {
    auto r = client->Get("/_sim/behaviour");
    REQUIRE(r.ok());
    return std::string(boost::json::parse(r->body).at("capture_replay").as_string());
  };
  CHECK(mode() == "apply");
  REQUIRE(client->Send("POST", "/_sim/script", R"({"capture_replay":"noop"})")->status == 200);
  CHECK(mode() == "noop");
  REQUIRE(client->Send("POST", "/_sim/reset", "")->status == 200);
  CHECK(mode() == "apply");
}

TEST_CASE("argument errors exit 2 with the usage") {
  PaymentSimProcess sim({"--listen", "nowhere"});
  const auto status = sim.Start();
  REQUIRE_FALSE(status.ok());
  CHECK(status.message().find("--listen must be ADDRESS:PORT") != std::string::npos);
  CHECK(status.message().find("usage: jwo-payment-sim") != std::string::npos);
}

TEST_CASE("HTTPS with --tls-cert and --tls-key") {
  TempDir dir;
  auto pki = MakeTestPki(dir.path());
  REQUIRE(pki.ok());
  PaymentSimProcess sim({"--tls-cert", pki->server_cert, "--tls-key", pki->server_key});
  REQUIRE(sim.Start().ok());
  auto client =
      HttpClient::Connect("127.0.0.1", sim.port(), TlsClientOptions{pki->ca_cert, "", ""});
  REQUIRE(client.ok());
  CHECK(SignedAdjust(*client, "T").status == 200);
}
