// The `sim` gate driver: SimGate behind the C ABI, through the C++ wrapper, plus its control
// socket. See sim_gate.h for the behaviour and the request protocol.
#include <memory>
#include <string>

#include "hal/drivers/sim/sim_control_socket.h"
#include "hal/drivers/sim/sim_gate.h"
#include "jwo/version.h"
#include "jwo_edge/gate_hal.hpp"

namespace jwo::hal::sim {
namespace {

class SimDriver final : public jwo_edge::hal::Driver {
 public:
  static std::unique_ptr<SimDriver> Open(const jwo_edge::hal::Host& host,
                                         std::string_view settings_json) {
    const SimSettings settings = ParseSimSettings(settings_json);
    auto driver = std::make_unique<SimDriver>(host, settings);
    if (!settings.socket_path.empty()) {
      std::string error;
      if (!driver->socket_.Listen(settings.socket_path, &error)) {
        throw jwo_edge::hal::DeviceError("sim control socket: " + error);
      }
    }
    host.Log(JWO_HAL_LOG_INFO,
             "sim gate with " + std::to_string(settings.lanes) + " lanes" +
                 (settings.socket_path.empty() ? std::string()
                                               : ", control socket " + settings.socket_path));
    return driver;
  }

  SimDriver(const jwo_edge::hal::Host& host, const SimSettings& settings) : gate_(host, settings) {}

  uint32_t LaneCount() const override { return gate_.LaneCount(); }

  int Poll() override {
    socket_.Service([this](std::string_view line) {
      int rc = 0;
      return gate_.HandleRequest(line, &rc);
    });
    gate_.Poll();
    return JWO_HAL_OK;
  }

  int Admit(uint32_t lane) override { return gate_.Admit(lane); }
  int Deny(uint32_t lane, std::string_view message) override { return gate_.Deny(lane, message); }
  int SetLaneMode(uint32_t lane, jwo_hal_lane_mode_t mode) override {
    return gate_.SetLaneMode(lane, mode);
  }
  int Stimulate(jwo_hal_input_t input, uint32_t lane, std::string_view data) {
    return gate_.Stimulate(input, lane, data);
  }
  int Control(std::string_view request, std::string* reply) override {
    int rc = 0;
    *reply = gate_.HandleRequest(request, &rc);
    return rc;
  }

 private:
  SimGate gate_;
  SimControlSocket socket_;
};

}  // namespace
}  // namespace jwo::hal::sim

JWO_HAL_DEFINE_CXX_DRIVER(jwo::hal::sim::SimDriver, "sim", jwo::kVersion,
                          JWO_HAL_CAP_ADMIT | JWO_HAL_CAP_DENY | JWO_HAL_CAP_DENY_MESSAGE |
                              JWO_HAL_CAP_LANE_MODE | JWO_HAL_CAP_CARD_READER |
                              JWO_HAL_CAP_PASSAGE_SENSOR | JWO_HAL_CAP_DOOR_SENSOR |
                              JWO_HAL_CAP_TAMPER | JWO_HAL_CAP_EMERGENCY_INPUT |
                              JWO_HAL_CAP_HEARTBEAT | JWO_HAL_CAP_CONTROL)
