// The IMDSv2-compatible credentials source (EC2's instance metadata service, or the IAM Roles
// Anywhere credential helper's `serve` mode, which mimics it): the blocking fetch, and the
// provider that runs it on a refresh thread.
#include <boost/json/value.hpp>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/time_format.h"
#include "payments/credentials.h"
#include "payments/credentials_http.h"
#include "payments/credentials_refresh.h"

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

// One IMDSv2 endpoint; stateless between fetches (each asks for a new metadata token).
class ImdsClient {
 public:
  ImdsClient(std::string_view url, std::chrono::milliseconds timeout)
      : url_(url), endpoint_(ParseHttpEndpoint(url_)), timeout_(timeout) {}

  // One full IMDSv2 exchange. Errors are kUnavailable and name the endpoint, or the URL's
  // kInvalidArgument.
  core::Result<AwsCredentials> Fetch() const {
    if (!endpoint_.ok()) return endpoint_.status();
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
};

}  // namespace

core::Result<AwsCredentials> FetchImdsCredentials(std::string_view endpoint_url,
                                                  std::chrono::milliseconds timeout) {
  return ImdsClient(endpoint_url, timeout).Fetch();
}

std::unique_ptr<RefreshingCredentials> MakeImdsProvider(std::string endpoint_url,
                                                        const core::Clock& clock,
                                                        std::chrono::milliseconds timeout,
                                                        RefreshOptions options) {
  auto client = std::make_shared<const ImdsClient>(endpoint_url, timeout);
  return std::make_unique<RefreshingCredentials>(
      "IMDS " + endpoint_url, [client] { return client->Fetch(); }, clock, options);
}

}  // namespace jwo::payments
