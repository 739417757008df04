#include "store/migration_steps.h"

#include <algorithm>
#include <string>
#include <vector>

#include "store/codec.h"
#include "store/records.h"
#include "store/trip_record.h"

namespace jwo::store {

using core::Status;
using core::StatusCode;

namespace {

// Rewrites the trips table in chunks: it holds every trip ever stored, and only a chunk of
// them needs to be in memory at a time. Keys do not change, so replacing values while walking
// the table in key order visits each row once.
Status ReencodeTrips(WriteTxn& txn) {
  constexpr size_t kChunk = 512;
  std::string after;  // the last key rewritten; "" before the first chunk
  for (;;) {
    std::vector<std::pair<std::string, std::string>> chunk;
    Status decode = Status::Ok();
    Status scan = txn.ScanFrom(Table::kTrips, after, [&](std::string_view k, std::string_view v) {
      if (!after.empty() && k == after) return true;  // ScanFrom starts at the key itself
      auto t = DecodeTripVersion1(v);
      if (!t.ok()) {
        decode = Status(StatusCode::kCorruption,
                        "trip '" + std::string(k) + "': " + t.status().message());
        return false;
      }
      chunk.emplace_back(std::string(k), EncodeTrip(*t));
      return chunk.size() < kChunk;
    });
    if (!scan.ok()) return scan;
    if (!decode.ok()) return decode;
    for (const auto& [key, value] : chunk) {
      if (Status s = txn.Put(Table::kTrips, key, value); !s.ok()) return s;
    }
    if (chunk.size() < kChunk) return Status::Ok();
    after = chunk.back().first;
  }
}

}  // namespace

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

Status UpgradeToSchema3(WriteTxn& txn) { return ReencodeTrips(txn); }

}  // namespace jwo::store
