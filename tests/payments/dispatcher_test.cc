#include "payments/dispatcher.h"

#include <catch2/catch_test_macros.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "payments/operator_actions.h"
#include "payments/outbox_commits.h"

using namespace jwo;
using payments::OutboundResult;
using payments::TransportOutcome;
using store::Operation;
using store::TripState;

namespace {

// A transport that answers from a script, on its own thread (as the client's strand would),
// and records what was sent.
class ScriptedTransport final : public payments::PaymentTransport {
 public:
  using Answer = std::function<OutboundResult(const payments::OutboundRequest&)>;
  explicit ScriptedTransport(Answer answer) : answer_(std::move(answer)) {}
  ~ScriptedTransport() override {
    for (auto& t : threads_) t.join();
  }
  const std::string& host() const override { return host_; }
  void Send(payments::OutboundRequest req, SignFn sign, DoneFn done) override {
    payments::OutboundRequest signed_req = sign(std::move(req));
    {
      std::lock_guard lock(mu_);
      sent_.push_back(signed_req);
    }
    OutboundResult r = answer_(signed_req);
    threads_.emplace_back([done = std::move(done), r = std::move(r)] { done(r); });
  }
  std::vector<payments::OutboundRequest> Sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }
  size_t Count(std::string_view path) const {
    size_t n = 0;
    for (const auto& r : Sent()) n += r.path == path ? 1 : 0;
    return n;
  }

 private:
  Answer answer_;
  std::string host_ = "payments.test";
  mutable std::mutex mu_;
  std::vector<payments::OutboundRequest> sent_;
  std::vector<std::thread> threads_;
};

OutboundResult Http(int status, std::string body = "") {
  OutboundResult r;
  r.outcome = TransportOutcome::kResponse;
  r.status = status;
  r.body = std::move(body);
  r.request_may_have_been_sent = r.request_fully_written = true;
  return r;
}

OutboundResult LostAnswer() {
  OutboundResult r;
  r.outcome = TransportOutcome::kTimeout;
  r.request_may_have_been_sent = r.request_fully_written = true;
  r.error = "no answer";
  return r;
}

class NoCredentials final : public payments::CredentialsProvider {
 public:
  core::Result<payments::AwsCredentials> Get(int64_t) override {
    return core::Status(core::StatusCode::kUnavailable, "not fetched yet");
  }
};

struct Fixture {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("jwo-dispatcher-" + std::to_string(std::random_device{}()));
  std::unique_ptr<store::Env> env;
  std::unique_ptr<store::Writer> writer;
  std::unique_ptr<payments::CredentialsProvider> creds =
      payments::MakeStaticProvider({"AKIDEXAMPLE", "secret", "", 0});
  payments::LifecyclePolicy policy{"store-1", false, true};
  core::FakeClock clock;

  Fixture() {
    store::EnvOptions o;
    o.directory = dir.string();
    o.map_size_bytes = 4 << 20;
    env = store::Env::Open(o).value();
    writer = std::make_unique<store::Writer>(*env);
    writer->Start();
  }
  ~Fixture() {
    writer->Stop();
    writer.reset();
    env.reset();
    std::filesystem::remove_all(dir);
  }

  void Start(const std::string& trip, int64_t total) {
    store::TripRecord t;
    t.trip_id = trip;
    t.shopper_id = "shopper-" + trip;
    t.currency = "USD";
    t.total = total;
    t.created_ms = clock.NowUnixMs();
    t.cart = {{"l1", "SKU", "SKU", "1", "unit", {}}};
    REQUIRE(env->Write([&](store::WriteTxn& txn) {
                 return payments::StartTrip(txn, t, policy, clock.NowUnixMs());
               })
                .ok());
  }

  std::unique_ptr<payments::Dispatcher> Make(payments::PaymentTransport& transport,
                                             payments::CredentialsProvider* provider = nullptr) {
    payments::DispatcherOptions o;
    o.region = "us-east-1";
    o.seed = 1;
    o.schedule.retry_base_ms = 10;
    o.schedule.retry_cap_ms = 20;
    o.stop_drain_ms = 2000;
    auto d = std::make_unique<payments::Dispatcher>(
        *env, *writer, transport, provider ? *provider : *creds, [this] { return policy; }, o,
        clock);
    d->Start();
    return d;
  }

