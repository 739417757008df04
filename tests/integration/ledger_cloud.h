// Cloud: a test's stand-in for the cloud side of the chain ledger (the portal, an operator
// tool), writing the debts bucket through libnats' own KV API. Header-only; link PkgConfig::NATS
// and jwo_chain. Not thread-safe; one per test.
#pragma once

#include <nats/nats.h>

#include <catch2/catch_test_macros.hpp>
#include <chrono>
#include <string>

#include "chain/chain_record.h"

namespace jwo::testing {

inline int64_t WallNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The cloud side, through libnats' KV API as the portal or an operator tool would write.
class Cloud {
 public:
  explicit Cloud(const std::string& url) {
    REQUIRE(natsConnection_ConnectTo(&nc_, url.c_str()) == NATS_OK);
    REQUIRE(natsConnection_JetStream(&js_, nc_, nullptr) == NATS_OK);
    REQUIRE(js_KeyValue(&kv_, js_, "debts") == NATS_OK);
  }
  ~Cloud() {
    kvStore_Destroy(kv_);
    jsCtx_Destroy(js_);
    natsConnection_Close(nc_);
    natsConnection_Destroy(nc_);
  }
  static std::string Key(const jwo::chain::ChainDebt& c) {
    return *jwo::chain::BucketKey(c.debt.origin_store, c.debt.trip_id, c.debt.kind);
  }
  void Create(const jwo::chain::ChainDebt& c) {
    const std::string value = jwo::chain::EncodeChainDebt(c);
    uint64_t rev = 0;
    REQUIRE(kvStore_CreateString(&rev, kv_, Key(c).c_str(), value.c_str()) == NATS_OK);
  }
  // Settles the record as the portal does: compare-and-set on the key's revision.
  void Settle(const std::string& key, const std::string& reference) {
    kvEntry* e = nullptr;
    REQUIRE(kvStore_Get(&e, kv_, key.c_str()) == NATS_OK);
    auto rec = jwo::chain::DecodeChainDebt(
        key, std::string(static_cast<const char*>(kvEntry_Value(e)), kvEntry_ValueLen(e)));
    const uint64_t revision = kvEntry_Revision(e);
    kvEntry_Destroy(e);
    REQUIRE(rec.ok());
    rec->debt.state = jwo::store::DebtState::kSettled;
    rec->debt.settlement_ref = reference;
    rec->debt.settled_ms = WallNowMs();
    rec->version = jwo::chain::kClosedVersion;
    const std::string value = jwo::chain::EncodeChainDebt(*rec);
    uint64_t rev = 0;
    REQUIRE(kvStore_UpdateString(&rev, kv_, key.c_str(), value.c_str(), revision) == NATS_OK);
  }
  // Settle() when the key exists; false (nothing written) while it does not yet.
  bool TrySettle(const std::string& key, const std::string& reference) {
    kvEntry* e = nullptr;
    if (kvStore_Get(&e, kv_, key.c_str()) != NATS_OK) return false;
    kvEntry_Destroy(e);
    Settle(key, reference);
    return true;
  }
  void Delete(const std::string& key) { REQUIRE(kvStore_Delete(kv_, key.c_str()) == NATS_OK); }
  // Removes the key's delete marker from the stream, as a purge of markers (kvStore_PurgeDeletes,
  // or a short tombstone retention) does over time. Done with a stream purge of the key's
  // subject: libnats 3.4's kvStore_PurgeDeletes leaks its internal watcher (LeakSanitizer).
  void PurgeTombstone(const std::string& key) {
    jsOptions o;
    REQUIRE(jsOptions_Init(&o) == NATS_OK);
    const std::string subject = "$KV.debts." + key;
    o.Stream.Purge.Subject = subject.c_str();
    jsErrCode jerr = static_cast<jsErrCode>(0);
    REQUIRE(js_PurgeStream(js_, "KV_debts", &o, &jerr) == NATS_OK);
  }

 private:
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  kvStore* kv_ = nullptr;
};

}  // namespace jwo::testing
