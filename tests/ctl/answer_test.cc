#include "ctl/answer.h"

#include <catch2/catch_test_macros.hpp>
#include <cstdio>
#include <string>

namespace {

struct Shown {
  int exit_code;
  std::string out;
  std::string err;
};

std::string ReadAll(std::FILE* f) {
  std::rewind(f);
  std::string text;
  char buf[512];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  return text;
}

Shown Show(std::string_view answer, bool raw_json = false) {
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  REQUIRE(out != nullptr);
  REQUIRE(err != nullptr);
  const int code = jwo::ctl::ShowAnswer(answer, raw_json, out, err);
  return {code, ReadAll(out), ReadAll(err)};
}

}  // namespace

TEST_CASE("answers of the documented shape are printed") {
  auto ok = Show(R"({"ok":true,"result":{"shopper":"s","debts":[]}})");
  CHECK(ok.exit_code == 0);
  CHECK(ok.out == "shopper: s\ndebts: (none)\n");
  auto refused = Show(R"({"ok":false,"code":"not_found","error":"no such trip"})");
  CHECK(refused.exit_code == 1);
  CHECK(refused.err == "jwo-edgectl: no such trip (not_found)\n");
}

TEST_CASE("an answer of unexpected shape is an error, exit 1, never an uncaught exception") {
  for (const char* answer :
       {"[]", "42", "\"ok\"", "{}", R"({"ok":"yes"})", R"({"ok":true})", R"({"ok":false})",
        R"({"ok":false,"error":7,"code":[]})", "not json", ""}) {
    INFO(answer);
    const Shown s = Show(answer);
    CHECK(s.exit_code == 1);
    CHECK_FALSE(s.err.empty());
  }
  CHECK(Show(R"({"ok":true})").err ==
        "jwo-edgectl: unexpected answer from the daemon: no \"result\"\n");
  CHECK(Show(R"({"ok":false})").err ==
        "jwo-edgectl: the daemon refused without a message (no code)\n");
}
