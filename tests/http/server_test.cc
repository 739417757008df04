#include "http/server.h"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch_test_macros.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/http/test_server.h"
#include "tests/support/http_client.h"

namespace jwo::http {
namespace {

using testing::HttpClient;

HttpClient MustConnect(TestServer& server) {
  auto client = server.Connect();
  REQUIRE(client.ok());
  return std::move(client).value();
}

std::string ErrorMsg(const testing::ClientResponse& r) {
  return std::string(boost::json::parse(r.body).as_object().at("errorMsg").as_string());
}

std::string RawPost(std::string_view path, std::string_view body, std::string_view extra = "") {
  return std::string("POST ") + std::string(path) + " HTTP/1.1\r\nHost: t\r\n" +
         std::string(extra) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

TEST_CASE("Server routes requests and answers 404/405 as JSON", "[http][server]") {
  TestServer server;
  HttpClient client = MustConnect(server);

  auto ok = client.Post("/echo?x=1", "hello", {{"X-Request-Id", "r-1"}});
  REQUIRE(ok.ok());
  CHECK(ok->status == 200);
  CHECK(ok->body == "hello");
  CHECK(ok->Header("Content-Type") == "text/plain");
  CHECK(ok->Header("X-Request-Id") == "r-1");

  auto missing = client.Post("/x", "{}");
  REQUIRE(missing.ok());
  CHECK(missing->status == 404);
  CHECK(missing->Header("Content-Type") == "application/json");
  CHECK(ErrorMsg(*missing) == "no route for POST /x");

  auto wrong = client.Get("/echo");
  REQUIRE(wrong.ok());
  CHECK(wrong->status == 405);
  CHECK(wrong->Header("Allow") == "POST");
  CHECK(ErrorMsg(*wrong) == "method GET not allowed for /echo");
  CHECK(wrong->keep_alive);
}

TEST_CASE("Server fills the request's listener, peer and headers", "[http][server]") {
  TestServer server;
  HttpClient client = MustConnect(server);
  auto info = client.Get("/info?q=%22x%22", {{"User-Agent", "catch \"2\""}});
  REQUIRE(info.ok());
  REQUIRE(info->status == 200);
  const auto json = boost::json::parse(info->body).as_object();
  CHECK(json.at("method").as_string() == "GET");
  CHECK(json.at("target").as_string() == "/info?q=%22x%22");
  CHECK(json.at("path").as_string() == "/info");
  CHECK(json.at("listener").as_string() == "http-test");
  CHECK(std::string(json.at("peer").as_string()).starts_with("127.0.0.1:"));
  CHECK(json.at("subject").as_string() == "");
  CHECK(json.at("user_agent").as_string() == "catch \"2\"");
}

TEST_CASE("Server keeps a connection alive across requests", "[http][server]") {
  TestServer server;
  HttpClient client = MustConnect(server);
  for (int i = 0; i < 5; ++i) {
    auto r = client.Post("/echo", "n" + std::to_string(i));
    REQUIRE(r.ok());
    CHECK(r->body == "n" + std::to_string(i));
    CHECK(r->keep_alive);
  }
  const ServerStats stats = server.Stats();
  CHECK(stats.accepted == 1);
  CHECK(stats.requests == 5);
  CHECK(stats.responses_2xx == 5);
}

TEST_CASE("Server answers pipelined requests in order", "[http][server]") {
  TestServer server;
  HttpClient client = MustConnect(server);
  REQUIRE(
      client.WriteRaw(RawPost("/echo", "one") + RawPost("/nope", "") + RawPost("/echo", "three"))
          .ok());
  auto first = client.ReadResponse();
  auto second = client.ReadResponse();
  auto third = client.ReadResponse();
  REQUIRE((first.ok() && second.ok() && third.ok()));
  CHECK(first->body == "one");
  CHECK(second->status == 404);
  CHECK(third->body == "three");
}

TEST_CASE("Server keeps request order when an earlier answer comes later from another thread",
          "[http][server]") {
  TestServer server;
  HttpClient client = MustConnect(server);
  REQUIRE(client
              .WriteRaw(RawPost("/defer", "slow") + RawPost("/echo", "fast-1") +
                        RawPost("/echo", "fast-2"))
              .ok());
  // The later requests are answered at once; their answers must wait behind the first.
  REQUIRE(server.WaitFor([](const ServerStats& s) { return s.responses_2xx == 2; }));
  auto parked = server.deferred().Take();
  REQUIRE(parked);
  CHECK(parked->first.body == "slow");
  Response answer;
  answer.body = "slow-answered";
  std::thread([respond = parked->second, answer]() mutable { respond(std::move(answer)); }).join();

  auto first = client.ReadResponse();
  auto second = client.ReadResponse();
  auto third = client.ReadResponse();
  REQUIRE((first.ok() && second.ok() && third.ok()));
  CHECK(first->body == "slow-answered");
  CHECK(second->body == "fast-1");
  CHECK(third->body == "fast-2");
}

// An answer the socket does not take in one send is finished by an asynchronous write: here six
// pipelined answers of 1.5 MiB each (9 MiB, beyond loopback's socket buffers) to a client that
// reads only after a pause, so the server's first send ends partway through the answers, past
// the first of them.
TEST_CASE("Server finishes answers larger than the socket buffers in order", "[http][server]") {
  TestServer server;
  HttpClient client = MustConnect(server);
  constexpr size_t kBytes = 3 << 19;
  constexpr int kAnswers = 6;
  std::string requests;
  for (int seed = 1; seed <= kAnswers; ++seed) {
    requests += "GET /big?" + std::to_string(kBytes) + "-" + std::to_string(seed) +
                " HTTP/1.1\r\nHost: t\r\n\r\n";
  }
  REQUIRE(client.WriteRaw(requests).ok());
  REQUIRE(server.WaitFor([](const ServerStats& s) { return s.responses_2xx == kAnswers; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (size_t seed = 1; seed <= kAnswers; ++seed) {
    auto answer = client.ReadResponse();
    REQUIRE(answer.ok());
    CHECK(answer->status == 200);
    REQUIRE(answer->body.size() == kBytes);
    CHECK(answer->body == BigBody(kBytes, seed));
  }
  auto after = client.Post("/echo", "still open");
  REQUIRE(after.ok());
  CHECK(after->body == "still open");
}

// Each connection is served start to finish by one connection thread (TestServer has two), and a
// new connection goes to the thread serving the fewest: a handler that holds its thread (long
// synchronous work) does not hold up a connection served by the other one.
TEST_CASE("Server serves another connection while a handler holds a connection thread",
          "[http][server]") {
  TestServer server;
  HttpClient blocked = MustConnect(server);
  REQUIRE(blocked.WriteRaw(RawPost("/block", "x")).ok());
  REQUIRE(server.blocker().WaitEntered());
  // Accepted while the first connection's thread is held: it goes to the other thread.
  HttpClient other = MustConnect(server);
  auto r = other.Post("/echo", "served meanwhile");
  REQUIRE(r.ok());
  CHECK(r->body == "served meanwhile");
  CHECK_FALSE(server.blocker().timed_out());  // answered while the first thread was held
  server.blocker().Release();
  auto released = blocked.ReadResponse();
  REQUIRE(released.ok());
  CHECK(released->body == "released");
  CHECK_FALSE(server.blocker().timed_out());
}

TEST_CASE("Server keeps each connection's order with answers from many threads", "[http][server]") {
  TestServer server;
  constexpr int kClients = 4;
  constexpr int kBursts = 5;
  constexpr int kBurst = 5;
  constexpr int kTotal = kClients * kBursts * kBurst;
  std::atomic<int> answered{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w) {
    workers.emplace_back([&] {
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (answered.load() < kTotal && std::chrono::steady_clock::now() < give_up) {
        auto parked = server.deferred().Take(std::chrono::milliseconds(20));
        if (!parked) continue;
        Response r;
        r.body = "re:" + parked->first.body;
        parked->second(std::move(r));
        ++answered;
      }
    });
  }
  std::vector<std::thread> clients;
  std::atomic<int> in_order{0};
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto client = server.Connect();
      if (!client.ok()) return;
      for (int b = 0; b < kBursts; ++b) {
        std::string burst;
        for (int i = 0; i < kBurst; ++i) {
          burst += RawPost("/defer", std::to_string(c) + "-" + std::to_string(b * kBurst + i));
        }
        if (!client->WriteRaw(burst).ok()) return;
        for (int i = 0; i < kBurst; ++i) {
          auto r = client->ReadResponse();
          if (r.ok() &&
              r->body == "re:" + std::to_string(c) + "-" + std::to_string(b * kBurst + i)) {
            ++in_order;
          }
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  for (auto& t : workers) t.join();
  CHECK(in_order.load() == kTotal);
  CHECK(server.Stats().responses_2xx == kTotal);
}

TEST_CASE("Server stops reading at the pipelining limit and resumes", "[http][server]") {
  ServerLimits limits = TestLimits();
  limits.max_pipelined_requests = 2;
  TestServer server(limits);
  HttpClient client = MustConnect(server);
  std::string burst;
  for (int i = 0; i < 5; ++i) burst += RawPost("/defer", std::to_string(i));
  REQUIRE(client.WriteRaw(burst).ok());
  for (int i = 0; i < 5; ++i) {
    auto parked = server.deferred().Take();
    REQUIRE(parked);
    // Never more than the limit read and unanswered.
    CHECK(server.Stats().requests - server.Stats().responses_2xx <= 2);
    Response answer;
    answer.body = "answer-" + parked->first.body;
    parked->second(std::move(answer));
  }
  for (int i = 0; i < 5; ++i) {
    auto r = client.ReadResponse();
    REQUIRE(r.ok());
    CHECK(r->body == "answer-" + std::to_string(i));
  }
}

TEST_CASE("Server answers 413 for a large body and keeps serving", "[http][server][limits]") {
  TestServer server;
  HttpClient client = MustConnect(server);
  HttpClient other = MustConnect(server);

  auto big = client.Post("/echo", std::string(2000, 'x'));
  REQUIRE(big.ok());
  CHECK(big->status == 413);
  CHECK(big->body == R"({"errorMsg":"request body exceeds 1024 bytes"})");
  CHECK(big->keep_alive);

  auto after = client.Post("/echo", "still here");
  REQUIRE(after.ok());
  CHECK(after->status == 200);
  CHECK(after->body == "still here");

  auto elsewhere = other.Post("/echo", std::string(1024, 'y'));
  REQUIRE(elsewhere.ok());
  CHECK(elsewhere->status == 200);
  CHECK(server.Stats().malformed_requests == 1);
}

TEST_CASE("Server answers 413 and closes for an oversize chunked body", "[http][server][limits]") {
  TestServer server;
  HttpClient client = MustConnect(server);
  const std::string chunk(1500, 'z');
  REQUIRE(client
              .WriteRaw("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "5dc\r\n" +
                        chunk + "\r\n0\r\n\r\n")
              .ok());
  auto r = client.ReadResponse();
  REQUIRE(r.ok());
  CHECK(r->status == 413);
  CHECK_FALSE(r->keep_alive);
  CHECK(client.WaitForClose().ok());
}

TEST_CASE("Server answers 431 for a large header and closes", "[http][server][limits]") {
  TestServer server;
  HttpClient client = MustConnect(server);
  auto r = client.Get("/info", {{"X-Pad", std::string(4000, 'p')}});
  REQUIRE(r.ok());
  CHECK(r->status == 431);
  CHECK(ErrorMsg(*r) == "request header exceeds 2048 bytes");
  CHECK_FALSE(r->keep_alive);
  CHECK(client.WaitForClose().ok());

  HttpClient other = MustConnect(server);
  auto fine = other.Get("/info");
  REQUIRE(fine.ok());
  CHECK(fine->status == 200);
}

TEST_CASE("Server answers 400 for malformed HTTP and closes", "[http][server][limits]") {
  TestServer server;
  HttpClient client = MustConnect(server);
  REQUIRE(client.WriteRaw("GET /info HTTP/1.1\r\nBad Header Line\r\n\r\n").ok());
  auto r = client.ReadResponse();
  REQUIRE(r.ok());
  CHECK(r->status == 400);
  CHECK(ErrorMsg(*r).starts_with("malformed HTTP request: "));
  CHECK_FALSE(r->keep_alive);
  CHECK(client.WaitForClose().ok());
}

TEST_CASE("Server closes an HTTP/1.0 connection unless asked to keep it", "[http][server]") {
  TestServer server;
  HttpClient client = MustConnect(server);
  REQUIRE(client.WriteRaw("GET /info HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").ok());
  auto kept = client.ReadResponse();
  REQUIRE(kept.ok());
  CHECK(kept->Header("Connection") == "keep-alive");
  REQUIRE(client.WriteRaw("GET /info HTTP/1.0\r\n\r\n").ok());
  auto closed = client.ReadResponse();
  REQUIRE(closed.ok());
  CHECK(closed->status == 200);
  CHECK(closed->Header("Connection") == "close");
  CHECK(client.WaitForClose().ok());
}

TEST_CASE("Server sends 100 Continue when the client expects it", "[http][server]") {
  TestServer server;
  HttpClient client = MustConnect(server);
  REQUIRE(client
              .WriteRaw("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                        "Content-Length: 4\r\n\r\n")
              .ok());
  auto interim = client.ReadResponse();
  REQUIRE(interim.ok());
  CHECK(interim->status == 100);
  REQUIRE(client.WriteRaw("body").ok());
  auto final_answer = client.ReadResponse();
  REQUIRE(final_answer.ok());
  CHECK(final_answer->status == 200);
  CHECK(final_answer->body == "body");
}

TEST_CASE("Server closes connections over max_connections at once", "[http][server][limits]") {
  ServerLimits limits = TestLimits();
  limits.max_connections = 2;
  TestServer server(limits);
  HttpClient a = MustConnect(server);
  HttpClient b = MustConnect(server);
  REQUIRE(a.Get("/info").ok());
  REQUIRE(b.Get("/info").ok());

  HttpClient c = MustConnect(server);  // the kernel completes the connect; the server closes it
  CHECK(c.WaitForClose().ok());
  CHECK(server.Stats().rejected_over_limit == 1);
  CHECK(server.Stats().open_connections == 2);

  // The established connections are unaffected, and a freed place can be taken again.
  REQUIRE(a.Get("/info").ok());
  { HttpClient gone = std::move(b); }
  REQUIRE(server.WaitFor([](const ServerStats& s) { return s.open_connections == 1; }));
  HttpClient d = MustConnect(server);
  auto r = d.Get("/info");
  REQUIRE(r.ok());
  CHECK(r->status == 200);
}

TEST_CASE("Server closes a keep-alive connection after the idle timeout",
          "[http][server][limits]") {
  ServerLimits limits = TestLimits();
  limits.idle_timeout_ms = 50;
  TestServer server(limits);
  HttpClient client = MustConnect(server);
  REQUIRE(client.Get("/info").ok());
  CHECK(client.WaitForClose().ok());
  CHECK(server.Stats().idle_timeouts == 1);
  CHECK(server.WaitFor([](const ServerStats& s) { return s.open_connections == 0; }));
}

TEST_CASE("Server answers 408 to a request that does not arrive in time",
          "[http][server][limits]") {
  ServerLimits limits = TestLimits();
  limits.request_timeout_ms = 50;
  TestServer server(limits);
  HttpClient client = MustConnect(server);
  REQUIRE(client.WriteRaw("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc").ok());
  auto r = client.ReadResponse();
  REQUIRE(r.ok());
  CHECK(r->status == 408);
  CHECK_FALSE(r->keep_alive);
  CHECK(client.WaitForClose().ok());
  CHECK(server.Stats().request_timeouts == 1);
}

TEST_CASE("Server shutdown finishes in-flight requests and closes idle connections",
          "[http][server][shutdown]") {
  TestServer server;
  HttpClient busy = MustConnect(server);
  HttpClient idle = MustConnect(server);
  REQUIRE(idle.Get("/info").ok());
  REQUIRE(busy.WriteRaw(RawPost("/defer", "in flight")).ok());
  auto parked = server.deferred().Take();
  REQUIRE(parked);

  auto done = server.Shutdown(std::chrono::seconds(30));
  CHECK(idle.WaitForClose().ok());
  // A new connection is refused, or closed at once if it raced the closing of the listener.
  if (auto late = testing::HttpClient::Connect("127.0.0.1", server.port()); late.ok()) {
    CHECK(late->WaitForClose().ok());
  }

  Response answer;
  answer.body = "finished";
  parked->second(std::move(answer));
  auto r = busy.ReadResponse();
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->body == "finished");
  CHECK_FALSE(r->keep_alive);
  CHECK(busy.WaitForClose().ok());
  CHECK(done.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
}

TEST_CASE("Server shutdown closes what is left at the deadline", "[http][server][shutdown]") {
  TestServer server;
  HttpClient busy = MustConnect(server);
  REQUIRE(busy.WriteRaw(RawPost("/defer", "never in time")).ok());
  auto parked = server.deferred().Take();
  REQUIRE(parked);

  auto done = server.Shutdown(std::chrono::milliseconds(20));
  CHECK(done.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  CHECK(busy.WaitForClose().ok());
  // A late answer to a closed connection is dropped harmlessly.
  parked->second(JsonError(500, "too late"));
  CHECK(server.WaitFor([](const ServerStats& s) { return s.open_connections == 0; }));
}

TEST_CASE("AddListener reports a port in use and bad settings", "[http][server]") {
  TestServer first;
  boost::asio::io_context io;
  Server server(io, TestLimits());
  ListenerSpec spec;
  spec.name = "dup";
  spec.address = "127.0.0.1";
  spec.port = first.port();
  spec.router = std::make_shared<Router>();
  auto in_use = server.AddListener(spec);
  REQUIRE_FALSE(in_use.ok());
  CHECK(in_use.status().code() == core::StatusCode::kIoError);
  CHECK(in_use.status().message().find("127.0.0.1:" + std::to_string(first.port())) !=
        std::string::npos);

  spec.port = 0;
  spec.address = "localhost";
  CHECK(server.AddListener(spec).status().code() == core::StatusCode::kInvalidArgument);
  spec.address = "127.0.0.1";
  spec.tls = TlsSettings{"/nonexistent/cert.pem", "/nonexistent/key.pem", ""};
  auto no_cert = server.AddListener(spec);
  CHECK(no_cert.status().code() == core::StatusCode::kInvalidArgument);
  CHECK(no_cert.status().message().find("/nonexistent/cert.pem") != std::string::npos);
  spec.tls.reset();
  spec.router.reset();
  CHECK(server.AddListener(spec).status().code() == core::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jwo::http
