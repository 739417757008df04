// jwo-bench-payments: the money path's benchmarks (docs/performance.md, "Orders and payments").
//
//   jwo-bench-payments enqueue [--seconds 5] [--threads 8]
//       Durable outbox enqueue rate: each job commits one trip and its Adjust entry (what
//       Create Purchases commits) through the store Writer, closed loop from N threads.
//       Run with group commit (batch 256, the daemon's setting) and without (batch 1) in the
//       same go; prints both and the ratio.
//   jwo-bench-payments purchases [--carts 200] [--lines N] [--refuse-payments]
//       Create Purchases latency through the real jwo-edged over HTTP, sequential requests,
//       for 1-, 50-, 1,000- and 10,000-line carts (each answered only after its fsynced commit).
//       --refuse-payments: the simulator answers 503 to Adjust, Capture and Cancel, so no
//       payment answer rewrites a trip during the run (what the lifecycle's commits cost the
//       purchases' tail); the outbox is then not waited for between sizes.
//   jwo-bench-payments stages [--lines 1000] [--rounds 50]
//       Where a Create Purchases of N lines spends its CPU before the commit, in-process, on one
//       thread: parsing, the cart digest, pricing into the trip (BuildTrip), the lines' text,
//       the whole record (thread CPU per cart; fastest and median of the rounds).
//   jwo-bench-payments drain [--trips 3600]
//       Backlog drain: the trips of a 1-hour outage of a busy store are accepted while the
//       Payment Service simulator is down, then the simulator starts; prints the time until
//       every trip is captured (each trip = Adjust, Capture, Get Transactional Data, Get
//       Shopper Identity).
//   jwo-bench-payments expiry [--trips 2000] [--outbox 20000]
//       Mass pre-auth expiry (a WAN outage longer than the horizon): N overdue trips with an
//       outbox of M entries, expired in one ExpireTrips pass, against one call per trip (the
//       previous design: a whole-outbox scan per trip) on an identical store, in the same go.
//
// Numbers, not assertions: nothing here fails on a slow machine.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ordering/catalog.h"
#include "ordering/purchase_handler.h"
#include "ordering/purchase_request.h"
#include "payments/expiry.h"
#include "payments/lifecycle.h"
#include "store/env.h"
#include "store/writer.h"
#include "tests/bench/thread_cpu.h"
#include "tests/fakes/payment_sim_process.h"
#include "tests/integration/daemon_process.h"
#include "tests/integration/purchases.h"
#include "tests/support/http_client.h"

namespace {

using namespace jwo;
using Clock = std::chrono::steady_clock;
namespace json = boost::json;

int IntFlag(int argc, char** argv, const char* name, int fallback) {
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
  }
  return fallback;
}

bool HasFlag(int argc, char** argv, const char* name) {
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return true;
  }
  return false;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

struct Percentiles {
  double p50, p90, p99, max;
};
// Nearest-rank percentiles: the q-th is the smallest value with at least q of the samples at or
// below it (of 100 samples, p99 is the 99th smallest, not the largest).
Percentiles Summarize(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  auto at = [&](double q) {
    const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(us.size())));
    return us[std::clamp<size_t>(rank, 1, us.size()) - 1];
  };
  return {at(0.50), at(0.90), at(0.99), us.back()};
}

// --- enqueue -------------------------------------------------------------------------------

double EnqueueRate(size_t batch_max, int threads, int seconds, uint64_t& batches) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("jwo-bench-outbox-" + std::to_string(std::random_device{}()));
  store::EnvOptions options;
  options.directory = dir.string();
  options.map_size_bytes = 256ull << 20;
  auto env = store::Env::Open(options).value();
  store::Writer writer(*env, 65536, batch_max);
  writer.Start();
  payments::LifecyclePolicy policy;
  policy.store_id = "bench-store";
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> committed{0};
  std::vector<std::thread> workers;
  const auto t0 = Clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::mutex m;
      std::condition_variable cv;
      for (uint64_t i = 0; !stop; ++i) {
        auto trip = std::make_shared<store::TripRecord>();
        trip->trip_id = "t" + std::to_string(t) + "-" + std::to_string(i);
        trip->store_id = "bench-store";
        trip->shopper_id = "s" + std::to_string(i);
        trip->cart = {{"l1", "COLA", "SKU", "1", "unit", {}}};
        trip->currency = "USD";
        trip->total = trip->subtotal = 149;
        bool done = false;
        writer.Submit(
            [trip, policy](store::WriteTxn& txn) {
              return payments::StartTrip(txn, *trip, policy, 1);
            },
            [&](const core::Status&) {
              std::lock_guard lock(m);
              done = true;
              cv.notify_one();
            });
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return done; });
        ++committed;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  const double elapsed = Seconds(Clock::now() - t0);
  writer.Stop();
  batches = writer.GetStats().batches;
  env.reset();
  std::filesystem::remove_all(dir);
  return static_cast<double>(committed) / elapsed;
}

