#include "gate/driver_check.h"

#include "gate/driver_path.h"
#include "hal/loader/driver_library.h"

namespace jwo::gate {

std::vector<std::string> CheckGateDrivers(const std::vector<config::GateConfig>& gates) {
  std::vector<std::string> problems;
  for (size_t i = 0; i < gates.size(); ++i) {
    auto path = ResolveDriverPath(gates[i].driver);
    const core::Status s = path.ok() ? hal::DriverLibrary::Load(*path).status() : path.status();
    if (!s.ok()) {
      problems.push_back("gates[" + std::to_string(i) + "].driver (" + gates[i].name +
                         "): " + s.message());
    }
  }
  return problems;
}

}  // namespace jwo::gate
