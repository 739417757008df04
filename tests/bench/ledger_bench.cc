// jwo-bench-ledger: the chain ledger's benchmarks (docs/performance.md, "Chain ledger"). Real
// jwo-edged processes and a real nats-server (tests/support/nats_server.h) on loopback.
//
//   jwo-bench-ledger latency [--trials 100] [--warmup 3]
//       Two daemons (store-a, store-b) on one server. Each trial books a debt at A over the
//       control socket (what `jwo-edgectl debt add` sends) and polls B's F&A endpoint until it
//       answers DENIED; then settles the debt at B and polls A until APPROVED. A third series
//       writes debts straight into the bucket ("the cloud") and polls B: the propagation
//       without any store's publisher. Prints p50/p90/p99/max of each.
//   jwo-bench-ledger sync [--records 1000000] [--fa-rate 200] [--idle-seconds 20]
//       Fills the bucket with N open debts of 20 other stores (asynchronous JetStream publish,
//       as the cloud would), then starts a fresh daemon and measures its first start: time
//       until ledger.phase is "live" with N records, the daemon's peak RSS (VmHWM), its CPU, the
//       LMDB size, and the F&A latency under a paced load during the sync against the same load
//       once live (ratio in the same go).
//
// Numbers, not assertions: nothing here fails on a slow machine. Percentiles are nearest-rank
// (p99 of 100 samples is the 99th smallest); F&A latencies run from each request's due time,
// so a stall shows in every request due during it.
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "chain/chain_record.h"
#include "ctl/control_client.h"
#include "tests/bench/cloud_writer.h"
#include "tests/integration/daemon_process.h"
#include "tests/integration/fa_requests.h"
#include "tests/support/http_client.h"
#include "tests/support/nats_server.h"

namespace {

using namespace jwo;
using Clock = std::chrono::steady_clock;
namespace json = boost::json;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "jwo-bench-ledger: %s\n", what.c_str());
  std::exit(1);
}

int64_t IntFlag(int argc, char** argv, const char* name, int64_t fallback) {
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atoll(argv[i + 1]);
  }
  return fallback;
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Summary {
  size_t n = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
};
Summary Summarize(std::vector<double> v) {
  Summary s;
  s.n = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto rank = [&](double q) {
    const size_t r = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::clamp<size_t>(r, 1, v.size()) - 1];
  };
  s.p50 = rank(0.50);
  s.p90 = rank(0.90);
  s.p99 = rank(0.99);
  s.max = v.back();
  return s;
}
void PrintRow(const char* label, const Summary& s, const char* unit) {
  std::printf("  %-44s %6zu %9.2f %9.2f %9.2f %9.2f  %s\n", label, s.n, s.p50, s.p90, s.p99, s.max,
              unit);
}

// --- the processes ---------------------------------------------------------------------------

std::string ChainConfig(const std::string& store, const std::string& url, int map_size_mib,
                        const std::string& breaker) {
  std::string cfg = testing::DefaultTestConfig();
  auto replace = [&](const std::string& from, const std::string& to) {
    const size_t at = cfg.find(from);
    if (at == std::string::npos) Die("the test configuration has no '" + from + "'");
    cfg.replace(at, from.size(), to);
  };
  replace("it-store", store);
  replace("map_size_mib: 16", "map_size_mib: " + std::to_string(map_size_mib));
  replace("  level: debug", "  level: warning");
  cfg += "ledger:\n  servers: [" + url + "]\n  reconnect_wait_ms: 100\n" + breaker;
  return cfg;
}

void Provision(const testing::NatsServer& nats) {
  auto r = testing::RunCommand(
      {JWO_BINARY_DIR "/daemon/ctl/jwo-edgectl", "ledger", "provision", "--server", nats.url()});
  if (r.exit_code != 0) Die("ledger provision failed: " + r.output);
}

void StartDaemon(testing::DaemonProcess& d) {
  if (!d.Start()) Die("jwo-edged did not start:\n" + d.Stderr());
}

// One control-socket exchange; the "result" object of a successful answer.
json::object Control(const testing::DaemonProcess& d, const json::object& request) {
  auto answer = ctl::Exchange(d.socket_path().string(), json::serialize(request));
  if (!answer.ok()) Die("control socket: " + answer.status().message());
  json::value v = json::parse(*answer);
  if (!v.at("ok").as_bool()) Die("the daemon refused " + json::serialize(request) + ": " + *answer);
  const json::value* result = v.as_object().if_contains("result");
  return result != nullptr && result->is_object() ? result->as_object() : json::object{};
}

