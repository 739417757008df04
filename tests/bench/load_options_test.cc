#include "tests/bench/load_options.h"

#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>

namespace jwo::bench {
namespace {

bool Parse(std::vector<std::string> args, LoadOptions* out, std::string* error) {
  args.insert(args.begin(), "jwo-loadgen");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  return ParseLoadOptions(static_cast<int>(argv.size()), argv.data(), out, error);
}

TEST_CASE("a typical open-loop command line parses", "[options]") {
  LoadOptions o;
  std::string error;
  REQUIRE(Parse({"--port", "18080", "--rate", "5000", "--duration", "20", "--connections", "16",
                 "--shoppers", "1000000", "--debt-every", "100", "--count-outcomes", "--json"},
                &o, &error));
  CHECK(o.port == 18080);
  CHECK(o.open_loop());
  CHECK(o.rate == 5000);
  CHECK(o.duration_s == 20);
  CHECK(o.connections == 16);
  CHECK(o.shoppers == 1000000);
  CHECK(o.debt_every == 100);
  CHECK(o.count_outcomes);
  CHECK(o.json);
}

TEST_CASE("the --max option means closed loop", "[options]") {
  LoadOptions o;
  std::string error;
  REQUIRE(Parse({"--port", "1", "--rate", "10", "--max", "--shoppers", "5"}, &o, &error));
  CHECK_FALSE(o.open_loop());
}

TEST_CASE("bad command lines name the problem", "[options]") {
  const std::vector<std::vector<std::string>> bad = {
      {"--shoppers", "5"},                                      // no port
      {"--port", "0", "--shoppers", "5"},                       // port out of range
      {"--port", "80"},                                         // no body source
      {"--port", "80", "--shoppers", "5", "--body-file", "x"},  // both body sources
      {"--port", "80", "--shoppers", "5", "--rate", "fast"},
      {"--port", "80", "--shoppers", "5", "--bogus"},
      {"--port", "80", "--shoppers", "5", "--connections"},
      {"--port", "80", "--shoppers", "5", "--connections", "2", "--threads", "3"},
      {"--port", "80", "--body-file", "/nonexistent/body.json"},
  };
  for (const auto& args : bad) {
    LoadOptions o;
    std::string error;
    CHECK_FALSE(Parse(args, &o, &error));
    CHECK_FALSE(error.empty());
  }
}

}  // namespace
}  // namespace jwo::bench
