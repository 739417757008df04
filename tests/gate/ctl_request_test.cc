#include "gate/ctl_request.h"

#include <boost/json.hpp>
#include <catch2/catch_test_macros.hpp>

using jwo::gate::GateCtlRequest;

namespace {

std::string Request(const std::vector<std::string>& args) {
  boost::json::object req;
  std::string usage;
  if (!GateCtlRequest(args, &req, &usage)) return "usage: " + usage;
  return boost::json::serialize(req);
}

}  // namespace

TEST_CASE("gate commands become control requests") {
  CHECK(Request({"status"}) == R"({"command":"gate.status"})");
  CHECK(Request({"mode", "entry", "2", "locked"}) ==
        R"({"command":"gate.mode","gate":"entry","lane":"2","mode":"locked"})");
  CHECK(Request({"control", "entry", R"({"op":"state"})"}) ==
        R"({"command":"gate.control","gate":"entry","request":{"op":"state"}})");
  CHECK(
      Request({"tap", "entry", "1", "04ab"}) ==
      R"({"command":"gate.control","gate":"entry","request":{"op":"tap","lane":1,"card":"04ab"}})");
  CHECK(
      Request({"emergency", "entry", "on"}) ==
      R"({"command":"gate.control","gate":"entry","request":{"op":"emergency","active":true,"lane":0}})");
  CHECK(
      Request({"fault", "entry", "0", "7", "coil"}) ==
      R"({"command":"gate.control","gate":"entry","request":{"op":"fault","lane":0,"code":7,"detail":"coil"}})");
  CHECK(Request({"recover", "entry"}) ==
        R"({"command":"gate.control","gate":"entry","request":{"op":"recover","lane":0}})");
  CHECK(Request({"state", "entry"}) ==
        R"({"command":"gate.control","gate":"entry","request":{"op":"state"}})");
}

TEST_CASE("malformed gate commands give their usage line") {
  CHECK(Request({"tap", "entry", "x"}) == "usage: gate tap GATE LANE [CARD]");
  CHECK(Request({"emergency", "entry", "maybe"}) == "usage: gate emergency GATE on|off [LANE]");
  CHECK(Request({"control", "entry", "[1]"}) ==
        "usage: gate control GATE JSON (JSON must be an object)");
  CHECK(Request({"mode", "entry"}).rfind("usage: gate mode", 0) == 0);
  CHECK(Request({}).rfind("usage: gate COMMAND", 0) == 0);
}
