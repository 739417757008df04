#include "store/env.h"

#include <lmdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include "core/log.h"
#include "store/gate_filter.h"

namespace jwo::store {
namespace {

using core::Status;
using core::StatusCode;

std::atomic<uint64_t> g_next_env_id{1};

// The open Envs by id, so a thread that exits can give back the reader slots of its cached
// read transactions: a reset transaction keeps its slot, and a thread per control connection
// would otherwise use up all of them (max_readers) after as many connections.
std::mutex g_open_envs_mutex;
std::unordered_map<uint64_t, const Env*>& OpenEnvs() {
  static std::unordered_map<uint64_t, const Env*> envs;
  return envs;
}

// Per-thread cache of reset read transactions, keyed by Env id (ids are never reused, so an
// entry of a closed Env can never match again).
struct CachedTxn {
  uint64_t env_id;
  MDB_txn* txn;
};
struct ThreadReadTxns {
  std::vector<CachedTxn> txns;
  ~ThreadReadTxns() {
    std::lock_guard lock(g_open_envs_mutex);
    for (const CachedTxn& c : txns) {
      auto it = OpenEnvs().find(c.env_id);
      if (it != OpenEnvs().end()) it->second->ReleaseReadTxn(c.txn);
    }
  }
};
thread_local ThreadReadTxns t_read_txns;

Status LmdbError(std::string_view what, int rc) {
  return Status(StatusCode::kIoError, std::string(what) + ": " + mdb_strerror(rc));
}

Status CheckKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyBytes) {
    return Status(StatusCode::kInvalidArgument, "key length " + std::to_string(key.size()) +
                                                    " outside 1.." + std::to_string(kMaxKeyBytes));
  }
  return Status::Ok();
}

// The errors of a write(2) that found no room: the transaction is aborted and nothing is torn.
bool IsNoSpace(int rc) { return rc == ENOSPC || rc == EDQUOT; }

MDB_val Val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
std::string_view View(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

void DefaultFatal(const Status& s) {
  core::LogError("store commit failed; exiting so the service manager restarts a clean process",
                 {{"error", s.ToString()}});
  _exit(75);
}

}  // namespace

// --- ReadTxn / WriteTxn -----------------------------------------------------------------------

bool WriteTxn::publish_debts() const { return env_->options_.publish_debts; }
bool WriteTxn::publish_portal() const { return env_->options_.publish_portal; }

