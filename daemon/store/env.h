// Env: the daemon's one LMDB environment, its named tables, and typed transactions.
//
// Start here for storage. Env::Open creates or opens the environment under a directory,
// checks the schema version (refusing a newer one, migrating an older one), clears reader
// slots left by dead processes, and opens the tables.
//
// Transactions are scoped to a callback: Env::Read runs a function with a ReadTxn (which has
// no way to write), Env::Write with a WriteTxn. Read transactions are cached per thread and
// recycled with mdb_txn_reset/renew, so a read costs no allocation and no lock shared with the
// writer.
//
// Threading: Read may be called from any number of threads at once. Write calls are
// serialized by the Env (one writer, as LMDB requires); a Write blocks its caller while
// another is running, so keep it off I/O threads (see store/writer.h). The map grows
// automatically on MDB_MAP_FULL: the writer then waits for in-flight reads to finish (a brief
// exclusive section; the only time readers and the writer touch the same lock).
//
// Durability: every Write commits with fsync. A write refused for lack of disk space (ENOSPC,
// EDQUOT) aborts the transaction, so nothing is torn: Write returns kUnavailable, NoSpaceError()
// says why until a later commit succeeds, and reads go on as before. A write that needs the map
// beyond max_map_size_bytes is refused the same way (kUnavailable, MapFullError()). A commit
// that fails for any other reason calls the fatal handler (default: log and _exit(75)),
// because the page cache after a failed fsync cannot be trusted (architecture.md §4): systemd
// restarts the daemon.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/function_ref.h"
#include "core/sharded_shared_mutex.h"
#include "core/status.h"
#include "store/table.h"

struct MDB_env;
struct MDB_txn;

namespace jwo::store {

inline constexpr uint32_t kSchemaVersion = 8;

// The file beside data.mdb that says a store has existed in the directory. Written when a
// store is first created (or first opened by a build that knows it); while it exists, a
// missing or empty data.mdb is refused instead of being recreated empty, which would lose
// every debt and override without a trace. Only EnvOptions::init_store (the operator's
// `jwo-edged --init-store`) creates a fresh store over it.
inline constexpr std::string_view kStoreMarkerFile = "store-marker";

class Env;
class WriteTxn;

// One step of the schema: brings a store at version `from` to `from + 1` within one write
// transaction. Step 0 creates the tables of version 1 in an empty environment.
struct Migration {
  uint32_t from;
  std::string description;
  std::function<core::Status(WriteTxn&)> apply;
};

// The migrations of this build, in order; Migrations().size() == kSchemaVersion.
std::span<const Migration> Migrations();

struct EnvOptions {
  std::string directory;                 // created if missing (mode 0750)
  uint64_t map_size_bytes = 1ull << 30;  // initial; an existing larger store keeps its size
  uint64_t max_map_size_bytes = 64ull << 30;
  uint32_t max_readers = 126;
  // Tests use these to check the migration path and fault handling.
  std::span<const Migration> migrations = Migrations();
  std::function<void(const core::Status&)> on_fatal;  // default: log and _exit(75)
  // Tests only (fault injection): called before each top-level commit; a non-zero errno
  // aborts the transaction and is handled as if mdb_txn_commit had returned it.
  std::function<int()> commit_fault;
  // false: commits are not fsynced (MDB_NOSYNC). A process crash loses nothing, a power cut
  // may lose the last commits: for simulations and benchmarks only, never the daemon.
  bool sync = true;
  // The operator's explicit "create a fresh, empty store": allowed only where data.mdb is
  // missing or empty (a store with data is refused with kAlreadyExists); writes a new marker.
  bool init_store = false;
  // The configuration has a `ledger:` section: every change of a debt this store books or
  // closes (ledger::AddDebt, CloseDebt) also queues a chain_outbox row in its transaction.
  bool publish_debts = false;
  // `ledger.portal: publish`: every saved trip with a shopper address also queues a
  // chain_portal_outbox row (its receipt for the chain's portal; chain/chain_portal.h).
  bool publish_portal = false;
};

struct EnvStats {
  uint64_t map_size_bytes = 0;  // current map size
  uint64_t used_bytes = 0;      // pages in use * page size
  uint32_t readers_used = 0;    // reader slots in use
  uint32_t max_readers = 0;
  uint32_t map_grows = 0;                    // times the map grew since open
  uint64_t entries[kAllTables.size()] = {};  // rows per table, in kAllTables order
};

class ReadTxn {
 public:
  // The value stored under `key`, viewed in place (valid until the callback returns), or
  // nullopt when absent. kInvalidArgument for a key LMDB cannot hold; kIoError on failure.
  core::Result<std::optional<std::string_view>> Get(Table t, std::string_view key) const;
  // The number of rows in the table (LMDB keeps it: no walk).
  core::Result<uint64_t> Entries(Table t) const;
  // Calls fn(key, value) for each row whose key starts with `prefix`, in key order, until fn
  // returns false. An empty prefix walks the whole table.
  core::Status Scan(Table t, std::string_view prefix,
                    const std::function<bool(std::string_view, std::string_view)>& fn) const;
  // Calls fn(key, value) for each row whose key is >= `start`, in key order, until fn returns
  // false.
  core::Status ScanFrom(Table t, std::string_view start,
                        const std::function<bool(std::string_view, std::string_view)>& fn) const;
  // Calls fn(key, value) for each row from the last (highest key) backwards, until fn returns
  // false.
  core::Status ScanReverse(Table t,
                           const std::function<bool(std::string_view, std::string_view)>& fn) const;
  // The first row of the table (lowest key) / the last (highest), or nullopt when empty. The
  // views live until the transaction ends or writes.
  core::Result<std::optional<std::pair<std::string_view, std::string_view>>> First(Table t) const;
  core::Result<std::optional<std::pair<std::string_view, std::string_view>>> Last(Table t) const;
  // True in a write transaction that has indexed shoppers the gate's filter does not hold yet
  // (WriteTxn::AddToGateFilter): until it commits, its own reads must not trust the filter.
  bool gate_filter_pending() const { return pending_ != nullptr && !pending_->empty(); }

