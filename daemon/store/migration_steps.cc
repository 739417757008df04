#include "store/migration_steps.h"

#include <algorithm>
#include <string>
#include <vector>

#include "store/codec.h"
#include "store/records.h"

namespace jwo::store {

using core::Status;

// Schema 1 keyed decisions by trip and gate event, which scatters a batch of inserts over the
// whole table; schema 2 appends them by sequence (see DecisionRecord). Old rows keep their
// order of decision time.
Status RekeyDecisions(WriteTxn& txn) {
  std::vector<DecisionRecord> rows;
  std::vector<std::string> keys;
  Status decode = Status::Ok();
  Status scan = txn.Scan(Table::kDecisions, {}, [&](std::string_view k, std::string_view v) {
    auto d = DecodeDecision(k, v);
    if (!d.ok()) {
      decode = d.status();
      return false;
    }
    keys.emplace_back(k);
    rows.push_back(std::move(*d));
    return true;
  });
  if (!scan.ok()) return scan;
  if (!decode.ok()) return decode;
  for (const std::string& k : keys) {
    if (Status s = txn.Delete(Table::kDecisions, k); !s.ok()) return s;
  }
  std::stable_sort(rows.begin(), rows.end(), [](const DecisionRecord& a, const DecisionRecord& b) {
    return a.decided_ms < b.decided_ms;
  });
  uint64_t seq = 0;
  for (const DecisionRecord& r : rows) {
    if (Status s = txn.Append(Table::kDecisions, BigEndianKey(++seq), EncodeDecision(r)); !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

}  // namespace jwo::store
