// LoadOptions: what one jwo-loadgen run does (target, schedule, connections, request bodies,
// output), and the command-line parser that fills it.
//
// Plain value; parse once in main, then share read-only between load threads.
#pragma once

#include <cstdint>
#include <string>

namespace jwo::bench {

struct LoadOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string path = "/v1/fraudandabuse/shopperauthorization";

  double rate = 0;  // requests per second over all connections; 0 = closed loop (--max)
  double duration_s = 10;
  double warmup_s = 2;
  double drain_timeout_s = 5;  // after the run, how long to wait for answers still due
  int connections = 16;
  int threads = 1;
  int pipeline = 1;        // requests in flight per connection
  bool busy_poll = false;  // never sleep: poll epoll in a loop (costs one core per thread)

  std::string body_file;  // fixed-body mode when set
  std::string body;       // its contents, read by the parser
  uint64_t shoppers = 0;  // generated mode when > 0
  uint64_t debt_every = 0;
  std::string store_id = "bench-store";
  uint64_t seed = 1;

  bool count_outcomes = false;
  bool json = false;
  int64_t print_request = -1;  // >= 0: print the generated body for this shopper and exit
  bool help = false;

  bool open_loop() const { return rate > 0; }
};

// Fills *out from argv. Returns true on success (also for --help, which sets out->help).
// Returns false with a one-line reason in *error for an unknown flag, a missing or malformed
// value, a value out of range, an unreadable --body-file, or neither/both of --body-file and
// --shoppers. REQUIRES: out and error are non-null.
bool ParseLoadOptions(int argc, char** argv, LoadOptions* out, std::string* error);

// The --help text.
const char* LoadUsage();

}  // namespace jwo::bench
