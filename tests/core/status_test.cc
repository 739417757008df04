#include "core/status.h"

#include <catch2/catch_test_macros.hpp>
#include <set>

using namespace jwo::core;

TEST_CASE("every status code has a distinct name") {
  std::set<std::string_view> names;
  for (int c = 0; c <= static_cast<int>(StatusCode::kInternal); ++c) {
    auto name = StatusCodeName(static_cast<StatusCode>(c));
    CHECK(name != "unknown");
    names.insert(name);
  }
  CHECK(names.size() == static_cast<size_t>(StatusCode::kInternal) + 1);
}

TEST_CASE("Result holds a value or an error") {
  Result<int> ok = 5;
  CHECK(ok.ok());
  CHECK(*ok == 5);
  CHECK(ok.status().ok());
  Result<int> bad = NotFound("nope");
  CHECK_FALSE(bad.ok());
  CHECK(bad.status().ToString() == "not_found: nope");
}