 protected:
  core::Result<std::optional<std::pair<std::string_view, std::string_view>>> Edge(
      Table t, int op) const;  // First / Last: MDB_FIRST or MDB_LAST

  friend class Env;
  ReadTxn(const Env* env, MDB_txn* txn) : env_(env), txn_(txn) {}
  const Env* env_;
  MDB_txn* txn_;
  const std::vector<std::string>* pending_ = nullptr;  // WriteTxn's gate_filter_adds_
};

class WriteTxn : public ReadTxn {
 public:
  // EnvOptions::publish_debts of the environment.
  bool publish_debts() const;
  // EnvOptions::publish_portal of the environment.
  bool publish_portal() const;
  // Stores value under key (replacing). kInvalidArgument for a bad key; kOutOfRange when the
  // map is full (the Env grows it and reruns the transaction).
  core::Status Put(Table t, std::string_view key, std::string_view value);
  // Appends a row whose key sorts after every key in the table (MDB_APPEND: LMDB fills the
  // rightmost page instead of searching, and a batch touches few pages). kAlreadyExists when
  // the key does not sort last; otherwise as Put.
  core::Status Append(Table t, std::string_view key, std::string_view value);
  // Deletes key. kNotFound when absent.
  core::Status Delete(Table t, std::string_view key);
  // Queues a shopper just put in gate_shoppers for the gate's filter. The Env adds every queued
  // id with one write of the filter just before the transaction commits (store/gate_filter.h):
  // one copy of the filter a transaction, where a copy per id made a sync of a million debts
  // quadratic. Used by PutShopper.
  void AddToGateFilter(std::string_view id) { gate_filter_adds_.emplace_back(id); }
  const std::vector<std::string>& gate_filter_adds() const { return gate_filter_adds_; }
  void ClearGateFilterAdds() { gate_filter_adds_.clear(); }

 private:
  friend class Env;
  WriteTxn(const Env* env, MDB_txn* txn) : ReadTxn(env, txn) { pending_ = &gate_filter_adds_; }
  WriteTxn(const WriteTxn&) = delete;
  WriteTxn& operator=(const WriteTxn&) = delete;
  std::vector<std::string> gate_filter_adds_;
  bool map_full_ = false;
  int no_space_ = 0;  // ENOSPC or EDQUOT from a write LMDB made during the transaction
};

class Env {
 public:
  // Opens or creates the environment. Errors: kIoError (directory, permissions, LMDB),
  // kFailedPrecondition (schema newer than this build, or a store from another program),
  // kCorruption (unreadable meta records, or a data.mdb shorter than its last used page).
  // A missing or empty data.mdb: created (with the marker) when no marker says a store existed
  // and on init_store; otherwise kFailedPrecondition naming the file, and nothing is created.
  // An empty data.mdb without a marker is refused too (a store from before the marker).
  // init_store over a data.mdb that holds data: kAlreadyExists.
  static core::Result<std::unique_ptr<Env>> Open(EnvOptions options);
  ~Env();
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  // Runs fn inside a read transaction on a consistent snapshot. Returns fn's status, or
  // kIoError when the transaction cannot start. REQUIRES: fn does not call Read/Write.
  core::Status Read(core::FunctionRef<core::Status(const ReadTxn&)> fn) const;

