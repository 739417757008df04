#include "jwo_edge/gate_hal.hpp"

#include <catch2/catch_test_macros.hpp>
#include <stdexcept>

#include "tests/hal/recording_host.h"

namespace {

// Misbehaves on request: settings "bad" and "device" fail to open, "throw" throws something
// unexpected; lane 7 makes every command throw.
class TestDriver : public jwo_edge::hal::Driver {
 public:
  static std::unique_ptr<TestDriver> Open(const jwo_edge::hal::Host& host,
                                          std::string_view settings) {
    if (settings == "bad") throw jwo_edge::hal::SettingsError("settings.x: must be 1");
    if (settings == "device") throw jwo_edge::hal::DeviceError("/dev/ttyS9: no such device");
    if (settings == "throw") throw std::logic_error("oops");
    auto d = std::make_unique<TestDriver>();
    d->host_ = host;
    ++open_count;
    return d;
  }
  ~TestDriver() override { --open_count; }
  uint32_t LaneCount() const override { return 2; }
  int Poll() override {
    host_.Heartbeat();
    return JWO_HAL_OK;
  }
  int Admit(uint32_t lane) override {
    if (lane == 7) throw std::runtime_error("admit exploded");
    return JWO_HAL_OK;
  }
  int Deny(uint32_t lane, std::string_view message) override {
    if (lane == 7) throw std::bad_alloc();
    last_message = std::string(message);
    return JWO_HAL_OK;
  }
  int Control(std::string_view request, std::string* reply) override {
    *reply = "{\"echo\":\"" + std::string(request) + "\"}";
    return JWO_HAL_OK;
  }

  static inline int open_count = 0;
  static inline std::string last_message;

 private:
  jwo_edge::hal::Host host_;
};

constexpr uint64_t kCaps =
    JWO_HAL_CAP_ADMIT | JWO_HAL_CAP_DENY | JWO_HAL_CAP_HEARTBEAT | JWO_HAL_CAP_CONTROL;
const jwo_hal_driver_t kDriver =
    jwo_edge::hal::MakeDescriptor<TestDriver>("wrapped", "1.0.0", kCaps);

}  // namespace

TEST_CASE("the wrapper fills the descriptor; undeclared commands stay NULL") {
  CHECK(kDriver.abi_major == JWO_HAL_ABI_MAJOR);
  CHECK(kDriver.struct_size == sizeof(jwo_hal_driver_t));
  CHECK(kDriver.admit != nullptr);
  CHECK(kDriver.deny != nullptr);
  CHECK(kDriver.control != nullptr);
  CHECK(kDriver.set_lane_mode == nullptr);
}

TEST_CASE("the wrapper opens, forwards calls and deletes the instance on close") {
  jwo::hal::testing::RecordingHost host;
  jwo_hal_instance_t* inst = nullptr;
  char error[JWO_HAL_ERROR_SIZE] = {};
  REQUIRE(kDriver.open(host.table(), "{}", &inst, error, sizeof error) == JWO_HAL_OK);
  CHECK(TestDriver::open_count == 1);
  CHECK(kDriver.lane_count(inst) == 2);
  CHECK(kDriver.poll(inst) == JWO_HAL_OK);
  CHECK(host.Of(JWO_HAL_EVENT_HEARTBEAT).size() == 1);
  CHECK(kDriver.deny(inst, 1, "See staff") == JWO_HAL_OK);
  CHECK(TestDriver::last_message == "See staff");
  char reply[64];
  CHECK(kDriver.control(inst, "hi", reply, sizeof reply) == JWO_HAL_OK);
  CHECK(std::string(reply) == R"({"echo":"hi"})");
  char tiny[5];
  CHECK(kDriver.control(inst, "hi", tiny, sizeof tiny) == JWO_HAL_OK);
  CHECK(std::string(tiny) == "{\"ec");
  kDriver.close(inst);
  CHECK(TestDriver::open_count == 0);
}

TEST_CASE("exceptions never cross the C ABI: each maps to its status code") {
  jwo::hal::testing::RecordingHost host;
  jwo_hal_instance_t* inst = nullptr;
  char error[JWO_HAL_ERROR_SIZE] = {};
  CHECK(kDriver.open(host.table(), "bad", &inst, error, sizeof error) == JWO_HAL_ESETTINGS);
  CHECK(std::string(error) == "settings.x: must be 1");
  CHECK(inst == nullptr);
  CHECK(kDriver.open(host.table(), "device", &inst, error, sizeof error) == JWO_HAL_EIO);
  CHECK(std::string(error) == "/dev/ttyS9: no such device");
  CHECK(kDriver.open(host.table(), "throw", &inst, error, sizeof error) == JWO_HAL_EINTERNAL);
  CHECK(std::string(error) == "oops");
  CHECK(inst == nullptr);

  REQUIRE(kDriver.open(host.table(), "{}", &inst, error, sizeof error) == JWO_HAL_OK);
  CHECK(kDriver.admit(inst, 7) == JWO_HAL_EINTERNAL);
  CHECK(host.logs.back() == "admit exploded");
  CHECK(kDriver.deny(inst, 7, "x") == JWO_HAL_ENOMEM);
  CHECK(kDriver.deny(inst, 1, nullptr) == JWO_HAL_EINVAL);
  kDriver.close(inst);
}

