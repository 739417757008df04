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

}  // namespace jwo::hal::gpio