  TripState State(const std::string& trip) {
    TripState s = TripState::kHeld;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 auto t = payments::LoadTrip(txn, trip);
                 if (t.ok()) s = t->state;
                 return t.status();
               })
                .ok());
    return s;
  }

  // Polls (bounded) until pred holds; the dispatcher works on its own threads.
  template <typename Pred>
  bool Eventually(Pred pred) {
    for (int i = 0; i < 500; ++i) {
      if (pred()) return true;
      clock.Advance(std::chrono::milliseconds(50));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return pred();
  }
};

const char* kApproved = R"({"status":"APPROVED","authorizedAmount":{"amount":5.00,"code":"USD"}})";

}  // namespace

TEST_CASE("dispatcher: a Capture whose answer is lost is held, not sent again") {
  Fixture f;
  f.Start("t1", 500);
  ScriptedTransport transport([](const payments::OutboundRequest& r) {
    if (r.path == "/v1/adjust/charge") return Http(200, kApproved);
    if (r.path == "/v1/capture/charge") return LostAnswer();
    return Http(200, "{}");
  });
  auto d = f.Make(transport);
  REQUIRE(f.Eventually([&] { return f.State("t1") == TripState::kCaptureUnknown; }));
  // Time passes, rescans happen: still one Capture.
  for (int i = 0; i < 20; ++i) {
    d->Wake(true);
    f.clock.Advance(std::chrono::seconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(transport.Count("/v1/capture/charge") == 1);
  const auto stats = d->GetStats();
  CHECK(stats.unknown_captures == 1);
  CHECK(stats.held_unknown == 1);
  d->Stop();
}

TEST_CASE("dispatcher: a Capture started before a restart is held at the next start") {
  Fixture f;
  f.Start("t2", 500);
  {
    ScriptedTransport adjust_only([](const payments::OutboundRequest& r) {
      return r.path == "/v1/adjust/charge" ? Http(200, kApproved) : Http(503);
    });
    auto d = f.Make(adjust_only);
    REQUIRE(f.Eventually([&] { return f.State("t2") == TripState::kCapturing; }));
    d->Stop();
  }
  // As if the daemon died with the Capture on the wire: its start mark is in the store.
  uint64_t seq = 0;
  REQUIRE(f.env
              ->Read([&](const store::ReadTxn& txn) {
                auto l = payments::ListOutbox(txn, false, 10);
                if (l.ok()) seq = l->front().sequence;
                return l.status();
              })
              .ok());
  REQUIRE(
      f.env->Write([&](store::WriteTxn& txn) { return payments::CommitAttemptStart(txn, seq, 1); })
          .ok());
  ScriptedTransport transport([](const payments::OutboundRequest&) { return Http(200); });
  auto d = f.Make(transport);
  REQUIRE(f.Eventually([&] { return f.State("t2") == TripState::kCaptureUnknown; }));
  CHECK(transport.Count("/v1/capture/charge") == 0);
  d->Stop();
}

TEST_CASE("dispatcher: without credentials nothing is sent unsigned") {
  Fixture f;
  f.Start("t3", 500);
  NoCredentials none;
  ScriptedTransport transport(
      [](const payments::OutboundRequest&) { return Http(200, kApproved); });
  auto d = f.Make(transport, &none);
  // Regression: the request went out unsigned and the service refused it.
  REQUIRE(f.Eventually([&] { return d->GetStats().unsigned_held > 2; }));
  CHECK(transport.Sent().empty());
  CHECK(f.State("t3") == TripState::kAdjusting);
  d->Stop();
}

TEST_CASE("dispatcher: every call is signed and carries the committed body") {
  Fixture f;
  f.Start("t4", 500);
  ScriptedTransport transport([](const payments::OutboundRequest& r) {
    return r.path == "/v1/adjust/charge" ? Http(200, kApproved) : Http(200, "{}");
  });
  auto d = f.Make(transport);
  REQUIRE(f.Eventually([&] { return f.State("t4") == TripState::kCaptured; }));
  for (const auto& r : transport.Sent()) {
    bool signed_req = false;
    for (const auto& [k, v] : r.headers) signed_req = signed_req || k == "Authorization";
    CHECK(signed_req);
  }
  d->Stop();
}
