// FakeGpioLines: the GPIO line seam (hal/drivers/gpio/gpio_lines.h) in memory, for tests.
//
// Levels are physical (high/low), as on the wire, and live in a FakeLineState the test keeps
// (shared, so it can still look after the driver has released the lines). Tests set input
// levels, read output levels, and make reads or writes fail on command. OpenGpioLines() in
// fake_gpio_lines.cc returns one of these with every input inactive; the gpio driver built for
// the conformance kit (jwo_hal_gpio_fake.so) runs on it. Single-threaded, like the driver.
#pragma once

#include <map>
#include <memory>

#include "hal/drivers/gpio/gpio_lines.h"

namespace jwo::hal::gpio {

struct FakeLineState {
  std::map<uint32_t, bool> levels;  // every line, inputs and outputs
  std::map<uint32_t, int> writes;
  bool fail_reads = false;
  bool fail_writes = false;
};

class FakeGpioLines final : public GpioLines {
 public:
  explicit FakeGpioLines(std::shared_ptr<FakeLineState> state) : state_(std::move(state)) {}

  bool Read(uint32_t line, bool* high) override {
    if (state_->fail_reads) return false;
    *high = state_->levels[line];
    return true;
  }
  bool Write(uint32_t line, bool high) override {
    if (state_->fail_writes) return false;
    state_->levels[line] = high;
    ++state_->writes[line];
    return true;
  }

 private:
  std::shared_ptr<FakeLineState> state_;
};

}  // namespace jwo::hal::gpio
