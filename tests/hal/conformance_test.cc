#include "hal/conformance/conformance_checks.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "hal/conformance/call_watchdog.h"
#include "jwo_edge/gate_hal.h"
#include "tests/support/temp_dir.h"

using Catch::Matchers::ContainsSubstring;
using jwo::hal::conformance::ConformanceOptions;
using jwo::hal::conformance::ConformanceReport;
using jwo::hal::conformance::RunConformance;
using jwo::hal::conformance::Verdict;

namespace {

std::string Built(const std::string& name) { return std::string(JWO_BINARY_DIR) + "/" + name; }

constexpr const char* kGpioSettings =
    R"({"chip":"fake","lanes":[{"relay":{"line":1},"deny":{"line":2},"door":{"line":3},)"
    R"("passage":{"line":4}},{"relay":{"line":5}}],"emergency":{"line":6},"tamper":{"line":7}})";

std::unique_ptr<ConformanceReport> Run(const std::string& path, const std::string& settings) {
  auto report = std::make_unique<ConformanceReport>();
  ConformanceOptions options;
  options.settings = settings;
  RunConformance(path, options, report.get());
  return report;
}

std::string Printed(const ConformanceReport& report) {
  std::string text;
  char buf[4096];
  std::FILE* f = std::tmpfile();
  report.Print(f);
  std::rewind(f);
  while (size_t n = std::fread(buf, 1, sizeof buf, f)) text.append(buf, n);
  std::fclose(f);
  return text;
}

Verdict VerdictOf(const ConformanceReport& r, const std::string& check) {
  const auto* result = r.Find(check);
  REQUIRE(result != nullptr);
  return result->verdict;
}

}  // namespace

TEST_CASE("conformance passes on the sim driver, also with its control socket") {
  auto report = Run(Built("hal/drivers/jwo_hal_sim.so"), "{}");
  const std::string text = Printed(*report);
  INFO(text);
  CHECK(report->passed());
  CHECK(VerdictOf(*report, "control") == Verdict::kPass);
  CHECK(VerdictOf(*report, "heartbeat") == Verdict::kPass);
  // Every input, on a lane and (tamper, release) on the whole gate, with its event.
  CHECK(VerdictOf(*report, "inputs") == Verdict::kPass);
  CHECK_THAT(text, ContainsSubstring("lane 1: card tap, person in, person out, door forced, door "
                                     "held open, door closed, tamper, emergency on, emergency "
                                     "off; lane NONE: tamper, emergency on, emergency off; "
                                     "during each release admit, deny, set_lane_mode answered "
                                     "JWO_HAL_ESTATE"));

  jwo::testing::TempDir dir;
  auto with_socket = Run(Built("hal/drivers/jwo_hal_sim.so"),
                         R"({"lanes":4,"socket":")" + dir.File("s.sock") + "\"}");
  INFO(Printed(*with_socket));
  CHECK(with_socket->passed());
}

TEST_CASE("conformance passes on the gpio driver over the fake line seam") {
  auto report = Run(Built("tests/hal/jwo_hal_gpio_fake.so"), kGpioSettings);
  const std::string text = Printed(*report);
  INFO(text);
  CHECK(report->passed());
  CHECK(VerdictOf(*report, "lane mode") == Verdict::kPass);
  CHECK(VerdictOf(*report, "control") == Verdict::kSkip);
  // Through the lines' debounce: lane 1's beam (direction in) and door, the gate's tamper and
  // release inputs; the door held open after the default 15 s.
  CHECK(VerdictOf(*report, "inputs") == Verdict::kPass);
  CHECK_THAT(text, ContainsSubstring("lane 1: person in, door forced, door held open, door "
                                     "closed; lane NONE: tamper, emergency on, emergency off"));
  CHECK_THAT(text, ContainsSubstring("not simulated: person out"));
}

