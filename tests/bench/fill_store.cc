// jwo-bench-fill: fills a jwo-edge store with N shoppers for the gate benchmark.
//
//   jwo-bench-fill --state-dir DIR [--shoppers 1000000] [--debt-every 100] [--batch 50000]
//
// Shopper i is "shopper-%07d". Every shopper gets a record (a shopper seen before who owes
// nothing); shopper i with i % debt-every == 0 also owes 10.00 USD through a real debt record
// (ledger::AddDebt, so the balance, the debt and the gate's index commit together exactly as in
// production). jwo-loadgen uses the same
// naming rule, so its request mix hits known shoppers in the expected proportion.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ledger/ledger.h"
#include "store/env.h"
#include "store/gate_shoppers.h"

namespace {

[[noreturn]] void Usage() {
  std::fputs("usage: jwo-bench-fill --state-dir DIR [--shoppers N] [--debt-every K] [--batch B]\n",
             stderr);
  std::exit(2);
}

std::string ShopperId(long i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "shopper-%07ld", i);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  long shoppers = 1'000'000, debt_every = 100, batch = 50'000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) Usage();
    if (a == "--state-dir") {
      dir = argv[++i];
    } else if (a == "--shoppers") {
      shoppers = std::atol(argv[++i]);
    } else if (a == "--debt-every") {
      debt_every = std::atol(argv[++i]);
    } else if (a == "--batch") {
      batch = std::atol(argv[++i]);
    } else {
      Usage();
    }
  }
  if (dir.empty() || shoppers <= 0 || debt_every <= 0 || batch <= 0) Usage();

  jwo::store::EnvOptions options;
  options.directory = dir;
  options.map_size_bytes = 256ull << 20;
  auto env = jwo::store::Env::Open(options);
  if (!env.ok()) {
    std::fprintf(stderr, "jwo-bench-fill: %s\n", env.status().ToString().c_str());
    return 1;
  }
  const auto t0 = std::chrono::steady_clock::now();
  long debtors = 0;
  const jwo::store::ShopperRecord
      empty_record;  // seen before, owes nothing: not in the gate's index
  for (long start = 0; start < shoppers; start += batch) {
    const long end = std::min(shoppers, start + batch);
    jwo::core::Status s = (*env)->Write([&](jwo::store::WriteTxn& txn) {
      for (long i = start; i < end; ++i) {
        const std::string id = ShopperId(i);
        if (i % debt_every == 0) {
          jwo::store::DebtRecord d;
          d.shopper_id = id;
          d.trip_id = "bench-trip-" + std::to_string(i);
          d.amount = {1000, *jwo::core::FindCurrency("USD")};
          d.cause = jwo::store::DebtCause::kDeclinedAdjust;
          d.origin_store = "bench-store";
          d.created_ms = 1;
          if (auto st = jwo::ledger::AddDebt(txn, d, 1); !st.ok()) return st;
        } else if (auto st = jwo::store::PutShopper(txn, id, empty_record); !st.ok()) {
          return st;
        }
      }
      return jwo::core::Status::Ok();
    });
    if (!s.ok()) {
      std::fprintf(stderr, "jwo-bench-fill: %s\n", s.ToString().c_str());
      return 1;
    }
    for (long i = start; i < end; ++i) debtors += (i % debt_every == 0) ? 1 : 0;
    std::fprintf(stderr, "\r%ld / %ld shoppers", end, shoppers);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const jwo::store::EnvStats st = (*env)->Stats();
  std::fprintf(stderr, "\n");
  std::printf("filled %ld shoppers (%ld in debt) in %.1f s; store uses %.1f MiB\n", shoppers,
              debtors, secs, static_cast<double>(st.used_bytes) / (1 << 20));
  return 0;
}
