// The jwo-payment-sim command line:
//
//   jwo-payment-sim --access-key AKID --secret-key SECRET [--session-token T]
//                   [--listen 127.0.0.1:0] [--region us-east-1] [--script FILE.json]
//                   [--tls-cert PEM --tls-key PEM] [--print-port] [--max-skew-seconds 300]
//                   [--max-records 200000] [--threads 2] [--capture-replay noop|apply]
//                   [--quiet] [--help] [--version]
//
// Thread safety: pure functions; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "tests/fakes/payment_sim/script.h"
#include "tests/fakes/payment_sim/signature_check.h"

namespace jwo::payment_sim {

struct CommandLine {
  std::string listen_address = "127.0.0.1";  // numeric IPv4 or IPv6 (brackets removed)
  uint16_t listen_port = 0;
  std::string region = "us-east-1";
  SimCredentials credentials;
  std::string script_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  bool print_port = false;  // print "listening ADDRESS:PORT" on stdout once bound
  int64_t max_skew_ms = 5 * 60 * 1000;
  size_t max_records = 200'000;
  unsigned threads = 2;
  // Overrides the --script file's "capture_replay"; POST /_sim/reset returns to it.
  std::optional<CaptureReplay> capture_replay;
  bool quiet = false;  // no per-request log line
  bool help = false;
  bool version = false;
};

// Parses the arguments after the program name ("--flag value" or "--flag=value"). Returns
// kInvalidArgument naming the argument: an unknown flag, a missing value, a bad number or
// listen address ("ADDRESS:PORT", IPv6 as "[::1]:PORT"), a --capture-replay other than noop or
// apply, --tls-cert without --tls-key (or the reverse), or --access-key / --secret-key missing
// (unless --help or --version).
core::Result<CommandLine> ParseCommandLine(const std::vector<std::string>& args);

// The usage text printed by --help and after an argument error.
std::string UsageText();

}  // namespace jwo::payment_sim
