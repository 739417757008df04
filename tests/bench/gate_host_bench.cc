// jwo-bench-gate-host: what the daemon's side of a driver's emit() costs, on the first card tap
// of a process and after it (docs/performance.md, "Gate host"). A driver call is charged with
// everything the host does inside it, so a slow host shows up as a slow driver.
//
//   jwo-bench-gate-host [--taps N]
//
// Prints the DriverHost construction time, the first tap's emit, and the median and p99 of the
// next N taps, in microseconds. Run it as a fresh process each time (the first-use costs are
// per process): for i in 1 2 3 4 5; do build/tests/bench/jwo-bench-gate-host; done
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "gate/driver_host.h"

namespace {

using Clock = std::chrono::steady_clock;

double MicrosSince(Clock::time_point t) {
  return std::chrono::duration<double, std::micro>(Clock::now() - t).count();
}

double Emit(const jwo_hal_host_t* host, int i) {
  const std::string card = "card-token-" + std::to_string(i);
  jwo_hal_event_t e{};
  e.struct_size = sizeof e;
  e.type = JWO_HAL_EVENT_CARD_TAPPED;
  e.lane = 1;
  e.data = reinterpret_cast<const uint8_t*>(card.data());
  e.data_size = card.size();
  const Clock::time_point t = Clock::now();
  host->emit(host->context, &e);
  return MicrosSince(t);
}

}  // namespace

int main(int argc, char** argv) {
  int taps = 1000;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--taps") == 0 && i + 1 < argc) {
      taps = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: jwo-bench-gate-host [--taps N]\n");
      return 2;
    }
  }
  Clock::time_point t = Clock::now();
  jwo::gate::DriverHost host("bench", 1 << 20, nullptr);
  const double construct_us = MicrosSince(t);
  const jwo_hal_host_t* table = host.table();
  const double first_us = Emit(table, 0);
  std::vector<double> next;
  next.reserve(taps);
  for (int i = 1; i <= taps; ++i) next.push_back(Emit(table, i));
  std::sort(next.begin(), next.end());
  std::printf(
      "gate host: construct %.1f us, first tap emit %.1f us, next %d taps median %.2f us, "
      "p99 %.2f us, max %.2f us (budget per driver call %d us)\n",
      construct_us, first_us, taps, next[next.size() / 2], next[next.size() * 99 / 100],
      next.back(), JWO_HAL_CALL_BUDGET_US);
  return host.TakeEvents().size() == static_cast<size_t>(taps) + 1 ? 0 : 1;
}
