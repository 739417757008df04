#include "payments/credentials.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "tests/support/temp_dir.h"

namespace jwo::payments {
namespace {

using Catch::Matchers::ContainsSubstring;
using core::StatusCode;

constexpr int64_t kNow = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

// Moves the file's modification time `version` seconds ahead of the rewrite's, so that
// successive versions differ even within the file system's timestamp granularity, without
// sleeping.
void SetMtime(const std::string& path, int version) {
  std::filesystem::last_write_time(
      path, std::filesystem::last_write_time(path) + std::chrono::seconds(version));
}

TEST_CASE("static provider returns its credentials until they expire") {
  auto provider = MakeStaticProvider({"AKID", "secret", "token", kNow + 1000});
  core::Result<AwsCredentials> c = provider->Get(kNow);
  REQUIRE(c.ok());
  CHECK(c->access_key_id == "AKID");
  CHECK(c->session_token == "token");
  const core::Status expired = provider->Get(kNow + 1000).status();
  CHECK(expired.code() == StatusCode::kUnavailable);
  CHECK(expired.message() == "static AWS credentials expired at 2026-01-01T00:00:01.000Z");
  CHECK(MakeStaticProvider({})->Get(kNow).status().code() == StatusCode::kUnavailable);
}

TEST_CASE("environment provider reads the AWS_* variables") {
  std::map<std::string, std::string> env = {{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                            {"AWS_SECRET_ACCESS_KEY", "envsecret"}};
  auto provider = MakeEnvironmentProvider([&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
  core::Result<AwsCredentials> c = provider->Get(kNow);
  REQUIRE(c.ok());
  CHECK(c->access_key_id == "AKIDENV");
  CHECK(c->secret_access_key == "envsecret");
  CHECK(c->session_token.empty());
  CHECK(c->expires_unix_ms == 0);

  env["AWS_SESSION_TOKEN"] = "envtoken";
  CHECK(provider->Get(kNow)->session_token == "envtoken");

  env["AWS_SECRET_ACCESS_KEY"] = "";
  const core::Status s = provider->Get(kNow).status();
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK(s.message() == "environment variable AWS_SECRET_ACCESS_KEY is not set");
  env.erase("AWS_ACCESS_KEY_ID");
  CHECK(provider->Get(kNow).status().message() ==
        "environment variable AWS_ACCESS_KEY_ID is not set");
}

TEST_CASE("file provider reads the shared credentials file") {
  testing::TempDir dir;
  const std::string path = dir.File("credentials");
  WriteFile(path,
            "# written by the credential helper\n"
            "[default]\n"
            "aws_access_key_id = AKIDDEFAULT\n"
            "aws_secret_access_key=defaultsecret\n"
            "\n"
            "[store-42]\r\n"
            "; a comment\n"
            "  aws_access_key_id = AKIDSTORE  \r\n"
            "aws_secret_access_key = store/secret+key\n"
            "aws_session_token = storetoken==\n");
  SetMtime(path, 1);

  SECTION("the default profile") {
    core::Result<AwsCredentials> c = MakeFileProvider(path)->Get(kNow);
    REQUIRE(c.ok());
    CHECK(c->access_key_id == "AKIDDEFAULT");
    CHECK(c->secret_access_key == "defaultsecret");
    CHECK(c->session_token.empty());
  }
  SECTION("a named profile") {
    core::Result<AwsCredentials> c = MakeFileProvider(path, "store-42")->Get(kNow);
    REQUIRE(c.ok());
    CHECK(c->access_key_id == "AKIDSTORE");
    CHECK(c->secret_access_key == "store/secret+key");
    CHECK(c->session_token == "storetoken==");
  }
  SECTION("a missing profile") {
    const core::Status s = MakeFileProvider(path, "nope")->Get(kNow).status();
    CHECK(s.code() == StatusCode::kUnavailable);
    CHECK(s.message() == "AWS credentials file '" + path + "' has no profile [nope]");
  }
  SECTION("re-read when the file changes") {
    auto provider = MakeFileProvider(path, "store-42");
    REQUIRE(provider->Get(kNow)->access_key_id == "AKIDSTORE");
    WriteFile(path, "[store-42]\naws_access_key_id=AKIDNEW\naws_secret_access_key=new\n");
    SetMtime(path, 2);
    core::Result<AwsCredentials> c = provider->Get(kNow);
    REQUIRE(c.ok());
    CHECK(c->access_key_id == "AKIDNEW");
    CHECK(c->session_token.empty());

    SECTION("a broken rewrite is an error, and the next good one is picked up") {
      WriteFile(path, "[store-42]\naws_access_key_id=AKIDHALF\n");
      SetMtime(path, 3);
      const core::Status s = provider->Get(kNow).status();
      CHECK(s.code() == StatusCode::kUnavailable);
      CHECK_THAT(s.message(), ContainsSubstring("has no aws_secret_access_key"));
      WriteFile(path, "[store-42]\naws_access_key_id=AKIDFIXED\naws_secret_access_key=x\n");
      SetMtime(path, 4);
      CHECK(provider->Get(kNow)->access_key_id == "AKIDFIXED");
    }
  }
  SECTION("a missing key") {
    WriteFile(path, "[default]\naws_secret_access_key=s\n");
    const core::Status s = MakeFileProvider(path)->Get(kNow).status();
    CHECK(s.code() == StatusCode::kUnavailable);
    CHECK(s.message() ==
          "profile [default] of AWS credentials file '" + path + "' has no aws_access_key_id");
  }
  SECTION("a missing file") {
    const core::Status s = MakeFileProvider(dir.File("absent"))->Get(kNow).status();
    CHECK(s.code() == StatusCode::kUnavailable);
    CHECK_THAT(s.message(), ContainsSubstring("cannot read AWS credentials file"));
    CHECK_THAT(s.message(), ContainsSubstring("No such file or directory"));
  }
}

}  // namespace
}  // namespace jwo::payments
