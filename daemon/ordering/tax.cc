#include "ordering/tax.h"

#include <algorithm>
#include <cassert>

namespace jwo::ordering {
namespace {

// One line's share of one rate at total level.
struct Share {
  size_t line;
  size_t slot;  // position of the rate in the line's category
  int64_t floor;
  int64_t remainder;  // of net x ppm / 1,000,000, in millionths of a minor unit
};

void TaxAtTotalLevel(const TaxTable& table, RoundingMode mode, std::span<const TaxableLine> lines,
                     std::vector<std::vector<int64_t>>* out) {
  for (size_t rate = 0; rate < table.rates.size(); ++rate) {
    const int64_t ppm = table.rates[rate].ppm;
    std::vector<Share> shares;
    Int128 exact = 0;
    int64_t floors = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::vector<size_t>& rates = lines[i].category->rates;
      for (size_t k = 0; k < rates.size(); ++k) {
        if (rates[k] != rate) continue;
        const Int128 product = static_cast<Int128>(lines[i].net_minor) * ppm;
        exact += product;
        const auto floor = static_cast<int64_t>(product / kPpmPerWhole);
        floors += floor;
        shares.push_back({i, k, floor, static_cast<int64_t>(product % kPpmPerWhole)});
      }
    }
    if (shares.empty()) continue;
    // The cart's amount for this rate is rounded once; the minor units that the lines' floors
    // leave over go to the lines with the largest remainders (ties: earlier line first). There
    // are never more of them than lines with a remainder, so each line gets at most one.
    int64_t leftover = RoundQuotient(exact, kPpmPerWhole, mode) - floors;
    std::stable_sort(shares.begin(), shares.end(),
                     [](const Share& a, const Share& b) { return a.remainder > b.remainder; });
    for (const Share& share : shares) {
      const int64_t extra = leftover > 0 && share.remainder > 0 ? 1 : 0;
      leftover -= extra;
      (*out)[share.line][share.slot] = share.floor + extra;
    }
    assert(leftover == 0);
  }
}

}  // namespace

const TaxCategory* TaxTable::FindCategory(std::string_view name) const {
  for (const TaxCategory& c : categories) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

int64_t TaxTable::CombinedPpm(const TaxCategory& category) const {
  int64_t sum = 0;
  for (size_t r : category.rates) sum += rates[r].ppm;
  return sum;
}

std::vector<std::vector<int64_t>> ComputeTaxes(const TaxTable& table, const RoundingRule& rule,
                                               std::span<const TaxableLine> lines) {
  std::vector<std::vector<int64_t>> out(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) out[i].assign(lines[i].category->rates.size(), 0);
  if (rule.level == RoundingLevel::kTotal) {
    TaxAtTotalLevel(table, rule.mode, lines, &out);
    return out;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::vector<size_t>& rates = lines[i].category->rates;
    for (size_t k = 0; k < rates.size(); ++k) {
      out[i][k] = ApplyPpm(lines[i].net_minor, table.rates[rates[k]].ppm, rule.mode);
    }
  }
  return out;
}

}  // namespace jwo::ordering