namespace {

// ABI 1.1: reads its settings through Host, narrows its capabilities per instance, and takes
// test inputs.
class SettingsDriver : public jwo_edge::hal::Driver {
 public:
  static std::unique_ptr<SettingsDriver> Open(const jwo_edge::hal::Host& host, std::string_view) {
    auto d = std::make_unique<SettingsDriver>();
    d->host_ = host;
    int64_t lanes = 1;
    if (host.SettingInt("/lanes", &lanes) == JWO_HAL_ETYPE) {
      throw jwo_edge::hal::SettingsError("settings.lanes: must be an integer");
    }
    d->lanes_ = static_cast<uint32_t>(lanes);
    bool door = false;
    host.SettingBool("/door", &door);
    d->caps_ = JWO_HAL_CAP_ADMIT | (door ? JWO_HAL_CAP_DOOR_SENSOR : 0);
    host.SettingString("/name", &d->name_);
    return d;
  }
  uint32_t LaneCount() const override { return lanes_; }
  int Poll() override { return JWO_HAL_OK; }
  uint64_t InstanceCapabilities() const { return caps_; }
  int Stimulate(jwo_hal_input_t input, uint32_t lane, std::string_view data) {
    if (input != JWO_HAL_INPUT_CARD_TAP) return JWO_HAL_EUNSUPPORTED;
    host_.CardTapped(lane, data.data(), data.size());
    return JWO_HAL_OK;
  }
  std::string name_;

 private:
  jwo_edge::hal::Host host_;
  uint32_t lanes_ = 1;
  uint64_t caps_ = 0;
};

const jwo_hal_driver_t kSettingsDriver = jwo_edge::hal::MakeDescriptor<SettingsDriver>(
    "settings", "1.1.0", JWO_HAL_CAP_ADMIT | JWO_HAL_CAP_DOOR_SENSOR | JWO_HAL_CAP_CARD_READER);

}  // namespace

TEST_CASE("the wrapper fills the ABI 1.1 hooks only for a class that declares them") {
  CHECK(kSettingsDriver.instance_capabilities != nullptr);
  CHECK(kSettingsDriver.stimulate != nullptr);
  CHECK(kDriver.instance_capabilities == nullptr);
  CHECK(kDriver.stimulate == nullptr);
}

TEST_CASE("the wrapper reads settings through the host and answers the 1.1 hooks") {
  jwo::hal::testing::RecordingHost host;
  const std::string long_name(1000, 'n');
  const std::string settings = R"({"lanes":3,"door":true,"name":")" + long_name + "\"}";
  host.settings.Set(settings);
  jwo_hal_instance_t* inst = nullptr;
  char error[JWO_HAL_ERROR_SIZE] = {};
  REQUIRE(kSettingsDriver.open(host.table(), settings.c_str(), &inst, error, sizeof error) ==
          JWO_HAL_OK);
  CHECK(kSettingsDriver.lane_count(inst) == 3);
  CHECK(kSettingsDriver.instance_capabilities(inst) ==
        (JWO_HAL_CAP_ADMIT | JWO_HAL_CAP_DOOR_SENSOR));
  const uint8_t card[] = {1, 2, 3};
  CHECK(kSettingsDriver.stimulate(inst, JWO_HAL_INPUT_CARD_TAP, 2, card, sizeof card) ==
        JWO_HAL_OK);
  REQUIRE(host.Of(JWO_HAL_EVENT_CARD_TAPPED).size() == 1);
  CHECK(host.Of(JWO_HAL_EVENT_CARD_TAPPED)[0].data == std::string("\x01\x02\x03", 3));
  CHECK(kSettingsDriver.stimulate(inst, JWO_HAL_INPUT_TAMPER, 1, nullptr, 0) ==
        JWO_HAL_EUNSUPPORTED);
  CHECK(kSettingsDriver.stimulate(inst, JWO_HAL_INPUT_CARD_TAP, 1, nullptr, 3) == JWO_HAL_EINVAL);
  // Unknown inputs never reach the class as an out-of-range enum value.
  CHECK(kSettingsDriver.stimulate(inst, 0, 1, nullptr, 0) == JWO_HAL_EINVAL);
  CHECK(kSettingsDriver.stimulate(inst, 4000000000u, 1, nullptr, 0) == JWO_HAL_EINVAL);
  kSettingsDriver.close(inst);

  // A string longer than the first buffer is read whole.
  inst = nullptr;
  REQUIRE(kSettingsDriver.open(host.table(), settings.c_str(), &inst, error, sizeof error) ==
          JWO_HAL_OK);
  CHECK(static_cast<SettingsDriver*>(
            reinterpret_cast<jwo_edge::hal::detail::Box*>(inst)->driver.get())
            ->name_ == long_name);
  kSettingsDriver.close(inst);

  host.settings.Set(R"({"lanes":2.5})");
  CHECK(kSettingsDriver.open(host.table(), "{}", &inst, error, sizeof error) == JWO_HAL_ESETTINGS);
  CHECK(std::string(error) == "settings.lanes: must be an integer");
}
