// Credentials providers: where the AWS keys that sign Payment Service requests come from.
//
// Four sources, chosen by configuration: fixed keys (tests, development), the AWS shared
// credentials file, the environment, and an IMDSv2-compatible endpoint — which is how the AWS
// IAM Roles Anywhere credential helper (`aws_signing_helper serve`) hands out temporary keys.
// The signer asks Get() at every send, on the HTTP client's I/O thread, so Get must not wait
// on the network: the IMDS provider (MakeImdsProvider in credentials_refresh.h) fetches on a
// thread of its own ahead of expiry and its Get only reads the cache; the file
// provider stats a local file and re-reads it when it changed; the others do no I/O. Time is
// passed in so tests control expiry.
//
// Thread safety: every provider may be called from any thread at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "payments/sigv4.h"

namespace jwo::payments {

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Current credentials at `now_ms` (milliseconds since the epoch). Returns kUnavailable with
  // a message naming the source and the reason when none can be had (kInvalidArgument for a
  // malformed IMDS endpoint URL). Never returns credentials that have expired at `now_ms`.
  // Never blocks on the network (see above).
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

// One blocking exchange with an IMDSv2-compatible endpoint `endpoint_url` ("http://host:port",
// e.g. "http://127.0.0.1:9911" for the Roles Anywhere helper, "http://169.254.169.254" on EC2):
//   PUT /latest/api/token (X-aws-ec2-metadata-token-ttl-seconds) -> session token;
//   GET /latest/meta-data/iam/security-credentials/ -> role name (first line);
//   GET /latest/meta-data/iam/security-credentials/<role> -> JSON {AccessKeyId,
//     SecretAccessKey, Token, Expiration (ISO 8601)}, both GETs with X-aws-ec2-metadata-token.
// Returns the credentials with expires_unix_ms from Expiration (not checked against any clock).
// Each of the three HTTP exchanges is bounded by `timeout`, so this blocks for up to 3 x
// `timeout`: never call it on an I/O thread. Errors: kUnavailable naming the endpoint and path
// (endpoint down or slow, non-200 status, malformed reply), kInvalidArgument (the URL is not
// http://host[:port]). Any thread; no shared state. MakeImdsProvider (credentials_refresh.h)
// calls it on its refresh thread.
core::Result<AwsCredentials> FetchImdsCredentials(
    std::string_view endpoint_url, std::chrono::milliseconds timeout = std::chrono::seconds(2));

}  // namespace jwo::payments
