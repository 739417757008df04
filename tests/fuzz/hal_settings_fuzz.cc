// Fuzz target: the settings readers of the shipped HAL drivers (gpio and sim). Any bytes must
// give settings or a jwo_edge::hal::SettingsError, never a crash or another exception; accepted
// gpio settings use each line once.
#include <set>

#include "fuzz_target.h"
#include "hal/drivers/gpio/gpio_settings.h"
#include "hal/drivers/sim/sim_gate.h"
#include "jwo_edge/gate_hal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = jwo::fuzz::AsText(data, size);
  try {
    const auto gpio = jwo::hal::gpio::ParseGpioSettings(text);
    if (gpio.lanes.empty() || gpio.lanes.size() > 16) jwo::fuzz::Fail("gpio: lane count");
    std::set<uint32_t> lines;
    size_t count = 0;
    for (const auto& l : gpio.Inputs()) lines.insert(l.line), ++count;
    for (const auto& l : gpio.Outputs()) lines.insert(l.line), ++count;
    if (lines.size() != count) jwo::fuzz::Fail("gpio: a line is used twice");
  } catch (const jwo_edge::hal::SettingsError&) {
  }
  try {
    const auto sim = jwo::hal::sim::ParseSimSettings(text);
    if (sim.lanes < 1 || sim.lanes > 16) jwo::fuzz::Fail("sim: lane count");
  } catch (const jwo_edge::hal::SettingsError&) {
  }
  return 0;
}
