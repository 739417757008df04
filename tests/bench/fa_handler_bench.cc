// jwo-bench-fa-handler: the gate decision's own CPU cost, without the network.
//
//   jwo-bench-fill --state-dir DIR --shoppers 1000000          # once
//   jwo-bench-fa-handler --state-dir DIR [--shoppers 1000000] [--debt-every 100]
//                        [--requests 200000] [--rounds 5]
//
// run_fa_bench.sh measures the daemon through loopback TCP, where the kernel's share and the
// load generator's are most of the cost and vary by machine (docs/performance.md). This tool
// calls the parts of the decision path directly, on one thread, over the same request mix
// jwo-loadgen sends (random shoppers, 1 in K in debt), against a real store, and prints the
// thread CPU time per request of each part (the fastest round and the median one):
//   parse    ParseAuthorizationRequest (JSON, validation)
//   read     the gate's read of one shopper in a reused read transaction
//            (store::ReadShopperForGate: the gate's filter, then for a "maybe" the index,
//            then the record for a debtor)
//   txn      the read transaction alone (Env::Read of nothing: LMDB's renew and reset)
//   index    the same read without the filter (the index for every shopper), as the gate
//            read before schema 8: the baseline the filter is measured against in one run
//   handle   AuthorizationHandler::Handle: the above, Decide, the answer, the metrics, and the
//            audit record queued to a DecisionLog writing to the same store (its thread's CPU
//            is not counted: it is not on the answering thread)
// and checks every answer against the debt rule, so a faster build that answers differently
// fails the run (exit status 1).
//
// With --evict-kib N, every call is preceded by writes to N KiB of another buffer, and timed by
// itself (the clock's own cost, measured the same way around nothing, subtracted): the daemon
// under load calls the gate with caches that the kernel's network stack and the other
// connections' work have just used, and a read that is cheap with warm caches can cost a
// microsecond of misses there. Use fewer --requests (each eviction costs tens of microseconds).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "config/config_holder.h"
#include "core/clock.h"
#include "core/log.h"
#include "fa/decision_log.h"
#include "fa/handler.h"
#include "fa/metrics.h"
#include "fa/request.h"
#include "shopper_request.h"
#include "store/env.h"
#include "store/gate_shoppers.h"
#include "store/records.h"
#include "tests/bench/thread_cpu.h"

namespace {

using namespace jwo;

[[noreturn]] void Usage() {
  std::fputs(
      "usage: jwo-bench-fa-handler --state-dir DIR [--shoppers N] [--debt-every K] "
      "[--requests R] [--rounds N] [--evict-kib N]\n",
      stderr);
  std::exit(2);
}

// Runs `fn(i)` for every request index, `rounds` times; ns of thread CPU per call in the fastest
// round (interference from the rest of the machine only ever adds) and the median round.
// With `evict` non-empty: each call after writing over `evict`, timed by itself (see the top).
struct PerCall {
  double fastest = 0;
  double median = 0;
};
template <typename Fn>
PerCall NsPerCall(size_t requests, int rounds, std::vector<char>& evict, Fn fn) {
  std::vector<double> per_call;
  for (int r = 0; r < rounds; ++r) {
    if (evict.empty()) {
      const int64_t t0 = bench::ThreadCpuNs();
      for (size_t i = 0; i < requests; ++i) fn(i);
      per_call.push_back(static_cast<double>(bench::ThreadCpuNs() - t0) /
                         static_cast<double>(requests));
      continue;
    }
    int64_t total = 0;
    for (size_t i = 0; i < requests; ++i) {
      std::memset(evict.data(), static_cast<int>(i), evict.size());
      const auto t0 = std::chrono::steady_clock::now();
      fn(i);
      total += (std::chrono::steady_clock::now() - t0).count();
    }
    per_call.push_back(static_cast<double>(total) / static_cast<double>(requests));
  }
  std::sort(per_call.begin(), per_call.end());
  return {per_call.front(), per_call[per_call.size() / 2]};
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  long shoppers = 1'000'000, debt_every = 100, requests = 200'000, rounds = 5, evict_kib = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) Usage();
    const char* v = argv[++i];
    if (a == "--state-dir") {
      dir = v;
    } else if (a == "--shoppers") {
      shoppers = std::atol(v);
    } else if (a == "--debt-every") {
      debt_every = std::atol(v);
    } else if (a == "--requests") {
      requests = std::atol(v);
    } else if (a == "--rounds") {
      rounds = std::atol(v);
    } else if (a == "--evict-kib") {
      evict_kib = std::atol(v);
    } else {
      Usage();
    }
  }
  if (dir.empty() || shoppers < 2 || debt_every < 1 || requests < 1 || rounds < 1 ||
      evict_kib < 0) {
    Usage();
  }

