#include "tests/bench/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace jwo::bench {
namespace {

// 2^7 sub-buckets per octave bound the relative error by 1/128. Values below 2^8 get one
// bucket each; above, octave k (shift k) holds 128 buckets of width 2^k.
constexpr int kSubBucketBits = 7;
constexpr uint64_t kSubBucketCount = uint64_t{1} << kSubBucketBits;
constexpr int kMaxShift = 64 - (kSubBucketBits + 1);
constexpr size_t kBucketCount = (kMaxShift + 2) * kSubBucketCount;

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

size_t LatencyHistogram::BucketIndex(uint64_t nanos) {
  if (nanos < 2 * kSubBucketCount) return static_cast<size_t>(nanos);
  const int shift = std::bit_width(nanos) - (kSubBucketBits + 1);
  const uint64_t sub = nanos >> shift;  // in [128, 256)
  return static_cast<size_t>((shift + 1) * kSubBucketCount + (sub - kSubBucketCount));
}

uint64_t LatencyHistogram::BucketUpperEdge(size_t index) {
  if (index < 2 * kSubBucketCount) return index;
  const int shift = static_cast<int>(index / kSubBucketCount) - 1;
  const uint64_t sub = index % kSubBucketCount + kSubBucketCount;
  // For the top bucket (sub + 1) << shift wraps to 0, and 0 - 1 is the true edge, UINT64_MAX.
  return ((sub + 1) << shift) - 1;
}

void LatencyHistogram::Record(uint64_t nanos) {
  ++counts_[BucketIndex(nanos)];
  ++count_;
  min_ = std::min(min_, nanos);
  max_ = std::max(max_, nanos);
  sum_ += static_cast<long double>(nanos);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

double LatencyHistogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

uint64_t LatencyHistogram::Percentile(double percentile) const {
  if (count_ == 0) return 0;
  if (percentile >= 100.0) return max_;
  // The rank of the sample asked for, 1-based: the smallest r with r >= p% of count.
  const double wanted = std::ceil(percentile / 100.0 * static_cast<double>(count_));
  const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(wanted));
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(BucketUpperEdge(i), max_);
  }
  return max_;
}

}  // namespace jwo::bench
