// LatencyHistogram: a log-linear histogram of durations in nanoseconds, laid out like
// HdrHistogram (128 linear sub-buckets per power of two), so that any percentile it reports is
// at most 1/128 (< 0.8 %) above the true sample value while recording costs a few instructions
// and a fixed 58 KiB whatever the sample count.
//
// Thread-safety: none. Each load thread owns its histograms; they are merged after the
// threads have joined.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace jwo::bench {

class LatencyHistogram {
 public:
  LatencyHistogram();

  // Counts one sample. Any value is accepted; values below 256 ns are kept exactly.
  void Record(uint64_t nanos);

  // Adds every sample of `other` to this histogram.
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  // Exact extremes of the recorded samples; 0 when empty.
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  // Exact arithmetic mean; 0 when empty.
  double mean() const;

  // The value at or below which `percentile` percent (0 < percentile <= 100) of the samples
  // lie: the upper edge of the bucket holding that rank, capped at the exact maximum, so the
  // answer is never below the true sample and at most 1/128 above it. 0 when empty.
  uint64_t Percentile(double percentile) const;

 private:
  static size_t BucketIndex(uint64_t nanos);
  static uint64_t BucketUpperEdge(size_t index);

  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace jwo::bench