TEST_CASE("conformance inputs: the wait covers the gpio driver's longest door_held_ms") {
  auto report = Run(Built("tests/hal/jwo_hal_gpio_fake.so"),
                    R"({"chip":"fake","lanes":[{"relay":{"line":1},"door":{"line":3},)"
                    R"("door_held_ms":600000}]})");
  INFO(Printed(*report));
  // Only a door is wired, and the instance says so: nothing else is expected.
  CHECK(VerdictOf(*report, "inputs") == Verdict::kPass);
  CHECK_THAT(report->Find("inputs")->detail,
             ContainsSubstring("lane 1: door forced, door held open, door closed"));
}

TEST_CASE("conformance inputs: the gpio instance promises only the inputs it has wired") {
  // No door line: the instance's capabilities (ABI 1.1) leave the door sensor out, so the
  // kit neither expects door events nor warns about them.
  auto report = Run(Built("tests/hal/jwo_hal_gpio_fake.so"),
                    R"({"chip":"fake","lanes":[{"relay":{"line":1},"passage":{"line":4}}],)"
                    R"("emergency":{"line":6},"tamper":{"line":7}})");
  const std::string text = Printed(*report);
  INFO(text);
  CHECK(report->passed());
  CHECK(VerdictOf(*report, "instance caps") == Verdict::kPass);
  CHECK_THAT(report->Find("instance caps")->detail, !ContainsSubstring("door_sensor ("));
  CHECK(VerdictOf(*report, "inputs") == Verdict::kPass);
  CHECK_THAT(text, ContainsSubstring("lane 1: person in; lane NONE: tamper"));
}

TEST_CASE("conformance inputs: a declared input the instance cannot simulate is a warning") {
  auto report = Run(Built("tests/hal/jwo_hal_broken_admits_in_release.so"),
                    R"({"refuse": 1, "unsupported": 1})");
  const std::string text = Printed(*report);
  INFO(text);
  CHECK(VerdictOf(*report, "inputs") == Verdict::kWarn);
  CHECK_THAT(text, ContainsSubstring("JWO_HAL_EUNSUPPORTED: emergency input (not exercised)"));
}

TEST_CASE("conformance passes on the example driver built from the public header only") {
  auto report = Run(Built("hal/examples/jwo_hal_example.so"), R"({"lanes":3})");
  const std::string text = Printed(*report);
  INFO(text);
  CHECK(report->passed());
  CHECK(VerdictOf(*report, "inputs") == Verdict::kPass);
  CHECK_THAT(text, ContainsSubstring("lane 1: card tap, emergency on, emergency off; lane NONE: "
                                     "emergency on, emergency off; during each release admit, "
                                     "deny, set_lane_mode answered JWO_HAL_ESTATE"));
}

TEST_CASE("the example driver reads its settings through the host and names what is wrong") {
  // ABI 1.1 getters instead of a JSON parser in the driver: the same refusals by name.
  for (const auto& [settings, expected] : std::vector<std::pair<std::string, std::string>>{
           {R"({"lanes": 9})", "settings.lanes: must be an integer from 1 to 8"},
           {R"({"lanes": 2.0})", "settings.lanes: must be an integer from 1 to 8"},
           {R"({"lanes": "2"})", "settings.lanes: must be an integer from 1 to 8"},
           {R"({"lanes": 2, "relay": 1})", "settings.relay: unknown key"},
           {R"([1, 2])", "settings: must be a JSON object"}}) {
    DYNAMIC_SECTION(settings) {
      auto report = Run(Built("hal/examples/jwo_hal_example.so"), settings);
      const std::string text = Printed(*report);
      INFO(text);
      CHECK(VerdictOf(*report, "open") == Verdict::kFail);
      CHECK_THAT(text, ContainsSubstring("JWO_HAL_ESETTINGS"));
      CHECK_THAT(text, ContainsSubstring(expected));
    }
  }
  auto defaults = Run(Built("hal/examples/jwo_hal_example.so"), "{}");
  INFO(Printed(*defaults));
  CHECK(defaults->passed());
}

