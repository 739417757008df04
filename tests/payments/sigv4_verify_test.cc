#include "payments/sigv4.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "core/time_format.h"
#include "tests/payments/sigv4_test_suite.h"

namespace jwo::payments {
namespace {

using Catch::Matchers::ContainsSubstring;
using core::StatusCode;

constexpr int64_t kSkew = 5 * 60 * 1000;

struct Fixture {
  AwsCredentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", 0};
  int64_t now = *core::ParseIso8601("2026-01-01T12:00:00Z");
  HttpRequestToSign req{"POST",
                        "/v1/adjust/charge",
                        "trace=1",
                        {{"Host", "us-east-1.payments.amazonphysicalstores.com"},
                         {"Content-Type", "application/json"}},
                        R"({"purchaseId":"p-1","amount":15.99})"};

  // `req` with the headers SignV4 adds at `now`.
  HttpRequestToSign Signed() const {
    SigningParams p;
    p.region = "us-east-1";
    p.unix_ms = now;
    HttpRequestToSign out = req;
    for (const auto& h : SignV4(req, creds, p).added_headers) out.headers.push_back(h);
    return out;
  }

  core::Status Verify(const HttpRequestToSign& received, std::string_view region = "us-east-1",
                      std::string_view service = "execute-api") const {
    return VerifyV4(
        received, region, service,
        [&](std::string_view akid) -> std::optional<AwsCredentials> {
          if (akid == creds.access_key_id) return creds;
          return std::nullopt;
        },
        now, kSkew);
  }
};

void SetHeader(HttpRequestToSign& r, std::string_view name, std::string value) {
  for (auto& [n, v] : r.headers) {
    if (n == name) v = std::move(value);
  }
}

void RemoveHeader(HttpRequestToSign& r, std::string_view name) {
  std::erase_if(r.headers, [&](const auto& h) { return h.first == name; });
}

TEST_CASE("VerifyV4 accepts what SignV4 produced") {
  Fixture f;
  CHECK(f.Verify(f.Signed()).ok());
  SECTION("with a session token") {
    f.creds.session_token = "session-token-1";
    CHECK(f.Verify(f.Signed()).ok());
  }
  SECTION("header names in any case, values with extra blanks") {
    HttpRequestToSign r = f.Signed();
    SetHeader(r, "Content-Type", "  application/json ");
    for (auto& h : r.headers) {
      if (h.first == "Host") h.first = "HOST";
    }
    CHECK(f.Verify(r).ok());
  }
  SECTION("within the allowed clock skew") {
    HttpRequestToSign r = f.Signed();
    f.now += kSkew;
    CHECK(f.Verify(r).ok());
  }
}

TEST_CASE("VerifyV4 rejects each tampering with a precise error") {
  Fixture f;
  HttpRequestToSign r = f.Signed();

  SECTION("body") {
    r.body = R"({"purchaseId":"p-1","amount":1599})";
    const core::Status s = f.Verify(r);
    CHECK(s.code() == StatusCode::kFailedPrecondition);
    CHECK_THAT(s.message(), ContainsSubstring("signature does not match"));
  }
  SECTION("a signed header") {
    SetHeader(r, "Content-Type", "text/plain");
    CHECK_THAT(f.Verify(r).message(), ContainsSubstring("signature does not match"));
  }
  SECTION("the path and the query") {
    r.path = "/v1/adjust/refund";
    CHECK(f.Verify(r).code() == StatusCode::kFailedPrecondition);
    r = f.Signed();
    r.query = "trace=2";
    CHECK(f.Verify(r).code() == StatusCode::kFailedPrecondition);
  }
  SECTION("a signed header removed") {
    RemoveHeader(r, "Content-Type");
    const core::Status s = f.Verify(r);
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(s.message(),
               ContainsSubstring("signed header 'content-type' is not in the request"));
  }
  SECTION("date skew") {
    f.now += kSkew + 1000;
    const core::Status s = f.Verify(r);
    CHECK(s.code() == StatusCode::kFailedPrecondition);
    CHECK_THAT(s.message(), ContainsSubstring("X-Amz-Date 20260101T120000Z is more than"));
  }
  SECTION("X-Amz-Date missing or changed") {
    SetHeader(r, "X-Amz-Date", "20260101T120001Z");
    CHECK_THAT(f.Verify(r).message(), ContainsSubstring("signature does not match"));
    RemoveHeader(r, "X-Amz-Date");
    CHECK(f.Verify(r).message() == "missing X-Amz-Date header");
  }
  SECTION("wrong key") {
    f.creds.secret_access_key = "another secret";
    CHECK_THAT(f.Verify(r).message(), ContainsSubstring("signature does not match"));
  }
  SECTION("unknown access key") {
    f.creds.access_key_id = "AKIDOTHER";
    const core::Status s = f.Verify(r);
    CHECK(s.code() == StatusCode::kNotFound);
    CHECK(s.message() == "unknown access key id 'AKIDEXAMPLE'");
  }
  SECTION("wrong region or service") {
    const core::Status s = f.Verify(r, "eu-west-1");
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(s.message(), ContainsSubstring("region 'us-east-1' and service 'execute-api'"));
    CHECK(f.Verify(r, "us-east-1", "s3").code() == StatusCode::kInvalidArgument);
  }
  SECTION("missing, wrong or unexpected session token") {
    f.creds.session_token = "token-1";
    const HttpRequestToSign with_token = f.Signed();
    HttpRequestToSign missing = with_token;
    RemoveHeader(missing, "X-Amz-Security-Token");
    CHECK(f.Verify(missing).code() == StatusCode::kFailedPrecondition);
    CHECK_THAT(f.Verify(missing).message(), ContainsSubstring("X-Amz-Security-Token is required"));
    HttpRequestToSign wrong = with_token;
    SetHeader(wrong, "X-Amz-Security-Token", "token-2");
    CHECK_THAT(f.Verify(wrong).message(), ContainsSubstring("is not the session token"));
    f.creds.session_token.clear();
    CHECK_THAT(f.Verify(with_token).message(), ContainsSubstring("has no session token"));
  }
  SECTION("expired credentials") {
    f.creds.expires_unix_ms = f.now;
    CHECK_THAT(f.Verify(r).message(), ContainsSubstring("expired at 2026-01-01T12:00:00.000Z"));
  }
  SECTION("missing or malformed Authorization") {
    HttpRequestToSign none = r;
    RemoveHeader(none, "Authorization");
    CHECK(f.Verify(none).message() == "missing Authorization header");
    for (const char* bad :
         {"Basic dXNlcjpwYXNz", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/execute-api",
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/execute-api/aws4_request, "
          "SignedHeaders=host;x-amz-date",
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/execute-api/aws4_request, "
          "SignedHeaders=host;x-amz-date, Signature=XYZ"}) {
      CAPTURE(bad);
      SetHeader(r, "Authorization", bad);
      const core::Status s = f.Verify(r);
      CHECK(s.code() == StatusCode::kInvalidArgument);
      CHECK_THAT(s.message(), ContainsSubstring("malformed Authorization header"));
    }
  }
  SECTION("SignedHeaders without host") {
    std::string auth;
    for (const auto& [n, v] : r.headers) {
      if (n == "Authorization") auth = v;
    }
    const size_t at = auth.find("content-type;host;");
    REQUIRE(at != std::string::npos);
    auth.replace(at, 18, "content-type;");
    SetHeader(r, "Authorization", auth);
    CHECK_THAT(f.Verify(r).message(), ContainsSubstring("must include host and x-amz-date"));
  }
}

TEST_CASE("VerifyV4 accepts the signed requests of the AWS test suite") {
  // The requests as AWS's own signer wrote them (header-signed-request.txt), not as SignV4
  // signs them: the verifier is checked against AWS, independently of the signer.
  const std::vector<testing::SigV4Case> cases = testing::LoadSigV4Suite();
  REQUIRE(cases.size() >= 38);
  size_t verified = 0;
  for (const testing::SigV4Case& c : cases) {
    CAPTURE(c.name);
    if (!c.params.normalize_path) {
      // The *-unnormalized cases sign the path as sent, as only S3 does; VerifyV4 checks
      // execute-api requests, whose paths are always normalized.
      continue;
    }
    const core::Status s = VerifyV4(
        testing::ExpectedSignedRequest(c), c.params.region, c.params.service,
        [&](std::string_view) { return std::optional<AwsCredentials>(c.creds); }, c.params.unix_ms,
        kSkew);
    CHECK(s.ToString() == "ok");
    ++verified;
  }
  // Every case but the 7 *-unnormalized ones; get-header-value-multiline among them.
  CHECK(verified == cases.size() - 7);
}

TEST_CASE("VerifyV4 accepts a header folded over several lines, as received unparsed") {
  Fixture f;
  f.req.headers.emplace_back("My-Header1", "value1 value2 value3");
  HttpRequestToSign r = f.Signed();
  SetHeader(r, "My-Header1", "value1\r\n  value2\r\n\tvalue3");
  CHECK(f.Verify(r).ToString() == "ok");
  SetHeader(r, "My-Header1", "value1\r\n  value2\r\n\tvalue4");
  CHECK_THAT(f.Verify(r).message(), ContainsSubstring("signature does not match"));
}

}  // namespace
}  // namespace jwo::payments
