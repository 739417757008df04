#include "hal/drivers/gpio/gpio_settings.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "jwo_edge/gate_hal.hpp"

using Catch::Matchers::ContainsSubstring;
using jwo::hal::gpio::ParseGpioSettings;

namespace {

std::string ErrorOf(const std::string& json) {
  try {
    ParseGpioSettings(json);
  } catch (const jwo_edge::hal::SettingsError& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("gpio settings: a full lane with defaults filled in") {
  auto s = ParseGpioSettings(
      R"({"chip":"gpiochip0","lanes":[{"relay":{"line":5},"door":{"line":6,"active_low":true}}]})");
  CHECK(s.chip == "gpiochip0");
  CHECK(s.consumer == "jwo-edge");
  REQUIRE(s.lanes.size() == 1);
  CHECK(s.lanes[0].relay.line == 5);
  CHECK(s.lanes[0].pulse_ms == 500);
  REQUIRE(s.lanes[0].door);
  CHECK(s.lanes[0].door->active_low);
  CHECK(s.lanes[0].door->debounce_ms == 30);
  CHECK_FALSE(s.lanes[0].deny);
  CHECK(s.Inputs().size() == 1);
  CHECK(s.Outputs().size() == 1);
}

TEST_CASE("gpio settings: each rule names the key it broke") {
  CHECK_THAT(ErrorOf("[]"), ContainsSubstring("must be a JSON object"));
  CHECK_THAT(ErrorOf("{"), ContainsSubstring("not valid JSON"));
  CHECK_THAT(ErrorOf(R"({"lanes":[{"relay":{"line":1}}]})"), ContainsSubstring("settings.chip"));
  CHECK_THAT(ErrorOf(R"({"chip":"c","lanes":[]})"), ContainsSubstring("1 to 16 lanes"));
  CHECK_THAT(ErrorOf(R"({"chip":"c","lanes":[{}]})"),
             ContainsSubstring("settings.lanes[0].relay: required"));
  CHECK_THAT(ErrorOf(R"({"chip":"c","lanes":[{"relay":{"line":2000}}]})"),
             ContainsSubstring("settings.lanes[0].relay.line: must be an integer from 0 to 1023"));
  CHECK_THAT(ErrorOf(R"({"chip":"c","lanes":[{"relay":{"line":1},"pulse_ms":1}]})"),
             ContainsSubstring("pulse_ms"));
  CHECK_THAT(ErrorOf(R"({"chip":"c","lanes":[{"relay":{"line":1},"relya":{}}]})"),
             ContainsSubstring("settings.lanes[0].relya: unknown key"));
  CHECK_THAT(ErrorOf(R"({"chip":"c","lanes":[{"relay":{"line":1},"door":{"line":1}}]})"),
             ContainsSubstring("line 1 is used twice"));
  CHECK_THAT(ErrorOf(R"({"chip":"c","lanes":[{"relay":{"line":1},"passage_direction":"up"}]})"),
             ContainsSubstring("passage_direction"));
  CHECK_THAT(ErrorOf(R"({"chip":"c","lanes":[{"relay":{"line":1,"debounce_ms":5}}]})"),
             ContainsSubstring("relay.debounce_ms: unknown key"));
}
