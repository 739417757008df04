// OpenGpioLines for real hardware: libgpiod v1 (Debian 12's libgpiod 1.6). Levels are handled
// as physical levels here; active-low is applied by GpioGate so that the seam stays trivial.
#include <errno.h>
#include <gpiod.h>

#include <cstring>
#include <map>

#include "hal/drivers/gpio/gpio_lines.h"

namespace jwo::hal::gpio {
namespace {

class GpiodLines final : public GpioLines {
 public:
  explicit GpiodLines(gpiod_chip* chip) : chip_(chip) {}
  ~GpiodLines() override {
    for (auto& [offset, line] : lines_) gpiod_line_release(line);
    gpiod_chip_close(chip_);
  }

  bool Request(const LineSpec& spec, bool output, const std::string& consumer, std::string* error) {
    gpiod_line* line = gpiod_chip_get_line(chip_, spec.line);
    if (line == nullptr) {
      *error = "line " + std::to_string(spec.line) + ": " + std::strerror(errno);
      return false;
    }
    const int inactive_level = spec.active_low ? 1 : 0;
    const int rc = output ? gpiod_line_request_output(line, consumer.c_str(), inactive_level)
                          : gpiod_line_request_input(line, consumer.c_str());
    if (rc != 0) {
      *error = "request line " + std::to_string(spec.line) + " as " +
               (output ? "output" : "input") + ": " + std::strerror(errno) +
               " (is it used by another program? see gpioinfo)";
      return false;
    }
    lines_[spec.line] = line;
    return true;
  }

  bool Read(uint32_t line, bool* high) override {
    auto it = lines_.find(line);
    if (it == lines_.end()) return false;
    const int v = gpiod_line_get_value(it->second);
    if (v < 0) return false;
    *high = v != 0;
    return true;
  }

  bool Write(uint32_t line, bool high) override {
    auto it = lines_.find(line);
    return it != lines_.end() && gpiod_line_set_value(it->second, high ? 1 : 0) == 0;
  }

 private:
  gpiod_chip* chip_;
  std::map<uint32_t, gpiod_line*> lines_;
};

}  // namespace

std::unique_ptr<GpioLines> OpenGpioLines(const GpioSettings& settings, std::string* error) {
  gpiod_chip* chip = gpiod_chip_open_lookup(settings.chip.c_str());
  if (chip == nullptr) {
    *error = internal::ChipOpenError(settings.chip);
    return nullptr;
  }
  return internal::RequestLines(std::make_unique<GpiodLines>(chip), settings, error);
}

}  // namespace jwo::hal::gpio
