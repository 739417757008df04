// A temporary directory for one store test: a fresh, uniquely named folder, removed with
// everything in it when the test ends. Single-threaded test code.
#pragma once

#include <filesystem>
#include <random>
#include <string>

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

}  // namespace jwo::testing
