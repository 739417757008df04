#include "tests/fakes/payment_sim/command_line.h"

#include <catch2/catch_test_macros.hpp>

using namespace jwo::payment_sim;

namespace {

std::vector<std::string> With(std::vector<std::string> args) {
  args.insert(args.end(), {"--access-key", "AKID", "--secret-key", "SECRET"});
  return args;
}

}  // namespace

TEST_CASE("defaults and every flag") {
  auto d = ParseCommandLine(With({}));
  REQUIRE(d.ok());
  CHECK(d->listen_address == "127.0.0.1");
  CHECK(d->listen_port == 0);
  CHECK(d->region == "us-east-1");
  CHECK_FALSE(d->print_port);
  CHECK_FALSE(d->capture_replay.has_value());
  CHECK(d->credentials.access_key_id == "AKID");

  auto c = ParseCommandLine(
      With({"--listen", "[::1]:8443", "--region=eu-west-1", "--session-token", "TOKEN", "--script",
            "s.json", "--tls-cert", "c.pem", "--tls-key", "k.pem", "--print-port",
            "--max-skew-seconds", "60", "--max-records", "10", "--threads", "1", "--quiet"}));
  REQUIRE(c.ok());
  CHECK(c->listen_address == "::1");
  CHECK(c->listen_port == 8443);
  CHECK(c->region == "eu-west-1");
  CHECK(c->credentials.session_token == "TOKEN");
  CHECK(c->script_file == "s.json");
  CHECK(c->tls_cert_file == "c.pem");
  CHECK(c->tls_key_file == "k.pem");
  CHECK(c->print_port);
  CHECK(c->max_skew_ms == 60'000);
  CHECK(c->max_records == 10);
  CHECK(c->threads == 1);
  CHECK(c->quiet);
  CHECK(ParseCommandLine(With({"--capture-replay", "apply"}))->capture_replay ==
        CaptureReplay::kApply);
  CHECK(ParseCommandLine(With({"--capture-replay=noop"}))->capture_replay == CaptureReplay::kNoop);
}

TEST_CASE("argument errors name the argument") {
  CHECK(ParseCommandLine({}).status().message() == "--access-key and --secret-key are required");
  CHECK(ParseCommandLine(With({"--bogus"})).status().message() == "unknown argument '--bogus'");
  CHECK(ParseCommandLine(With({"--listen", "127.0.0.1"})).status().message() ==
        "--listen must be ADDRESS:PORT, e.g. 127.0.0.1:0");
  CHECK(ParseCommandLine(With({"--listen", "127.0.0.1:70000"})).status().message() ==
        "--listen must be ADDRESS:PORT, e.g. 127.0.0.1:0");
  CHECK(ParseCommandLine(With({"--tls-cert", "c.pem"})).status().message() ==
        "--tls-cert and --tls-key go together");
  CHECK(ParseCommandLine(With({"--threads", "0"})).status().message() == "--threads must be 1..64");
  CHECK(ParseCommandLine({"--access-key", "A", "--secret-key"}).status().message() ==
        "--secret-key needs a value");
  CHECK(ParseCommandLine(With({"--capture-replay", "twice"})).status().message() ==
        "--capture-replay must be noop or apply");
  CHECK(ParseCommandLine({"--help"})->help);
  CHECK(ParseCommandLine({"--version"})->version);
}
