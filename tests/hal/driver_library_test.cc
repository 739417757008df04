#include "hal/loader/driver_library.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <fstream>

#include "tests/support/temp_dir.h"

using Catch::Matchers::ContainsSubstring;
using jwo::hal::DriverLibrary;

namespace {

std::string Built(const std::string& name) { return std::string(JWO_BINARY_DIR) + "/" + name; }
std::string Broken(const std::string& kind) {
  return Built("tests/hal/jwo_hal_broken_" + kind + ".so");
}

std::string RefusalOf(const std::string& path) {
  auto lib = DriverLibrary::Load(path);
  REQUIRE_FALSE(lib.ok());
  return lib.status().message();
}

}  // namespace

TEST_CASE("the shipped drivers and the example load, with their descriptors") {
  auto sim = DriverLibrary::Load(Built("hal/drivers/jwo_hal_sim.so"));
  REQUIRE(sim.ok());
  CHECK((*sim)->name() == "sim");
  CHECK((*sim)->abi_major() == JWO_HAL_ABI_MAJOR);
  CHECK((*sim)->Has(JWO_HAL_CAP_CONTROL));
  CHECK(jwo::hal::CapabilityNames((*sim)->capabilities()).find("emergency_input") !=
        std::string::npos);
  auto example = DriverLibrary::Load(Built("hal/examples/jwo_hal_example.so"));
  REQUIRE(example.ok());
  CHECK((*example)->name() == "example");
  CHECK((*example)->functions().control == nullptr);
}

TEST_CASE("a driver built for another ABI major is refused, naming file, versions, remedy") {
  const std::string path = Broken("wrong_major");
  const std::string why = RefusalOf(path);
  CHECK_THAT(why, ContainsSubstring(path));
  CHECK_THAT(why, ContainsSubstring("built for HAL ABI 2.0"));
  CHECK_THAT(why, ContainsSubstring("speaks ABI " + jwo::hal::HostAbiVersion()));
  CHECK_THAT(why, ContainsSubstring("install a jwo-edge release that speaks HAL ABI 2"));
}

TEST_CASE("a descriptor smaller than ABI 1.0's is refused") {
  const std::string why = RefusalOf(Broken("short"));
  CHECK_THAT(why, ContainsSubstring("has a descriptor of"));
  CHECK_THAT(why, ContainsSubstring("fewer than the " + std::to_string(JWO_HAL_DRIVER_SIZE_1_0) +
                                    " bytes"));
  CHECK_THAT(why, ContainsSubstring("rebuild it against the installed jwo_edge/gate_hal.h"));
}

TEST_CASE("a library without the entry symbol is refused") {
  const std::string why = RefusalOf(Broken("no_entry"));
  CHECK_THAT(why, ContainsSubstring("does not export the symbol jwo_hal_entry"));
  CHECK_THAT(why, ContainsSubstring("nm -D"));
}

TEST_CASE("a NULL required function or a capability without its function is refused") {
  CHECK_THAT(RefusalOf(Broken("null_poll")),
             ContainsSubstring("leaves the required function 'poll' NULL"));
  CHECK_THAT(RefusalOf(Broken("cap_no_fn")),
             ContainsSubstring("declares JWO_HAL_CAP_ADMIT but its 'admit' function is NULL"));
}

TEST_CASE("a missing file and a file that is no shared object are refused") {
  auto missing = DriverLibrary::Load("/nonexistent/jwo_hal_x.so");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == jwo::core::StatusCode::kNotFound);
  jwo::testing::TempDir dir;
  std::ofstream(dir.File("text.so")) << "not an ELF file\n";
  CHECK_THAT(RefusalOf(dir.File("text.so")), ContainsSubstring("cannot load gate driver"));
}

TEST_CASE("names of capabilities, events and modes") {
  CHECK(jwo::hal::CapabilityNames(JWO_HAL_CAP_ADMIT | JWO_HAL_CAP_HEARTBEAT) == "admit heartbeat");
  CHECK(jwo::hal::CapabilityNames(0).empty());
  for (uint32_t type = JWO_HAL_EVENT_CARD_TAPPED; type <= JWO_HAL_EVENT_HEARTBEAT; ++type) {
    CHECK(jwo::hal::EventTypeName(type) != "unknown");
  }
  CHECK(jwo::hal::EventTypeName(99) == "unknown");
  CHECK(jwo::hal::LaneModeName(JWO_HAL_LANE_MODE_OUT_OF_SERVICE) == "out_of_service");
  CHECK(jwo::hal::LaneModeName(0) == "unknown");
  for (int code = JWO_HAL_EINTERNAL; code <= JWO_HAL_OK; ++code) {
    CHECK(std::string(jwo_hal_status_name(code)) != "unknown status");
  }
}