  core::SetLogLevel(core::LogLevel::kWarning);  // a denial logs at info: not what is measured
  store::EnvOptions options;
  options.directory = dir;
  options.map_size_bytes = 2048ull << 20;
  auto opened = store::Env::Open(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "jwo-bench-fa-handler: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<store::Env> env = std::move(opened).value();

  // The request mix jwo-loadgen sends: bodies built up front, so only the handler is timed.
  bench::RequestSpec spec;
  spec.shoppers = static_cast<uint64_t>(shoppers);
  spec.debt_every = static_cast<uint64_t>(debt_every);
  bench::RequestSource source(spec);
  std::vector<http::Request> templates(static_cast<size_t>(requests));
  std::vector<bool> in_debt(templates.size());
  for (size_t i = 0; i < templates.size(); ++i) {
    const bench::OutgoingRequest out = source.Next();
    const std::string_view bytes = out.bytes;
    templates[i].method = "POST";
    templates[i].path = templates[i].target = "/v1/fraudandabuse/shopperauthorization";
    templates[i].body = std::string(bytes.substr(bytes.find("\r\n\r\n") + 4));
    in_debt[i] = out.in_debt;
  }

  auto cfg = std::make_shared<config::Config>();
  cfg->store_id = "bench-store";
  cfg->fa.thresholds["USD"] = 1;
  config::ConfigHolder holder(cfg);
  std::atomic<store::Env*> env_ptr{env.get()};
  fa::FaMetrics metrics;
  fa::DecisionLog decision_log(cfg->audit);
  decision_log.Attach(env.get());
  core::SystemClock clock;
  fa::AuthorizationHandler handler(
      {&holder, &env_ptr, &decision_log, &metrics, &clock, [](const auto&, const auto&) {}});

  std::vector<char> evict(static_cast<size_t>(evict_kib) * 1024);
  // The clock's own cost in the evicting mode, taken off every part's figure.
  const PerCall clock_cost =
      evict.empty() ? PerCall{} : NsPerCall(templates.size(), 3, evict, [](size_t) {});
  const auto timed = [&](auto fn) {
    PerCall p = NsPerCall(templates.size(), static_cast<int>(rounds), evict, fn);
    p.fastest -= clock_cost.fastest;
    p.median -= clock_cost.fastest;
    return p;
  };

  size_t bad = 0;
  fa::AuthorizationRequest parsed;  // reused, as the handler reuses one per thread
  const PerCall parse = timed([&](size_t i) {
    if (!fa::ParseAuthorizationRequest(templates[i].body, parsed).ok()) ++bad;
  });
  std::vector<std::string> shopper_ids;
  for (const http::Request& r : templates) {
    shopper_ids.push_back(fa::ParseAuthorizationRequest(r.body)->shopper_id);
  }
  // The read transaction alone: what every read pays before it looks anything up.
  const PerCall txn = timed([&](size_t) {
    if (!env->Read([](const store::ReadTxn&) { return core::Status::Ok(); }).ok()) ++bad;
  });
  size_t read_debtors = 0, index_debtors = 0;
  const PerCall read = timed([&](size_t i) {
    core::Status s = env->Read([&](const store::ReadTxn& txn) {
      auto rec = store::ReadShopperForGate(txn, shopper_ids[i]);
      if (!rec.ok()) ++bad;
      if (rec.ok() && rec->has_value()) ++read_debtors;
      return core::Status::Ok();
    });
    if (!s.ok()) ++bad;
  });
  // The read before the filter: the index for every shopper, the record on a hit.
  const PerCall index = timed([&](size_t i) {
    core::Status s = env->Read([&](const store::ReadTxn& txn) {
      auto indexed = txn.Get(store::Table::kGateShoppers, shopper_ids[i]);
      if (!indexed.ok()) return indexed.status();
      if (!indexed->has_value()) return core::Status::Ok();
      auto bytes = txn.Get(store::Table::kShoppers, shopper_ids[i]);
      if (!bytes.ok() || !bytes->has_value() || !store::DecodeShopper(**bytes).ok()) ++bad;
      ++index_debtors;
      return core::Status::Ok();
    });
    if (!s.ok()) ++bad;
  });
  if (read_debtors != index_debtors) ++bad;  // the filter must not hide a debtor
  size_t mismatched = 0;
  const PerCall handle = timed([&](size_t i) {
    const http::Response response = handler.Handle(templates[i]);
    const bool denied = response.body.find("\"DENIED\"") != std::string::npos;
    if (response.status != 200) ++bad;
    if (denied != in_debt[i]) ++mismatched;
  });
  decision_log.Stop();
  const fa::DecisionLogStats log = decision_log.Stats();

  std::printf("jwo-bench-fa-handler: %ld shoppers (1 in %ld in debt), %ld requests x %ld rounds\n",
              shoppers, debt_every, requests, rounds);
  if (!evict.empty()) {
    std::printf(
        "each call after writing %ld KiB elsewhere, timed alone (clock %.0f ns, taken off)\n",
        evict_kib, clock_cost.fastest);
  }
  std::printf(
      "%s per request, fastest / median round: parse %.0f / %.0f ns, read %.0f / %.0f ns "
      "(index only %.0f / %.0f ns, %.2fx; the transaction alone %.0f / %.0f ns), handle "
      "%.0f / %.0f ns\n",
      evict.empty() ? "thread CPU" : "time", parse.fastest, parse.median, read.fastest, read.median,
      index.fastest, index.median, read.median / index.median, txn.fastest, txn.median,
      handle.fastest, handle.median);
  std::printf(
      "decision log: %lu written, %lu dropped; %zu errors, %zu answers disagree with "
      "the store\n",
      static_cast<unsigned long>(log.written), static_cast<unsigned long>(log.dropped), bad,
      mismatched);
  return bad == 0 && mismatched == 0 ? 0 : 1;
}