  // Runs fn inside a write transaction and commits with fsync when fn returns OK (fn's error
  // aborts everything it did). On a full map the transaction is aborted, the map grows, and
  // fn runs again from the start: fn must not have side effects outside the transaction.
  // Returns fn's error, kOutOfRange when the map reached max_map_size_bytes, kUnavailable when
  // the disk has no space for the change (nothing of it is written), or kIoError when the
  // transaction cannot start. Any other failing commit calls the fatal handler and never
  // returns.
  core::Status Write(const std::function<core::Status(WriteTxn&)>& fn);

  // Group commit: runs each function in its own nested transaction inside one write
  // transaction, and commits once (one fsync for the batch). A function's error aborts only
  // its own nested transaction; results[i] receives fn[i]'s status. Map growth and fatal
  // commit errors behave as in Write(). Returns the batch commit's status.
  core::Status WriteBatch(std::span<const std::function<core::Status(WriteTxn&)>> fns,
                          std::vector<core::Status>& results);

  EnvStats Stats() const;
  // Empty while writes go through; after a write refused for lack of disk space, why (until
  // the next commit succeeds).
  std::string NoSpaceError() const;
  // Empty while writes go through; after a write refused because the map reached
  // max_map_size_bytes, why (until the next commit succeeds).
  std::string MapFullError() const;
  uint32_t schema_version() const { return schema_version_; }
  const std::string& directory() const { return options_.directory; }
  // A thread that cached `txn` exits: abort it, giving its reader slot back. Internal (env.cc).
  void ReleaseReadTxn(MDB_txn* txn) const;
  // Number of stale reader slots cleared by mdb_reader_check at open.
  int stale_readers_cleared() const { return stale_readers_cleared_; }

 private:
  friend class ReadTxn;
  friend class WriteTxn;
  explicit Env(EnvOptions options);
  core::Status OpenEnv();
  // The marker rules above, before LMDB may create anything.
  core::Status CheckLostStore();
  core::Status WriteMarker() const;
  // kCorruption, naming the file and both sizes, when data.mdb is shorter than the
  // environment's last used page (a truncated copy or file system damage): reading a page past
  // the end of the file would be a SIGBUS.
  core::Status CheckFileSize() const;
  std::string DataFilePath() const;
  core::Status OpenTablesAndMigrate();
  core::Status Grow();
  // The file's high-water mark: pages up to the last one LMDB ever used.
  uint64_t UsedBytes() const;
  MDB_txn* AcquireReadTxn() const;
  unsigned int Dbi(Table t) const { return dbi_[static_cast<size_t>(t)]; }

  EnvOptions options_;
  MDB_env* env_ = nullptr;
  unsigned int dbi_[kAllTables.size()] = {};
  uint32_t schema_version_ = 0;
  int stale_readers_cleared_ = 0;
  const uint64_t id_;  // distinguishes this Env in the per-thread read-transaction cache
  std::atomic<uint32_t> map_grows_{0};
  // Held shared by every reader for the length of its transaction and exclusively by the
  // writer only while the map is resized (mdb_env_set_mapsize needs no transaction alive).
  // Sharded: every gate read takes it, on every connection thread.
  mutable core::ShardedSharedMutex resize_gate_;
  std::mutex write_mutex_;
  // Commits the write transaction `raw` (or injects commit_fault). Returns the LMDB result.
  int Commit(MDB_txn* raw);
  // A write refused for lack of disk space, or because the map reached max_map_size_bytes:
  // records why for NoSpaceError() / MapFullError() and logs the change; the next commit that
  // goes through clears both.
  core::Status RefuseNoSpace(int rc);
  core::Status RefuseMapFull(uint64_t map_size);
  void CommitSucceeded();
  std::atomic<bool> no_space_{false};
  std::atomic<bool> map_full_{false};
  mutable std::mutex refusal_mutex_;
  std::string no_space_error_;  // guarded by refusal_mutex_
  std::string map_full_error_;  // guarded by refusal_mutex_
  // Every cached read transaction, so the destructor can abort them before closing.
  mutable std::mutex cache_mutex_;
  mutable std::vector<MDB_txn*> cached_txns_;
};

}  // namespace jwo::store
