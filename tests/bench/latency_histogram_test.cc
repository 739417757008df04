#include "tests/bench/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <catch2/catch_test_macros.hpp>

namespace jwo::bench {
namespace {

TEST_CASE("an empty histogram reports zeros", "[histogram]") {
  LatencyHistogram h;
  CHECK(h.count() == 0);
  CHECK(h.min() == 0);
  CHECK(h.max() == 0);
  CHECK(h.mean() == 0);
  CHECK(h.Percentile(99) == 0);
}

TEST_CASE("small values are kept exactly", "[histogram]") {
  LatencyHistogram h;
  for (uint64_t v = 0; v < 256; ++v) h.Record(v);
  CHECK(h.Percentile(50) == 127);
  CHECK(h.Percentile(100) == 255);
  CHECK(h.min() == 0);
}

TEST_CASE("percentiles are within 1/128 above the true sample", "[histogram]") {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> spread(11.0, 1.5);  // ~60 us median, long tail
  std::vector<uint64_t> samples;
  LatencyHistogram h;
  for (int i = 0; i < 200000; ++i) {
    const auto v = static_cast<uint64_t>(spread(rng)) + 1;
    samples.push_back(v);
    h.Record(v);
  }
  std::sort(samples.begin(), samples.end());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * samples.size()));
    const uint64_t truth = samples[rank - 1];
    const uint64_t reported = h.Percentile(p);
    INFO("p" << p << " truth " << truth << " reported " << reported);
    CHECK(reported >= truth);
    CHECK(static_cast<double>(reported - truth) <= static_cast<double>(truth) / 128.0);
  }
  CHECK(h.Percentile(100) == samples.back());
  CHECK(h.max() == samples.back());
  CHECK(h.min() == samples.front());
}

TEST_CASE("the largest values fit", "[histogram]") {
  LatencyHistogram h;
  h.Record(UINT64_MAX);
  h.Record(uint64_t{1} << 63);
  CHECK(h.Percentile(50) >= uint64_t{1} << 63);
  CHECK(h.Percentile(100) == UINT64_MAX);
}

TEST_CASE("merging equals recording everything in one", "[histogram]") {
  LatencyHistogram a;
  LatencyHistogram b;
  LatencyHistogram both;
  for (uint64_t v = 1000; v < 50000; v += 7) {
    (v % 3 == 0 ? a : b).Record(v);
    both.Record(v);
  }
  a.Merge(b);
  CHECK(a.count() == both.count());
  CHECK(a.min() == both.min());
  CHECK(a.max() == both.max());
  for (double p : {50.0, 90.0, 99.0, 99.9}) CHECK(a.Percentile(p) == both.Percentile(p));
  CHECK(a.mean() == both.mean());
}

}  // namespace
}  // namespace jwo::bench
