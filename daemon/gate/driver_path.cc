#include "gate/driver_path.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace jwo::gate {

std::vector<std::string> DriverSearchPath() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("JWO_HAL_DRIVER_PATH"); env != nullptr) {
    std::string list = env;
    for (size_t start = 0; start <= list.size();) {
      const size_t colon = std::min(list.find(':', start), list.size());
      if (colon > start) dirs.push_back(list.substr(start, colon - start));
      start = colon + 1;
    }
  }
  dirs.push_back(JWO_HAL_DRIVER_DIR);
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back((exe.parent_path() / ".." / "hal" / "drivers").lexically_normal());
  return dirs;
}

core::Result<std::string> ResolveDriverPath(const std::string& driver) {
  if (driver.find('/') != std::string::npos) return driver;
  const std::string file = "jwo_hal_" + driver + ".so";
  std::string searched;
  for (const std::string& dir : DriverSearchPath()) {
    const std::string candidate = dir + "/" + file;
    if (access(candidate.c_str(), F_OK) == 0) return candidate;
    searched += (searched.empty() ? "" : ", ") + dir;
  }
  return core::NotFound("gate driver '" + driver + "': no " + file + " in " + searched +
                        " (install the driver's package, set JWO_HAL_DRIVER_PATH, or give "
                        "`driver:` as a path)");
}

}  // namespace jwo::gate
