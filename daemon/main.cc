// jwo-edged: argument parsing and the hand-over to admin::Daemon. All logic lives in the
// libraries the tests link.
#include <malloc.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "admin/daemon.h"
#include "admin/store_tool.h"
#include "config/loader.h"
#include "gate/driver_check.h"
#include "jwo/version.h"

namespace {

constexpr const char* kDefaultConfig = "/etc/jwo-edge/jwo-edge.yaml";

void Usage(std::FILE* out) {
  std::fprintf(out,
               "usage: jwo-edged [--config FILE] [--check-config | --init-store | --verify-store]\n"
               "                 [--version]\n"
               "\n"
               "  --config FILE    configuration file (default %s)\n"
               "  --check-config   validate the configuration, print every error, exit 0 or 1\n"
               "  --init-store     create a fresh, empty store where data.mdb is missing or empty\n"
               "                   (after a lost store, when there is no backup), exit 0 or 1\n"
               "  --verify-store   read the whole store and check it, print a report, exit 0 or 1\n"
               "  --version        print the version and exit\n",
               kDefaultConfig);
}

}  // namespace

int main(int argc, char** argv) {
  // A large cart's buffers (a 1,000-line Create Purchases is a 70 KB body and a 200 KB trip
  // record, and ten times that for 10,000 lines) pass glibc's mmap threshold: each would be fresh
  // memory whose every page faults on first touch, dear on a VM. They stay in the heap instead,
  // which gives memory back to the system past 64 MiB of free space (measured: a 10,000-line
  // cart 60 -> 20 ms; docs/performance.md, "Create Purchases latency").
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  std::string config_path = kDefaultConfig;
  bool check_only = false;
  bool init_store = false;
  bool verify_store = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg.rfind("--config=", 0) == 0) {
      config_path = arg.substr(std::strlen("--config="));
    } else if (arg == "--check-config") {
      check_only = true;
    } else if (arg == "--init-store") {
      init_store = true;
    } else if (arg == "--verify-store") {
      verify_store = true;
    } else if (arg == "--version") {
      std::printf("jwo-edged %s\n", jwo::kVersion);
      return 0;
    } else if (arg == "--help" || arg == "-h") {
      Usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "jwo-edged: unknown argument '%s'\n", arg.c_str());
      Usage(stderr);
      return 2;
    }
  }

  jwo::config::LoadResult loaded = jwo::config::LoadConfig(config_path);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.ToString().c_str());
    std::fprintf(stderr, "jwo-edged: %zu configuration error(s) in %s\n", loaded.errors.size(),
                 config_path.c_str());
    return 1;
  }
  if (check_only) {
    // Load the gate drivers as a start would (not opening them): a missing file or a driver
    // for another ABI is a bad configuration too.
    const auto problems = jwo::gate::CheckGateDrivers(loaded.config->gates);
    for (const std::string& p : problems)
      std::fprintf(stderr, "%s: %s\n", config_path.c_str(), p.c_str());
    if (!problems.empty()) {
      std::fprintf(stderr, "jwo-edged: %zu gate driver(s) in %s cannot be loaded\n",
                   problems.size(), config_path.c_str());
      return 1;
    }
    std::printf("configuration OK: %s\n", config_path.c_str());
    return 0;
  }
  if (init_store) return jwo::admin::InitStore(*loaded.config);
  if (verify_store) return jwo::admin::VerifyStoreOffline(*loaded.config);
  jwo::admin::Daemon daemon(config_path, std::move(*loaded.config));
  return daemon.Run();
}
