// jwo-loadgen: open-loop HTTP/1.1 load generator for the F&A endpoint (see load_thread.h for
// the schedule and load_options.cc for the flags). Exit status: 0 after a run (read the report
// for a missed rate), 1 when the target cannot be resolved or connected, 2 for a bad command
// line.
#include <netdb.h>
#include <sys/resource.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/bench/load_options.h"
#include "tests/bench/load_report.h"
#include "tests/bench/load_stats.h"
#include "tests/bench/load_thread.h"
#include "tests/bench/shopper_request.h"

namespace {

std::atomic<bool> g_stop{false};

void OnStopSignal(int) { g_stop.store(true); }

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

bool Resolve(const jwo::bench::LoadOptions& options, sockaddr_storage* address, socklen_t* length,
             std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(options.port);
  const int rc = getaddrinfo(options.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    *error = "cannot resolve '" + options.host + "': " + gai_strerror(rc);
    return false;
  }
  std::memcpy(address, found->ai_addr, found->ai_addrlen);
  *length = found->ai_addrlen;
  freeaddrinfo(found);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace jwo::bench;
  LoadOptions options;
  std::string error;
  if (!ParseLoadOptions(argc, argv, &options, &error)) {
    std::fprintf(stderr, "jwo-loadgen: %s\n", error.c_str());
    return 2;
  }
  if (options.help) {
    std::fputs(LoadUsage(), stdout);
    return 0;
  }
  if (options.print_request >= 0) {
    RequestSpec spec;
    spec.shoppers = options.shoppers;
    spec.store_id = options.store_id;
    spec.seed = options.seed;
    RequestSource source(spec);
    std::printf("%s\n", source.SampleBody(static_cast<uint64_t>(options.print_request)).c_str());
    return 0;
  }

  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);

  sockaddr_storage address{};
  socklen_t address_length = 0;
  if (!Resolve(options, &address, &address_length, &error)) {
    std::fprintf(stderr, "jwo-loadgen: %s\n", error.c_str());
    return 1;
  }
  std::vector<std::unique_ptr<LoadThread>> loads;
  for (int t = 0; t < options.threads; ++t) {
    const int share =
        options.connections / options.threads + (t < options.connections % options.threads ? 1 : 0);
    loads.push_back(
        std::make_unique<LoadThread>(options, address, address_length, t, options.threads, share));
    if (!loads.back()->Connect(&error)) {
      std::fprintf(stderr, "jwo-loadgen: %s\n", error.c_str());
      return 1;
    }
  }

  RunTimes times;
  // A little headroom so every thread is asleep waiting for t0 rather than late to it.
  times.start_ns = NowNanos() + 20'000'000;
  times.window_start_ns = times.start_ns + static_cast<uint64_t>(options.warmup_s * 1e9);
  times.window_end_ns = times.window_start_ns + static_cast<uint64_t>(options.duration_s * 1e9);
  times.drain_deadline_ns =
      times.window_end_ns + static_cast<uint64_t>(options.drain_timeout_s * 1e9);

  const double cpu_before = CpuSeconds();
  const uint64_t wall_before = NowNanos();
  std::vector<std::thread> workers;
  for (auto& load : loads) {
    workers.emplace_back([&load, &times] { load->Run(times, &g_stop); });
  }
  for (std::thread& worker : workers) worker.join();
  const double wall = static_cast<double>(NowNanos() - wall_before) / 1e9;
  const double cpu_percent = wall > 0 ? (CpuSeconds() - cpu_before) / wall * 100.0 : 0.0;

  LoadStats total;
  for (const auto& load : loads) total.Merge(load->stats());
  const std::string report = options.json ? FormatJsonReport(options, total, cpu_percent)
                                          : FormatTextReport(options, total, cpu_percent);
  std::fputs(report.c_str(), stdout);
  if (RateFellShort(options, total)) {
    std::fprintf(stderr,
                 "jwo-loadgen: WARNING: RATE FELL SHORT: %.1f req/s achieved of %.0f req/s "
                 "asked (unfinished %llu)\n",
                 ThroughputRps(total), options.rate,
                 static_cast<unsigned long long>(total.unfinished));
  }
  return 0;
}
