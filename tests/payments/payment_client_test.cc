#include "payments/payment_client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch_test_macros.hpp>
#include <set>
#include <string>

#include "tests/payments/payment_client_peer.h"

namespace jwo::payments {
namespace {

using Outcome = TransportOutcome;

TEST_CASE("every transport outcome has its own name", "[payments][client]") {
  std::set<std::string_view> names;
  for (Outcome o :
       {Outcome::kResponse, Outcome::kConnectFailed, Outcome::kTlsFailed, Outcome::kTimeout,
        Outcome::kConnectionLost, Outcome::kQueueFull, Outcome::kStopped}) {
    CHECK(TransportOutcomeName(o) != "unknown");
    names.insert(TransportOutcomeName(o));
  }
  CHECK(names.size() == 7);
  CHECK(TransportOutcomeName(Outcome::kConnectFailed) == "connect_failed");
}

TEST_CASE("an answer comes back with status, headers and body", "[payments][client]") {
  PeerServer peer;
  IoThreads io;
  PaymentClient client(io.io(), LocalEndpoint(peer.port()));
  CHECK(client.host() == "127.0.0.1:" + std::to_string(peer.port()));

  Call call;
  client.Send(Post("/echo", R"({"amount":1})"), NoSigning(), call.Done());
  const OutboundResult r = call.Get();
  REQUIRE(r.outcome == Outcome::kResponse);
  CHECK(r.status == 200);
  CHECK(r.body == R"({"amount":1})");
  CHECK(r.request_may_have_been_sent);
  CHECK(r.Header("x-seen-host") == client.host());
  CHECK(r.Header("X-Seen-Content-Type") == "application/json");
  CHECK(r.Header("content-type") == "text/plain");
  CHECK(r.error.empty());
}

TEST_CASE("4xx and 5xx answers are passed through as responses", "[payments][client]") {
  PeerServer peer;
  IoThreads io;
  PaymentClient client(io.io(), LocalEndpoint(peer.port()));

  Call busy;
  client.Send(Post("/status", "{}", {{"X-Want-Status", "503"}, {"X-Want-Retry-After", "7"}}),
              NoSigning(), busy.Done());
  const OutboundResult r503 = busy.Get();
  REQUIRE(r503.outcome == Outcome::kResponse);
  CHECK(r503.status == 503);
  CHECK(r503.Header("Retry-After") == "7");

  Call bad;
  client.Send(Post("/status", "{}", {{"X-Want-Status", "400"}}), NoSigning(), bad.Done());
  const OutboundResult r400 = bad.Get();
  INFO(r503.Header("Connection") << " / " << r400.Header("Connection"));
  REQUIRE(r400.outcome == Outcome::kResponse);
  CHECK(r400.status == 400);
  CHECK(r400.body == R"({"errorMsg":"wanted"})");
  CHECK(peer.Stats().accepted == 1);  // error answers keep the connection
}

TEST_CASE("sequential requests reuse one keep-alive connection", "[payments][client]") {
  PeerServer peer;
  IoThreads io;
  PaymentClient client(io.io(), LocalEndpoint(peer.port()));
  for (int i = 0; i < 5; ++i) {
    Call call;
    client.Send(Post("/echo", std::to_string(i)), NoSigning(), call.Done());
    const OutboundResult r = call.Get();
    REQUIRE(r.outcome == Outcome::kResponse);
    CHECK(r.body == std::to_string(i));
  }
  CHECK(peer.Stats().accepted == 1);
  const auto stats = client.GetStats();
  CHECK(stats.responses == 5);
  CHECK(stats.sent == 5);
  CHECK(stats.failures == 0);
  CHECK(stats.open_connections == 1);
  CHECK(stats.in_flight == 0);
}

TEST_CASE("concurrency is bounded and waiting requests go in FIFO order", "[payments][client]") {
  PeerServer peer;
  IoThreads io;
  PaymentEndpoint endpoint = LocalEndpoint(peer.port());
  endpoint.max_connections = 2;
  PaymentClient client(io.io(), endpoint);

  std::vector<Call> calls(6);
  for (int i = 0; i < 6; ++i) {
    client.Send(Post("/defer", std::to_string(i)), NoSigning(), calls[i].Done());
  }
  auto first = peer.Take();
  auto second = peer.Take();
  REQUIRE((first && second));
  CHECK(std::set<std::string>{first->request.body, second->request.body} ==
        std::set<std::string>{"0", "1"});
  REQUIRE(WaitFor([&] { return client.GetStats().queued == 4; }));
  CHECK(client.GetStats().in_flight == 2);
  CHECK(client.GetStats().open_connections == 2);

  // Each answer frees one connection, which takes the oldest waiting request.
  auto answering = std::move(first);
  for (int next = 2; next < 6; ++next) {
    answering->Answer(200, answering->request.body);
    auto taken = peer.Take();
    REQUIRE(taken);
    CHECK(taken->request.body == std::to_string(next));
    answering = std::move(second);
    second = std::move(taken);
  }
  answering->Answer(200, answering->request.body);
  second->Answer(200, second->request.body);
  for (int i = 0; i < 6; ++i) {
    const OutboundResult r = calls[i].Get();
    REQUIRE(r.outcome == Outcome::kResponse);
    CHECK(r.body == std::to_string(i));
  }
  CHECK(peer.Stats().accepted == 2);
}

TEST_CASE("a full queue refuses a request at once with kQueueFull", "[payments][client]") {
  PeerServer peer;
  IoThreads io;
  PaymentEndpoint endpoint = LocalEndpoint(peer.port());
  endpoint.max_connections = 1;
  endpoint.max_queued = 1;
  PaymentClient client(io.io(), endpoint);

  Call a, b, c;
  client.Send(Post("/defer", "a"), NoSigning(), a.Done());
  auto parked = peer.Take();
  REQUIRE(parked);
  client.Send(Post("/defer", "b"), NoSigning(), b.Done());
  REQUIRE(WaitFor([&] { return client.GetStats().queued == 1; }));
  client.Send(Post("/defer", "c"), NoSigning(), c.Done());
  const OutboundResult full = c.Get();  // while "a" is still unanswered
  CHECK(full.outcome == Outcome::kQueueFull);
  CHECK_FALSE(full.request_may_have_been_sent);
  CHECK_FALSE(full.error.empty());
  CHECK_FALSE(a.Ready());

  parked->Answer(200, "a");
  auto parked_b = peer.Take();
  REQUIRE(parked_b);
  parked_b->Answer(200, "b");
  CHECK(a.Get().body == "a");
  CHECK(b.Get().body == "b");
}

TEST_CASE("sign runs when a request is written, not when it is queued", "[payments][client]") {
  PeerServer peer;
  IoThreads io;
  PaymentEndpoint endpoint = LocalEndpoint(peer.port());
  endpoint.max_connections = 1;
  PaymentClient client(io.io(), endpoint);

  std::atomic<int> signatures{0};
  auto signer = [&](OutboundRequest r) {
    r.headers.emplace_back("X-Signature", "sig-" + std::to_string(++signatures));
    return r;
  };
  Call a, b;
  client.Send(Post("/defer", "a"), signer, a.Done());
  auto parked_a = peer.Take();
  REQUIRE(parked_a);
  CHECK(parked_a->request.Header("X-Signature") == "sig-1");
  client.Send(Post("/defer", "b"), signer, b.Done());
  REQUIRE(WaitFor([&] { return client.GetStats().queued == 1; }));
  CHECK(signatures == 1);  // "b" waits unsigned

  parked_a->Answer(200, "a");
  auto parked_b = peer.Take();
  REQUIRE(parked_b);
  CHECK(parked_b->request.Header("X-Signature") == "sig-2");
  CHECK(parked_b->request.Header("Host") == client.host());
  parked_b->Answer(200, "b");
  CHECK(a.Get().outcome == Outcome::kResponse);
  CHECK(b.Get().outcome == Outcome::kResponse);
}

TEST_CASE("a refused connection is kConnectFailed with nothing sent", "[payments][client]") {
  uint16_t port = 0;
  {
    // A port that was just free: nothing listens on it now.
    boost::asio::io_context scratch;
    boost::asio::ip::tcp::acceptor acceptor(scratch,
                                            {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }
  IoThreads io;
  PaymentClient client(io.io(), LocalEndpoint(port));
  Call call;
  client.Send(Post("/echo", "x"), NoSigning(), call.Done());
  const OutboundResult r = call.Get();
  CHECK(r.outcome == Outcome::kConnectFailed);
  CHECK_FALSE(r.request_may_have_been_sent);
  CHECK(r.error.find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
  CHECK(client.GetStats().failures == 1);
  CHECK(client.GetStats().open_connections == 0);
}

TEST_CASE("an answer that does not come in time is kTimeout, maybe sent", "[payments][client]") {
  PeerServer peer;
  IoThreads io;
  PaymentEndpoint endpoint = LocalEndpoint(peer.port());
  endpoint.request_timeout_ms = 200;
  PaymentClient client(io.io(), endpoint);
  Call call;
  client.Send(Post("/defer", "slow"), NoSigning(), call.Done());
  auto parked = peer.Take();
  REQUIRE(parked);
  const OutboundResult r = call.Get();
  CHECK(r.outcome == Outcome::kTimeout);
  CHECK(r.request_may_have_been_sent);
  CHECK(r.error.find("200 ms") != std::string::npos);
  parked->Answer(200, "late");

  // The timed-out connection is gone; the next request gets a fresh one.
  Call next;
  client.Send(Post("/echo", "next"), NoSigning(), next.Done());
  CHECK(next.Get().body == "next");
  CHECK(peer.Stats().accepted == 2);
}

TEST_CASE("a server closing an idle connection does not fail the next request",
          "[payments][client]") {
  http::ServerLimits limits = PeerLimits();
  limits.idle_timeout_ms = 50;
  PeerServer peer(limits);
  IoThreads io;
  PaymentClient client(io.io(), LocalEndpoint(peer.port()));
  Call first;
  client.Send(Post("/echo", "1"), NoSigning(), first.Done());
  CHECK(first.Get().outcome == Outcome::kResponse);
  const bool closed = WaitFor([&] { return peer.Stats().open_connections == 0; });
  INFO(peer.Stats().idle_timeouts << " idle, " << peer.Stats().request_timeouts << " request, "
                                  << client.GetStats().open_connections << " client");
  REQUIRE(closed);
  CHECK(peer.Stats().idle_timeouts == 1);

  Call second;
  client.Send(Post("/echo", "2"), NoSigning(), second.Done());
  const OutboundResult r = second.Get();
  REQUIRE(r.outcome == Outcome::kResponse);
  CHECK(r.body == "2");
  CHECK(peer.Stats().accepted == 2);
}

TEST_CASE("a connection closed after the request was written is kConnectionLost",
          "[payments][client]") {
  http::ServerLimits limits = PeerLimits();
  limits.request_timeout_ms = 100;  // the peer gives up on its own handler and closes
  PeerServer peer(limits);
  IoThreads io;
  PaymentClient client(io.io(), LocalEndpoint(peer.port()));
  Call call;
  client.Send(Post("/defer", "x"), NoSigning(), call.Done());
  auto parked = peer.Take();
  REQUIRE(parked);
  const OutboundResult r = call.Get();
  INFO(r.status << " " << r.body << " " << r.error);
  CHECK(r.outcome == Outcome::kConnectionLost);
  CHECK(r.request_may_have_been_sent);
  CHECK_FALSE(r.error.empty());
}

TEST_CASE("a reset kept-alive connection is replaced before the next write", "[payments][client]") {
  namespace asio = boost::asio;
  using asio::ip::tcp;
  // A raw peer: answers one request per connection with keep-alive, then resets the first
  // connection on cue.
  asio::io_context peer_io;
  tcp::acceptor acceptor(peer_io, {asio::ip::make_address("127.0.0.1"), 0});
  const uint16_t port = acceptor.local_endpoint().port();
  std::promise<void> reset_cue, reset_done;
  std::thread peer([&] {
    auto answer = [](tcp::socket& s, std::string_view body) {
      std::string got;
      char chunk[1024];
      while (got.find("\r\n\r\n") == std::string::npos)
        got.append(chunk, s.read_some(asio::buffer(chunk)));
      const std::string reply =
          "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
          std::string(body);
      asio::write(s, asio::buffer(reply));
    };
    tcp::socket first = acceptor.accept();
    answer(first, "first");
    reset_cue.get_future().wait();
    first.set_option(asio::socket_base::linger(true, 0));
    first.close();
    reset_done.set_value();
    tcp::socket second = acceptor.accept();
    answer(second, "second");
    boost::system::error_code ec;
    char rest[64];
    second.read_some(asio::buffer(rest), ec);  // until the client closes
  });

  {
    IoThreads io;
    PaymentClient client(io.io(), LocalEndpoint(port));
    Call one;
    client.Send(Post("/x", "1"), NoSigning(), one.Done());
    CHECK(one.Get().body == "first");
    reset_cue.set_value();
    reset_done.get_future().wait();
    Call two;
    client.Send(Post("/x", "2"), NoSigning(), two.Done());
    const OutboundResult r = two.Get();
    REQUIRE(r.outcome == Outcome::kResponse);
    CHECK(r.body == "second");
  }
  peer.join();
}

TEST_CASE("Stop fails queued requests, aborts those in flight and refuses later ones",
          "[payments][client]") {
  PeerServer peer;
  IoThreads io;
  PaymentEndpoint endpoint = LocalEndpoint(peer.port());
  endpoint.max_connections = 1;
  PaymentClient client(io.io(), endpoint);
  Call a, b, c, d;
  client.Send(Post("/defer", "a"), NoSigning(), a.Done());
  auto parked = peer.Take();
  REQUIRE(parked);
  client.Send(Post("/defer", "b"), NoSigning(), b.Done());
  client.Send(Post("/defer", "c"), NoSigning(), c.Done());
  REQUIRE(WaitFor([&] { return client.GetStats().queued == 2; }));

  client.Stop();
  client.Send(Post("/echo", "d"), NoSigning(), d.Done());
  const OutboundResult ra = a.Get();
  CHECK(ra.outcome == Outcome::kStopped);
  CHECK(ra.request_may_have_been_sent);
  for (Call* queued : {&b, &c, &d}) {
    const OutboundResult r = queued->Get();
    CHECK(r.outcome == Outcome::kStopped);
    CHECK_FALSE(r.request_may_have_been_sent);
  }
  client.Stop();  // idempotent
  REQUIRE(WaitFor([&] { return client.GetStats().open_connections == 0; }));
  CHECK(client.GetStats().failures == 4);
  parked->Answer(200, "late");
}

TEST_CASE("destroying the client still completes the requests in flight", "[payments][client]") {
  PeerServer peer;
  IoThreads io;
  Call call;
  std::optional<Parked> parked;
  {
    PaymentClient client(io.io(), LocalEndpoint(peer.port()));
    client.Send(Post("/defer", "a"), NoSigning(), call.Done());
    parked = peer.Take();
    REQUIRE(parked);
  }
  CHECK(call.Get().outcome == Outcome::kStopped);
}

TEST_CASE("a request that would break HTTP framing is not sent", "[payments][client]") {
  PeerServer peer;
  IoThreads io;
  PaymentClient client(io.io(), LocalEndpoint(peer.port()));

  Call bad_path;
  client.Send(Post("v1/no-slash", "{}"), NoSigning(), bad_path.Done());
  const OutboundResult r1 = bad_path.Get();
  CHECK(r1.outcome == Outcome::kConnectFailed);
  CHECK_FALSE(r1.request_may_have_been_sent);
  CHECK(r1.error.find("invalid request") != std::string::npos);

  Call bad_header;
  auto injecting = [](OutboundRequest r) {
    r.headers.emplace_back("Authorization", "x\r\nX-Evil: 1");
    return r;
  };
  client.Send(Post("/echo", "{}"), injecting, bad_header.Done());
  const OutboundResult r2 = bad_header.Get();
  CHECK(r2.outcome == Outcome::kConnectFailed);
  CHECK_FALSE(r2.request_may_have_been_sent);
  CHECK(peer.Stats().requests == 0);

  // The connection opened for it stays usable.
  Call good;
  client.Send(Post("/echo", "ok"), NoSigning(), good.Done());
  CHECK(good.Get().body == "ok");
  CHECK(peer.Stats().accepted == 1);
}

TEST_CASE("an unusable endpoint fails every request with its reason", "[payments][client]") {
  IoThreads io;
  PaymentEndpoint endpoint;
  endpoint.base_url = "ftp://127.0.0.1:21";
  PaymentClient client(io.io(), endpoint);
  Call call;
  client.Send(Post("/echo", "{}"), NoSigning(), call.Done());
  const OutboundResult r = call.Get();
  CHECK(r.outcome == Outcome::kConnectFailed);
  CHECK(r.error.find("scheme") != std::string::npos);

  endpoint.base_url = "https://127.0.0.1:1";
  endpoint.ca_file = "/nonexistent/ca.pem";
  PaymentClient tls_client(io.io(), endpoint);
  Call tls_call;
  tls_client.Send(Post("/echo", "{}"), NoSigning(), tls_call.Done());
  const OutboundResult r2 = tls_call.Get();
  CHECK(r2.outcome == Outcome::kTlsFailed);
  CHECK(r2.error.find("/nonexistent/ca.pem") != std::string::npos);
}

}  // namespace
}  // namespace jwo::payments
