#include "payments/sigv4.h"

#include "payments/sigv4_canonical.h"

namespace jwo::payments {
namespace {

// Headers SignV4 adds itself: a caller's copy would be sent twice or contradict ours.
bool IsSignerOwned(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "x-amz-date" ||
         lower_name == "x-amz-security-token" || lower_name == "x-amz-content-sha256";
}

// Headers that proxies and HTTP stacks add or rewrite on the way; signing them would make a
// correct request fail verification (the same list the AWS SDKs leave unsigned).
bool IsLeftUnsigned(std::string_view lower_name) {
  return lower_name == "user-agent" || lower_name == "x-amzn-trace-id" ||
         lower_name == "connection" || lower_name == "upgrade";
}

bool AllLetters(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < 'a' || c > 'z') return false;
  }
  return true;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "us-east-1", "us-gov-west-1", "ap-southeast-2": letter groups then a number.
bool IsRegionShaped(std::string_view label) {
  size_t parts = 0;
  size_t start = 0;
  while (true) {
    const size_t dash = label.find('-', start);
    const std::string_view part = label.substr(start, dash - start);
    ++parts;
    if (dash == std::string_view::npos) return parts >= 3 && AllDigits(part);
    if (!AllLetters(part)) return false;
    start = dash + 1;
  }
}

}  // namespace

SignedParts SignV4(const HttpRequestToSign& req, const AwsCredentials& creds,
                   const SigningParams& p) {
  const std::string amz_date = sigv4::FormatAmzDate(p.unix_ms);
  const std::string date8 = amz_date.substr(0, 8);
  const std::string payload_hash = sigv4::Sha256Hex(req.body);

  sigv4::CanonicalHeaderMap headers;
  for (const auto& [name, value] : req.headers) {
    std::string lower = sigv4::Lower(name);
    if (IsSignerOwned(lower) || IsLeftUnsigned(lower)) continue;
    auto [it, inserted] = headers.try_emplace(std::move(lower));
    if (!inserted) it->second.push_back(',');
    it->second.append(sigv4::CanonicalHeaderValue(value));
  }
  headers["x-amz-date"] = amz_date;
  const bool has_token = !creds.session_token.empty();
  if (has_token && p.sign_session_token) {
    headers["x-amz-security-token"] = sigv4::CanonicalHeaderValue(creds.session_token);
  }
  if (p.add_content_sha256_header) headers["x-amz-content-sha256"] = payload_hash;
  const sigv4::CanonicalHeaderBlock block = sigv4::FormatCanonicalHeaders(headers);

  SignedParts out;
  out.canonical_request =
      sigv4::CanonicalRequest(req.method, sigv4::CanonicalPath(req.path, p.normalize_path),
                              sigv4::CanonicalQuery(req.query), block, payload_hash);
  const std::string scope = sigv4::CredentialScope(date8, p.region, p.service);
  out.string_to_sign = sigv4::StringToSign(amz_date, scope, out.canonical_request);
  out.signature =
      sigv4::Signature(creds.secret_access_key, date8, p.region, p.service, out.string_to_sign);
  out.authorization = std::string(sigv4::kAlgorithm) + " Credential=" + creds.access_key_id + "/" +
                      scope + ", SignedHeaders=" + block.signed_headers +
                      ", Signature=" + out.signature;

  if (has_token) out.added_headers.emplace_back("X-Amz-Security-Token", creds.session_token);
  out.added_headers.emplace_back("X-Amz-Date", amz_date);
  if (p.add_content_sha256_header) {
    out.added_headers.emplace_back("x-amz-content-sha256", payload_hash);
  }
  out.added_headers.emplace_back("Authorization", out.authorization);
  return out;
}

std::string RegionFromHost(std::string_view host) {
  if (host.empty() || host.front() == '[') return "";  // IPv6 literal
  const size_t colon = host.find(':');
  if (colon != std::string_view::npos) host = host.substr(0, colon);
  const size_t dot = host.find('.');
  if (dot == std::string_view::npos) return "";
  std::string label = sigv4::Lower(host.substr(0, dot));
  return IsRegionShaped(label) ? label : "";
}

}  // namespace jwo::payments
