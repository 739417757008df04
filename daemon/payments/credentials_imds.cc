// The IMDSv2-compatible credentials provider (EC2's instance metadata service, or the IAM Roles
// Anywhere credential helper's `serve` mode, which mimics it).
#include <boost/json/value.hpp>

#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/log.h"
#include "core/time_format.h"
#include "payments/credentials.h"
#include "payments/credentials_http.h"

namespace jwo::payments {
namespace {

constexpr std::string_view kTokenPath = "/latest/api/token";
constexpr std::string_view kRolesPath = "/latest/meta-data/iam/security-credentials/";
// The metadata session token only has to outlive one refresh; IMDS allows up to 6 hours.
constexpr std::string_view kTokenTtlSeconds = "300";

core::Status Unavailable(std::string message) {
  return {core::StatusCode::kUnavailable, std::move(message)};
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && std::string_view(" \t\r\n").find(s.front()) != std::string_view::npos) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::string_view(" \t\r\n").find(s.back()) != std::string_view::npos) {
    s.remove_suffix(1);
  }
  return s;
}

// The JSON document IMDS serves for a role.
core::Result<AwsCredentials> ParseCredentialsDocument(std::string_view text) {
  core::Result<boost::json::value> doc = core::ParseJson(text);
  if (!doc.ok()) return Unavailable("credentials document: " + doc.status().message());
  const boost::json::object* obj = doc->if_object();
  if (obj == nullptr) return Unavailable("credentials document is not a JSON object");
  const auto field = [&](std::string_view name) -> std::optional<std::string> {
    const boost::json::value* v = obj->if_contains(name);
    if (v == nullptr || !v->is_string() || v->get_string().empty()) return std::nullopt;
    return std::string(v->get_string());
  };
  if (std::optional<std::string> code = field("Code"); code && *code != "Success") {
    return Unavailable("credentials document has Code '" + *code + "'");
  }
  AwsCredentials creds;
  for (auto [name, slot] : {std::pair{"AccessKeyId", &creds.access_key_id},
                            std::pair{"SecretAccessKey", &creds.secret_access_key},
                            std::pair{"Token", &creds.session_token}}) {
    std::optional<std::string> value = field(name);
    if (!value) return Unavailable(std::string("credentials document lacks a string ") + name);
    *slot = std::move(*value);
  }
  std::optional<std::string> expiration = field("Expiration");
  if (!expiration) return Unavailable("credentials document lacks a string Expiration");
  core::Result<int64_t> expires = core::ParseIso8601(*expiration);
  if (!expires.ok()) return Unavailable("credentials document: " + expires.status().message());
  creds.expires_unix_ms = *expires;
  return creds;
}

class ImdsProvider final : public CredentialsProvider {
 public:
  ImdsProvider(std::string url, std::chrono::milliseconds timeout,
               std::chrono::milliseconds refresh_margin, std::chrono::milliseconds retry_interval)
      : url_(std::move(url)),
        endpoint_(ParseHttpEndpoint(url_)),
        timeout_(timeout),
        margin_ms_(refresh_margin.count()),
        retry_ms_(retry_interval.count()) {}

  core::Result<AwsCredentials> Get(int64_t now_ms) override {
    if (!endpoint_.ok()) return endpoint_.status();
    std::lock_guard lock(mu_);
    const bool valid = cached_ && now_ms < cached_->expires_unix_ms;
    if (valid && now_ms < cached_->expires_unix_ms - margin_ms_) return *cached_;
    if (now_ms < next_attempt_ms_) {
      if (valid) return *cached_;
      if (!last_error_.ok()) return last_error_;
    }

    core::Result<AwsCredentials> fresh = Fetch();
    if (fresh.ok()) {
      if (now_ms >= fresh->expires_unix_ms) {
        fresh = Unavailable("IMDS endpoint " + url_ + " served credentials that expired at " +
                            core::FormatIso8601(fresh->expires_unix_ms));
      } else {
        cached_ = *fresh;
        return fresh;
      }
    }
    next_attempt_ms_ = now_ms + retry_ms_;
    last_error_ = fresh.status();
    if (valid) {
      core::LogWarning("refreshing AWS credentials failed; using the current ones until expiry",
                       {{"error", fresh.status().message()},
                        {"expires", core::FormatIso8601(cached_->expires_unix_ms)}});
      return *cached_;
    }
    return fresh.status();
  }

 private:
  // One full IMDSv2 exchange. Errors are kUnavailable and name the endpoint.
  core::Result<AwsCredentials> Fetch() const {
    core::Result<PlainHttpResponse> token =
        Exchange("PUT", kTokenPath,
                 {{"X-aws-ec2-metadata-token-ttl-seconds", std::string(kTokenTtlSeconds)}});
    if (!token.ok()) return token.status();
    const std::string session(TrimSpace(token->body));
    if (session.empty()) return Failed(kTokenPath, "empty metadata token");

    const std::vector<std::pair<std::string, std::string>> auth = {
        {"X-aws-ec2-metadata-token", session}};
    core::Result<PlainHttpResponse> roles = Exchange("GET", kRolesPath, auth);
    if (!roles.ok()) return roles.status();
    const std::string_view listing = TrimSpace(roles->body);
    const std::string role(TrimSpace(listing.substr(0, listing.find('\n'))));
    if (role.empty()) return Failed(kRolesPath, "no IAM role is listed");

    const std::string role_path = std::string(kRolesPath) + role;
    core::Result<PlainHttpResponse> doc = Exchange("GET", role_path, auth);
    if (!doc.ok()) return doc.status();
    core::Result<AwsCredentials> creds = ParseCredentialsDocument(doc->body);
    if (!creds.ok()) return Failed(role_path, creds.status().message());
    return creds;
  }

  // A request that must answer 200.
  core::Result<PlainHttpResponse> Exchange(
      std::string_view method, std::string_view path,
      const std::vector<std::pair<std::string, std::string>>& headers) const {
    core::Result<PlainHttpResponse> r =
        PlainHttpExchange(*endpoint_, method, path, headers, timeout_);
    if (!r.ok()) return Unavailable("IMDS credentials: " + r.status().message());
    if (r->status != 200) {
      return Failed(path, "HTTP status " + std::to_string(r->status) + " " +
                              std::string(TrimSpace(r->body).substr(0, 200)));
    }
    return r;
  }

  core::Status Failed(std::string_view path, const std::string& why) const {
    return Unavailable("IMDS credentials: " + url_ + std::string(path) + ": " + why);
  }

  const std::string url_;
  const core::Result<HttpEndpoint> endpoint_;
  const std::chrono::milliseconds timeout_;
  const int64_t margin_ms_;
  const int64_t retry_ms_;

  std::mutex mu_;  // held across a refresh, so concurrent callers share its result
  std::optional<AwsCredentials> cached_;  // guarded by mu_
  int64_t next_attempt_ms_ = 0;           // guarded by mu_; set by a failed refresh
  core::Status last_error_;               // guarded by mu_; that failure
};

}  // namespace

std::unique_ptr<CredentialsProvider> MakeImdsProvider(std::string endpoint_url,
                                                      std::chrono::milliseconds timeout,
                                                      std::chrono::milliseconds refresh_margin,
                                                      std::chrono::milliseconds retry_interval) {
  return std::make_unique<ImdsProvider>(std::move(endpoint_url), timeout, refresh_margin,
                                        retry_interval);
}

}  // namespace jwo::payments
