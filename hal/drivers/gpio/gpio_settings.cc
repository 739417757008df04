#include "hal/drivers/gpio/gpio_settings.h"

#include <cerrno>
#include <cstring>

#include "hal/drivers/gpio/gpio_lines.h"

#include <set>

#include "hal/drivers/common/settings_reader.h"
#include "jwo_edge/gate_hal.hpp"

namespace jwo::hal::gpio {
namespace {

using drivers::SettingsReader;
using jwo_edge::hal::SettingsError;

constexpr int64_t kMaxLine = 1023;
constexpr int64_t kMaxMs = 600'000;

std::optional<LineSpec> ReadLine(SettingsReader& parent, std::string_view key, bool required,
                                 bool input, uint32_t default_debounce) {
  const boost::json::object* obj = parent.Object(key, required);
  if (obj == nullptr) return std::nullopt;
  SettingsReader r(*obj, parent.PathOf(key));
  LineSpec spec;
  if (!r.Has("line")) throw SettingsError(r.PathOf("line") + ": required key is missing");
  spec.line = static_cast<uint32_t>(r.Int("line", 0, kMaxLine, 0));
  spec.active_low = r.Bool("active_low", false);
  if (input) {
    spec.debounce_ms = static_cast<uint32_t>(r.Int("debounce_ms", 0, 10'000, default_debounce));
  }
  r.Finish();
  return spec;
}

}  // namespace

std::vector<LineSpec> GpioSettings::Inputs() const {
  std::vector<LineSpec> out;
  for (const GpioLaneSettings& l : lanes) {
    if (l.door) out.push_back(*l.door);
    if (l.passage) out.push_back(*l.passage);
  }
  if (emergency) out.push_back(*emergency);
  if (tamper) out.push_back(*tamper);
  return out;
}

std::vector<LineSpec> GpioSettings::Outputs() const {
  std::vector<LineSpec> out;
  for (const GpioLaneSettings& l : lanes) {
    out.push_back(l.relay);
    if (l.deny) out.push_back(*l.deny);
  }
  return out;
}

GpioSettings ParseGpioSettings(std::string_view json) {
  const boost::json::object obj = SettingsReader::ParseObject(json);
  SettingsReader r(obj, "settings");
  GpioSettings s;
  s.chip = r.String("chip", "", 64);
  if (s.chip.empty()) throw SettingsError("settings.chip: required, e.g. \"gpiochip0\"");
  s.consumer = r.String("consumer", s.consumer, 31);
  const auto debounce = static_cast<uint32_t>(r.Int("debounce_ms", 0, 10'000, 30));
  s.heartbeat = r.Bool("heartbeat", true);
  const boost::json::array* lanes = r.Array("lanes", true);
  if (lanes->empty() || lanes->size() > 16) {
    throw SettingsError("settings.lanes: must list 1 to 16 lanes");
  }
  for (size_t i = 0; i < lanes->size(); ++i) {
    const std::string path = "settings.lanes[" + std::to_string(i) + "]";
    if (!(*lanes)[i].is_object()) throw SettingsError(path + ": must be an object");
    SettingsReader lr((*lanes)[i].get_object(), path);
    GpioLaneSettings lane;
    lane.relay = *ReadLine(lr, "relay", true, false, 0);
    lane.pulse_ms = static_cast<uint32_t>(lr.Int("pulse_ms", 50, 60'000, lane.pulse_ms));
    lane.deny = ReadLine(lr, "deny", false, false, 0);
    lane.deny_ms = static_cast<uint32_t>(lr.Int("deny_ms", 50, 60'000, lane.deny_ms));
    lane.door = ReadLine(lr, "door", false, true, debounce);
    lane.door_held_ms =
        static_cast<uint32_t>(lr.Int("door_held_ms", 1000, kMaxMs, lane.door_held_ms));
    lane.door_grace_ms =
        static_cast<uint32_t>(lr.Int("door_grace_ms", 0, kMaxMs, lane.door_grace_ms));
    lane.passage = ReadLine(lr, "passage", false, true, debounce);
    const std::string dir = lr.String("passage_direction", "in", 16);
    if (dir == "in") {
      lane.passage_direction = JWO_HAL_DIRECTION_IN;
    } else if (dir == "out") {
      lane.passage_direction = JWO_HAL_DIRECTION_OUT;
    } else if (dir == "unknown") {
      lane.passage_direction = JWO_HAL_DIRECTION_UNKNOWN;
    } else {
      throw SettingsError(path + ".passage_direction: must be in, out or unknown");
    }
    lr.Finish();
    s.lanes.push_back(lane);
  }
  s.emergency = ReadLine(r, "emergency", false, true, debounce);
  s.tamper = ReadLine(r, "tamper", false, true, debounce);
  r.Finish();

  std::set<uint32_t> used;
  auto claim = [&](const LineSpec& spec) {
    if (!used.insert(spec.line).second) {
      throw SettingsError("settings: line " + std::to_string(spec.line) +
                          " is used twice; each line has one role");
    }
  };
  for (const LineSpec& spec : s.Outputs()) claim(spec);
  for (const LineSpec& spec : s.Inputs()) claim(spec);
  return s;
}

namespace internal {

std::string ChipOpenError(const std::string& chip) {
  return "cannot open GPIO chip '" + chip + "': " + std::strerror(errno) +
         " (list chips with gpiodetect; the daemon's user needs access to /dev/gpiochip*)";
}

}  // namespace internal

}  // namespace jwo::hal::gpio