TEST_CASE("an ABI 1.0 driver still loads and passes on this 1.1 host") {
  // Its descriptor ends before instance_capabilities; the kit (like the daemon) never calls a
  // member beyond struct_size, which this driver's would abort() in.
  auto report = Run(Built("tests/hal/jwo_hal_broken_abi_1_0.so"), "{}");
  const std::string text = Printed(*report);
  INFO(text);
  CHECK(report->passed());
  CHECK_THAT(text, ContainsSubstring("ABI 1.0"));
  CHECK(VerdictOf(*report, "instance caps") == Verdict::kSkip);
  CHECK(VerdictOf(*report, "inputs") == Verdict::kSkip);
  CHECK_THAT(text, ContainsSubstring("no stimulate (ABI 1.1): driver inputs not exercised"));
}

TEST_CASE("conformance inputs: a command accepted during a release fails, naming it") {
  const std::string driver = Built("tests/hal/jwo_hal_broken_admits_in_release.so");
  SECTION("admit accepted during the release: a failure naming the command") {
    auto report = Run(driver, "{}");
    const std::string text = Printed(*report);
    INFO(text);
    CHECK_FALSE(report->passed());
    CHECK(VerdictOf(*report, "inputs") == Verdict::kFail);
    CHECK_THAT(text, ContainsSubstring("admit(1) during an emergency release of lane 1 returned "
                                       "JWO_HAL_OK, expected JWO_HAL_ESTATE"));
  }
  SECTION("the same driver refusing as it should passes") {
    auto report = Run(driver, R"({"refuse": 1})");
    INFO(Printed(*report));
    CHECK(report->passed());
    CHECK(VerdictOf(*report, "inputs") == Verdict::kPass);
  }
  SECTION("a release reported on another lane than the stimulated one") {
    auto report = Run(driver, R"({"refuse": 1, "event_lane": 2})");
    INFO(Printed(*report));
    CHECK(VerdictOf(*report, "inputs") == Verdict::kFail);
    CHECK_THAT(report->Find("inputs")->detail,
               ContainsSubstring("stimulate(emergency on, lane 1): emergency_release_active "
                                 "came on lane 2, expected lane 1"));
  }
  SECTION("no event at all") {
    auto report = Run(driver, R"({"refuse": 1, "silent": 1})");
    INFO(Printed(*report));
    CHECK(VerdictOf(*report, "inputs") == Verdict::kFail);
    CHECK_THAT(report->Find("inputs")->detail,
               ContainsSubstring("returned JWO_HAL_OK, but no emergency_release_active came"));
  }
}

TEST_CASE("conformance checks per-instance capabilities against the descriptor's") {
  SECTION("fewer than the descriptor: the instance's are used") {
    auto report = Run(Built("tests/hal/jwo_hal_broken_instance_caps.so"), R"({"caps": 0})");
    const std::string text = Printed(*report);
    INFO(text);
    CHECK(VerdictOf(*report, "instance caps") == Verdict::kPass);
    CHECK_THAT(text, ContainsSubstring("this instance: none (descriptor: admit)"));
    // admit is not tried on an instance without JWO_HAL_CAP_ADMIT.
    CHECK(report->passed());
  }
  SECTION("more than the descriptor: a failure naming the bits") {
    auto report = Run(Built("tests/hal/jwo_hal_broken_instance_caps.so"),
                      "{\"caps\": " + std::to_string(JWO_HAL_CAP_ADMIT | JWO_HAL_CAP_TAMPER) + "}");
    const std::string text = Printed(*report);
    INFO(text);
    CHECK(VerdictOf(*report, "instance caps") == Verdict::kFail);
    CHECK_THAT(text, ContainsSubstring("bits the descriptor does not declare (tamper)"));
  }
}

TEST_CASE("conformance inputs: a tap whose data are not copied whole fails") {
  auto report = Run(Built("tests/hal/jwo_hal_broken_tap_as_string.so"), "{}");
  INFO(Printed(*report));
  CHECK(VerdictOf(*report, "inputs") == Verdict::kFail);
  CHECK_THAT(report->Find("inputs")->detail,
             ContainsSubstring("stimulate(card tap, lane 1): card_tapped came with 2 bytes of "
                               "data that are not the 8 bytes given"));
}

