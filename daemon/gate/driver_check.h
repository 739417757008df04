// CheckGateDrivers: `jwo-edged --check-config`'s look at the gate drivers, the same loading
// and ABI checks a starting daemon makes (driver_path.h, hal::DriverLibrary), without opening
// an instance, so no gate is started and no hardware is touched. A driver's own settings
// rules are only checked by its open(), i.e. at start. Any thread; it dlopen()s each driver
// (running the library's constructors) and unloads it again.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace jwo::gate {

// One line per gate whose driver would not load ("gates[1].driver (entry): <why>"), in gate
// order; empty when every driver loads and speaks this daemon's ABI.
std::vector<std::string> CheckGateDrivers(const std::vector<config::GateConfig>& gates);

}  // namespace jwo::gate
