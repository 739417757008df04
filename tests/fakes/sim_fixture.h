// SimFixture: an in-process PaymentSimulator behind a real http::Server on 127.0.0.1 port 0,
// with a FakeClock (signatures, records and the outage window follow it), and a client that
// signs its requests the way jwo-edged does.
//
// Thread safety: one per test; the server runs on two io threads of its own.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "http/server.h"
#include "payments/sigv4.h"
#include "tests/fakes/payment_sim/simulator.h"
#include "tests/support/http_client.h"

namespace jwo::payment_sim {

inline constexpr char kTestAccessKey[] = "AKIDEXAMPLE";
inline constexpr char kTestSecretKey[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

inline SimulatorOptions TestOptions() {
  SimulatorOptions o;
  o.credentials = {kTestAccessKey, kTestSecretKey, ""};
  o.region = "us-east-1";
  o.log_requests = false;
  return o;
}

// The headers of a request signed with `creds` at `unix_ms`, with a signed Content-Type
// unless `content_type` is false.
inline testing::Headers SignedHeaders(std::string_view path, std::string_view body,
                                      const payments::AwsCredentials& creds, int64_t unix_ms,
                                      std::string region = "us-east-1", bool content_type = true) {
  payments::HttpRequestToSign req;
  req.method = "POST";
  req.path = std::string(path);
  req.headers = {{"Host", "127.0.0.1"}};
  if (content_type) req.headers.emplace_back("Content-Type", "application/json");
  req.body = std::string(body);
  payments::SigningParams params;
  params.region = std::move(region);
  params.unix_ms = unix_ms;
  const payments::SignedParts signed_parts = payments::SignV4(req, creds, params);
  testing::Headers headers;
  if (content_type) headers.emplace_back("Content-Type", "application/json");
  headers.insert(headers.end(), signed_parts.added_headers.begin(),
                 signed_parts.added_headers.end());
  return headers;
}

class SimFixture {
 public:
  explicit SimFixture(SimulatorOptions options = TestOptions(),
                      std::optional<http::TlsSettings> tls = std::nullopt)
      : credentials_{options.credentials.access_key_id, options.credentials.secret_access_key,
                     options.credentials.session_token, 0},
        work_(io_.get_executor()),
        sim_(std::make_shared<PaymentSimulator>(io_, std::move(options), clock_)),
        server_(std::make_unique<http::Server>(io_, http::ServerLimits{})) {
    auto router = std::make_shared<http::Router>();
    sim_->AddRoutes(*router);
    http::ListenerSpec spec;
    spec.name = "payment-sim-test";
    spec.address = "127.0.0.1";
    spec.tls = std::move(tls);
    spec.router = router;
    auto port = server_->AddListener(spec);
    if (!port.ok()) throw std::runtime_error(port.status().ToString());
    port_ = *port;
    server_->Start();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }

  ~SimFixture() {
    std::promise<void> done;
    server_->Shutdown(std::chrono::seconds(2), [&] { done.set_value(); });
    done.get_future().wait_for(std::chrono::seconds(5));
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }

  uint16_t port() const { return port_; }
  core::FakeClock& clock() { return clock_; }
  PaymentSimulator& sim() { return *sim_; }
  const payments::AwsCredentials& credentials() const { return credentials_; }

  core::Result<testing::HttpClient> Connect(
      std::optional<testing::TlsClientOptions> tls = std::nullopt) {
    return testing::HttpClient::Connect("127.0.0.1", port_, std::move(tls));
  }

  // One signed request to `api` on a new connection.
  core::Result<testing::ClientResponse> Call(Api api, std::string_view body) {
    auto client = Connect();
    if (!client.ok()) return client.status();
    return CallOn(*client, api, body);
  }
  core::Result<testing::ClientResponse> CallOn(testing::HttpClient& client, Api api,
                                               std::string_view body) {
    return client.Post(ApiPath(api), body,
                       SignedHeaders(ApiPath(api), body, credentials_, clock_.NowUnixMs()));
  }

  // A control API request; the answer's body parsed as JSON (null when not JSON).
  struct ControlAnswer {
    int status = 0;
    boost::json::value json;
  };
  ControlAnswer Control(std::string_view method, std::string_view target,
                        std::string_view body = "") {
    auto client = Connect();
    if (!client.ok()) throw std::runtime_error(client.status().ToString());
    auto r = client->Send(method, target, body);
    if (!r.ok()) throw std::runtime_error(r.status().ToString());
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(r->body, ec);
    return {r->status, ec ? boost::json::value() : std::move(v)};
  }
  boost::json::value Get(std::string_view target) { return Control("GET", target).json; }

 private:
  payments::AwsCredentials credentials_;
  core::FakeClock clock_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::shared_ptr<PaymentSimulator> sim_;
  std::unique_ptr<http::Server> server_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
};

// Request bodies as jwo-edged sends them.
inline std::string AdjustBody(std::string_view trip, std::string_view amount = "15.99",
                              std::string_view code = "USD") {
  return R"({"storeId":"store-1","shoppingTripId":")" + std::string(trip) +
         R"(","amount":{"amount":)" + std::string(amount) + R"(,"code":")" + std::string(code) +
         R"("}})";
}
inline std::string CaptureBody(std::string_view trip, std::string_view amount = "15.99") {
  return AdjustBody(trip, amount);
}
inline std::string CancelBody(std::string_view trip) {
  return R"({"storeId":"store-1","shoppingTripId":")" + std::string(trip) + R"("})";
}
inline std::string RefundBody(std::string_view trip, std::string_view id,
                              std::string_view amount = "5.00",
                              std::string_view reason = "DAMAGED_ITEM") {
  return R"({"storeId":"store-1","shoppingTripId":")" + std::string(trip) +
         R"(","amount":{"amount":)" + std::string(amount) +
         R"(,"code":"USD"},"refundRequestId":")" + std::string(id) + R"(","refundReasonCode":")" +
         std::string(reason) + R"("})";
}

}  // namespace jwo::payment_sim
