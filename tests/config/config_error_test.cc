#include "config/config_error.h"

#include <catch2/catch_test_macros.hpp>

namespace jwo::config {
namespace {

TEST_CASE("ConfigError::ToString shows position, key, rule and found text") {
  const ConfigError e{"/etc/jwo-edge/jwo-edge.yaml",
                      12,
                      5,
                      "fa.strategy",
                      "must be one of retailer_managed, amazon_recommendation",
                      "retailer_manged"};
  CHECK(e.ToString() ==
        "/etc/jwo-edge/jwo-edge.yaml:12:5: fa.strategy: must be one of retailer_managed, "
        "amazon_recommendation (found \"retailer_manged\")");
}

TEST_CASE("ConfigError::ToString leaves out what an error does not have") {
  CHECK(ConfigError{"f.yaml", 0, 0, "", "cannot open file: Permission denied", ""}.ToString() ==
        "f.yaml: cannot open file: Permission denied");
  CHECK(ConfigError{"f.yaml", 3, 1, "", "YAML syntax error: x", ""}.ToString() ==
        "f.yaml:3:1: YAML syntax error: x");
  CHECK(ConfigError{"f.yaml", 0, 0, "store_id", "required key is missing", ""}.ToString() ==
        "f.yaml: store_id: required key is missing");
}

TEST_CASE("ConfigError::ToString escapes and shortens found text") {
  const ConfigError quoted{"f", 1, 1, "k", "r", "a\"b\\c\nd\x01"};
  CHECK(quoted.ToString() == "f:1:1: k: r (found \"a\\\"b\\\\c\\nd\\x01\")");
  const ConfigError long_text{"f", 1, 1, "k", "r", std::string(200, 'x')};
  CHECK(long_text.ToString() == "f:1:1: k: r (found \"" + std::string(80, 'x') + "...\")");
}

}  // namespace
}  // namespace jwo::config