core::Result<std::optional<std::string_view>> ReadTxn::Get(Table t, std::string_view key) const {
  if (Status s = CheckKey(key); !s.ok()) return s;
  MDB_val k = Val(key), v;
  const int rc = mdb_get(txn_, env_->Dbi(t), &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string_view>{};
  if (rc != 0) return LmdbError("mdb_get", rc);
  return std::optional<std::string_view>{View(v)};
}

core::Result<uint64_t> ReadTxn::Entries(Table t) const {
  MDB_stat st;
  if (const int rc = mdb_stat(txn_, env_->Dbi(t), &st); rc != 0) return LmdbError("mdb_stat", rc);
  return uint64_t{st.ms_entries};
}

Status ReadTxn::Scan(Table t, std::string_view prefix,
                     const std::function<bool(std::string_view, std::string_view)>& fn) const {
  MDB_cursor* cur = nullptr;
  int rc = mdb_cursor_open(txn_, env_->Dbi(t), &cur);
  if (rc != 0) return LmdbError("mdb_cursor_open", rc);
  MDB_val k = Val(prefix), v;
  rc = prefix.empty() ? mdb_cursor_get(cur, &k, &v, MDB_FIRST)
                      : mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
  while (rc == 0) {
    const std::string_view key = View(k);
    if (key.substr(0, prefix.size()) != prefix) break;
    if (!fn(key, View(v))) break;
    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
  }
  mdb_cursor_close(cur);
  if (rc != 0 && rc != MDB_NOTFOUND) return LmdbError("mdb_cursor_get", rc);
  return Status::Ok();
}

Status ReadTxn::ScanFrom(Table t, std::string_view start,
                         const std::function<bool(std::string_view, std::string_view)>& fn) const {
  MDB_cursor* cur = nullptr;
  int rc = mdb_cursor_open(txn_, env_->Dbi(t), &cur);
  if (rc != 0) return LmdbError("mdb_cursor_open", rc);
  MDB_val k = Val(start), v;
  rc = start.empty() ? mdb_cursor_get(cur, &k, &v, MDB_FIRST)
                     : mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
  while (rc == 0 && fn(View(k), View(v))) rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
  mdb_cursor_close(cur);
  if (rc != 0 && rc != MDB_NOTFOUND) return LmdbError("mdb_cursor_get", rc);
  return Status::Ok();
}

Status ReadTxn::ScanReverse(
    Table t, const std::function<bool(std::string_view, std::string_view)>& fn) const {
  MDB_cursor* cur = nullptr;
  int rc = mdb_cursor_open(txn_, env_->Dbi(t), &cur);
  if (rc != 0) return LmdbError("mdb_cursor_open", rc);
  MDB_val k, v;
  rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
  while (rc == 0 && fn(View(k), View(v))) rc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
  mdb_cursor_close(cur);
  if (rc != 0 && rc != MDB_NOTFOUND) return LmdbError("mdb_cursor_get", rc);
  return Status::Ok();
}

core::Result<std::optional<std::pair<std::string_view, std::string_view>>> ReadTxn::First(
    Table t) const {
  return Edge(t, MDB_FIRST);
}

core::Result<std::optional<std::pair<std::string_view, std::string_view>>> ReadTxn::Last(
    Table t) const {
  return Edge(t, MDB_LAST);
}

core::Result<std::optional<std::pair<std::string_view, std::string_view>>> ReadTxn::Edge(
    Table t, int op) const {
  MDB_cursor* cur = nullptr;
  int rc = mdb_cursor_open(txn_, env_->Dbi(t), &cur);
  if (rc != 0) return LmdbError("mdb_cursor_open", rc);
  MDB_val k, v;
  rc = mdb_cursor_get(cur, &k, &v, static_cast<MDB_cursor_op>(op));
  mdb_cursor_close(cur);
  using Row = std::optional<std::pair<std::string_view, std::string_view>>;
  if (rc == MDB_NOTFOUND) return Row{};
  if (rc != 0) return LmdbError("mdb_cursor_get", rc);
  return Row{std::pair{View(k), View(v)}};
}

Status WriteTxn::Put(Table t, std::string_view key, std::string_view value) {
  if (Status s = CheckKey(key); !s.ok()) return s;
  MDB_val k = Val(key), v = Val(value);
  const int rc = mdb_put(txn_, env_->Dbi(t), &k, &v, 0);
  if (rc == MDB_MAP_FULL) {
    map_full_ = true;
    return Status(StatusCode::kOutOfRange, "store map is full");
  }
  if (IsNoSpace(rc)) {
    no_space_ = rc;
    return Status(StatusCode::kUnavailable,
                  std::string("no space for the store: ") + std::strerror(rc));
  }
  if (rc != 0) return LmdbError("mdb_put", rc);
  return Status::Ok();
}

Status WriteTxn::Append(Table t, std::string_view key, std::string_view value) {
  if (Status s = CheckKey(key); !s.ok()) return s;
  MDB_val k = Val(key), v = Val(value);
  const int rc = mdb_put(txn_, env_->Dbi(t), &k, &v, MDB_APPEND);
  if (rc == MDB_MAP_FULL) {
    map_full_ = true;
    return Status(StatusCode::kOutOfRange, "store map is full");
  }
  if (rc == MDB_KEYEXIST) return Status(StatusCode::kAlreadyExists, "key does not sort last");
  if (IsNoSpace(rc)) {
    no_space_ = rc;
    return Status(StatusCode::kUnavailable,
                  std::string("no space for the store: ") + std::strerror(rc));
  }
  if (rc != 0) return LmdbError("mdb_put (append)", rc);
  return Status::Ok();
}

Status WriteTxn::Delete(Table t, std::string_view key) {
  if (Status s = CheckKey(key); !s.ok()) return s;
  MDB_val k = Val(key);
  const int rc = mdb_del(txn_, env_->Dbi(t), &k, nullptr);
  if (rc == MDB_NOTFOUND) return Status(StatusCode::kNotFound, "no such key");
  if (rc == MDB_MAP_FULL) {
    map_full_ = true;
    return Status(StatusCode::kOutOfRange, "store map is full");
  }
  if (IsNoSpace(rc)) {
    no_space_ = rc;
    return Status(StatusCode::kUnavailable,
                  std::string("no space for the store: ") + std::strerror(rc));
  }
  if (rc != 0) return LmdbError("mdb_del", rc);
  return Status::Ok();
}

// --- Env --------------------------------------------------------------------------------------

Env::Env(EnvOptions options) : options_(std::move(options)), id_(g_next_env_id++) {
  if (!options_.on_fatal) options_.on_fatal = DefaultFatal;
  std::lock_guard lock(g_open_envs_mutex);
  OpenEnvs()[id_] = this;
}

void Env::ReleaseReadTxn(MDB_txn* txn) const {
  std::lock_guard lock(cache_mutex_);
  auto it = std::find(cached_txns_.begin(), cached_txns_.end(), txn);
  if (it == cached_txns_.end()) return;
  cached_txns_.erase(it);
  mdb_txn_abort(txn);
}

core::Result<std::unique_ptr<Env>> Env::Open(EnvOptions options) {
  std::unique_ptr<Env> env(new Env(std::move(options)));
  if (Status s = env->OpenEnv(); !s.ok()) return s;
  if (Status s = env->OpenTablesAndMigrate(); !s.ok()) return s;
  if (Status s = env->WriteMarker(); !s.ok()) return s;
  return env;
}

Env::~Env() {
  {
    // First: no exiting thread may release a transaction of this Env from now on.
    std::lock_guard lock(g_open_envs_mutex);
    OpenEnvs().erase(id_);
  }
  {
    std::lock_guard lock(cache_mutex_);
    for (MDB_txn* txn : cached_txns_) mdb_txn_abort(txn);
  }
  if (env_ != nullptr) mdb_env_close(env_);
}

Status Env::OpenEnv() {
  std::error_code ec;
  std::filesystem::create_directories(options_.directory, ec);
  if (ec) {
    return Status(StatusCode::kIoError,
                  "cannot create state directory " + options_.directory + ": " + ec.message());
  }
  if (Status s = CheckLostStore(); !s.ok()) return s;
  int rc = mdb_env_create(&env_);
  if (rc != 0) return LmdbError("mdb_env_create", rc);
  if ((rc = mdb_env_set_maxdbs(env_, 32)) != 0) return LmdbError("mdb_env_set_maxdbs", rc);
  if ((rc = mdb_env_set_maxreaders(env_, options_.max_readers)) != 0) {
    return LmdbError("mdb_env_set_maxreaders", rc);
  }
  if ((rc = mdb_env_set_mapsize(env_, options_.map_size_bytes)) != 0) {
    return LmdbError("mdb_env_set_mapsize", rc);
  }
  // MDB_NOTLS: read transactions are cached per thread by this class, not by LMDB.
  const unsigned flags = MDB_NOTLS | (options_.sync ? 0u : unsigned{MDB_NOSYNC});
  rc = mdb_env_open(env_, options_.directory.c_str(), flags, 0640);
  if (rc != 0) {
    return Status(StatusCode::kIoError,
                  "cannot open store in " + options_.directory + ": " + mdb_strerror(rc));
  }
  // Before any transaction: a page beyond the end of the file is a SIGBUS when touched.
  if (Status s = CheckFileSize(); !s.ok()) return s;
  int dead = 0;
  if ((rc = mdb_reader_check(env_, &dead)) != 0) return LmdbError("mdb_reader_check", rc);
  stale_readers_cleared_ = dead;
  return Status::Ok();
}

MDB_txn* Env::AcquireReadTxn() const {
  for (const CachedTxn& c : t_read_txns.txns) {
    if (c.env_id == id_) {
      if (mdb_txn_renew(c.txn) != 0) return nullptr;
      return c.txn;
    }
  }
  MDB_txn* txn = nullptr;
  if (mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn) != 0) return nullptr;
  t_read_txns.txns.push_back({id_, txn});
  std::lock_guard lock(cache_mutex_);
  cached_txns_.push_back(txn);
  return txn;
}

