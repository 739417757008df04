// LoadConfig: turns the YAML configuration file into a validated Config, or into the complete
// list of what is wrong with it (file, line, column, key path, rule, offending text).
//
// Start here for configuration; config/config.h holds the structs and docs/configuration.md
// documents every key. Loading reads the file, and checks that TLS files named in it exist and
// are readable; it changes nothing. The functions are reentrant: call them from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/config_error.h"
#include "config/reload.h"

namespace jwo::config {

struct LoadResult {
  std::optional<Config> config;     // set exactly when errors is empty
  std::vector<ConfigError> errors;  // every error found, in document order within each section

  bool ok() const { return config.has_value(); }
};

// Reads and validates the file at `path`.
// On success: result.config holds the Config, with every relative path in the file (store
// state directory, TLS files, control socket) resolved against the directory containing the
// file and made absolute, so the same file works from any working directory; source_file is
// `path`. Keys absent from the file keep the defaults written in config.h.
// On failure: result.errors lists every problem found, never just the first:
//   - the file cannot be read: one error naming the file and the errno text;
//   - YAML syntax: one error with the line and column yaml-cpp reports;
//   - unknown keys (with a "did you mean" suggestion when one is close), repeated keys,
//     wrong types, numbers out of range, names not in an enum, missing required keys, bad
//     money amounts or currency codes, duplicate listener names, bad addresses, unreadable
//     TLS files, and the cross-key rules in docs/configuration.md.
LoadResult LoadConfig(const std::string& path);

// As LoadConfig, for a document already in memory. `name_for_messages` becomes every error's
// `file` and the Config's source_file, and relative paths are resolved against its directory
// (against the current directory when it has none).
LoadResult LoadConfigFromString(std::string_view yaml, const std::string& name_for_messages);

// For jwo-edgectl when the file does not load: control.socket read as leniently as possible,
// resolved against the file's directory as LoadConfig would. Tries the YAML document first
// (ignoring every other key), then, for a file that is not valid YAML, a plain line scan for
// an indented `socket:` under a top-level `control:`. nullopt when neither finds a non-empty
// value or the file cannot be read. Never throws.
std::optional<std::string> LenientControlSocket(const std::string& path);

}  // namespace jwo::config
