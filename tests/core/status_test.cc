#include "core/status.h"

#include <catch2/catch_test_macros.hpp>
#include <set>

using namespace jwo::core;

TEST_CASE("every status code has a distinct name") {
  // Walks past the end of the enum instead of assuming which code is last: a code added
  // anywhere gets a name (the switch in StatusCodeName fails to compile without one, -Wswitch),
  // and here it must be distinct. Codes are contiguous from 0: the first "unknown" ends them.
  std::set<std::string_view> names;
  int codes = 0;
  while (StatusCodeName(static_cast<StatusCode>(codes)) != "unknown") {
    names.insert(StatusCodeName(static_cast<StatusCode>(codes)));
    ++codes;
  }
  CHECK(codes >= 10);
  CHECK(names.size() == static_cast<size_t>(codes));
  for (int c = codes; c < codes + 64; ++c) {
    CHECK(StatusCodeName(static_cast<StatusCode>(c)) == "unknown");
  }
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