Status Env::Read(core::FunctionRef<Status(const ReadTxn&)> fn) const {
  std::shared_lock gate(resize_gate_);
  MDB_txn* txn = AcquireReadTxn();
  if (txn == nullptr) return Status(StatusCode::kIoError, "cannot begin read transaction");
  Status s = fn(ReadTxn(this, txn));
  mdb_txn_reset(txn);
  return s;
}

Status Env::Write(const std::function<Status(WriteTxn&)>& fn) {
  std::lock_guard writer(write_mutex_);
  for (;;) {
    MDB_txn* raw = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, 0, &raw);
    if (rc == MDB_PANIC) options_.on_fatal(LmdbError("mdb_txn_begin", rc));
    if (rc != 0) return LmdbError("mdb_txn_begin", rc);
    WriteTxn txn(this, raw);
    Status s = fn(txn);
    if (s.ok()) s = FlushGateFilter(txn);
    if (txn.no_space_ != 0) {
      mdb_txn_abort(raw);
      return RefuseNoSpace(txn.no_space_);
    }
    if (txn.map_full_) {
      mdb_txn_abort(raw);
      if (Status g = Grow(); !g.ok()) return g;
      continue;
    }
    if (!s.ok()) {
      mdb_txn_abort(raw);
      return s;
    }
    rc = Commit(raw);
    if (rc == MDB_MAP_FULL) {
      if (Status g = Grow(); !g.ok()) return g;
      continue;
    }
    if (IsNoSpace(rc)) return RefuseNoSpace(rc);
    if (rc != 0) {
      options_.on_fatal(LmdbError("mdb_txn_commit", rc));
      return LmdbError("mdb_txn_commit", rc);  // only reached when a test's handler returns
    }
    CommitSucceeded();
    return Status::Ok();
  }
}