TEST_CASE("conformance fails a driver that blocks, and says which call") {
  auto report = Run(Built("tests/hal/jwo_hal_broken_blocking.so"), R"({"block_ms":400})");
  const std::string text = Printed(*report);
  INFO(text);
  CHECK_FALSE(report->passed());
  CHECK(VerdictOf(*report, "non-blocking") == Verdict::kFail);
  CHECK_THAT(text, ContainsSubstring("poll took"));
  CHECK_THAT(text, ContainsSubstring("the driver blocks"));
}

TEST_CASE("conformance fails a driver whose polls fail") {
  auto report = Run(Built("tests/hal/jwo_hal_broken_faulty.so"), "{}");
  INFO(Printed(*report));
  CHECK_FALSE(report->passed());
  CHECK(VerdictOf(*report, "poll") == Verdict::kFail);
}

TEST_CASE("conformance warns of every event emitted without its capability") {
  // DOOR_CLOSED needs the door sensor and EMERGENCY_RELEASE_CLEARED the emergency input, as
  // their siblings do; the kit's table missed both.
  for (int type : {JWO_HAL_EVENT_DOOR_CLOSED, JWO_HAL_EVENT_EMERGENCY_RELEASE_CLEARED,
                   JWO_HAL_EVENT_DOOR_FORCED}) {
    DYNAMIC_SECTION("event type " << type) {
      auto report = Run(Built("tests/hal/jwo_hal_broken_undeclared.so"),
                        "{\"emit\": " + std::to_string(type) + "}");
      const std::string text = Printed(*report);
      INFO(text);
      CHECK(VerdictOf(*report, "events") == Verdict::kWarn);
      CHECK_THAT(text, ContainsSubstring("emitted without its capability"));
    }
  }
}

TEST_CASE("conformance stops at a driver the loader refuses") {
  auto report = Run(Built("tests/hal/jwo_hal_broken_wrong_major.so"), "{}");
  CHECK_FALSE(report->passed());
  REQUIRE(report->Results().size() == 1);
  CHECK(VerdictOf(*report, "load") == Verdict::kFail);
}

TEST_CASE("jwo-hal-conformance prints one line per check and exits 0 or 1") {
  jwo::testing::TempDir dir;
  const std::string out = dir.File("out.txt");
  const std::string tool = Built("hal/jwo-hal-conformance");
  const int ok =
      std::system((tool + " " + Built("hal/drivers/jwo_hal_sim.so") + " > " + out).c_str());
  CHECK(WEXITSTATUS(ok) == 0);
  std::string text;
  if (std::FILE* f = std::fopen(out.c_str(), "r")) {
    char buf[8192];
    while (size_t n = std::fread(buf, 1, sizeof buf, f)) text.append(buf, n);
    std::fclose(f);
  }
  CHECK_THAT(text, ContainsSubstring("PASS  load"));
  CHECK_THAT(text, ContainsSubstring("result: PASS"));
  const int bad =
      std::system((tool + " " + Built("tests/hal/jwo_hal_broken_short.so") + " > " + out).c_str());
  CHECK(WEXITSTATUS(bad) == 1);
  const int usage = std::system((tool + " > " + out + " 2>&1").c_str());
  CHECK(WEXITSTATUS(usage) == 2);
}

TEST_CASE("the call watchdog reports a call that does not return, naming it") {
  std::mutex m;
  std::condition_variable cv;
  std::string hung;
  jwo::hal::conformance::CallWatchdog dog(std::chrono::milliseconds(50),
                                          [&](const std::string& call) {
                                            std::lock_guard lock(m);
                                            hung = call;
                                            cv.notify_all();
                                          });
  dog.Begin("poll");
  std::unique_lock lock(m);
  REQUIRE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return !hung.empty(); }));
  CHECK(hung == "poll");
}
