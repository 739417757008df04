// The retry delay of an outbox entry: capped exponential backoff with "equal jitter", and
// Retry-After honoured as a floor. A pure function of its inputs (the random draw is passed
// in), so tests can pin it. Any thread.
#pragma once

#include <cstdint>
#include <string_view>

namespace jwo::payments {

// Delay before attempt `attempts + 1` after `attempts` failed ones: a ceiling of
// min(cap, base * 2^attempts); the delay is uniform in [ceiling/2, ceiling] as chosen by
// `random` (any 64-bit value). A Retry-After of N seconds (`retry_after`, decimal, <= 1 hour)
// raises the delay to at least N s. Never negative.
int64_t RetryDelayMs(uint32_t attempts, int64_t base_ms, int64_t cap_ms,
                     std::string_view retry_after, uint64_t random);

}  // namespace jwo::payments
