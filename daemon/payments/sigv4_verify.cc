// VerifyV4: the server side of SigV4, used by the Payment Service simulator.
#include <openssl/crypto.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "core/time_format.h"
#include "payments/sigv4.h"
#include "payments/sigv4_canonical.h"

namespace jwo::payments {
namespace {

using core::InvalidArgument;
using core::Status;
using core::StatusCode;

Status Rejected(std::string message) {
  return {StatusCode::kFailedPrecondition, std::move(message)};
}

// Constant time for equal lengths; the length of a token or signature is no secret.
bool SameBytes(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// Every value of the header `lower_name`, in order.
std::vector<std::string_view> HeaderValues(const HttpRequestToSign& req,
                                           std::string_view lower_name) {
  std::vector<std::string_view> values;
  for (const auto& [name, value] : req.headers) {
    if (sigv4::Lower(name) == lower_name) values.push_back(value);
  }
  return values;
}

struct ParsedAuthorization {
  std::string_view access_key_id, date8, region, service;
  std::string_view signed_headers, signature;
};

core::Result<ParsedAuthorization> ParseAuthorization(std::string_view header) {
  const auto bad = [&](const std::string& why) {
    return InvalidArgument("malformed Authorization header (" + why + "): '" + std::string(header) +
                           "'");
  };
  const std::string prefix = std::string(sigv4::kAlgorithm) + " ";
  if (header.substr(0, prefix.size()) != prefix) {
    return bad("expected it to start with '" + prefix + "'");
  }
  ParsedAuthorization out;
  std::string_view credential;
  for (std::string_view component : Split(header.substr(prefix.size()), ',')) {
    component = Trim(component);
    const size_t eq = component.find('=');
    if (eq == std::string_view::npos) return bad("'" + std::string(component) + "' has no '='");
    const std::string_view key = component.substr(0, eq);
    const std::string_view value = component.substr(eq + 1);
    std::string_view* slot = key == "Credential"      ? &credential
                             : key == "SignedHeaders" ? &out.signed_headers
                             : key == "Signature"     ? &out.signature
                                                      : nullptr;
    if (slot == nullptr) return bad("unknown component '" + std::string(key) + "'");
    if (!slot->empty()) return bad("repeated component '" + std::string(key) + "'");
    if (value.empty()) return bad("empty " + std::string(key));
    *slot = value;
  }
  if (credential.empty()) return bad("no Credential");
  if (out.signed_headers.empty()) return bad("no SignedHeaders");
  if (out.signature.empty()) return bad("no Signature");
  const std::vector<std::string_view> scope = Split(credential, '/');
  if (scope.size() != 5 || scope[4] != "aws4_request" || scope[0].empty() || scope[1].size() != 8) {
    return bad("Credential must be AKID/yyyymmdd/region/service/aws4_request");
  }
  out.access_key_id = scope[0];
  out.date8 = scope[1];
  out.region = scope[2];
  out.service = scope[3];
  if (out.signature.size() != 64 ||
      out.signature.find_first_not_of("0123456789abcdef") != std::string_view::npos) {
    return bad("Signature must be 64 lower-case hex digits");
  }
  return out;
}

}  // namespace

Status VerifyV4(
    const HttpRequestToSign& received, std::string_view expected_region,
    std::string_view expected_service,
    const std::function<std::optional<AwsCredentials>(std::string_view access_key_id)>& lookup,
    int64_t now_ms, int64_t max_skew_ms) {
  const std::vector<std::string_view> authorizations = HeaderValues(received, "authorization");
  if (authorizations.empty()) return InvalidArgument("missing Authorization header");
  if (authorizations.size() > 1) return InvalidArgument("more than one Authorization header");
  core::Result<ParsedAuthorization> parsed = ParseAuthorization(Trim(authorizations[0]));
  if (!parsed.ok()) return parsed.status();
  const ParsedAuthorization& auth = *parsed;

  const std::vector<std::string_view> signed_names = Split(auth.signed_headers, ';');
  bool has_host = false, has_date = false;
  for (size_t i = 0; i < signed_names.size(); ++i) {
    const std::string_view name = signed_names[i];
    if (name.empty() || sigv4::Lower(name) != name || (i > 0 && signed_names[i - 1] >= name)) {
      return InvalidArgument("SignedHeaders '" + std::string(auth.signed_headers) +
                             "' must be distinct lower-case names in sorted order");
    }
    has_host |= name == "host";
    has_date |= name == "x-amz-date";
  }
  if (!has_host || !has_date) {
    return InvalidArgument("SignedHeaders '" + std::string(auth.signed_headers) +
                           "' must include host and x-amz-date");
  }

  const std::vector<std::string_view> dates = HeaderValues(received, "x-amz-date");
  if (dates.size() != 1) {
    return InvalidArgument(dates.empty() ? "missing X-Amz-Date header"
                                         : "more than one X-Amz-Date header");
  }
  const std::string_view amz_date = Trim(dates[0]);
  core::Result<int64_t> signed_at = sigv4::ParseAmzDate(amz_date);
  if (!signed_at.ok()) return signed_at.status();
  if (amz_date.substr(0, 8) != auth.date8) {
    return InvalidArgument("credential scope date " + std::string(auth.date8) +
                           " is not the day of X-Amz-Date " + std::string(amz_date));
  }
  if (auth.region != expected_region || auth.service != expected_service) {
    return InvalidArgument("credential scope is for region '" + std::string(auth.region) +
                           "' and service '" + std::string(auth.service) + "', expected '" +
                           std::string(expected_region) + "' and '" +
                           std::string(expected_service) + "'");
  }
  if (std::llabs(*signed_at - now_ms) > max_skew_ms) {
    return Rejected("X-Amz-Date " + std::string(amz_date) + " is more than " +
                    std::to_string(max_skew_ms) + " ms from the server time " +
                    core::FormatIso8601(now_ms));
  }

  const std::optional<AwsCredentials> creds = lookup(auth.access_key_id);
  if (!creds) {
    return core::NotFound("unknown access key id '" + std::string(auth.access_key_id) + "'");
  }
  if (creds->expires_unix_ms != 0 && now_ms >= creds->expires_unix_ms) {
    return Rejected("the credentials of access key id '" + std::string(auth.access_key_id) +
                    "' expired at " + core::FormatIso8601(creds->expires_unix_ms));
  }
  const std::vector<std::string_view> tokens = HeaderValues(received, "x-amz-security-token");
  if (creds->session_token.empty()) {
    if (!tokens.empty()) {
      return Rejected("X-Amz-Security-Token sent, but access key id '" +
                      std::string(auth.access_key_id) + "' has no session token");
    }
  } else if (tokens.empty()) {
    return Rejected("X-Amz-Security-Token is required for access key id '" +
                    std::string(auth.access_key_id) + "'");
  } else if (tokens.size() > 1 || !SameBytes(Trim(tokens[0]), creds->session_token)) {
    return Rejected("X-Amz-Security-Token is not the session token of access key id '" +
                    std::string(auth.access_key_id) + "'");
  }

  const std::string payload_hash = sigv4::Sha256Hex(received.body);
  for (std::string_view claimed : HeaderValues(received, "x-amz-content-sha256")) {
    if (Trim(claimed) != payload_hash) {
      return Rejected("x-amz-content-sha256 " + std::string(claimed) +
                      " is not the SHA-256 of the body");
    }
  }

  sigv4::CanonicalHeaderMap headers;
  for (std::string_view name : signed_names) {
    const std::vector<std::string_view> values = HeaderValues(received, name);
    if (values.empty()) {
      return InvalidArgument("signed header '" + std::string(name) + "' is not in the request");
    }
    std::string& joined = headers[std::string(name)];
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) joined.push_back(',');
      joined.append(sigv4::CanonicalHeaderValue(values[i]));
    }
  }
  const std::string canonical_request = sigv4::CanonicalRequest(
      received.method, sigv4::CanonicalPath(received.path, /*normalize=*/true),
      sigv4::CanonicalQuery(received.query), sigv4::FormatCanonicalHeaders(headers), payload_hash);
  const std::string string_to_sign = sigv4::StringToSign(
      amz_date, sigv4::CredentialScope(auth.date8, auth.region, auth.service), canonical_request);
  const std::string expected = sigv4::Signature(creds->secret_access_key, auth.date8, auth.region,
                                                auth.service, string_to_sign);
  if (!SameBytes(expected, auth.signature)) {
    return Rejected(
        "the request signature does not match the signature the server computed; the "
        "canonical request was:\n" +
        canonical_request);
  }
  return Status::Ok();
}

}  // namespace jwo::payments
