// The store as the operator handles it outside the running daemon: the options the daemon opens
// it with, `jwo-edged --init-store` and `--verify-store` (docs/operations.md, "When things break").
//
// Threading: plain functions, called from main() or the daemon's store-opening thread.
#pragma once

#include "config/config.h"
#include "store/env.h"

namespace jwo::admin {

// The EnvOptions the daemon opens the store with, from the configuration. `io_threads` sizes
// the reader table when store.max_readers is 0 (automatic).
store::EnvOptions StoreOptions(const config::Config& cfg, int io_threads);

// `jwo-edged --init-store`: creates a fresh, empty store in store.state_directory where
// data.mdb is missing or empty, with a new marker. Prints what it did to stdout, or why not to
// stderr. Returns the process exit code: 0 created, 1 refused (a store with data is there, or
// the directory cannot be written).
int InitStore(const config::Config& cfg);

// `jwo-edged --verify-store`: opens the store as the daemon would (a store that does not open
// is reported with the reason) and runs store::VerifyStore on it. Prints the report to stdout.
// Returns 0 when no problem was found, 1 otherwise.
int VerifyStoreOffline(const config::Config& cfg);

}  // namespace jwo::admin