json::object Ledger(const testing::DaemonProcess& d) {
  return Control(d, {{"command", "status"}}).at("ledger").as_object();
}

std::string Decide(testing::HttpClient& c, const std::string& store, const std::string& shopper,
                   const std::string& trip) {
  auto r = c.Post(testing::kFaPath, testing::FaBody(shopper, trip, "", store));
  if (!r.ok() || r->status != 200) Die("F&A request failed");
  return r->body.find("DENIED") != std::string::npos ? "DENIED" : "APPROVED";
}

// Polls the gate (1 ms apart) until it answers `want`; the time it took, from `since`.
double WaitDecision(testing::HttpClient& c, const std::string& store, const std::string& shopper,
                    const std::string& want, Clock::time_point since) {
  int n = 0;
  while (Decide(c, store, shopper, "poll-" + std::to_string(n++)) != want) {
    if (Clock::now() - since > std::chrono::seconds(30)) {
      Die(store + " did not answer " + want + " for " + shopper + " within 30 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Ms(Clock::now() - since);
}

testing::HttpClient Connect(testing::DaemonProcess& d) {
  auto c = testing::HttpClient::Connect("127.0.0.1", d.Port());
  if (!c.ok()) Die("cannot connect to the F&A listener");
  return std::move(*c);
}

void WaitLive(const testing::DaemonProcess& d) {
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Ledger(d).at("phase").as_string() != "live") {
    if (Clock::now() > deadline) Die("the ledger did not go live within 30 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// /proc/PID/status field in kB ("VmHWM:", "VmRSS:"), 0 when unreadable.
int64_t ProcStatusKb(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::atoll(line.c_str() + std::strlen(field));
  }
  return 0;
}

// utime + stime of PID in seconds.
double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = all.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(all.substr(close + 2));
  std::string f;
  double ticks = 0;
  for (int i = 3; fields >> f; ++i) {
    if (i == 14 || i == 15) ticks += std::atof(f.c_str());
    if (i == 15) break;
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Bytes on disk (allocated blocks) and apparent size of the files under `dir`.
std::pair<uint64_t, uint64_t> DiskUsage(const std::filesystem::path& dir) {
  uint64_t allocated = 0, apparent = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    struct stat st {};
    if (e.is_regular_file() && ::stat(e.path().c_str(), &st) == 0) {
      allocated += static_cast<uint64_t>(st.st_blocks) * 512;
      apparent += static_cast<uint64_t>(st.st_size);
    }
  }
  return {allocated, apparent};
}

chain::ChainDebt OpenDebt(const std::string& origin, const std::string& shopper,
                          const std::string& trip, int64_t created_ms) {
  chain::ChainDebt d;
  d.debt.shopper_id = shopper;
  d.debt.trip_id = trip;
  d.debt.kind = store::DebtKind::kTrip;
  d.debt.cause = store::DebtCause::kDeclinedAdjust;
  d.debt.amount = {1250, *core::FindCurrency("USD")};  // above the test threshold of 10.00
  d.debt.origin_store = origin;
  d.debt.created_ms = created_ms;
  return d;
}

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// --- latency ---------------------------------------------------------------------------------

int Latency(int argc, char** argv) {
  const int trials = static_cast<int>(IntFlag(argc, argv, "--trials", 100));
  const int warmup = static_cast<int>(IntFlag(argc, argv, "--warmup", 3));
  testing::NatsServer nats;
  if (!nats.Start().ok()) Die("nats-server did not start");
  Provision(nats);
  // The breaker would hold store-a's debts after 50 in 10 minutes (its default): off here, this
  // measures propagation, not the breaker.
  const std::string no_breaker = "  breaker: {chain_max: 0, store_max: 0}\n";
  testing::DaemonProcess a(ChainConfig("store-a", nats.url(), 64, no_breaker));
  testing::DaemonProcess b(ChainConfig("store-b", nats.url(), 64, no_breaker));
  StartDaemon(a);
  StartDaemon(b);
  WaitLive(a);
  WaitLive(b);
  testing::HttpClient gate_a = Connect(a), gate_b = Connect(b);

  std::vector<double> add_ms, a_to_b, settle_ms, b_to_a, cloud_to_b;
  for (int i = 0; i < warmup + trials; ++i) {
    const std::string shopper = "lat-" + std::to_string(i), trip = "trip-" + std::to_string(i);
    if (Decide(gate_b, "store-b", shopper, "pre-" + trip) != "APPROVED")
      Die("not clear: " + shopper);
    const auto t0 = Clock::now();
    Control(a, {{"command", "debt.add"},
                {"shopper", shopper},
                {"trip", trip},
                {"amount", "12.50"},
                {"currency", "USD"},
                {"reason", "bench"}});
    const double added = Ms(Clock::now() - t0);
    const double seen_b = WaitDecision(gate_b, "store-b", shopper, "DENIED", t0);
    const auto t1 = Clock::now();
    Control(b, {{"command", "debt.settle"},
                {"shopper", shopper},
                {"trip", trip},
                {"reference", "counter-" + std::to_string(i)},
                {"reason", "bench"}});
    const double settled = Ms(Clock::now() - t1);
    const double seen_a = WaitDecision(gate_a, "store-a", shopper, "APPROVED", t1);
    if (i < warmup) continue;
    add_ms.push_back(added);
    a_to_b.push_back(seen_b);
    settle_ms.push_back(settled);
    b_to_a.push_back(seen_a);
  }

  auto cloud = bench::CloudWriter::Open(nats.url(), "debts");
  if (!cloud.ok()) Die(cloud.status().message());
  for (int i = 0; i < warmup + trials; ++i) {
    const std::string shopper = "cloud-" + std::to_string(i), trip = "ctrip-" + std::to_string(i);
    const auto key = chain::BucketKey("store-c", trip, store::DebtKind::kTrip);
    const std::string value =
        chain::EncodeChainDebt(OpenDebt("store-c", shopper, trip, NowUnixMs()));
    const auto t0 = Clock::now();
    if (auto put = (*cloud)->Put(*key, value); !put.ok()) Die(put.status().message());
    const double seen = WaitDecision(gate_b, "store-b", shopper, "DENIED", t0);
    if (i >= warmup) cloud_to_b.push_back(seen);
  }

  std::printf(
      "chain ledger propagation, 2 daemons + 1 nats-server on loopback, %d trials "
      "(after %d warm-up), gate polled every 1 ms:\n",
      trials, warmup);
  std::printf("  %-44s %6s %9s %9s %9s %9s\n", "", "n", "p50", "p90", "p99", "max");
  PrintRow("debt add at A (control answer, fsynced)", Summarize(add_ms), "ms");
  PrintRow("add at A -> B answers DENIED", Summarize(a_to_b), "ms");
  PrintRow("debt settle at B (control answer)", Summarize(settle_ms), "ms");
  PrintRow("settle at B -> A answers APPROVED", Summarize(b_to_a), "ms");
  PrintRow("bucket put (cloud) -> B answers DENIED", Summarize(cloud_to_b), "ms");
  const double worst = std::max(Summarize(a_to_b).p99, Summarize(b_to_a).p99);
  std::printf("  goal p99 <= 2000 ms in both directions: %s (worst p99 %.1f ms)\n",
              worst <= 2000 ? "PASS" : "MISS", worst);
  return 0;
}

// --- sync ------------------------------------------------------------------------------------

// A paced F&A load on one keep-alive connection: request i is due at t0 + i/rate and its
// latency runs from its due time. Samples go to the series named by `series` at the due time.
struct FaLoad {
  std::atomic<int> series{0};  // 0: sync, 1: live; -1: stop
  std::vector<double> samples[2];
  uint64_t errors = 0, mismatched = 0, sent = 0;
  double seconds[2] = {0, 0};

  void Run(uint16_t port, const std::string& store, uint64_t records, double rate) {
    auto c = testing::HttpClient::Connect("127.0.0.1", port);
    if (!c.ok()) Die("F&A load: cannot connect");
    std::mt19937_64 rng(42);
    const auto t0 = Clock::now();
    auto last = t0;
    for (uint64_t i = 0;; ++i) {
      const auto due = t0 + std::chrono::nanoseconds(static_cast<int64_t>(1e9 * i / rate));
      std::this_thread::sleep_until(due);
      const int s = series.load();
      if (s < 0) break;
      const uint64_t who = rng() % (2 * records);  // half of them owe (once synced)
      char shopper[32];
      std::snprintf(shopper, sizeof shopper, "shopper-%07llu",
                    static_cast<unsigned long long>(who));
      auto r =
          c->Post(testing::kFaPath, testing::FaBody(shopper, "fa-" + std::to_string(i), "", store));
      const auto done = Clock::now();
      ++sent;
      if (!r.ok() || r->status != 200) {
        ++errors;
        if (auto again = testing::HttpClient::Connect("127.0.0.1", port); again.ok()) {
          c = std::move(again);
        }
        continue;
      }
      samples[s].push_back(Ms(done - due) * 1000);
      seconds[s] += std::chrono::duration<double>(done - last).count();
      last = done;
      const bool denied = r->body.find("DENIED") != std::string::npos;
      if (s == 1 && denied != (who < records)) ++mismatched;
    }
  }
};

int Sync(int argc, char** argv) {
  const uint64_t records = static_cast<uint64_t>(IntFlag(argc, argv, "--records", 1'000'000));
  const double fa_rate = static_cast<double>(IntFlag(argc, argv, "--fa-rate", 200));
  const int idle_seconds = static_cast<int>(IntFlag(argc, argv, "--idle-seconds", 20));
  const int origins = 20;
  testing::NatsServer nats;
  if (!nats.Start().ok()) Die("nats-server did not start");
  Provision(nats);

  // The chain's backlog: created a month ago, so the inflow breaker (which counts debts created
  // within its window) does not take them for a burst.
  auto cloud = bench::CloudWriter::Open(nats.url(), "debts", 8192);
  if (!cloud.ok()) Die(cloud.status().message());
  const int64_t month_ago = NowUnixMs() - 30LL * 86'400'000;
  const auto f0 = Clock::now();
  for (uint64_t i = 0; i < records; ++i) {
    char shopper[32], trip[32], origin[32];
    std::snprintf(shopper, sizeof shopper, "shopper-%07llu", static_cast<unsigned long long>(i));
    std::snprintf(trip, sizeof trip, "trip-%07llu", static_cast<unsigned long long>(i));
    std::snprintf(origin, sizeof origin, "store-%02d", static_cast<int>(i % origins));
    const auto key = chain::BucketKey(origin, trip, store::DebtKind::kTrip);
    const std::string value = chain::EncodeChainDebt(
        OpenDebt(origin, shopper, trip, month_ago + static_cast<int64_t>(i)));
    if (auto s = (*cloud)->PutAsync(*key, value); !s.ok()) Die(s.message());
  }
  if (auto s = (*cloud)->Complete(600'000); !s.ok()) Die(s.message());
  const double fill_s = Ms(Clock::now() - f0) / 1000;
  auto in_stream = (*cloud)->StreamMessages();
  if (!in_stream.ok() || *in_stream != records) Die("the bucket does not hold every record");
  std::fprintf(stderr, "filled the bucket: %llu records in %.1f s (%.0f/s)\n",
               static_cast<unsigned long long>(records), fill_s, records / fill_s);

  testing::DaemonProcess d(ChainConfig("sync-store", nats.url(), 8192, ""));
  const auto t0 = Clock::now();
  StartDaemon(d);
  const double ready_ms = Ms(Clock::now() - t0);
  const pid_t pid = d.pid();
  FaLoad load;
  std::thread load_thread([&] { load.Run(d.Port(), "sync-store", records, fa_rate); });

  // The end is seen at the gate: the snapshot's last record (the highest stream sequence) and
  // the cursor that marks it done commit in one transaction. The status is asked every 5 s
  // only: each control connection is served by a new thread, and each such thread that reads
  // keeps one of LMDB's 126 reader slots until the daemon exits (see docs/performance.md).
  auto probe = Connect(d);
  char last_shopper[32];
  std::snprintf(last_shopper, sizeof last_shopper, "shopper-%07llu",
                static_cast<unsigned long long>(records - 1));
  double live_at = -1, first_at = -1;
  uint64_t last_records = 0;
  auto last_report = Clock::now();
  int probes = 0;
  for (;;) {
    const double at = Ms(Clock::now() - t0) / 1000;
    if (first_at < 0 && Decide(probe, "sync-store", "shopper-0000000",
                               "probe-" + std::to_string(probes++)) == "DENIED") {
      first_at = at;
    }
    if (Decide(probe, "sync-store", last_shopper, "probe-" + std::to_string(probes++)) ==
        "DENIED") {
      const json::object l = Ledger(d);
      if (l.at("phase").as_string() == "live" && l.at("records").to_number<uint64_t>() >= records) {
        live_at = at;
        break;
      }
    }
    if (Clock::now() - last_report >= std::chrono::seconds(5)) {
      const json::object l = Ledger(d);
      const uint64_t n = l.at("records").to_number<uint64_t>();
      const double dt = Ms(Clock::now() - last_report) / 1000;
      std::fprintf(stderr, "  %6.1f s  %-9s %9llu records  %7.0f/s  RSS %5lld MiB  CPU %.1f s%s\n",
                   at, std::string(l.at("phase").as_string()).c_str(),
                   static_cast<unsigned long long>(n), (n - last_records) / dt,
                   static_cast<long long>(ProcStatusKb(pid, "VmRSS:") / 1024), CpuSeconds(pid),
                   l.contains("last_error")
                       ? (" last_error: " + std::string(l.at("last_error").as_string())).c_str()
                       : "");
      last_records = n;
      last_report = Clock::now();
    }
    if (at > 7200) Die("the sync did not finish within 2 hours");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const json::object at_live = Ledger(d);
  const int64_t hwm_kb = ProcStatusKb(pid, "VmHWM:");
  const int64_t anon_kb = ProcStatusKb(pid, "RssAnon:"), file_kb = ProcStatusKb(pid, "RssFile:");
  const double cpu_s = CpuSeconds(pid);
  load.series = 1;
  std::this_thread::sleep_for(std::chrono::seconds(idle_seconds));
  load.series = -1;
  load_thread.join();
  const int64_t hwm_end_kb = ProcStatusKb(pid, "VmHWM:");
  const int64_t rss_end_kb = ProcStatusKb(pid, "VmRSS:");
  const auto [lmdb_alloc, lmdb_apparent] = DiskUsage(d.state_dir());

  const Summary during = Summarize(load.samples[0]), idle = Summarize(load.samples[1]);
  std::printf("chain ledger first start: %llu records of %d other stores in the bucket\n",
              static_cast<unsigned long long>(records), origins);
  std::printf("  filling the bucket (cloud, async publish):   %.1f s (%.0f records/s)\n", fill_s,
              records / fill_s);
  std::printf("  daemon start -> READY=1:                     %.3f s\n", ready_ms / 1000);
  std::printf("  daemon start -> live with every record:      %.1f s (%.0f records/s)\n", live_at,
              records / live_at);
  std::printf("  daemon CPU until live (user+sys):            %.1f s\n", cpu_s);
  std::printf("  full snapshots restarted (resyncs):          %lld%s\n",
              static_cast<long long>(at_live.at("resyncs").to_number<int64_t>()),
              at_live.contains("last_error")
                  ? ("; last_error: " + std::string(at_live.at("last_error").as_string())).c_str()
                  : "");
  std::printf("  daemon peak RSS (VmHWM) at live / at end:    %.0f / %.0f MiB (RSS now %.0f MiB)\n",
              hwm_kb / 1024.0, hwm_end_kb / 1024.0, rss_end_kb / 1024.0);
  std::printf("  RSS at live: anonymous / file-backed (LMDB map): %.0f / %.0f MiB\n",
              anon_kb / 1024.0, file_kb / 1024.0);
  std::printf("  daemon start -> first record applied (seen at the gate): %.1f s\n", first_at);
  std::printf(
      "  LMDB state directory after the sync:         %.0f MiB on disk (%.0f MiB apparent)\n",
      lmdb_alloc / 1048576.0, lmdb_apparent / 1048576.0);
  std::printf("  F&A at %.0f req/s, one keep-alive connection, from due time (us):\n", fa_rate);
  std::printf("  %-44s %6s %9s %9s %9s %9s\n", "", "n", "p50", "p90", "p99", "max");
  PrintRow("during the sync", during, "us");
  PrintRow("live, afterwards (idle)", idle, "us");
  std::printf("  p99 ratio sync / idle: %.2f; p50 ratio: %.2f\n", during.p99 / idle.p99,
              during.p50 / idle.p50);
  std::printf("  F&A errors %llu; answers disagreeing with the bucket once live: %llu\n",
              static_cast<unsigned long long>(load.errors),
              static_cast<unsigned long long>(load.mismatched));
  const double achieved = (during.n + idle.n) / std::max(1e-9, load.seconds[0] + load.seconds[1]);
  if (achieved < 0.95 * fa_rate) {
    std::printf("  note: RATE FELL SHORT (%.0f of %.0f req/s)\n", achieved, fa_rate);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "";
  if (what == "latency") return Latency(argc, argv);
  if (what == "sync") return Sync(argc, argv);
  std::fprintf(stderr,
               "usage: jwo-bench-ledger latency [--trials 100] [--warmup 3]\n"
               "       jwo-bench-ledger sync [--records 1000000] [--fa-rate 200] "
               "[--idle-seconds 20]\n");
  return 2;
}