Status Env::WriteBatch(std::span<const std::function<Status(WriteTxn&)>> fns,
                       std::vector<Status>& results) {
  std::lock_guard writer(write_mutex_);
  for (;;) {
    results.assign(fns.size(), Status::Ok());
    MDB_txn* parent = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, 0, &parent);
    // MDB_PANIC: a failed commit could not restore the meta page; only a restart is safe.
    if (rc == MDB_PANIC) options_.on_fatal(LmdbError("mdb_txn_begin", rc));
    if (rc != 0) return LmdbError("mdb_txn_begin", rc);
    bool map_full = false;
    int no_space = 0;
    for (size_t i = 0; i < fns.size() && !map_full && no_space == 0; ++i) {
      MDB_txn* child = nullptr;
      rc = mdb_txn_begin(env_, parent, 0, &child);
      if (rc != 0) {
        mdb_txn_abort(parent);
        return LmdbError("mdb_txn_begin (nested)", rc);
      }
      WriteTxn txn(this, child);
      results[i] = fns[i](txn);
      if (results[i].ok()) results[i] = FlushGateFilter(txn);
      if (txn.no_space_ != 0) {
        no_space = txn.no_space_;
        mdb_txn_abort(child);
      } else if (txn.map_full_) {
        map_full = true;
        mdb_txn_abort(child);
      } else if (!results[i].ok()) {
        mdb_txn_abort(child);
      } else if ((rc = mdb_txn_commit(child)) != 0) {
        map_full = rc == MDB_MAP_FULL;
        if (!map_full) results[i] = LmdbError("mdb_txn_commit (nested)", rc);
      }
    }
    if (no_space != 0) {
      mdb_txn_abort(parent);
      const Status refused = RefuseNoSpace(no_space);
      results.assign(fns.size(), refused);
      return refused;
    }
    if (map_full) mdb_txn_abort(parent);
    if (map_full || (rc = Commit(parent)) == MDB_MAP_FULL) {
      if (Status g = Grow(); !g.ok()) {
        results.assign(fns.size(), g);
        return g;
      }
      continue;
    }
    if (IsNoSpace(rc)) {
      const Status refused = RefuseNoSpace(rc);
      results.assign(fns.size(), refused);
      return refused;
    }
    if (rc != 0) {
      options_.on_fatal(LmdbError("mdb_txn_commit", rc));
      return LmdbError("mdb_txn_commit", rc);
    }
    CommitSucceeded();
    return Status::Ok();
  }
}

int Env::Commit(MDB_txn* raw) {
  if (options_.commit_fault) {
    if (const int injected = options_.commit_fault(); injected != 0) {
      mdb_txn_abort(raw);
      return injected;
    }
  }
  return mdb_txn_commit(raw);
}

