// Faults, slow answers, dropped connections and the outage window, over real sockets.
#include "tests/fakes/payment_sim/simulator.h"

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>

#include "tests/fakes/sim_fixture.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"

using namespace jwo::payment_sim;
namespace json = boost::json;

namespace {

json::array Requests(SimFixture& f, const std::string& query = "") {
  return f.Get("/_sim/requests" + query).as_object().at("requests").as_array();
}

}  // namespace

TEST_CASE("429 with Retry-After, then 500, then 503, then the real answer") {
  SimFixture f;
  REQUIRE(f.Control("POST", "/_sim/script", R"({"faults":[
      {"api":"adjust","kind":"429","retry_after":3,"count":1},
      {"api":"adjust","kind":"500","count":1},
      {"api":"adjust","kind":"503","count":1}]})")
              .status == 200);
  auto client = f.Connect();
  REQUIRE(client.ok());
  auto throttled = f.CallOn(*client, Api::kAdjust, AdjustBody("T"));
  REQUIRE(throttled.ok());
  CHECK(throttled->status == 429);
  CHECK(throttled->Header("Retry-After") == "3");
  CHECK(json::parse(throttled->body).as_object().contains("errorMsg"));
  auto failed = f.CallOn(*client, Api::kAdjust, AdjustBody("T"));
  REQUIRE(failed.ok());
  CHECK(failed->status == 500);
  auto unavailable = f.CallOn(*client, Api::kAdjust, AdjustBody("T"));
  REQUIRE(unavailable.ok());
  CHECK(unavailable->status == 503);
  auto ok = f.CallOn(*client, Api::kAdjust, AdjustBody("T"));
  REQUIRE(ok.ok());
  CHECK(ok->status == 200);

  // Faulted requests had no effect: one Adjust applied.
  CHECK(f.Get("/_sim/trips?id=T").as_object().at("adjust_calls") == 1);
  const auto requests = Requests(f);
  REQUIRE(requests.size() == 4);
  CHECK(requests[0].as_object().at("fault") == "429");
  CHECK(requests[1].as_object().at("fault") == "500");
  CHECK(requests[2].as_object().at("fault") == "503");
  CHECK(requests[3].as_object().at("fault") == "");
}

TEST_CASE("a fault for one API leaves the others alone; POST /_sim/faults clears faults") {
  SimFixture f;
  REQUIRE(
      f.Control("POST", "/_sim/faults", R"({"faults":[{"api":"capture","kind":"503"}]})").status ==
      200);
  CHECK(f.Call(Api::kAdjust, AdjustBody("T"))->status == 200);
  CHECK(f.Call(Api::kCapture, CaptureBody("T"))->status == 503);
  CHECK(f.Call(Api::kCapture, CaptureBody("T"))->status == 503);
  REQUIRE(f.Control("POST", "/_sim/faults", R"({"faults":[]})").status == 200);
  CHECK(f.Call(Api::kCapture, CaptureBody("T"))->status == 200);
}

TEST_CASE("drop closes the connection unanswered and applies nothing") {
  SimFixture f;
  REQUIRE(
      f.Control("POST", "/_sim/script", R"({"faults":[{"api":"capture","kind":"drop","count":1}]})")
          .status == 200);
  REQUIRE(f.Call(Api::kAdjust, AdjustBody("T"))->status == 200);
  auto dropped = f.Call(Api::kCapture, CaptureBody("T"));
  CHECK_FALSE(dropped.ok());
  CHECK(f.Get("/_sim/trips?id=T").as_object().at("captures") == 0);
  auto retry = f.Call(Api::kCapture, CaptureBody("T"));
  REQUIRE(retry.ok());
  CHECK(retry->status == 200);
  const auto captures = Requests(f, "?api=capture");
  REQUIRE(captures.size() == 2);
  CHECK(captures[0].as_object().at("dropped").as_bool());
  CHECK(captures[0].as_object().at("status") == 0);
}

