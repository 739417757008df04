#include "ordering/promotion_engine.h"

#include <algorithm>
#include <cassert>
#include <limits>

namespace jwo::ordering {
namespace {

// Units of one line that have had the same history so far, hence the same net each. A line
// starts as one lot; a promotion that takes only some of a lot's units splits it. Counting
// units in lots rather than one by one keeps a line of 10,000 units as cheap as a line of one.
struct Lot {
  int64_t count = 0;
  int64_t unit_net = 0;
  bool used = false;    // some promotion used these units
  bool locked = false;  // an exclusive promotion used them: no other promotion may
};

// An eligible lot, and how many of its units the current promotion has not processed yet.
struct Slot {
  size_t line;
  size_t lot;
  int64_t left;
};

class PromotionRun {
 public:
  PromotionRun(RoundingMode mode, std::span<const PromotableLine> lines, size_t promotion_count)
      : mode_(mode), lines_(lines), lots_(lines.size()), discounts_(lines.size()) {
    for (size_t i = 0; i < lines.size(); ++i) {
      lots_[i].push_back({lines[i].units, lines[i].unit_price_minor, false, false});
      discounts_[i].assign(promotion_count, 0);
    }
  }

  void Apply(const Promotion& p, size_t index) {
    std::vector<Slot> slots = Eligible(p);
    switch (p.type) {
      case PromotionType::kPercentOff:
      case PromotionType::kAmountOff:
        ApplyPerUnit(p, index, slots);
        break;
      case PromotionType::kBuyXGetY:
        ApplyBuyXGetY(p, index, slots);
        break;
      case PromotionType::kMultiBuy:
        ApplyMultiBuy(p, index, slots);
        break;
    }
  }

  std::vector<std::vector<AppliedPromotion>> Outcome(std::span<const Promotion> promotions) const {
    std::vector<std::vector<AppliedPromotion>> out(lines_.size());
    for (size_t i = 0; i < lines_.size(); ++i) {
      for (size_t k = 0; k < promotions.size(); ++k) {
        if (discounts_[i][k] > 0) out[i].push_back({promotions[k].id, discounts_[i][k]});
      }
    }
    return out;
  }

 private:
  std::vector<Slot> Eligible(const Promotion& p) const {
    std::vector<Slot> slots;
    for (size_t i = 0; i < lines_.size(); ++i) {
      const CatalogItem& item = *lines_[i].item;
      if (!p.Targets(item)) continue;
      if (p.CountsUnits() && item.sold_by == SoldBy::kWeight) continue;
      for (size_t j = 0; j < lots_[i].size(); ++j) {
        const Lot& lot = lots_[i][j];
        if (lot.locked || lot.unit_net == 0 || (p.exclusive && lot.used)) continue;
        slots.push_back({i, j, lot.count});
      }
    }
    std::stable_sort(slots.begin(), slots.end(), [this](const Slot& a, const Slot& b) {
      return lots_[a.line][a.lot].unit_net > lots_[b.line][b.lot].unit_net;
    });
    return slots;
  }

  // Splits `k` of the slot's unprocessed units into a lot of their own (or hands back the lot
  // itself when they are all that is left) and returns that lot's index in its line.
  size_t Take(Slot& slot, int64_t k) {
    assert(k > 0 && k <= slot.left && lots_[slot.line][slot.lot].count == slot.left);
    slot.left -= k;
    if (slot.left == 0) return slot.lot;
    Lot part = lots_[slot.line][slot.lot];
    part.count = k;
    lots_[slot.line][slot.lot].count -= k;
    lots_[slot.line].push_back(part);
    return lots_[slot.line].size() - 1;
  }

  // Takes `per_unit` off each unit of the lot and marks the units used by `p` (also when
  // per_unit is 0: a "buy" unit of a deal is used without being discounted).
  void Discount(const Promotion& p, size_t index, size_t line, size_t lot, int64_t per_unit) {
    Lot& l = lots_[line][lot];
    assert(per_unit >= 0 && per_unit <= l.unit_net);
    l.unit_net -= per_unit;
    l.used = true;
    l.locked = l.locked || p.exclusive;
    discounts_[line][index] += l.count * per_unit;
  }

  void ApplyPerUnit(const Promotion& p, size_t index, std::vector<Slot>& slots) {
    int64_t remaining = p.max_per_trip > 0 ? p.max_per_trip : std::numeric_limits<int64_t>::max();
    for (Slot& slot : slots) {
      if (remaining == 0) break;
      const int64_t net = lots_[slot.line][slot.lot].unit_net;
      const int64_t off = p.type == PromotionType::kPercentOff ? ApplyPpm(net, p.percent_ppm, mode_)
                                                               : std::min(p.amount_minor, net);
      // A unit the promotion would take nothing off is left alone and does not count
      // against the limit.
      if (off == 0) continue;
      const int64_t k = std::min(slot.left, remaining);
      Discount(p, index, slot.line, Take(slot, k), off);
      remaining -= k;
    }
  }

