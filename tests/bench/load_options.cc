#include "tests/bench/load_options.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string_view>

namespace jwo::bench {
namespace {

bool ParseDouble(std::string_view text, double low, double high, double* out) {
  const std::string copy(text);
  char* end = nullptr;
  const double v = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size() || !std::isfinite(v)) return false;
  if (v < low || v > high) return false;
  *out = v;
  return true;
}

bool ParseUnsigned(std::string_view text, uint64_t low, uint64_t high, uint64_t* out) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return false;
  if (v < low || v > high) return false;
  *out = v;
  return true;
}

constexpr std::string_view kValueFlags[] = {
    "--host",     "--port",     "--path",          "--rate",
    "--duration", "--warmup",   "--drain-timeout", "--connections",
    "--threads",  "--pipeline", "--shoppers",      "--debt-every",
    "--store-id", "--seed",     "--body-file",     "--print-request",
};

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  *out = text.str();
  return !in.bad();
}

}  // namespace

const char* LoadUsage() {
  return R"(jwo-loadgen: open-loop HTTP/1.1 load generator for the F&A endpoint

usage: jwo-loadgen --port P (--shoppers N [--debt-every K] | --body-file F) [options]

target
  --host H            server address (default 127.0.0.1)
  --port P            server port (required)
  --path P            request target (default /v1/fraudandabuse/shopperauthorization)
schedule
  --rate R            open loop: request i is due at t0 + i/R and its latency is measured
                      from that moment, queueing included (default: closed loop)
  --max               closed loop as fast as possible (same as --rate 0)
  --duration S        measured seconds (default 10)
  --warmup S          seconds run first and not recorded (default 2)
  --drain-timeout S   seconds to wait for outstanding answers after the run (default 5)
  --connections N     keep-alive connections (default 16)
  --threads N         load threads sharing the connections and the rate (default 1)
  --pipeline D        requests in flight per connection (default 1)
  --busy-poll         never sleep: poll for due times and answers in a loop, taking one
                      core per thread but adding no wake-up delay to what it measures
bodies
  --shoppers N        generate a Shopper Authorization per request for shopper-%07d, i random
                      in [0,N) with a fixed seed
  --debt-every K      shopper i is in debt when i % K == 0 (expected DENIED)
  --store-id ID       storeId of generated requests (default bench-store)
  --seed S            random seed (default 1)
  --body-file F       send this fixed body instead
output
  --count-outcomes    count "APPROVED" / "DENIED" in 2xx bodies
  --json              print a one-line JSON summary instead of the text one
  --print-request I   print the generated body for shopper I and exit
)";
}

bool ParseLoadOptions(int argc, char** argv, LoadOptions* out, std::string* error) {
  bool saw_port = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    auto value = [&](std::string_view* v) {
      if (i + 1 >= argc) {
        *error = std::string(flag) + " needs a value";
        return false;
      }
      *v = argv[++i];
      return true;
    };
    auto bad = [&](std::string_view v, const char* rule) {
      *error = std::string(flag) + " '" + std::string(v) + "': " + rule;
      return false;
    };
    std::string_view v;
    uint64_t n = 0;
    if (flag == "--help" || flag == "-h") {
      out->help = true;
      return true;
    } else if (flag == "--max") {
      out->rate = 0;
    } else if (flag == "--count-outcomes") {
      out->count_outcomes = true;
    } else if (flag == "--busy-poll") {
      out->busy_poll = true;
    } else if (flag == "--json") {
      out->json = true;
    } else if (std::find(std::begin(kValueFlags), std::end(kValueFlags), flag) ==
               std::end(kValueFlags)) {
      *error = "unknown argument '" + std::string(flag) + "' (see --help)";
      return false;
    } else if (!value(&v)) {
      return false;
    } else if (flag == "--host") {
      out->host = v;
    } else if (flag == "--port") {
      if (!ParseUnsigned(v, 1, 65535, &n)) return bad(v, "must be a port number 1-65535");
      out->port = static_cast<uint16_t>(n);
      saw_port = true;
    } else if (flag == "--path") {
      if (!v.starts_with('/')) return bad(v, "must start with '/'");
      out->path = v;
    } else if (flag == "--rate") {
      if (!ParseDouble(v, 0, 1e8, &out->rate)) return bad(v, "must be 0-1e8 requests/s");
    } else if (flag == "--duration") {
      if (!ParseDouble(v, 0.01, 86400, &out->duration_s)) return bad(v, "must be 0.01-86400 s");
    } else if (flag == "--warmup") {
      if (!ParseDouble(v, 0, 86400, &out->warmup_s)) return bad(v, "must be 0-86400 s");
    } else if (flag == "--drain-timeout") {
      if (!ParseDouble(v, 0, 3600, &out->drain_timeout_s)) return bad(v, "must be 0-3600 s");
    } else if (flag == "--connections") {
      if (!ParseUnsigned(v, 1, 100000, &n)) return bad(v, "must be 1-100000");
      out->connections = static_cast<int>(n);
    } else if (flag == "--threads") {
      if (!ParseUnsigned(v, 1, 256, &n)) return bad(v, "must be 1-256");
      out->threads = static_cast<int>(n);
    } else if (flag == "--pipeline") {
      if (!ParseUnsigned(v, 1, 1024, &n)) return bad(v, "must be 1-1024");
      out->pipeline = static_cast<int>(n);
    } else if (flag == "--shoppers") {
      if (!ParseUnsigned(v, 1, UINT64_MAX, &out->shoppers)) return bad(v, "must be >= 1");
    } else if (flag == "--debt-every") {
      if (!ParseUnsigned(v, 1, UINT64_MAX, &out->debt_every)) return bad(v, "must be >= 1");
    } else if (flag == "--store-id") {
      out->store_id = v;
    } else if (flag == "--seed") {
      if (!ParseUnsigned(v, 0, UINT64_MAX, &out->seed)) return bad(v, "must be an integer");
    } else if (flag == "--body-file") {
      out->body_file = v;
    } else if (flag == "--print-request") {
      if (!ParseUnsigned(v, 0, INT64_MAX, &n)) return bad(v, "must be a shopper index");
      out->print_request = static_cast<int64_t>(n);
    }
  }

  if (out->body_file.empty() == (out->shoppers == 0)) {
    *error = "give exactly one of --shoppers N and --body-file F";
    return false;
  }
  if (!out->body_file.empty() && !ReadFile(out->body_file, &out->body)) {
    *error = "cannot read --body-file '" + out->body_file + "'";
    return false;
  }
  if (out->print_request >= 0 && out->shoppers == 0) {
    *error = "--print-request needs --shoppers";
    return false;
  }
  if (!saw_port && out->print_request < 0) {
    *error = "--port is required";
    return false;
  }
  if (out->threads > out->connections) {
    *error = "--threads must not exceed --connections";
    return false;
  }
  return true;
}

}  // namespace jwo::bench
