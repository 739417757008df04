// Env's opening of its tables and the schema migrations (env.h, migration_steps.h). Part of
// store::Env; kept apart so env.cc stays about transactions.
#include <lmdb.h>

#include <string>

#include "core/log.h"
#include "store/codec.h"
#include "store/env.h"
#include "store/gate_filter.h"
#include "store/migration_steps.h"

namespace jwo::store {
namespace {

using core::Status;
using core::StatusCode;

constexpr std::string_view kSchemaKey = "schema_version";

Status LmdbError(std::string_view what, int rc) {
  return Status(StatusCode::kIoError, std::string(what) + ": " + mdb_strerror(rc));
}

}  // namespace

Status Env::OpenTablesAndMigrate() {
  MDB_txn* raw = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, 0, &raw);
  if (rc != 0) return LmdbError("mdb_txn_begin", rc);
  for (Table t : kAllTables) {
    rc = mdb_dbi_open(raw, std::string(TableName(t)).c_str(), MDB_CREATE,
                      &dbi_[static_cast<size_t>(t)]);
    if (rc != 0) {
      mdb_txn_abort(raw);
      return LmdbError("mdb_dbi_open " + std::string(TableName(t)), rc);
    }
  }
  WriteTxn txn(this, raw);
  auto abort_with = [&](Status s) {
    mdb_txn_abort(raw);
    return s;
  };
  // A migration that needs more room than the map has (a store that filled its map): the map
  // grows and the whole open starts again; Grow refuses past max_map_size_bytes.
  auto grow_and_retry = [&](std::string_view step) -> Status {
    mdb_txn_abort(raw);
    if (Status g = Grow(); !g.ok()) {
      return Status(g.code(),
                    std::string(step) + " needs more room than the map has: " + g.message());
    }
    return OpenTablesAndMigrate();
  };
  uint32_t version = 0;
  auto stored = txn.Get(Table::kMeta, kSchemaKey);
  if (!stored.ok()) return abort_with(stored.status());
  if (stored->has_value()) {
    Decoder d(**stored);
    if (!d.U32(version) || !d.done()) {
      return abort_with(Status(StatusCode::kCorruption, "meta.schema_version does not decode"));
    }
    auto format = txn.Get(Table::kMeta, kFormatKey);
    if (!format.ok()) return abort_with(format.status());
    if (!format->has_value() || **format != kFormatValue) {
      return abort_with(Status(StatusCode::kFailedPrecondition,
                               options_.directory + " holds an LMDB store of another program"));
    }
  }
  const uint32_t target = static_cast<uint32_t>(options_.migrations.size());
  if (version > target) {
    return abort_with(Status(StatusCode::kFailedPrecondition,
                             "store schema version " + std::to_string(version) +
                                 " is newer than this build supports (" + std::to_string(target) +
                                 "); install the newer jwo-edge or restore a backup"));
  }
  for (uint32_t v = version; v < target; ++v) {
    const Migration& m = options_.migrations[v];
    if (Status s = m.apply(txn); !s.ok()) {
      const std::string step = "migration " + std::to_string(v) + "->" + std::to_string(v + 1) +
                               " (" + m.description + ")";
      if (txn.map_full_) return grow_and_retry(step);
      return abort_with(Status(s.code(), step + " failed: " + s.message()));
    }
  }
  if (Status s = FlushGateFilter(txn); !s.ok()) {
    if (txn.map_full_) return grow_and_retry("the gate filter's update");
    return abort_with(s);
  }
  if (version != target) {
    Encoder e;
    e.U32(target);
    if (Status s = txn.Put(Table::kMeta, kSchemaKey, e.bytes()); !s.ok()) {
      return txn.map_full_ ? grow_and_retry("the schema version's update") : abort_with(s);
    }
  }
  if ((rc = mdb_txn_commit(raw)) == MDB_MAP_FULL) {  // the commit freed the transaction
    if (Status g = Grow(); !g.ok()) return g;
    return OpenTablesAndMigrate();
  }
  if (rc != 0) return LmdbError("mdb_txn_commit (open)", rc);
  for (uint32_t v = version; version > 0 && v < target; ++v) {  // a fresh store is not migrated
    core::LogInfo("store migrated", {{"from", std::to_string(v)},
                                     {"to", std::to_string(v + 1)},
                                     {"step", options_.migrations[v].description}});
  }
  schema_version_ = target;
  return Status::Ok();
}

}  // namespace jwo::store
