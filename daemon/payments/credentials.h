// Credentials providers: where the AWS keys that sign Payment Service requests come from.
//
// Four sources, chosen by configuration: fixed keys (tests, development), the AWS shared
// credentials file, the environment, and an IMDSv2-compatible endpoint — which is how the AWS
// IAM Roles Anywhere credential helper (`aws_signing_helper serve`) hands out temporary keys.
// The signer asks Get() at every send, so providers cache and refresh on their own; time is
// passed in so tests control expiry.
//
// Thread safety: every provider may be called from any thread at once; each serializes its own
// refreshes (a refresh blocks concurrent callers until it ends, so one endpoint round trip
// serves them all).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "payments/sigv4.h"

namespace jwo::payments {

inline constexpr std::chrono::milliseconds kDefaultRefreshMargin = std::chrono::minutes(5);

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Current credentials at `now_ms` (milliseconds since the epoch), refreshed first when they
  // expire within the provider's refresh margin. Returns kUnavailable with a message naming
  // the source and the reason when none can be had (kInvalidArgument for a malformed IMDS
  // endpoint URL). Never returns credentials that have expired at `now_ms`.
  virtual core::Result<AwsCredentials> Get(int64_t now_ms) = 0;
};

// Always the given credentials; kUnavailable once `creds.expires_unix_ms` (when non-zero) has
// passed, since nothing can refresh them.
std::unique_ptr<CredentialsProvider> MakeStaticProvider(AwsCredentials creds);

// The AWS shared credentials file (INI: `[profile]` sections with aws_access_key_id,
// aws_secret_access_key and optionally aws_session_token; '#' and ';' start comments). The file
// is read again whenever its modification time, size or inode changes, so a helper rewriting
// it (Roles Anywhere's `update` mode) is picked up. Errors (kUnavailable): the file cannot be
// read, the profile is absent, or a required key is missing or empty.
std::unique_ptr<CredentialsProvider> MakeFileProvider(std::string path,
                                                      std::string profile = "default");

// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and optionally AWS_SESSION_TOKEN, read through
// `getenv_fn` at every Get. kUnavailable naming the variable that is unset or empty.
std::unique_ptr<CredentialsProvider> MakeEnvironmentProvider(
    std::function<const char*(const char*)> getenv_fn = ::getenv);

// An IMDSv2-compatible endpoint `endpoint_url` ("http://host:port", e.g.
// "http://127.0.0.1:9911" for the Roles Anywhere helper, "http://169.254.169.254" on EC2):
//   PUT /latest/api/token (X-aws-ec2-metadata-token-ttl-seconds) -> session token;
//   GET /latest/meta-data/iam/security-credentials/ -> role name (first line);
//   GET /latest/meta-data/iam/security-credentials/<role> -> JSON {AccessKeyId,
//     SecretAccessKey, Token, Expiration (ISO 8601)}, both GETs with X-aws-ec2-metadata-token.
// The credentials are cached until Expiration - `refresh_margin`. After a failed refresh the
// next attempt waits `retry_interval` (by `now_ms`), so a down or slow endpoint does not stall
// every send: meanwhile Get returns the cached credentials while they are still valid (the
// failure is logged), else that failure again. Each HTTP exchange is bounded by `timeout`. Errors:
// kUnavailable (endpoint down or slow, non-200 status, malformed reply), kInvalidArgument (the URL
// is not http://host[:port]).
std::unique_ptr<CredentialsProvider> MakeImdsProvider(
    std::string endpoint_url, std::chrono::milliseconds timeout = std::chrono::seconds(2),
    std::chrono::milliseconds refresh_margin = kDefaultRefreshMargin,
    std::chrono::milliseconds retry_interval = std::chrono::seconds(10));

}  // namespace jwo::payments
