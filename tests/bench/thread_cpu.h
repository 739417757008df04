// Thread CPU time, for the in-process benchmarks (jwo-bench-fa-handler, jwo-bench-payments
// stages): what one thread spent, whatever else the machine ran meanwhile.
#pragma once

#include <time.h>

#include <cstdint>

namespace jwo::bench {

inline int64_t ThreadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace jwo::bench
