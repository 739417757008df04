// OpenGpioLines for tests: every requested line in memory, inputs inactive. Linked into
// jwo_hal_gpio_fake.so in place of gpiod_lines.cc; chip "missing" fails like an absent chip.
#include "tests/hal/fake_gpio_lines.h"

namespace jwo::hal::gpio {

std::unique_ptr<GpioLines> OpenGpioLines(const GpioSettings& settings, std::string* error) {
  if (settings.chip == "missing") {
    *error = "cannot open GPIO chip 'missing': No such file or directory";
    return nullptr;
  }
  auto state = std::make_shared<FakeLineState>();
  for (const LineSpec& spec : settings.Inputs()) state->levels[spec.line] = spec.active_low;
  for (const LineSpec& spec : settings.Outputs()) state->levels[spec.line] = spec.active_low;
  return std::make_unique<FakeGpioLines>(std::move(state));
}

}  // namespace jwo::hal::gpio
