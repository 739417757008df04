// GpioLines: the seam between the gpio driver's logic and the GPIO character device.
//
// The driver's logic (GpioGate) reads and writes physical levels only through this interface.
// Production code gets libgpiod lines from OpenGpioLines() (gpiod_lines.cc for libgpiod v1,
// gpiod2_lines.cc for v2); tests link a replacement that keeps levels in memory and can fail on
// command, so debounce, pulses, active-low handling and fault reporting are tested without
// hardware. Implementations must not block (GPIO character-device ioctls return at once). One
// thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "hal/drivers/gpio/gpio_settings.h"

namespace jwo::hal::gpio {

class GpioLines {
 public:
  virtual ~GpioLines() = default;
  // Reads the physical level of input `line` into *high. False on an I/O error.
  virtual bool Read(uint32_t line, bool* high) = 0;
  // Sets the physical level of output `line`. False on an I/O error.
  virtual bool Write(uint32_t line, bool high) = 0;
};

// Opens settings.chip and requests every input and output line of `settings` for
// settings.consumer, outputs at their inactive level. On failure returns null and sets *error
// (the chip or line and the system's reason).
std::unique_ptr<GpioLines> OpenGpioLines(const GpioSettings& settings, std::string* error);

namespace internal {

// What both libgpiod implementations of OpenGpioLines share: the message for a chip that does
// not open (errno says why), and the order of requests: every output first, at its inactive
// level, then every input. `Lines` has bool Request(const LineSpec&, bool output, const
// std::string& consumer, std::string* error).
std::string ChipOpenError(const std::string& chip);

template <typename Lines>
std::unique_ptr<GpioLines> RequestLines(std::unique_ptr<Lines> lines, const GpioSettings& settings,
                                        std::string* error) {
  for (const LineSpec& spec : settings.Outputs()) {
    if (!lines->Request(spec, true, settings.consumer, error)) return nullptr;
  }
  for (const LineSpec& spec : settings.Inputs()) {
    if (!lines->Request(spec, false, settings.consumer, error)) return nullptr;
  }
  return lines;
}

}  // namespace internal

}  // namespace jwo::hal::gpio