  int64_t Applications(const Promotion& p, const std::vector<Slot>& slots, int64_t group) const {
    int64_t units = 0;
    for (const Slot& slot : slots) units += slot.left;
    const int64_t groups = units / group;
    return p.max_per_trip > 0 ? std::min(groups, p.max_per_trip) : groups;
  }

  // Units sorted most expensive first are cut into consecutive groups of buy+get; the last
  // `get` of each group (its cheapest) are discounted. Positions, not a loop over units, decide
  // how many of a lot's units are "get" units, so huge quantities cost nothing extra.
  void ApplyBuyXGetY(const Promotion& p, size_t index, std::vector<Slot>& slots) {
    const int64_t group = p.buy + p.get;
    const int64_t end_of_deal = Applications(p, slots, group) * group;
    const auto gets_before = [&](int64_t pos) {
      return (pos / group) * p.get + std::max<int64_t>(0, pos % group - p.buy);
    };
    int64_t pos = 0;
    for (Slot& slot : slots) {
      const int64_t start = pos;
      if (start >= end_of_deal) break;
      pos += slot.left;
      const int64_t end = std::min(pos, end_of_deal);
      const int64_t gets = gets_before(end) - gets_before(start);
      const int64_t buys = end - start - gets;
      const int64_t off = ApplyPpm(lots_[slot.line][slot.lot].unit_net, p.percent_ppm, mode_);
      if (gets > 0) Discount(p, index, slot.line, Take(slot, gets), off);
      if (buys > 0) Discount(p, index, slot.line, Take(slot, buys), 0);
    }
  }

  // Spreads `amount` over `count` units of the slot as evenly as whole minor units allow.
  void Spread(const Promotion& p, size_t index, Slot& slot, int64_t count, int64_t amount) {
    const int64_t each = amount / count;
    const int64_t extra = amount % count;
    if (extra > 0) Discount(p, index, slot.line, Take(slot, extra), each + 1);
    if (count > extra) Discount(p, index, slot.line, Take(slot, count - extra), each);
  }

  // Groups of group_size units, most expensive first, each brought down to the deal price.
  // Units sorted by price make every later group no dearer than the current one, so the first
  // group that would not get cheaper ends the promotion.
  void ApplyMultiBuy(const Promotion& p, size_t index, std::vector<Slot>& slots) {
    const int64_t n = p.group_size;
    const int64_t price = p.amount_minor;
    int64_t groups = Applications(p, slots, n);
    size_t at = 0;
    while (groups > 0) {
      while (slots[at].left == 0) ++at;
      Slot& slot = slots[at];
      const int64_t unit_net = lots_[slot.line][slot.lot].unit_net;
      if (slot.left >= n) {
        // Whole groups inside one lot: identical, so done all at once.
        const int64_t sum = n * unit_net;
        if (sum <= price) return;
        const int64_t k = std::min(slot.left / n, groups);
        Spread(p, index, slot, k * n, k * (sum - price));
        groups -= k;
        continue;
      }
      // A group across lots: each lot's part gets a share of the discount in proportion to
      // its net; the minor units the shares' rounding down leaves go one each to the parts in
      // order (there are fewer of them than parts).
      struct Part {
        size_t slot;
        int64_t count;
        int64_t net;
      };
      std::vector<Part> parts;
      int64_t need = n;
      int64_t sum = 0;
      for (size_t j = at; need > 0; ++j) {
        const int64_t k = std::min(need, slots[j].left);
        if (k == 0) continue;
        const int64_t net = k * lots_[slots[j].line][slots[j].lot].unit_net;
        parts.push_back({j, k, net});
        need -= k;
        sum += net;
      }
      if (sum <= price) return;
      const int64_t discount = sum - price;
      int64_t given = 0;
      std::vector<int64_t> shares;
      for (const Part& part : parts) {
        shares.push_back(static_cast<int64_t>(static_cast<Int128>(discount) * part.net / sum));
        given += shares.back();
      }
      for (size_t k = 0; given < discount; ++k, ++given) ++shares[k];
      for (size_t k = 0; k < parts.size(); ++k) {
        Spread(p, index, slots[parts[k].slot], parts[k].count, shares[k]);
      }
      --groups;
    }
  }

  RoundingMode mode_;
  std::span<const PromotableLine> lines_;
  std::vector<std::vector<Lot>> lots_;           // per line
  std::vector<std::vector<int64_t>> discounts_;  // per line, per promotion (stacking order)
};

}  // namespace

std::vector<std::vector<AppliedPromotion>> ApplyPromotions(std::span<const Promotion> promotions,
                                                           RoundingMode mode,
                                                           std::span<const PromotableLine> lines) {
  PromotionRun run(mode, lines, promotions.size());
  for (size_t k = 0; k < promotions.size(); ++k) run.Apply(promotions[k], k);
  return run.Outcome(promotions);
}

}  // namespace jwo::ordering
