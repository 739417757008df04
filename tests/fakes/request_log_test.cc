#include "tests/fakes/payment_sim/request_log.h"

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>

using namespace jwo::payment_sim;

namespace {

RecordedRequest Record(const std::string& api, const std::string& trip, int status) {
  RecordedRequest r;
  r.api = api;
  r.trip = trip;
  r.status = status;
  r.signature_ok = true;
  r.body = "{}";
  return r;
}

}  // namespace

TEST_CASE("records get increasing sequence numbers and filter by api, trip and seq") {
  RequestLog log(100);
  CHECK(log.Add(Record("adjust", "A", 200)) == 1);
  CHECK(log.Add(Record("capture", "A", 200)) == 2);
  CHECK(log.Add(Record("adjust", "B", 429)) == 3);
  const auto all = boost::json::parse(log.RequestsJson({})).as_object();
  CHECK(all.at("requests").as_array().size() == 3);
  CHECK(all.at("last_seq") == 3);
  const auto adjusts = boost::json::parse(log.RequestsJson({0, "adjust", ""})).as_object();
  CHECK(adjusts.at("requests").as_array().size() == 2);
  const auto trip_a = boost::json::parse(log.RequestsJson({0, "", "A"})).as_object();
  CHECK(trip_a.at("requests").as_array().size() == 2);
  const auto after = boost::json::parse(log.RequestsJson({2, "", ""})).as_object();
  REQUIRE(after.at("requests").as_array().size() == 1);
  CHECK(after.at("requests").as_array()[0].as_object().at("seq") == 3);
}

TEST_CASE("the log is bounded: the oldest records go and are counted") {
  RequestLog log(2);
  for (int i = 0; i < 5; ++i) log.Add(Record("adjust", "T", 200));
  const auto v = boost::json::parse(log.RequestsJson({})).as_object();
  CHECK(v.at("requests").as_array().size() == 2);
  CHECK(v.at("discarded") == 3);
  CHECK(v.at("last_seq") == 5);
  log.Clear();
  CHECK(log.Add(Record("adjust", "T", 200)) == 6);
}

TEST_CASE("violations and the summary") {
  RequestLog log(10);
  log.Add(Record("adjust", "T", 200));
  RecordedRequest dropped = Record("capture", "T", 0);
  dropped.dropped = true;
  log.Add(dropped);
  RecordedRequest unsigned_request = Record("capture", "T", 403);
  unsigned_request.signature_ok = false;
  log.Add(unsigned_request);
  log.AddViolation(Violation{2, 0, "capture", "T", "second_capture", "already captured"});
  const auto v = boost::json::parse(log.ViolationsJson()).as_object();
  REQUIRE(v.at("violations").as_array().size() == 1);
  CHECK(v.at("violations").as_array()[0].as_object().at("rule") == "second_capture");
  const auto s = boost::json::parse(log.SummaryJson()).as_object();
  CHECK(s.at("requests") == 3);
  CHECK(s.at("bad_signatures") == 1);
  CHECK(s.at("violations") == 1);
  const auto& capture = s.at("by_api").as_object().at("capture").as_object();
  CHECK(capture.at("dropped") == 1);
  CHECK(capture.at("403") == 1);
}
