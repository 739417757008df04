// jwo-money-sim: runs the deterministic money-path simulation (money_sim.h) over a range of
// seeds, or replays one seed with a trace of every event.
//
//   jwo-money-sim --seeds 1-1000000 [--trips N] [--resend]   long run, progress every 10 s
//   jwo-money-sim --seed 4242 --trace                        replay one seed
//
// Exit status: 0 every seed held every invariant, 1 a seed broke one (its replay command is
// printed), 2 usage error.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/payments/sim/money_sim.h"

namespace {

int Usage() {
  std::fputs("usage: jwo-money-sim (--seed N | --seeds FROM-TO) [--trips N] [--resend] [--trace]\n",
             stderr);
  return 2;
}

bool ParseU64(const char* text, uint64_t* out) {
  char* end = nullptr;
  *out = std::strtoull(text, &end, 10);
  return end != text && *end == '\0';
}

}  // namespace

int main(int argc, char** argv) {
  jwo::sim::SimOptions o;
  uint64_t from = 1, to = 0;
  bool have_range = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    uint64_t v = 0;
    if (a == "--seed" && i + 1 < argc && ParseU64(argv[++i], &v)) {
      from = to = v;
      have_range = true;
    } else if (a == "--seeds" && i + 1 < argc) {
      const std::string r = argv[++i];
      const size_t dash = r.find('-');
      if (dash == std::string::npos || !ParseU64(r.substr(0, dash).c_str(), &from) ||
          !ParseU64(r.substr(dash + 1).c_str(), &to) || to < from) {
        return Usage();
      }
      have_range = true;
    } else if (a == "--trips" && i + 1 < argc && ParseU64(argv[++i], &v) && v > 0 && v < 10000) {
      o.trips = static_cast<int>(v);
    } else if (a == "--resend") {
      o.resend_unknown_captures = true;
    } else if (a == "--trace") {
      o.trace = true;
    } else {
      return Usage();
    }
  }
  if (!have_range) return Usage();
  const auto start = std::chrono::steady_clock::now();
  auto last = start;
  uint64_t runs = 0, events = 0, crashes = 0, unknown = 0, calls = 0;
  for (uint64_t seed = from; seed <= to; ++seed) {
    o.seed = seed;
    const jwo::sim::SimReport r = jwo::sim::RunSeed(o);
    ++runs;
    events += r.events;
    crashes += r.crashes;
    unknown += r.unknown_captures;
    calls += r.calls;
    if (!r.ok) {
      std::printf("seed %llu FAILED: %s\nreplay: %s\n", static_cast<unsigned long long>(seed),
                  r.failure.c_str(), jwo::sim::ReplayCommand(o).c_str());
      return 1;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - last > std::chrono::seconds(10) || seed == to) {
      last = now;
      const double secs = std::chrono::duration<double>(now - start).count();
      std::printf(
          "%llu seeds ok (%.0f seeds/s): %llu events, %llu service calls, %llu crashes, "
          "%llu unknown captures held\n",
          static_cast<unsigned long long>(runs), runs / secs,
          static_cast<unsigned long long>(events), static_cast<unsigned long long>(calls),
          static_cast<unsigned long long>(crashes), static_cast<unsigned long long>(unknown));
      std::fflush(stdout);
    }
    if (seed == UINT64_MAX) break;
  }
  return 0;
}
