#include "store/gate_shoppers.h"

#include <string>
#include <vector>

#include "store/gate_filter.h"

namespace jwo::store {

using core::Status;

bool MattersToGate(const ShopperRecord& r) {
  return !r.open_debt.empty() || r.override_mode != Override::kNone ||
         r.chain_override_mode != Override::kNone;
}

Status PutShopper(WriteTxn& txn, std::string_view shopper_id, const ShopperRecord& r) {
  if (Status s = txn.Put(Table::kShoppers, shopper_id, EncodeShopper(r)); !s.ok()) return s;
  if (MattersToGate(r)) {
    if (Status s = txn.Put(Table::kGateShoppers, shopper_id, {}); !s.ok()) return s;
    txn.AddToGateFilter(shopper_id);  // added to the filter just before the commit
    return Status::Ok();
  }
  // Leaving the index leaves the filter alone: its bits only go at its next rebuild.
  Status s = txn.Delete(Table::kGateShoppers, shopper_id);
  return s.code() == core::StatusCode::kNotFound ? Status::Ok() : s;
}

core::Result<std::optional<ShopperRecord>> ReadShopperForGate(const ReadTxn& txn,
                                                              std::string_view shopper_id) {
  if (Status s = CheckId("shopper id", shopper_id); !s.ok()) return s;
  // Nearly every tap ends here, at one cache line of the filter (store/gate_filter.h). A write
  // transaction that indexed shoppers reads past it: their ids join it only at the commit.
  if (!txn.gate_filter_pending()) {
    auto filter = txn.Get(Table::kGateFilter, kGateFilterKey);
    if (!filter.ok()) return filter.status();
    if (filter->has_value() && GateFilterExcludes(**filter, shopper_id)) {
      return std::optional<ShopperRecord>{};
    }
  }
  auto indexed = txn.Get(Table::kGateShoppers, shopper_id);
  if (!indexed.ok()) return indexed.status();
  if (!indexed->has_value()) return std::optional<ShopperRecord>{};
  auto bytes = txn.Get(Table::kShoppers, shopper_id);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) {
    return core::Corruption("the gate's index names shopper '" + std::string(shopper_id) +
                            "', who has no record");
  }
  auto rec = DecodeShopper(**bytes);
  if (!rec.ok()) return rec.status();
  return std::optional<ShopperRecord>{std::move(*rec)};
}

Status IndexAllShoppers(WriteTxn& txn) {
  std::vector<std::string> ids;
  Status s = txn.Scan(Table::kShoppers, "", [&](std::string_view k, std::string_view v) {
    // A record that does not decode is indexed: the gate then reads it, fails, and its fail
    // mode decides, as before this index (VerifyStore names the record).
    auto r = DecodeShopper(v);
    if (!r.ok() || MattersToGate(*r)) ids.emplace_back(k);
    return true;
  });
  if (!s.ok()) return s;
  // Keys come in order: appended, LMDB fills the rightmost page instead of searching.
  for (const std::string& id : ids) {
    if (Status a = txn.Append(Table::kGateShoppers, id, {}); !a.ok()) return a;
  }
  return Status::Ok();
}

}  // namespace jwo::store