int Enqueue(int argc, char** argv) {
  const int seconds = IntFlag(argc, argv, "--seconds", 5);
  const int threads = IntFlag(argc, argv, "--threads", 8);
  uint64_t batches_single = 0, batches_group = 0;
  const double single = EnqueueRate(1, threads, seconds, batches_single);
  const double group = EnqueueRate(256, threads, seconds, batches_group);
  std::printf("outbox enqueue, %d threads, closed loop, %d s each, fsync per commit:\n", threads,
              seconds);
  std::printf("  one commit per trip (batch 1):    %8.0f trips/s  (%llu commits)\n", single,
              static_cast<unsigned long long>(batches_single));
  std::printf("  group commit (batch <= 256):      %8.0f trips/s  (%llu commits)\n", group,
              static_cast<unsigned long long>(batches_group));
  std::printf("  ratio group/single:               %8.2fx\n", group / single);
  return 0;
}

// --- the daemon with the simulator -----------------------------------------------------------

std::string BenchCatalog(int items) {
  std::string c =
      "currency: USD\nrounding: {mode: half_up, level: line}\ntaxes:\n  rates:\n"
      "    state: {name: State, percent: 6.25}\n  categories:\n    general: [state]\n"
      "items:\n";
  for (int i = 0; i < items; ++i) {
    c += "  - {sku: SKU" + std::to_string(i) + ", name: Item " + std::to_string(i) +
         ", price: " + std::to_string(1 + i % 20) + ".99, tax_category: general}\n";
  }
  return c;
}

std::unique_ptr<testing::DaemonProcess> StartDaemon(
    uint16_t sim_port, const std::vector<std::pair<std::string, std::string>>& replace = {}) {
  std::string cfg = testing::PaymentsConfig(sim_port);
  for (const auto& [from, to] : replace) cfg.replace(cfg.find(from), from.size(), to);
  const std::string quiet = "  level: info";
  cfg.replace(cfg.find(quiet), quiet.size(), "  level: warning");
  auto d = std::make_unique<testing::DaemonProcess>(cfg);
  std::ofstream(d->dir() / "catalog.yaml") << BenchCatalog(1000);
  std::ofstream(d->dir() / "aws-credentials")
      << "[default]\naws_access_key_id = " << testing::kSimAccessKeyId
      << "\naws_secret_access_key = " << testing::kSimSecretAccessKey << "\n";
  if (!d->Start()) {
    std::fprintf(stderr, "jwo-edged did not start:\n%s\n", d->Stderr().c_str());
    std::exit(1);
  }
  return d;
}

std::vector<testing::Item> Cart(int lines) {
  std::vector<testing::Item> items;
  for (int i = 0; i < lines; ++i) items.emplace_back("SKU" + std::to_string(i % 1000), "1");
  return items;
}

// --- the stages of one Create Purchases, in-process -------------------------------------------

