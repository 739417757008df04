// A temporary directory for one store test (a fresh, uniquely named folder, removed with
// everything in it when the test ends) and the options of a store in it. Single-threaded test
// code.
#pragma once

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>

#include "store/env.h"

namespace jwo::testing {

struct StoreTempDir {
  std::filesystem::path path;
  StoreTempDir() {
    path = std::filesystem::temp_directory_path() /
           ("jwo-store-test-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path);
  }
  ~StoreTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  StoreTempDir(const StoreTempDir&) = delete;
  StoreTempDir& operator=(const StoreTempDir&) = delete;
};

// Options for a test store in `dir`: a small map that may grow (LMDB's growth path is tested).
inline store::EnvOptions StoreOptions(const StoreTempDir& dir, uint64_t map_bytes = 1 << 20,
                                      uint64_t max_map_bytes = 256 << 20) {
  store::EnvOptions o;
  o.directory = dir.path.string();
  o.map_size_bytes = map_bytes;
  o.max_map_size_bytes = max_map_bytes;
  return o;
}

}  // namespace jwo::testing
