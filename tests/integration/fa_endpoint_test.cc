// The gate decision through the real daemon over HTTP: validation, strategies, overrides.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <catch2/catch_test_macros.hpp>

#include <csignal>
#include <cstring>
#include <tuple>

#include "daemon_process.h"
#include "fa_requests.h"
#include "tests/support/http_client.h"

using namespace jwo::testing;

namespace {

HttpClient Connect(DaemonProcess& d, const std::string& listener = "amazon") {
  auto c = HttpClient::Connect("127.0.0.1", d.Port(listener));
  REQUIRE(c.ok());
  return std::move(c).value();
}

std::string Status(HttpClient& c, const std::string& body) {
  auto r = c.Post(kFaPath, body, {{"Content-Type", "application/json"}});
  REQUIRE(r.ok());
  REQUIRE(r->status == 200);
  return r->body;
}

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const size_t pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

// Sends one raw line to the control socket and returns the answer line.
std::string ControlLine(const DaemonProcess& d, const std::string& line) {
  const std::string path = d.socket_path().string();
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string request = line + "\n";
  REQUIRE(write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
  std::string answer;
  char buf[4096];
  while (answer.find('\n') == std::string::npos) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return answer;
}

}  // namespace

TEST_CASE("approved, denied after a debt is recorded, approved after it is settled") {
  DaemonProcess d;
  REQUIRE(d.Start());
  auto c = Connect(d);
  CHECK(Status(c, FaBody("alice")) == R"({"status":"APPROVED"})");

  auto add = d.Ctl({"debt", "add", "alice", "trip-9", "12.50", "USD", "--reason", "declined"});
  REQUIRE(add.exit_code == 0);
  CHECK(Status(c, FaBody("alice", "trip-2")) ==
        R"({"status":"DENIED","shopperRisks":["BadDebt"]})");
  CHECK(Status(c, FaBody("bob", "trip-3")) == R"({"status":"APPROVED"})");

  auto settle = d.Ctl({"debt", "settle", "alice", "trip-9", "pay-1", "--reason", "paid at kiosk"});
  REQUIRE(settle.exit_code == 0);
  CHECK(Status(c, FaBody("alice", "trip-4")) == R"({"status":"APPROVED"})");
}

TEST_CASE("debt below the configured threshold still admits") {
  DaemonProcess d;
  REQUIRE(d.Start());
  auto c = Connect(d);
  REQUIRE(d.Ctl({"debt", "add", "carol", "t1", "9.99", "USD", "--reason", "r"}).exit_code == 0);
  CHECK(Status(c, FaBody("carol")) == R"({"status":"APPROVED"})");
  REQUIRE(d.Ctl({"debt", "add", "carol", "t2", "0.01", "USD", "--reason", "r"}).exit_code == 0);
  CHECK(Status(c, FaBody("carol")) == R"({"status":"DENIED","shopperRisks":["BadDebt"]})");
}

TEST_CASE("manual overrides: always block, always allow, cleared") {
  DaemonProcess d;
  REQUIRE(d.Start());
  auto c = Connect(d);
  REQUIRE(d.Ctl({"shopper", "block", "dave", "--reason", "fraud report"}).exit_code == 0);
  CHECK(Status(c, FaBody("dave")) == R"({"status":"DENIED"})");
  REQUIRE(d.Ctl({"debt", "add", "dave", "t1", "50", "USD", "--reason", "r"}).exit_code == 0);
  REQUIRE(d.Ctl({"shopper", "allow", "dave", "--reason", "manager approved"}).exit_code == 0);
  CHECK(Status(c, FaBody("dave")) == R"({"status":"APPROVED"})");
  REQUIRE(d.Ctl({"shopper", "clear-override", "dave", "--reason", "done"}).exit_code == 0);
  CHECK(Status(c, FaBody("dave")) == R"({"status":"DENIED","shopperRisks":["BadDebt"]})");

  auto shown = d.Ctl({"shopper", "show", "dave"});
  CHECK(shown.exit_code == 0);
  CHECK(shown.output.find("shopper.allow") != std::string::npos);
  CHECK(shown.output.find("manager approved") != std::string::npos);
  CHECK(shown.output.find("gate_would: DENY") != std::string::npos);
}

TEST_CASE("a change without a reason is refused and changes nothing") {
  DaemonProcess d;
  REQUIRE(d.Start());
  auto r = d.Ctl({"shopper", "block", "erin"});
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("a reason is required") != std::string::npos);
  auto c = Connect(d);
  CHECK(Status(c, FaBody("erin")) == R"({"status":"APPROVED"})");
}

