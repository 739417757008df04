// VerifyStore: reads the whole store and checks what the code relies on, for the operator
// (`jwo-edgectl store verify`, `jwo-edged --verify-store`; docs/operations.md, "When things
// break"). LMDB has no checksums: a damaged record is otherwise found only when it is read.
//
// Checks: every row of every table decodes with its record decoder (store/records.h,
// store/trip_record.h) and meta holds this program's format and schema version; each shopper's
// balance per currency and open_debt_count equal the sum and number of its open debts; the
// open_trips index holds exactly the trips that are neither terminal nor capture_unknown; every
// outbox entry belongs to a stored trip.
//
// Threading: runs inside the caller's read transaction (a consistent snapshot; the writer is
// not blocked).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/env.h"

namespace jwo::store {

struct VerifyReport {
  uint64_t rows[kAllTables.size()] = {};  // rows read per table, in kAllTables order
  uint64_t problem_count = 0;
  std::vector<std::string> problems;  // the first kMaxListedProblems, each naming table and key
  static constexpr size_t kMaxListedProblems = 200;
  bool ok() const { return problem_count == 0; }
};

// The report for the snapshot of `txn`. Errors: kIoError when LMDB cannot read a table (the
// store itself is damaged beyond what the decoders can see).
core::Result<VerifyReport> VerifyStore(const ReadTxn& txn);

// Human-readable report: rows per table, then each problem or "no problems found".
std::string FormatVerifyReport(const VerifyReport& r);

}  // namespace jwo::store
