// AWS Signature Version 4: signs the requests jwo-edged sends to Amazon's Payment Service
// (service `execute-api`) and, for the Payment Service simulator, checks received ones.
//
// Signing happens at send time, never at enqueue: a signature embeds its time (the Payment
// Service rejects one more than a few minutes old) and the credentials that made it expire.
// The outbox therefore stores the unsigned request and calls SignV4 on every attempt.
//
// Byte-for-byte compatible with the AWS SigV4 test suite (tests/data/sigv4-test-suite/) in its
// header-signing cases: path normalization and per-segment encoding as for every service but S3,
// header values trimmed with inner whitespace runs collapsed (a value folded over several lines
// included), repeated headers joined by ','.
//
// Thread safety: pure functions of their arguments, callable from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace jwo::payments {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;    // empty for long-term keys
  int64_t expires_unix_ms = 0;  // 0 = does not expire
};

struct HttpRequestToSign {
  std::string method;  // "POST"
  std::string path;    // raw path as it goes on the request line, e.g. "/v1/adjust/charge"
  std::string query;   // raw query without '?', may be empty
  // Must include Host. Must not include the headers SignV4 adds (X-Amz-Date,
  // X-Amz-Security-Token, x-amz-content-sha256, Authorization): those are ignored if present.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct SigningParams {
  std::string region;  // e.g. from configuration or RegionFromHost()
  std::string service = "execute-api";
  int64_t unix_ms = 0;  // the signing time (injected: a clock reading at send time)
  // The remaining knobs exist for the AWS test suite; the Payment Service needs the defaults.
  bool normalize_path = true;  // false only for S3, which signs the path as sent
  // false: X-Amz-Security-Token is added to the request but left out of the signature (the
  // suite's post-sts-header-after case; some AWS services want the token unsigned).
  bool sign_session_token = true;
  // true: add and sign x-amz-content-sha256 with the body's hash (the suite's sign_body cases).
  bool add_content_sha256_header = false;
};

struct SignedParts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // 64 lower-case hex digits
  std::string authorization;  // the full Authorization header value
  // Headers to append to the request, in the order the AWS test suite's signed requests show
  // them: X-Amz-Security-Token (when the credentials have a session token), X-Amz-Date,
  // x-amz-content-sha256 (when add_content_sha256_header), Authorization.
  std::vector<std::pair<std::string, std::string>> added_headers;
};

// Signs `req` with `creds` at `p.unix_ms`. Always succeeds.
// REQUIRES: p.region, p.service, creds.access_key_id and creds.secret_access_key are non-empty;
// req.headers includes Host.
SignedParts SignV4(const HttpRequestToSign& req, const AwsCredentials& creds,
                   const SigningParams& p);

// The region for a host like "us-east-1.payments.amazonphysicalstores.com" (its first DNS label;
// an optional ":port" is ignored), or "" when the host has no region-shaped first label
// ("us-east-1", "us-gov-west-1": letters, then letter groups, then a number, joined by '-'), as
// for an IP address, "localhost" or "payments.example.com".
std::string RegionFromHost(std::string_view host);

// The server side: checks a received request's Authorization header.
//
// Parses Authorization (`AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/service/aws4_request,
// SignedHeaders=a;b, Signature=hex`), looks the access key up, recomputes the signature over the
// headers named in SignedHeaders and compares in constant time. Returns OK when the request is
// authentic, else (each with a message naming what is wrong):
//   kInvalidArgument    Authorization missing, repeated or malformed; SignedHeaders without host
//                       or x-amz-date or naming a header the request lacks; X-Amz-Date missing
//                       or malformed or on another day than the credential scope; the scope's
//                       region or service is not `expected_region` / `expected_service`.
//   kNotFound           `lookup` does not know the access key id.
//   kFailedPrecondition X-Amz-Date more than `max_skew_ms` away from `now_ms`; the credentials
//                       expired; X-Amz-Security-Token absent or different when the looked-up
//                       credentials have a session token (or present when they have none);
//                       x-amz-content-sha256 not the body's hash; the signature does not match
//                       (the message then carries the canonical request the server computed,
//                       as AWS does, so a client can see where it differs).
// `lookup` is called at most once, from the calling thread.
core::Status VerifyV4(
    const HttpRequestToSign& received, std::string_view expected_region,
    std::string_view expected_service,
    const std::function<std::optional<AwsCredentials>(std::string_view access_key_id)>& lookup,
    int64_t now_ms, int64_t max_skew_ms);

}  // namespace jwo::payments