Status Env::RefuseNoSpace(int rc) {
  const std::string error = "no space left for the store in " + options_.directory + " (" +
                            std::strerror(rc) +
                            "): the change was not written and nothing stored is torn; free "
                            "disk space, writes resume by themselves";
  if (!no_space_.exchange(true)) {
    core::LogError("store write refused: no disk space; serving reads, refusing writes",
                   {{"directory", options_.directory}, {"error", std::strerror(rc)}});
  }
  std::lock_guard lock(refusal_mutex_);
  no_space_error_ = error;
  return Status(StatusCode::kUnavailable, error);
}

Status Env::RefuseMapFull(uint64_t map_size) {
  const std::string error =
      "store is full: the map reached store.max_map_size_mib (" + std::to_string(map_size) +
      " bytes) in " + options_.directory +
      "; the change was not written and nothing stored is torn; raise store.max_map_size_mib "
      "and restart the daemon (writes resume by themselves if space inside the map is freed)";
  if (!map_full_.exchange(true)) {
    core::LogError(
        "store write refused: store.max_map_size_mib reached; serving reads, "
        "refusing writes",
        {{"directory", options_.directory}, {"map_bytes", std::to_string(map_size)}});
  }
  std::lock_guard lock(refusal_mutex_);
  map_full_error_ = error;
  // kUnavailable, as for a full disk: Create Purchases answers 503 and Amazon retries.
  return Status(StatusCode::kUnavailable, error);
}

void Env::CommitSucceeded() {
  if (no_space_.load(std::memory_order_relaxed) && no_space_.exchange(false)) {
    core::LogInfo("store writes succeed again (disk space is back)",
                  {{"directory", options_.directory}});
  }
  // A small write may still fit in pages LMDB freed after a big one was refused: the state
  // stays while the file's high-water mark is in the map's last tenth (it clears when a raised
  // store.max_map_size_mib is in force, or when the refused write was a single huge one), so
  // readiness does not flap.
  if (map_full_.load(std::memory_order_relaxed) &&
      UsedBytes() < options_.max_map_size_bytes / 10 * 9 && map_full_.exchange(false)) {
    core::LogInfo("store writes succeed again (room in the map)",
                  {{"directory", options_.directory}});
  }
}

std::string Env::NoSpaceError() const {
  if (!no_space_.load(std::memory_order_relaxed)) return {};
  std::lock_guard lock(refusal_mutex_);
  return no_space_error_;
}

std::string Env::MapFullError() const {
  if (!map_full_.load(std::memory_order_relaxed)) return {};
  std::lock_guard lock(refusal_mutex_);
  return map_full_error_;
}

Status Env::Grow() {
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  const uint64_t current = info.me_mapsize;
  if (current >= options_.max_map_size_bytes) return RefuseMapFull(current);
  const uint64_t next = std::min<uint64_t>(current * 2, options_.max_map_size_bytes);
  std::unique_lock gate(resize_gate_);
  const int rc = mdb_env_set_mapsize(env_, next);
  if (rc != 0) return LmdbError("mdb_env_set_mapsize", rc);
  ++map_grows_;
  // The remap is the moment a file cut short behind our back would turn into a SIGBUS on
  // the next read of a missing page: stop instead, and let the restart refuse the store.
  if (Status s = CheckFileSize(); !s.ok()) {
    options_.on_fatal(s);
    return s;
  }
  core::LogInfo("store map grew",
                {{"from_bytes", std::to_string(current)}, {"to_bytes", std::to_string(next)}});
  return Status::Ok();
}

uint64_t Env::UsedBytes() const {
  MDB_envinfo info;
  MDB_stat stat;
  mdb_env_info(env_, &info);
  mdb_env_stat(env_, &stat);
  return (info.me_last_pgno + 1) * static_cast<uint64_t>(stat.ms_psize);
}

EnvStats Env::Stats() const {
  EnvStats st;
  MDB_envinfo info;
  mdb_env_info(env_, &info);
  st.map_size_bytes = info.me_mapsize;
  st.used_bytes = UsedBytes();
  st.readers_used = info.me_numreaders;
  st.max_readers = info.me_maxreaders;
  st.map_grows = map_grows_;
  (void)Read([&](const ReadTxn& txn) {
    for (size_t i = 0; i < kAllTables.size(); ++i) {
      MDB_stat ts;
      if (mdb_stat(txn.txn_, dbi_[i], &ts) == 0) st.entries[i] = ts.ms_entries;
    }
    return Status::Ok();
  });
  return st;
}

}  // namespace jwo::store