int Stages(int argc, char** argv) {
  const int lines = IntFlag(argc, argv, "--lines", 1000);
  const int rounds = std::max(1, IntFlag(argc, argv, "--rounds", 50));
  auto catalog = ordering::Catalog::LoadYaml(BenchCatalog(1000), "bench catalog");
  if (!catalog.ok()) {
    std::fprintf(stderr, "catalog: %s\n", catalog.status().ToString().c_str());
    return 1;
  }
  const std::string body = testing::PurchaseBody("stages-trip", Cart(lines), "shopper-1");
  // ns of thread CPU per call of each stage, per round.
  std::vector<std::vector<double>> ns(5);
  size_t record_bytes = 0;
  for (int r = 0; r < rounds; ++r) {
    int64_t t = bench::ThreadCpuNs();
    const auto lap = [&t](std::vector<double>& out) {
      const int64_t now = bench::ThreadCpuNs();
      out.push_back(static_cast<double>(now - t));
      t = now;
    };
    auto req = ordering::ParsePurchaseRequest(body);
    if (!req.ok()) {
      std::fprintf(stderr, "parse: %s\n", req.status().ToString().c_str());
      return 1;
    }
    lap(ns[0]);
    [[maybe_unused]] const std::string digest = ordering::CartDigest(req->cart);
    lap(ns[1]);
    store::TripRecord trip = ordering::BuildTrip(*req, catalog->get(), 1);
    lap(ns[2]);
    store::HoldLinesAsText(trip);
    lap(ns[3]);
    const std::string record = store::EncodeTrip(trip);
    lap(ns[4]);
    record_bytes = record.size();
  }
  const char* names[] = {"parse", "digest", "price (BuildTrip)", "lines' text", "record"};
  std::printf(
      "Create Purchases stages for a %d-line cart (%zu-byte body, %zu-byte trip record), "
      "thread CPU, %d rounds:\n",
      lines, body.size(), record_bytes, rounds);
  std::printf("  %-20s %10s %10s\n", "stage", "fastest us", "median us");
  double total = 0;
  for (size_t i = 0; i < ns.size(); ++i) {
    std::sort(ns[i].begin(), ns[i].end());
    total += ns[i][ns[i].size() / 2];
    std::printf("  %-20s %10.0f %10.0f\n", names[i], ns[i].front() / 1e3,
                ns[i][ns[i].size() / 2] / 1e3);
  }
  std::printf("  %-20s %10s %10.0f\n", "sum of medians", "", total / 1e3);
  return 0;
}