TEST_CASE("duplicate JSON keys are refused by the HTTP API and the control API") {
  DaemonProcess d;
  REQUIRE(d.Start());
  REQUIRE(d.Ctl({"debt", "add", "debtor", "t1", "50", "USD", "--reason", "r"}).exit_code == 0);
  auto c = Connect(d);
  // A proxy reading the first "id" and a daemon keeping the last would disagree on the shopper.
  auto r = c.Post(kFaPath,
                  Replace(FaBody("debtor"), R"("id":"debtor")", R"("id":"debtor","id":"clear")"),
                  {{"Content-Type", "application/json"}});
  REQUIRE(r.ok());
  CHECK(r->status == 400);
  CHECK(r->body == R"({"errorMsg":"body has a duplicate key 'id'"})");

  const std::string answer = ControlLine(d, R"({"command":"nope","command":"status"})");
  CHECK(answer.find(R"("ok":false)") != std::string::npos);
  CHECK(answer.find("duplicate key 'command'") != std::string::npos);
}

TEST_CASE("every validation rule answers 400 with the field named, and records nothing") {
  DaemonProcess d;
  REQUIRE(d.Start());
  auto c = Connect(d);
  const std::string good = FaBody("frank");
  const std::vector<std::tuple<std::string, std::string>> cases = {
      {"", "body is not valid JSON"},
      {"[1,2]", "body must be a JSON object"},
      {"{\"storeId\":", "body is not valid JSON"},
      {Replace(good, R"("storeId":"it-store",)", ""), "storeId is required"},
      {Replace(good, R"("storeId":"it-store")", R"("storeId":12345)"), "storeId must be a string"},
      {Replace(good, R"("storeId":"it-store")", R"("storeId":"INVALID@STORE#ID")"),
       "storeId must match"},
      {Replace(good, R"("storeId":"it-store")", R"("storeId":"   ")"), "storeId must not be empty"},
      {Replace(good, R"("storeId":"it-store")", "\"storeId\":\"" + std::string(256, 's') + "\""),
       "storeId must be at most 255 characters"},
      {Replace(good, R"({"id":"frank"})", "{}"), "shopperIdentity.id is required"},
      {Replace(good, R"({"id":"frank"})", R"({"id":null})"), "shopperIdentity.id is required"},
      {Replace(good, R"({"id":"frank"})", R"({"id":""})"), "shopperIdentity.id must not be empty"},
      {Replace(good, R"("shoppingTripId":"trip-1",)", ""),
       "shopperInteraction.shoppingTripId is required"},
      {Replace(good, R"("shoppingTripId":"trip-1")", R"("shoppingTripId":true)"),
       "shopperInteraction.shoppingTripId must be a string"},
      {Replace(good, R"("value":50.00)", R"("value":"50.00")"),
       "authorizedAmount.value must be a number"},
      {Replace(good, R"("value":50.00)", R"("value":50.001)"), "authorizedAmount.value"},
      {Replace(good, R"("value":50.00)", R"("value":-1)"), "must not be negative"},
      {Replace(good, R"("currencyCode":"USD")", R"("currencyCode":"usd")"),
       "authorizedAmount.currencyCode must be an ISO 4217 currency code"},
      {Replace(good, R"("timestamp":"2026-11-27T10:15:30Z")", R"("timestamp":"27/11/2026")"),
       "gateAuthenticationEvent.timestamp must be an ISO 8601 date-time"},
      {Replace(good, R"("lane":"2")", R"("lane":2)"), "data.lane must be a string"},
      {FaBody("frank", "trip-1", R"({"shopperAuthorized":"yes"})"),
       "recommendation.shopperAuthorized must be a boolean"},
      {FaBody("frank", "trip-1", R"({"shopperAuthorized":true,"shopperRisks":"BadDebt"})"),
       "recommendation.shopperRisks must be an array"},
      {FaBody("frank", "trip-1",
              R"({"shopperAuthorized":true,"authorizationConditions":[{"type":"ADJUST"}]})"),
       "authorizationConditions[0].amount is required"},
  };
  for (const auto& [body, message] : cases) {
    INFO(body);
    auto r = c.Post(kFaPath, body);
    REQUIRE(r.ok());
    CHECK(r->status == 400);
    CHECK(r->Header("Content-Type") == "application/json");
    CHECK(r->body.rfind(R"({"errorMsg":")", 0) == 0);
    CHECK(r->body.find(message) != std::string::npos);
  }
  // Unknown fields are ignored, not rejected.
  CHECK(Status(c, Replace(good, R"("storeId")", R"("newField":{"x":[1]},"storeId")")) ==
        R"({"status":"APPROVED"})");
  // Nothing but the one valid request was recorded.
  auto metrics = c.Get("/metrics");
  REQUIRE(metrics.ok());
  CHECK(metrics->body.find("jwo_fa_rejected_requests_total{status=\"400\"} " +
                           std::to_string(cases.size())) != std::string::npos);
  d.Signal(SIGTERM);  // flushes the decision log
  REQUIRE(d.WaitExit() == 0);
  REQUIRE(d.Start());
  auto status = d.Ctl({"--json", "status"});
  CHECK(status.output.find("\"decisions\":1") != std::string::npos);
}

TEST_CASE("another store's id is 404, a wrong path 404, a wrong method 405") {
  DaemonProcess d;
  REQUIRE(d.Start());
  auto c = Connect(d);
  auto r = c.Post(kFaPath, FaBody("g", "t", "", "other-store"));
  REQUIRE(r.ok());
  CHECK(r->status == 404);
  CHECK(r->body.find("no connector configuration for storeId 'other-store'") != std::string::npos);
  r = c.Post("/v1/nope", "{}");
  CHECK(r->status == 404);
  r = c.Get(kFaPath);
  CHECK(r->status == 405);
  CHECK(r->Header("Allow") == "POST");
}

TEST_CASE("amazon_recommendation strategy: follow, override to accept, deny and adjust") {
  std::string cfg = DefaultTestConfig();
  cfg = Replace(cfg, "strategy: retailer_managed", R"(strategy: amazon_recommendation
  recommendation_rules:
    approved_clear: follow
    approved_owes: adjust
    denied_clear: approve
    denied_owes: deny
    absent_clear: approve
    absent_owes: deny
    adjust_amounts:
      USD: 25.00)");
  DaemonProcess d(cfg);
  REQUIRE(d.Start());
  auto c = Connect(d);
  const std::string approve = R"({"shopperAuthorized":true})";
  const std::string deny = R"({"shopperAuthorized":false,"shopperRisks":["CustomerFraud"]})";
  const std::string approve_adjust =
      R"({"shopperAuthorized":true,"authorizationConditions":[{"type":"ADJUST","amount":{"value":10.5,"currencyCode":"USD"}}]})";
  CHECK(Status(c, FaBody("h", "t1", approve)) == R"({"status":"APPROVED"})");
  CHECK(
      Status(c, FaBody("h", "t1", approve_adjust)) ==
      R"({"status":"APPROVED","authorizationConditions":[{"type":"ADJUST","amount":{"value":10.50,"currencyCode":"USD"}}]})");
  CHECK(Status(c, FaBody("h", "t2", deny)) == R"({"status":"APPROVED"})");  // denied_clear: approve
  REQUIRE(d.Ctl({"debt", "add", "h", "old", "30", "USD", "--reason", "r"}).exit_code == 0);
  CHECK(
      Status(c, FaBody("h", "t3", approve)) ==
      R"({"status":"APPROVED","authorizationConditions":[{"type":"ADJUST","amount":{"value":25.00,"currencyCode":"USD"}}]})");
  CHECK(Status(c, FaBody("h", "t4", deny)) == R"({"status":"DENIED","shopperRisks":["BadDebt"]})");
  CHECK(Status(c, FaBody("h", "t5")) == R"({"status":"DENIED","shopperRisks":["BadDebt"]})");
}

TEST_CASE("health, readiness and metrics") {
  DaemonProcess d;
  REQUIRE(d.Start());
  auto c = Connect(d);
  auto r = c.Get("/healthz");
  CHECK(r->status == 200);
  r = c.Get("/readyz");
  CHECK(r->status == 200);
  CHECK(r->body == R"({"ready":true})");
  CHECK(Status(c, FaBody("i")) == R"({"status":"APPROVED"})");
  r = c.Get("/metrics");
  REQUIRE(r->status == 200);
  for (const char* name :
       {"jwo_fa_decisions_total{outcome=\"approved\",reason=\"ledger_clear\"} 1",
        "jwo_fa_decision_seconds_bucket", "jwo_store_map_size_bytes", "jwo_store_readers",
        "jwo_store_used_bytes", "jwo_build_info{version=", "jwo_http_open_connections"}) {
    INFO(name);
    CHECK(r->body.find(name) != std::string::npos);
  }
}

TEST_CASE("decisions are recorded for audit with trip, shopper and reason") {
  DaemonProcess d;
  REQUIRE(d.Start());
  auto c = Connect(d);
  for (int i = 0; i < 20; ++i) Status(c, FaBody("j", "trip-" + std::to_string(i)));
  // The decision log writes in the background; stopping flushes it.
  d.Signal(SIGTERM);
  CHECK(d.WaitExit() == 0);
  REQUIRE(d.Start());
  auto status = d.Ctl({"--json", "status"});
  CHECK(status.output.find("\"decisions\":20") != std::string::npos);
}
