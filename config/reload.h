// What a configuration reload (SIGHUP) may change in a running daemon, and what needs a restart.
//
// Reloadable: every `fa.*` key (strategy, fail mode, thresholds, recommendation rules) and
// `log.level`. These are read per request / per log call through the shared Config pointer,
// so swapping the pointer is enough. Everything else sizes or opens something once at startup
// (sockets, TLS contexts, the LMDB environment, thread pools, the audit queue, the log sink)
// and needs a restart. Pure functions on values; call them from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace jwo::config {

enum class KeyReload { kReloadable, kRestart };

// How a SIGHUP treats the key at `path` ("fa.strategy", "listeners[0].port", "log.level"):
// by the first entry of a table that names every section of the schema, and each key of a
// section whose keys differ (log). nullopt for a key the table does not know; the tests walk
// every key the loader accepts, so a new key must be classified here before it can ship.
std::optional<KeyReload> ReloadRuleOf(std::string_view path);

// The key paths whose values differ between `old_cfg` and `new_cfg` and that only take effect
// after a restart, in schema order, e.g. {"http.threads", "listeners[0].port"}. A change in the
// number of listeners is reported as "listeners". Empty when the configs differ only in
// reloadable keys (or not at all). source_file is ignored. Beyond the keys compared by name, a
// section whose value differs in a way no named key explains (a new field) is reported by its
// section name, so no change is ever silently neither applied nor reported.
std::vector<std::string> RestartRequiredChanges(const Config& old_cfg, const Config& new_cfg);

// The config a SIGHUP should install: `running` with the reloadable keys (fa.*, log.level)
// taken from `loaded`, and every other key kept at its running value until a restart. Log
// RestartRequiredChanges(running, loaded) alongside so the operator knows what was kept.
Config ApplyReloadable(const Config& running, const Config& loaded);

}  // namespace jwo::config