TEST_CASE("drop_after applies the request, then loses the answer: the retry is a replay") {
  SimFixture f;
  REQUIRE(f.Control("POST", "/_sim/script",
                    R"({"faults":[{"api":"capture","kind":"drop_after","count":1}]})")
              .status == 200);
  REQUIRE(f.Call(Api::kAdjust, AdjustBody("T"))->status == 200);
  CHECK_FALSE(f.Call(Api::kCapture, CaptureBody("T")).ok());
  const auto trip = f.Get("/_sim/trips?id=T").as_object();
  CHECK(trip.at("captures") == 1);
  auto retry = f.Call(Api::kCapture, CaptureBody("T"));
  REQUIRE(retry.ok());
  CHECK(retry->status == 200);
  CHECK(f.Get("/_sim/trips?id=T").as_object().at("capture_replays") == 1);
  CHECK(f.Get("/_sim/violations").as_object().at("violations").as_array().empty());
  const auto first = Requests(f, "?api=capture")[0].as_object();
  CHECK(first.at("dropped").as_bool());
  CHECK(first.at("status") == 200);
  CHECK(first.at("fault") == "drop_after");
}

TEST_CASE("simulator capture_replay apply: a Capture resent after drop_after is charged") {
  SimFixture f;
  REQUIRE(f.Control("POST", "/_sim/script",
                    R"({"capture_replay":"apply",
                        "faults":[{"api":"capture","kind":"drop_after","count":1}]})")
              .status == 200);
  CHECK(f.Get("/_sim/behaviour").as_object().at("capture_replay") == "apply");
  REQUIRE(f.Call(Api::kAdjust, AdjustBody("T"))->status == 200);
  CHECK_FALSE(f.Call(Api::kCapture, CaptureBody("T")).ok());
  auto retry = f.Call(Api::kCapture, CaptureBody("T"));
  REQUIRE(retry.ok());
  // Amazon would charge again and answer as usual; only the simulator's records show it.
  CHECK(retry->status == 200);
  const auto trip = f.Get("/_sim/trips?id=T").as_object();
  CHECK(trip.at("captures") == 2);
  CHECK(trip.at("capture_replays") == 0);
  const auto violations = f.Get("/_sim/violations").as_object().at("violations").as_array();
  REQUIRE(violations.size() == 1);
  CHECK(violations[0].as_object().at("rule") == "second_capture");
  CHECK(violations[0].as_object().at("api") == "capture");
  CHECK(violations[0].as_object().at("trip") == "T");

  // Reset returns to the start-up value (noop here).
  REQUIRE(f.Control("POST", "/_sim/reset").status == 200);
  CHECK(f.sim().capture_replay() == CaptureReplay::kNoop);
  REQUIRE(f.Call(Api::kAdjust, AdjustBody("T"))->status == 200);
  REQUIRE(f.Call(Api::kCapture, CaptureBody("T"))->status == 200);
  REQUIRE(f.Call(Api::kCapture, CaptureBody("T"))->status == 200);
  CHECK(f.Get("/_sim/trips?id=T").as_object().at("capture_replays") == 1);
  CHECK(f.Get("/_sim/violations").as_object().at("violations").as_array().empty());
}

TEST_CASE("simulator capture_replay in-process: start-up option, setter, trip accessor") {
  SimulatorOptions options = TestOptions();
  options.startup_script.capture_replay = CaptureReplay::kApply;
  SimFixture f(options);
  CHECK(f.sim().capture_replay() == CaptureReplay::kApply);
  CHECK_FALSE(f.sim().Trip("T").has_value());
  REQUIRE(f.Call(Api::kAdjust, AdjustBody("T"))->status == 200);
  REQUIRE(f.Call(Api::kCapture, CaptureBody("T"))->status == 200);
  REQUIRE(f.Call(Api::kCapture, CaptureBody("T"))->status == 200);
  auto trip = f.sim().Trip("T");
  REQUIRE(trip.has_value());
  CHECK(trip->captures.size() == 2);
  CHECK(trip->capture_replays == 0);

  f.sim().SetCaptureReplay(CaptureReplay::kNoop);
  REQUIRE(f.Call(Api::kCapture, CaptureBody("T"))->status == 200);
  CHECK(f.sim().Trip("T")->capture_replays == 1);
  // Reset restores the start-up value, apply.
  f.sim().Reset();
  CHECK(f.sim().capture_replay() == CaptureReplay::kApply);
}

