// OpenGpioLines for real hardware: libgpiod v2 (Debian 13's libgpiod 2.x; Debian 12 builds
// gpiod_lines.cc against v1, CMake picks by the installed version). Levels are physical here,
// as in the v1 file; active-low is applied by GpioGate.
#include <errno.h>
#include <gpiod.h>

#include <cctype>
#include <cstring>
#include <filesystem>
#include <map>

#include "hal/drivers/gpio/gpio_lines.h"

namespace jwo::hal::gpio {
namespace {

class GpiodLines final : public GpioLines {
 public:
  explicit GpiodLines(gpiod_chip* chip) : chip_(chip) {}
  ~GpiodLines() override {
    for (auto& [offset, request] : lines_) gpiod_line_request_release(request);
    gpiod_chip_close(chip_);
  }

  bool Request(const LineSpec& spec, bool output, const std::string& consumer, std::string* error) {
    gpiod_line_settings* settings = gpiod_line_settings_new();
    gpiod_line_config* line_config = gpiod_line_config_new();
    gpiod_request_config* request_config = gpiod_request_config_new();
    gpiod_line_request* request = nullptr;
    const unsigned int offset = spec.line;
    bool ok = settings != nullptr && line_config != nullptr && request_config != nullptr;
    if (ok) {
      ok = gpiod_line_settings_set_direction(
               settings, output ? GPIOD_LINE_DIRECTION_OUTPUT : GPIOD_LINE_DIRECTION_INPUT) == 0;
    }
    if (ok && output) {
      // The inactive physical level: high for an active-low output.
      ok =
          gpiod_line_settings_set_output_value(
              settings, spec.active_low ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE) == 0;
    }
    if (ok) ok = gpiod_line_config_add_line_settings(line_config, &offset, 1, settings) == 0;
    if (ok) {
      gpiod_request_config_set_consumer(request_config, consumer.c_str());
      request = gpiod_chip_request_lines(chip_, request_config, line_config);
      ok = request != nullptr;
    }
    const int saved = errno;
    gpiod_request_config_free(request_config);
    gpiod_line_config_free(line_config);
    gpiod_line_settings_free(settings);
    if (!ok) {
      *error = "request line " + std::to_string(spec.line) + " as " +
               (output ? "output" : "input") + ": " + std::strerror(saved) +
               " (is it used by another program? see gpioinfo)";
      return false;
    }
    lines_[spec.line] = request;
    return true;
  }

  bool Read(uint32_t line, bool* high) override {
    auto it = lines_.find(line);
    if (it == lines_.end()) return false;
    const gpiod_line_value v = gpiod_line_request_get_value(it->second, line);
    if (v == GPIOD_LINE_VALUE_ERROR) return false;
    *high = v == GPIOD_LINE_VALUE_ACTIVE;
    return true;
  }

  bool Write(uint32_t line, bool high) override {
    auto it = lines_.find(line);
    return it != lines_.end() &&
           gpiod_line_request_set_value(
               it->second, line, high ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE) == 0;
  }

 private:
  gpiod_chip* chip_;
  std::map<uint32_t, gpiod_line_request*> lines_;
};

bool AllDigits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// v1's gpiod_chip_open_lookup took a path, a name ("gpiochip0"), a number ("0") or a label;
// v2 opens paths only. The same four forms, so a configuration works on Debian 12 and 13.
gpiod_chip* OpenChip(const std::string& chip) {
  if (chip.find('/') != std::string::npos) return gpiod_chip_open(chip.c_str());
  if (AllDigits(chip)) return gpiod_chip_open(("/dev/gpiochip" + chip).c_str());
  if (chip.rfind("gpiochip", 0) == 0) return gpiod_chip_open(("/dev/" + chip).c_str());
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/dev", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("gpiochip", 0) != 0) continue;
    gpiod_chip* c = gpiod_chip_open(entry.path().c_str());
    if (c == nullptr) continue;
    gpiod_chip_info* info = gpiod_chip_get_info(c);
    const bool match = info != nullptr && chip == gpiod_chip_info_get_label(info);
    if (info != nullptr) gpiod_chip_info_free(info);
    if (match) return c;
    gpiod_chip_close(c);
  }
  errno = ENOENT;
  return nullptr;
}

}  // namespace

std::unique_ptr<GpioLines> OpenGpioLines(const GpioSettings& settings, std::string* error) {
  gpiod_chip* chip = OpenChip(settings.chip);
  if (chip == nullptr) {
    *error = internal::ChipOpenError(settings.chip);
    return nullptr;
  }
  return internal::RequestLines(std::make_unique<GpiodLines>(chip), settings, error);
}

}  // namespace jwo::hal::gpio
