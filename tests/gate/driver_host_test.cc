// The daemon's host table as a driver sees it (daemon/gate/driver_host.h).
#include "gate/driver_host.h"

#include <catch2/catch_test_macros.hpp>
#include <cstddef>
#include <string>

namespace jwo::gate {

TEST_CASE("the host copies events out and never keeps card data; bad events are counted") {
  DriverHost host("entry", 8, nullptr);
  const jwo_hal_host_t* t = host.table();
  const std::string card = "4111-token";
  jwo_hal_event_t e{};
  e.struct_size = sizeof e;
  e.type = JWO_HAL_EVENT_CARD_TAPPED;
  e.lane = 1;
  e.data = reinterpret_cast<const uint8_t*>(card.data());
  e.data_size = card.size();
  t->emit(t->context, &e);
  // A NULL event and one too short to hold its lane: ignored, but no longer silently.
  t->emit(t->context, nullptr);
  jwo_hal_event_t short_event{};
  short_event.struct_size = offsetof(jwo_hal_event_t, lane);
  short_event.type = JWO_HAL_EVENT_TAMPER;
  t->emit(t->context, &short_event);
  CHECK(host.malformed() == 2);
  const auto events = host.TakeEvents();
  REQUIRE(events.size() == 1);
  CHECK(events[0].lane == 1);
  CHECK(events[0].data_size == card.size());
  CHECK(events[0].data_pseudonym.rfind("sh_", 0) == 0);
  CHECK(events[0].data_pseudonym.find(card) == std::string::npos);
}

TEST_CASE("the host's settings getters answer from the text given to SetSettings") {
  DriverHost host("entry", 8, nullptr);
  const jwo_hal_host_t* t = host.table();
  host.SetSettings(R"({"lanes":4})");
  int64_t lanes = 0;
  CHECK(t->setting_int(t->context, "/lanes", &lanes) == JWO_HAL_OK);
  CHECK(lanes == 4);
  host.SetSettings(R"({"lanes":"4"})");
  CHECK(t->setting_int(t->context, "/lanes", &lanes) == JWO_HAL_ETYPE);
}

}  // namespace jwo::gate