TEST_CASE("a slow answer still comes, and is recorded with its delay") {
  SimFixture f;
  REQUIRE(
      f.Control("POST", "/_sim/script", R"({"faults":[{"kind":"slow","delay_ms":50,"trip":"S"}]})")
          .status == 200);
  auto slow = f.Call(Api::kAdjust, AdjustBody("S"));
  REQUIRE(slow.ok());
  CHECK(slow->status == 200);
  const auto r = Requests(f)[0].as_object();
  CHECK(r.at("fault") == "slow");
  CHECK(r.at("delay_ms") == 50);
  CHECK(f.Call(Api::kAdjust, AdjustBody("Other"))->status == 200);
  CHECK(Requests(f)[1].as_object().at("delay_ms") == 0);
}

TEST_CASE("an outage drops every API request until it ends; the control API keeps working") {
  SimFixture f;
  REQUIRE(f.Control("POST", "/_sim/outage", R"({"seconds":60})").status == 200);
  CHECK_FALSE(f.Call(Api::kAdjust, AdjustBody("T")).ok());
  CHECK_FALSE(f.Call(Api::kShopperIdentity, R"({"storeId":"s","shopperId":{"id":"x"}})").ok());
  CHECK(f.Get("/_sim/behaviour").as_object().at("outage_remaining_ms") == 60'000);
  f.clock().Advance(std::chrono::seconds(59));
  CHECK_FALSE(f.Call(Api::kAdjust, AdjustBody("T")).ok());
  f.clock().Advance(std::chrono::seconds(1));
  REQUIRE(f.Call(Api::kAdjust, AdjustBody("T")).ok());

  const auto requests = Requests(f);
  REQUIRE(requests.size() == 4);
  CHECK(requests[0].as_object().at("fault") == "outage");
  CHECK(requests[0].as_object().at("trip") == "T");
  CHECK(requests[3].as_object().at("fault") == "");
  CHECK(f.Get("/_sim/trips?id=T").as_object().at("adjust_calls") == 1);

  REQUIRE(f.Control("POST", "/_sim/script", R"({"outage_seconds":5})").status == 200);
  CHECK_FALSE(f.Call(Api::kAdjust, AdjustBody("T")).ok());
  REQUIRE(f.Control("POST", "/_sim/outage", R"({"seconds":0})").status == 200);
  CHECK(f.Call(Api::kAdjust, AdjustBody("T")).ok());
}

TEST_CASE("probabilistic faults follow the seed") {
  const auto pattern = [] {
    SimFixture f;
    REQUIRE(f.Control("POST", "/_sim/script",
                      R"({"seed":11,"faults":[{"api":"adjust","kind":"503","probability":0.5}]})")
                .status == 200);
    std::string out;
    auto client = f.Connect();
    REQUIRE(client.ok());
    for (int i = 0; i < 24; ++i) {
      out += f.CallOn(*client, Api::kAdjust, AdjustBody("T" + std::to_string(i)))->status == 503
                 ? '1'
                 : '0';
    }
    return out;
  };
  const std::string a = pattern();
  CHECK(a == pattern());
  CHECK(a.find('0') != std::string::npos);
  CHECK(a.find('1') != std::string::npos);
}

TEST_CASE("over TLS with a configured CA") {
  jwo::testing::TempDir dir;
  auto pki = jwo::testing::MakeTestPki(dir.path());
  REQUIRE(pki.ok());
  SimFixture f(TestOptions(), jwo::http::TlsSettings{pki->server_cert, pki->server_key, ""});
  auto client = f.Connect(jwo::testing::TlsClientOptions{pki->ca_cert, "", ""});
  REQUIRE(client.ok());
  auto r = f.CallOn(*client, Api::kAdjust, AdjustBody("T"));
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  auto untrusted = f.Connect(jwo::testing::TlsClientOptions{pki->untrusted_ca_cert, "", ""});
  CHECK_FALSE(untrusted.ok());
}
