#include "tests/fakes/payment_sim/command_line.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <optional>
#include <string_view>

namespace jwo::payment_sim {
namespace {

template <typename T>
std::optional<T> ParseNumber(std::string_view text, T min, T max) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

core::Status ParseListen(std::string_view text, CommandLine& out) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return core::InvalidArgument("--listen must be ADDRESS:PORT, e.g. 127.0.0.1:0");
  }
  std::string_view address = text.substr(0, colon);
  if (address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  const auto port = ParseNumber<uint16_t>(text.substr(colon + 1), 0, 65535);
  if (!port || address.empty()) {
    return core::InvalidArgument("--listen must be ADDRESS:PORT, e.g. 127.0.0.1:0");
  }
  out.listen_address = std::string(address);
  out.listen_port = *port;
  return core::Status::Ok();
}

}  // namespace

core::Result<CommandLine> ParseCommandLine(const std::vector<std::string>& args) {
  CommandLine cl;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> inline_value;
    if (const size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = flag.substr(eq + 1);
      flag.resize(eq);
    }
    if (flag == "--help" || flag == "-h") {
      cl.help = true;
      continue;
    }
    if (flag == "--version") {
      cl.version = true;
      continue;
    }
    if (flag == "--print-port") {
      cl.print_port = true;
      continue;
    }
    if (flag == "--quiet") {
      cl.quiet = true;
      continue;
    }
    static constexpr std::string_view kValueFlags[] = {
        "--listen",           "--region",      "--access-key", "--secret-key",
        "--session-token",    "--script",      "--tls-cert",   "--tls-key",
        "--max-skew-seconds", "--max-records", "--threads",    "--capture-replay"};
    if (std::find(std::begin(kValueFlags), std::end(kValueFlags), flag) == std::end(kValueFlags)) {
      return core::InvalidArgument("unknown argument '" + args[i] + "'");
    }
    std::string value;
    if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return core::InvalidArgument(flag + " needs a value");
    }
    if (flag == "--listen") {
      if (core::Status s = ParseListen(value, cl); !s.ok()) return s;
    } else if (flag == "--region") {
      cl.region = value;
    } else if (flag == "--access-key") {
      cl.credentials.access_key_id = value;
    } else if (flag == "--secret-key") {
      cl.credentials.secret_access_key = value;
    } else if (flag == "--session-token") {
      cl.credentials.session_token = value;
    } else if (flag == "--script") {
      cl.script_file = value;
    } else if (flag == "--tls-cert") {
      cl.tls_cert_file = value;
    } else if (flag == "--tls-key") {
      cl.tls_key_file = value;
    } else if (flag == "--max-skew-seconds") {
      const auto s = ParseNumber<int64_t>(value, 0, 7 * 24 * 3600);
      if (!s) return core::InvalidArgument("--max-skew-seconds must be 0..604800");
      cl.max_skew_ms = *s * 1000;
    } else if (flag == "--max-records") {
      const auto n = ParseNumber<size_t>(value, 1, 100'000'000);
      if (!n) return core::InvalidArgument("--max-records must be 1..100000000");
      cl.max_records = *n;
    } else if (flag == "--threads") {
      const auto n = ParseNumber<unsigned>(value, 1, 64);
      if (!n) return core::InvalidArgument("--threads must be 1..64");
      cl.threads = *n;
    } else if (flag == "--capture-replay") {
      if (value == CaptureReplayName(CaptureReplay::kNoop)) {
        cl.capture_replay = CaptureReplay::kNoop;
      } else if (value == CaptureReplayName(CaptureReplay::kApply)) {
        cl.capture_replay = CaptureReplay::kApply;
      } else {
        return core::InvalidArgument("--capture-replay must be noop or apply");
      }
    }
  }
  if (cl.help || cl.version) return cl;
  if (cl.credentials.access_key_id.empty() || cl.credentials.secret_access_key.empty()) {
    return core::InvalidArgument("--access-key and --secret-key are required");
  }
  if (cl.region.empty()) return core::InvalidArgument("--region must not be empty");
  if (cl.tls_cert_file.empty() != cl.tls_key_file.empty()) {
    return core::InvalidArgument("--tls-cert and --tls-key go together");
  }
  return cl;
}

std::string UsageText() {
  return "usage: jwo-payment-sim --access-key AKID --secret-key SECRET [options]\n"
         "\n"
         "A local simulator of Amazon's Payment Service (see docs/payment-simulator.md).\n"
         "\n"
         "  --listen ADDR:PORT        address to serve on (default 127.0.0.1:0, IPv6 as [::1]:0)\n"
         "  --region REGION           SigV4 region requests must be signed for (default "
         "us-east-1)\n"
         "  --access-key AKID         the access key id clients sign with\n"
         "  --secret-key SECRET       its secret access key\n"
         "  --session-token TOKEN     require this X-Amz-Security-Token (temporary credentials)\n"
         "  --script FILE.json        behaviour at start (restored by POST /_sim/reset)\n"
         "  --tls-cert PEM            serve HTTPS with this certificate chain ...\n"
         "  --tls-key PEM             ... and this private key\n"
         "  --print-port              print 'listening ADDR:PORT' on stdout once bound\n"
         "  --max-skew-seconds N      accepted X-Amz-Date distance from now (default 300)\n"
         "  --max-records N           requests kept for /_sim/requests (default 200000)\n"
         "  --threads N               io threads (default 2)\n"
         "  --capture-replay MODE     a second Capture of a trip: noop (a replay, default) or\n"
         "                            apply (a second charge and a violation)\n"
         "  --quiet                   no log line per request\n"
         "  --version                 print the version and exit\n";
}

}  // namespace jwo::payment_sim