int Purchases(int argc, char** argv) {
  const int carts = IntFlag(argc, argv, "--carts", 200);
  testing::PaymentSimProcess sim({"--quiet"});
  if (!sim.Start().ok()) return 1;
  // A 10,000-line cart is about 1.2 MiB: above the default http.max_body_bytes (1 MiB). The
  // store starts at its production size (1 GiB), not the tests' 16 MiB, whose growth while the
  // large carts arrive (a remap that waits for every reader) was the slowest answers' cause.
  auto d = StartDaemon(sim.port(), {{"  threads: 2", "  threads: 2\n  max_body_bytes: 4194304"},
                                    {"  map_size_mib: 16", "  map_size_mib: 1024"}});
  auto client = testing::HttpClient::Connect("127.0.0.1", d->Port());
  const bool refuse_payments = HasFlag(argc, argv, "--refuse-payments");
  if (refuse_payments) {
    auto sim_client = testing::HttpClient::Connect("127.0.0.1", sim.port());
    auto set =
        sim_client->Send("POST", "/_sim/faults",
                         R"({"faults":[{"api":"adjust","kind":"503"},)"
                         R"({"api":"capture","kind":"503"},{"api":"cancel","kind":"503"}]})");
    if (!set.ok() || set->status != 200) {
      std::fprintf(stderr, "the simulator did not take the faults\n");
      return 1;
    }
    std::printf("payment calls refused (503): no payment answer rewrites a trip during the run\n");
  }
  std::printf(
      "Create Purchases latency, sequential, keep-alive, answer after fsync (2 carts of each size "
      "first, not measured):\n");
  std::printf("  %-10s %6s %9s %9s %9s %9s\n", "lines", "carts", "p50 us", "p90 us", "p99 us",
              "max us");
  int trip = 0;
  // Four sizes, to show how the cost grows with the cart (issue "Hot paths": linear and small
  // per line); fewer carts of the large ones.
  // --lines N measures only that size, --carts of it (for a profile of one size).
  const int only = IntFlag(argc, argv, "--lines", 0);
  std::vector<int> sizes{1, 50, 1000, 10000};
  if (only > 0) sizes = {only};
  for (int lines : sizes) {
    const int n = only > 0         ? carts
                  : lines == 10000 ? std::max(5, carts / 20)
                  : lines == 1000  ? std::max(20, carts / 4)
                                   : carts;
    std::vector<double> us;
    // The first carts of a size are not measured: they grow the connection's buffers, the
    // allocator's pools and the store's pages to that size once, which no later cart repeats.
    constexpr int kWarmup = 2;
    for (int i = -kWarmup; i < n; ++i) {
      const std::string body = testing::PurchaseBody("bench-" + std::to_string(trip++), Cart(lines),
                                                     "shopper-" + std::to_string(i + kWarmup));
      const auto t0 = Clock::now();
      auto r = client->Post("/v1/order/purchases", body);
      if (i >= 0) us.push_back(Seconds(Clock::now() - t0) * 1e6);
      if (!r.ok() || r->status != 201) {
        std::fprintf(stderr, "purchase failed: %s\n", r.ok() ? r->body.c_str() : "transport");
        return 1;
      }
    }
    const Percentiles p = Summarize(us);
    // Each size starts from a quiet daemon: the payment calls of the carts just sent (Adjust,
    // Capture: commits of their own) finish before the next size, which they would otherwise
    // slow down — hundreds of trips in a few seconds is no store's rate.
    const auto q0 = Clock::now();
    for (; !refuse_payments;) {
      const json::value st = json::parse(d->Ctl({"--json", "status"}).output);
      if (st.at("result").at("outbox").at("queued").to_number<int64_t>() == 0) break;
      if (Seconds(Clock::now() - q0) > 300) {
        std::fprintf(stderr, "the outbox did not drain in 5 minutes\n");
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::printf("  %-10d %6d %9.0f %9.0f %9.0f %9.0f", lines, n, p.p50, p.p90, p.p99, p.max);
    if (refuse_payments) {
      std::printf("   (payments refused: the outbox keeps its entries)\n");
    } else {
      std::printf("   (then %.1f s until the outbox drained)\n", Seconds(Clock::now() - q0));
    }
  }
  return 0;
}

int Drain(int argc, char** argv) {
  const int trips = IntFlag(argc, argv, "--trips", 3600);
  // Reserve a port for the simulator, then keep it down while the backlog builds.
  uint16_t port = 0;
  {
    testing::PaymentSimProcess probe({"--quiet"});
    if (!probe.Start().ok()) return 1;
    port = probe.port();
    probe.Signal(SIGTERM);
    probe.WaitExit();
  }
  // Retries back off to at most 1 s here so the measurement shows the sending rate, not the
  // backoff: with the default 5-minute cap a store waits up to 5 minutes more after the WAN
  // returns before the first retry of each entry.
  auto d = StartDaemon(port, {{"retry_cap_ms: 400", "retry_cap_ms: 1000\n  max_connections: 8"}});
  auto client = testing::HttpClient::Connect("127.0.0.1", d->Port());
  const auto e0 = Clock::now();
  for (int i = 0; i < trips; ++i) {
    auto r = client->Post("/v1/order/purchases",
                          testing::PurchaseBody("drain-" + std::to_string(i), Cart(5),
                                                "shopper-" + std::to_string(i)));
    if (!r.ok() || r->status != 201) return 1;
  }
  const double enqueue_s = Seconds(Clock::now() - e0);
  testing::PaymentSimProcess sim({"--quiet", "--listen", "127.0.0.1:" + std::to_string(port)});
  const auto t0 = Clock::now();
  if (!sim.Start().ok()) return 1;
  for (;;) {
    auto st = d->Ctl({"--json", "status"});
    const json::value doc = json::parse(st.output);
    const auto& outbox = doc.at("result").at("outbox");
    if (outbox.at("queued").to_number<int64_t>() == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (Seconds(Clock::now() - t0) > 1800) {
      std::fprintf(stderr, "drain did not finish in 30 minutes\n");
      return 1;
    }
  }
  const double drain_s = Seconds(Clock::now() - t0);
  // Check the result, not just an empty queue: every trip captured, nothing dead-lettered.
  auto list = d->Ctl({"--json", "trip", "list", "captured", "--limit", "1000000"});
  const json::value captured = json::parse(list.output);
  const size_t n_captured = captured.at("result").at("trips").as_array().size();
  const json::value status = json::parse(d->Ctl({"--json", "status"}).output);
  const int64_t dead = status.at("result").at("outbox").at("dead_letters").to_number<int64_t>();
  if (n_captured != static_cast<size_t>(trips) || dead != 0) {
    std::fprintf(stderr, "drain incomplete: %zu of %d captured, %lld dead letters\n", n_captured,
                 trips, static_cast<long long>(dead));
    return 1;
  }
  std::printf("backlog drain: %d trips (5 lines each) accepted during the outage in %.1f s;\n",
              trips, enqueue_s);
  std::printf(
      "  drained in %.1f s after the Payment Service returned: %.0f trips/s, "
      "%.0f calls/s (4 calls per trip)\n",
      drain_s, trips / drain_s, 4 * trips / drain_s);
  return 0;
}

// --- expiry ------------------------------------------------------------------------------------

// A store with `trips` unsettled trips (each with its Adjust queued) and `outbox` entries in all.
std::unique_ptr<store::Env> ExpiryStore(const std::filesystem::path& dir, int trips, int outbox,
                                        std::vector<std::string>& ids) {
  store::EnvOptions options;
  options.directory = dir.string();
  options.map_size_bytes = 256ull << 20;
  options.sync = false;  // the setup is not what is measured
  auto env = store::Env::Open(options).value();
  payments::LifecyclePolicy policy;
  policy.store_id = "bench-store";
  ids.clear();
  (void)env->Write([&](store::WriteTxn& txn) {
    for (int i = 0; i < std::max(trips, outbox); ++i) {
      store::TripRecord t;
      t.trip_id = "x" + std::to_string(i);
      t.shopper_id = "s" + std::to_string(i);
      t.cart = {{"l1", "COLA", "SKU", "1", "unit", {}}};
      t.currency = "USD";
      t.total = t.subtotal = 149;
      t.created_ms = i < trips ? 1 : 1'000'000'000;  // only the first `trips` are overdue
      if (auto s = payments::StartTrip(txn, t, policy, t.created_ms); !s.ok()) return s;
      if (i < trips) ids.push_back(t.trip_id);
    }
    return core::Status::Ok();
  });
  return env;
}

int Expiry(int argc, char** argv) {
  const int trips = IntFlag(argc, argv, "--trips", 2000);
  const int outbox = IntFlag(argc, argv, "--outbox", 20000);
  payments::LifecyclePolicy policy;
  policy.store_id = "bench-store";
  auto run = [&](bool one_pass) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("jwo-bench-expiry-" + std::to_string(std::random_device{}()));
    std::vector<std::string> ids;
    auto env = ExpiryStore(dir, trips, outbox, ids);
    const auto t0 = Clock::now();
    core::Status s = env->Write([&](store::WriteTxn& txn) -> core::Status {
      if (one_pass) return payments::ExpireTrips(txn, ids, policy, 10'000'000).status();
      for (const std::string& id : ids) {
        if (auto r = payments::ExpireTrips(txn, {id}, policy, 10'000'000); !r.ok()) {
          return r.status();
        }
      }
      return core::Status::Ok();
    });
    const double secs = Seconds(Clock::now() - t0);
    env.reset();
    std::filesystem::remove_all(dir);
    if (!s.ok()) {
      std::fprintf(stderr, "expiry failed: %s\n", s.ToString().c_str());
      std::exit(1);
    }
    return secs;
  };
  const double per_trip = run(false);
  const double pass = run(true);
  std::printf("pre-auth expiry of %d overdue trips, outbox of %d entries, one commit:\n", trips,
              std::max(trips, outbox));
  std::printf("  a scan per trip (previous design): %8.3f s\n", per_trip);
  std::printf("  one pass (ExpireTrips):            %8.3f s\n", pass);
  std::printf("  ratio:                             %8.1fx\n", per_trip / pass);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "";
  if (what == "enqueue") return Enqueue(argc, argv);
  if (what == "purchases") return Purchases(argc, argv);
  if (what == "stages") return Stages(argc, argv);
  if (what == "drain") return Drain(argc, argv);
  if (what == "expiry") return Expiry(argc, argv);
  std::fprintf(stderr,
               "usage: jwo-bench-payments enqueue|purchases|stages|drain|expiry [options]\n");
  return 2;
}
