#include "admin/store_tool.h"

#include <algorithm>
#include <cstdio>

#include "store/verify.h"

namespace jwo::admin {

store::EnvOptions StoreOptions(const config::Config& cfg, int io_threads) {
  store::EnvOptions options;
  options.directory = cfg.store.state_directory;
  options.map_size_bytes = cfg.store.map_size_mib << 20;
  options.max_map_size_bytes = cfg.store.max_map_size_mib << 20;
  options.max_readers = cfg.store.max_readers != 0
                            ? cfg.store.max_readers
                            : static_cast<uint32_t>(std::max(126, io_threads * 2 + 16));
  options.publish_debts = cfg.ledger.enabled;
  options.publish_portal =
      cfg.ledger.enabled && cfg.ledger.portal == config::LedgerPortal::kPublish;
  return options;
}

int InitStore(const config::Config& cfg) {
  store::EnvOptions options = StoreOptions(cfg, 1);
  options.init_store = true;
  auto env = store::Env::Open(options);
  if (!env.ok()) {
    std::fprintf(stderr, "jwo-edged: no store created: %s\n", env.status().ToString().c_str());
    return 1;
  }
  std::printf("created an empty store in %s (schema version %u)\n", options.directory.c_str(),
              (*env)->schema_version());
  return 0;
}

int VerifyStoreOffline(const config::Config& cfg) {
  const store::EnvOptions options = StoreOptions(cfg, 1);
  auto env = store::Env::Open(options);
  if (!env.ok()) {
    std::printf("store in %s does not open: %s\n", options.directory.c_str(),
                env.status().ToString().c_str());
    return 1;
  }
  store::VerifyReport report;
  const core::Status read = (*env)->Read([&](const store::ReadTxn& txn) {
    auto r = store::VerifyStore(txn);
    if (!r.ok()) return r.status();
    report = std::move(r).value();
    return core::Status::Ok();
  });
  if (!read.ok()) {
    std::printf("store in %s cannot be read: %s\n", options.directory.c_str(),
                read.ToString().c_str());
    return 1;
  }
  std::printf("store in %s\n%s", options.directory.c_str(),
              store::FormatVerifyReport(report).c_str());
  return report.ok() ? 0 : 1;
}

}  // namespace jwo::admin
