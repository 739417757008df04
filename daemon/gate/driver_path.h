// Where a gate's `driver:` is found: a path is used as written; a name such as "sim" means the
// file jwo_hal_sim.so in the first directory of the search path that has it:
//   1. each directory in $JWO_HAL_DRIVER_PATH (colon-separated), for drivers under test;
//   2. the installed driver directory (<libdir>/jwo-edge/hal, where driver packages put them);
//   3. <directory of jwo-edged>/../hal/drivers, so a build tree runs without installing.
// Pure apart from reading the environment and the file system; any thread.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace jwo::gate {

// The directories searched for a driver name, in order.
std::vector<std::string> DriverSearchPath();

// The file for `driver`. Errors: kNotFound naming every place that was looked in.
core::Result<std::string> ResolveDriverPath(const std::string& driver);

}  // namespace jwo::gate
