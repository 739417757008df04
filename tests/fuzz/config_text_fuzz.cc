// Fuzz target: the configuration loader, from text (config/loader.h, LoadConfigFromString).
// Any bytes must give a Config or a list of errors, never a crash or an exception. The name
// points into a folder that does not exist, so relative paths in the input name nothing real.
#include "config/loader.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto result =
      jwo::config::LoadConfigFromString(jwo::fuzz::AsText(data, size), "/nonexistent/fuzz.yaml");
  if (result.ok() != result.errors.empty()) {
    jwo::fuzz::Fail("a config with errors, or neither a config nor errors");
  }
  return 0;
}
