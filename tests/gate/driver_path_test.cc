#include "gate/driver_path.h"

#include <stdlib.h>

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <fstream>

#include "tests/support/temp_dir.h"

using Catch::Matchers::ContainsSubstring;

TEST_CASE("a driver path is used as written; a name is searched for") {
  CHECK(*jwo::gate::ResolveDriverPath("/opt/x/jwo_hal_x.so") == "/opt/x/jwo_hal_x.so");

  jwo::testing::TempDir dir;
  std::ofstream(dir.File("jwo_hal_acme.so")) << "";
  setenv("JWO_HAL_DRIVER_PATH", ("/nonexistent:" + dir.path()).c_str(), 1);
  auto found = jwo::gate::ResolveDriverPath("acme");
  REQUIRE(found.ok());
  CHECK(*found == dir.File("jwo_hal_acme.so"));
  auto missing = jwo::gate::ResolveDriverPath("nothere");
  unsetenv("JWO_HAL_DRIVER_PATH");
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.status().message(),
             ContainsSubstring("no jwo_hal_nothere.so in /nonexistent, "));
  CHECK_THAT(missing.status().message(), ContainsSubstring("JWO_HAL_DRIVER_PATH"));
}
