// Helpers shared by the config tests: a minimal valid document, a temp directory, and ways to
// pick one error out of a LoadResult. Single-threaded test code.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "config/loader.h"

namespace jwo::config::testing {

// The smallest valid configuration: every required key and nothing else. Tests append
// optional sections to it (YAML keys must stay unique, so a test that changes a required
// section writes the whole document instead).
inline constexpr std::string_view kMinimal =
    "store_id: s1\n"
    "store: {state_directory: /srv/state}\n"
    "listeners:\n"
    "  - {name: a, address: 127.0.0.1, port: 0, apis: [health]}\n"
    "control: {socket: /run/t/control.sock}\n";

// Loads `yaml` as if it were /etc/jwo/test.yaml.
inline LoadResult Load(std::string_view yaml) {
  return LoadConfigFromString(yaml, "/etc/jwo/test.yaml");
}

inline LoadResult LoadMinimalWith(std::string_view extra) {
  return Load(std::string(kMinimal) + std::string(extra));
}

// Every error, one per line, for failure messages.
inline std::string Describe(const LoadResult& result) {
  std::string out;
  for (const ConfigError& e : result.errors) out += e.ToString() + "\n";
  return out;
}

// The only error of `result`; an empty error when there is not exactly one (so the test's
// next check fails, with Describe() in its message).
inline ConfigError SoleError(const LoadResult& result) {
  return result.errors.size() == 1 ? result.errors.front() : ConfigError{};
}

// A fresh directory under the system temp directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "jwo-config-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `content` to `relative` (creating parent directories); returns the full path.
  std::filesystem::path Write(const std::string& relative, std::string_view content) const {
    const std::filesystem::path p = path_ / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << content;
    return p;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace jwo::config::testing
