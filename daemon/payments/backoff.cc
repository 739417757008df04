#include "payments/backoff.h"

#include <algorithm>
#include <charconv>

namespace jwo::payments {

int64_t RetryDelayMs(uint32_t attempts, int64_t base_ms, int64_t cap_ms,
                     std::string_view retry_after, uint64_t random) {
  const int shift = static_cast<int>(std::min<uint32_t>(attempts, 20));
  const int64_t ceiling = std::max<int64_t>(0, std::min(cap_ms, base_ms << shift));
  // At least half the ceiling, so retries spread out without collapsing to zero.
  const int64_t delay =
      ceiling / 2 + static_cast<int64_t>(random % static_cast<uint64_t>(ceiling / 2 + 1));
  int64_t seconds = 0;
  int64_t floor_ms = 0;
  if (!retry_after.empty() &&
      std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds).ec ==
          std::errc{} &&
      seconds > 0) {
    floor_ms = std::min<int64_t>(seconds, 3600) * 1000;
  }
  return std::max(delay, floor_ms);
}

}  // namespace jwo::payments
