// The `gpio` gate driver: GpioGate behind the C ABI, through the C++ wrapper. The lines come
// from OpenGpioLines(), which the production library takes from gpiod_lines.cc (libgpiod) and
// the test build from a replacement (the seam, see gpio_lines.h).
#include <memory>
#include <string>

#include "hal/drivers/gpio/gpio_gate.h"
#include "jwo/version.h"
#include "jwo_edge/gate_hal.hpp"

namespace jwo::hal::gpio {
namespace {

class GpioDriver final : public jwo_edge::hal::Driver {
 public:
  static std::unique_ptr<GpioDriver> Open(const jwo_edge::hal::Host& host,
                                          std::string_view settings_json) {
    GpioSettings settings = ParseGpioSettings(settings_json);
    std::string error;
    std::unique_ptr<GpioLines> lines = OpenGpioLines(settings, &error);
    if (!lines) throw jwo_edge::hal::DeviceError(error);
    host.Log(JWO_HAL_LOG_INFO, "gpio gate on " + settings.chip + " with " +
                                   std::to_string(settings.lanes.size()) + " lanes");
    return std::make_unique<GpioDriver>(host, std::move(settings), std::move(lines));
  }

  GpioDriver(const jwo_edge::hal::Host& host, GpioSettings settings,
             std::unique_ptr<GpioLines> lines)
      : caps_(CapabilitiesOf(settings)), gate_(host, std::move(settings), std::move(lines)) {}

  // ABI 1.1: what this instance's wiring has. The descriptor declares every input the driver
  // can read; a gate without a door line has no door sensor, and says so.
  uint64_t InstanceCapabilities() const { return caps_; }

  uint32_t LaneCount() const override { return gate_.LaneCount(); }
  int Poll() override { return gate_.Poll(); }
  int Admit(uint32_t lane) override { return gate_.Admit(lane); }
  int Deny(uint32_t lane, std::string_view) override { return gate_.Deny(lane); }
  int SetLaneMode(uint32_t lane, jwo_hal_lane_mode_t mode) override {
    return gate_.SetLaneMode(lane, mode);
  }
  // Tests only (jwo-hal-conformance); the daemon never calls it.
  int Stimulate(jwo_hal_input_t input, uint32_t lane, std::string_view) {
    return gate_.Stimulate(input, lane);
  }

 private:
  static uint64_t CapabilitiesOf(const GpioSettings& s) {
    uint64_t caps =
        JWO_HAL_CAP_ADMIT | JWO_HAL_CAP_DENY | JWO_HAL_CAP_LANE_MODE | JWO_HAL_CAP_HEARTBEAT;
    for (const GpioLaneSettings& lane : s.lanes) {
      if (lane.door) caps |= JWO_HAL_CAP_DOOR_SENSOR;
      if (lane.passage) caps |= JWO_HAL_CAP_PASSAGE_SENSOR;
    }
    if (s.tamper) caps |= JWO_HAL_CAP_TAMPER;
    if (s.emergency) caps |= JWO_HAL_CAP_EMERGENCY_INPUT;
    return caps;
  }

  uint64_t caps_;
  GpioGate gate_;
};

}  // namespace
}  // namespace jwo::hal::gpio

JWO_HAL_DEFINE_CXX_DRIVER(jwo::hal::gpio::GpioDriver, "gpio", jwo::kVersion,
                          JWO_HAL_CAP_ADMIT | JWO_HAL_CAP_DENY | JWO_HAL_CAP_LANE_MODE |
                              JWO_HAL_CAP_PASSAGE_SENSOR | JWO_HAL_CAP_DOOR_SENSOR |
                              JWO_HAL_CAP_TAMPER | JWO_HAL_CAP_EMERGENCY_INPUT |
                              JWO_HAL_CAP_HEARTBEAT)
