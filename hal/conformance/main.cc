// jwo-hal-conformance: checks a gate driver against the jwo-edge HAL contract and prints a
// pass/fail line per check (conformance_checks.h lists them; docs/hal.md explains each).
//
//   jwo-hal-conformance PATH/TO/driver.so [SETTINGS_JSON]
//
// Exit status: 0 every check passed (warnings allowed), 1 a check failed, 2 usage error.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "hal/conformance/conformance_checks.h"
#include "hal/loader/driver_library.h"
#include "jwo/version.h"

namespace {

jwo::hal::conformance::ConformanceReport report;

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::printf("usage: jwo-hal-conformance PATH/TO/driver.so [SETTINGS_JSON]\n");
    return 0;
  }
  if (argc >= 2 && std::strcmp(argv[1], "--version") == 0) {
    std::printf("jwo-hal-conformance %s (HAL ABI %s)\n", jwo::kVersion,
                jwo::hal::HostAbiVersion().c_str());
    return 0;
  }
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: jwo-hal-conformance PATH/TO/driver.so [SETTINGS_JSON]\n");
    return 2;
  }
  std::string path = argv[1];
  // dlopen searches the library path for a bare name; the user meant the file here.
  if (path.find('/') == std::string::npos) path = "./" + path;

  jwo::hal::conformance::ConformanceOptions options;
  if (argc == 3) options.settings = argv[2];
  options.on_hang = [](const std::string& call) {
    report.Add("non-blocking", jwo::hal::conformance::Verdict::kFail,
               call + " did not return within 10 s: the driver blocks");
    report.Print(stdout);
    std::fflush(stdout);
    _exit(1);
  };

  std::printf("jwo-hal-conformance %s (HAL ABI %s)\ndriver:   %s\nsettings: %s\n\n", jwo::kVersion,
              jwo::hal::HostAbiVersion().c_str(), path.c_str(), options.settings.c_str());
  jwo::hal::conformance::RunConformance(path, options, &report);
  report.Print(stdout);
  return report.passed() ? 0 : 1;
}
