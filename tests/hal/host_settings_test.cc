// The ABI 1.1 settings getters every host gives drivers (hal/loader/host_settings.h), through
// the host table as a C driver calls them.
#include "hal/loader/host_settings.h"

#include <catch2/catch_test_macros.hpp>
#include <cstdint>
#include <cstring>
#include <string>

#include "tests/hal/recording_host.h"

namespace jwo::hal {
namespace {

struct Settings {
  testing::RecordingHost host;
  const jwo_hal_host_t* t = host.table();
  explicit Settings(const char* json) { host.settings.Set(json); }

  int Type(const char* path, uint32_t* out) { return t->setting_type(t->context, path, out); }
  int Int(const char* path, int64_t* out) { return t->setting_int(t->context, path, out); }
  int Number(const char* path, double* out) { return t->setting_number(t->context, path, out); }
  int Bool(const char* path, int* out) { return t->setting_bool(t->context, path, out); }
  int String(const char* path, char* out, size_t n) {
    return t->setting_string(t->context, path, out, n);
  }
  int Count(const char* path, size_t* out) { return t->setting_count(t->context, path, out); }
  int Key(const char* path, size_t i, char* out, size_t n) {
    return t->setting_key(t->context, path, i, out, n);
  }
};

// What a gate's YAML becomes (config/gate_parser.cc): `lanes: 2`, `pulse_s: 2.0`,
// `chip: "2"`, `enabled: true`, `spare: ~`, a sequence of mappings, a key with a slash.
constexpr const char* kYamlAsJson =
    R"({"lanes":2,"pulse_s":2.0,"gain":1e3,"chip":"2","enabled":true,"spare":null,)"
    R"("big":18446744073709551615,"neg":-9223372036854775808,)"
    R"("relays":[{"pin":17},{"pin":27}],"a/b":{"~x":"odd keys"}})";

}  // namespace

TEST_CASE("a 1.1 host table provides every settings getter") {
  testing::RecordingHost host;
  const jwo_hal_host_t* t = host.table();
  CHECK(t->abi_minor >= 1);
  CHECK(JWO_HAL_HOST_HAS(t, setting_type));
  CHECK(JWO_HAL_HOST_HAS(t, setting_string));
  CHECK(JWO_HAL_HOST_HAS(t, setting_int));
  CHECK(JWO_HAL_HOST_HAS(t, setting_number));
  CHECK(JWO_HAL_HOST_HAS(t, setting_bool));
  CHECK(JWO_HAL_HOST_HAS(t, setting_count));
  CHECK(JWO_HAL_HOST_HAS(t, setting_key));
  // A 1.0-sized table does not "have" them, whatever lies beyond its struct_size.
  jwo_hal_host_t old = *t;
  old.abi_minor = 0;
  old.struct_size = offsetof(jwo_hal_host_t, setting_type);
  CHECK_FALSE(JWO_HAL_HOST_HAS(&old, setting_int));
}

TEST_CASE("settings getters: types as the YAML author wrote them") {
  Settings s(kYamlAsJson);
  uint32_t type = 99;
  CHECK(s.Type("", &type) == JWO_HAL_OK);
  CHECK(type == JWO_HAL_SETTING_OBJECT);
  const std::pair<const char*, uint32_t> expected[] = {
      {"/lanes", JWO_HAL_SETTING_INTEGER}, {"/pulse_s", JWO_HAL_SETTING_NUMBER},
      {"/gain", JWO_HAL_SETTING_NUMBER},   {"/chip", JWO_HAL_SETTING_STRING},
      {"/enabled", JWO_HAL_SETTING_BOOL},  {"/spare", JWO_HAL_SETTING_NULL},
      {"/big", JWO_HAL_SETTING_INTEGER},   {"/relays", JWO_HAL_SETTING_ARRAY},
      {"/a~1b", JWO_HAL_SETTING_OBJECT},   {"/a~1b/~0x", JWO_HAL_SETTING_STRING}};
  for (const auto& [path, want] : expected) {
    INFO(path);
    CHECK(s.Type(path, &type) == JWO_HAL_OK);
    CHECK(type == want);
  }
}

TEST_CASE("settings getters: integers, numbers, booleans, strings") {
  Settings s(kYamlAsJson);
  int64_t i = 7;
  CHECK(s.Int("/lanes", &i) == JWO_HAL_OK);
  CHECK(i == 2);
  CHECK(s.Int("/relays/1/pin", &i) == JWO_HAL_OK);
  CHECK(i == 27);
  CHECK(s.Int("/neg", &i) == JWO_HAL_OK);
  CHECK(i == INT64_MIN);
  i = 7;
  CHECK(s.Int("/pulse_s", &i) == JWO_HAL_ETYPE);  // 2.0 is not an integer: a typo shows
  CHECK(s.Int("/chip", &i) == JWO_HAL_ETYPE);     // "2" is a string
  CHECK(s.Int("/big", &i) == JWO_HAL_ERANGE);     // beyond int64_t
  CHECK(i == 7);                                  // untouched on failure
  double d = 0;
  CHECK(s.Number("/pulse_s", &d) == JWO_HAL_OK);
  CHECK(d == 2.0);
  CHECK(s.Number("/lanes", &d) == JWO_HAL_OK);
  CHECK(d == 2.0);
  CHECK(s.Number("/gain", &d) == JWO_HAL_OK);
  CHECK(d == 1000.0);
  int b = -1;
  CHECK(s.Bool("/enabled", &b) == JWO_HAL_OK);
  CHECK(b == 1);
  CHECK(s.Bool("/spare", &b) == JWO_HAL_ETYPE);
  char buf[16];
  CHECK(s.String("/chip", buf, sizeof buf) == JWO_HAL_OK);
  CHECK(std::string(buf) == "2");
  CHECK(s.String("/a~1b/~0x", buf, sizeof buf) == JWO_HAL_OK);
  CHECK(std::string(buf) == "odd keys");
  char small[4] = "xyz";
  CHECK(s.String("/a~1b/~0x", small, sizeof small) == JWO_HAL_ERANGE);
  CHECK(small[0] == '\0');
}

TEST_CASE("settings getters: counts and keys in file order") {
  Settings s(R"({"zeta":1,"alpha":{"x":1},"list":[1,2,3]})");
  size_t n = 0;
  CHECK(s.Count("", &n) == JWO_HAL_OK);
  CHECK(n == 3);
  CHECK(s.Count("/list", &n) == JWO_HAL_OK);
  CHECK(n == 3);
  CHECK(s.Count("/zeta", &n) == JWO_HAL_ETYPE);
  char key[8];
  CHECK(s.Key("", 0, key, sizeof key) == JWO_HAL_OK);
  CHECK(std::string(key) == "zeta");
  CHECK(s.Key("", 1, key, sizeof key) == JWO_HAL_OK);
  CHECK(std::string(key) == "alpha");
  CHECK(s.Key("", 3, key, sizeof key) == JWO_HAL_ENOENT);
  CHECK(s.Key("/list", 0, key, sizeof key) == JWO_HAL_ETYPE);
}

TEST_CASE("settings getters: absent, malformed and misuse") {
  Settings s(kYamlAsJson);
  int64_t i = 0;
  CHECK(s.Int("/nope", &i) == JWO_HAL_ENOENT);
  CHECK(s.Int("/relays/5/pin", &i) == JWO_HAL_ENOENT);
  CHECK(s.Int("/relays/x", &i) == JWO_HAL_ENOENT);
  CHECK(s.Int("/lanes/deeper", &i) == JWO_HAL_ENOENT);  // a step into a scalar
  CHECK(s.Int("lanes", &i) == JWO_HAL_EINVAL);          // not a JSON Pointer
  CHECK(s.Int("/a~2b", &i) == JWO_HAL_EINVAL);          // bad escape
  CHECK(s.Int(nullptr, &i) == JWO_HAL_EINVAL);
  CHECK(s.Int("/lanes", nullptr) == JWO_HAL_EINVAL);
  char buf[4];
  CHECK(s.String("/chip", buf, 0) == JWO_HAL_EINVAL);
  // Text that is not an object (only a test harness passes one): every getter says so.
  for (const char* text : {"", "[1]", "{", "2", "{\"a\":1} trailing"}) {
    Settings bad(text);
    INFO(text);
    size_t n = 0;
    CHECK(bad.Count("", &n) == JWO_HAL_ESETTINGS);
    CHECK(bad.Int("/a", &i) == JWO_HAL_ESETTINGS);
  }
}

}  // namespace jwo::hal
