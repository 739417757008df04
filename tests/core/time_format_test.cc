#include "core/time_format.h"

#include <catch2/catch_test_macros.hpp>

using namespace jwo::core;

TEST_CASE("ISO 8601 date-times parse to epoch milliseconds") {
  CHECK(*ParseIso8601("1970-01-01T00:00:00Z") == 0);
  CHECK(*ParseIso8601("2024-03-01T10:15:30Z") == 1709288130000);
  CHECK(*ParseIso8601("2024-03-01T10:15:30.123Z") == 1709288130123);
  CHECK(*ParseIso8601("2024-03-01T10:15:30.1Z") == 1709288130100);
  CHECK(*ParseIso8601("2024-03-01T10:15:30.123456789Z") == 1709288130123);
  CHECK(*ParseIso8601("2024-03-01T12:15:30+02:00") == 1709288130000);
  CHECK(*ParseIso8601("2024-03-01T05:15:30-0500") == 1709288130000);
}

TEST_CASE("malformed date-times are rejected") {
  for (const char* bad : {"", "2024-03-01", "2024-03-01T10:15:30", "2024-02-30T10:00:00Z",
                          "2024-03-01 10:15:30Z", "2024-03-01T25:00:00Z", "2024-03-01T10:15:30.Z",
                          "2024-03-01T10:15:30Zjunk", "2024-3-1T10:15:30Z", "yesterday"}) {
    INFO(bad);
    CHECK(ParseIso8601(bad).status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("formatting round-trips") {
  CHECK(FormatIso8601(1709288130123) == "2024-03-01T10:15:30.123Z");
  CHECK(FormatIso8601(0) == "1970-01-01T00:00:00.000Z");
  CHECK(*ParseIso8601(FormatIso8601(1767225600999)) == 1767225600999);
}
