// Fuzz target: the SigV4 canonicalizer (payments/sigv4_canonical.h). The input is read as lines:
// method, path, query, X-Amz-Date, then "name:value" headers; each piece goes through its
// canonical form and the whole through the canonical request, string to sign and signature.
// Properties: nothing crashes; canonical paths and queries hold only unreserved characters,
// '/', '&', '=' and %XX with upper-case hex; a parsed date (before year 10000) formats and parses
// to itself.
#include "payments/sigv4_canonical.h"

#include <string>
#include <vector>

#include "fuzz_target.h"

namespace sigv4 = jwo::payments::sigv4;

namespace {

bool IsUpperHex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

// Only `extra` besides the unreserved characters and well-formed %XX escapes.
bool OnlyEncoded(std::string_view s, std::string_view extra) {
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || extra.find(c) != std::string_view::npos) {
      continue;
    }
    if (c == '%' && i + 2 < s.size() && IsUpperHex(s[i + 1]) && IsUpperHex(s[i + 2])) {
      i += 2;
      continue;
    }
    return false;
  }
  return true;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = jwo::fuzz::AsText(data, size);
  const std::vector<std::string_view> lines = Lines(text);
  auto line = [&](size_t i) { return i < lines.size() ? lines[i] : std::string_view(); };

  if (!OnlyEncoded(sigv4::UriEncode(text, false), "")) jwo::fuzz::Fail("UriEncode");
  if (!OnlyEncoded(sigv4::UriEncode(text, true), "/")) jwo::fuzz::Fail("UriEncode keep_slash");
  (void)sigv4::CanonicalHeaderValue(text);
  (void)sigv4::Lower(text);

  const std::string path = sigv4::CanonicalPath(line(1), true);
  if (!OnlyEncoded(path, "/")) jwo::fuzz::Fail("CanonicalPath (normalized)");
  if (!OnlyEncoded(sigv4::CanonicalPath(line(1), false), "/")) jwo::fuzz::Fail("CanonicalPath");
  const std::string query = sigv4::CanonicalQuery(line(2));
  if (!OnlyEncoded(query, "&=")) jwo::fuzz::Fail("CanonicalQuery");

  // A leap second (":60", which ParseIso8601 accepts) on 9999-12-31 rolls into year 10000,
  // which has no yyyymmdd form: the round trip holds for every date that formats to 16 bytes.
  const auto ms = sigv4::ParseAmzDate(line(3));
  if (ms.ok() && sigv4::FormatAmzDate(*ms).size() == 16) {
    const auto again = sigv4::ParseAmzDate(sigv4::FormatAmzDate(*ms));
    if (!again.ok() || *again != *ms) jwo::fuzz::Fail("ParseAmzDate/FormatAmzDate round trip");
  }
  const std::string amz_date = sigv4::FormatAmzDate(ms.ok() ? *ms : 0);

  sigv4::CanonicalHeaderMap headers;
  for (size_t i = 4; i < lines.size(); ++i) {
    const size_t colon = lines[i].find(':');
    if (colon == std::string_view::npos) continue;
    std::string& value = headers[sigv4::Lower(lines[i].substr(0, colon))];
    if (!value.empty()) value += ',';
    value += sigv4::CanonicalHeaderValue(lines[i].substr(colon + 1));
  }
  const sigv4::CanonicalHeaderBlock block = sigv4::FormatCanonicalHeaders(headers);
  const std::string request =
      sigv4::CanonicalRequest(line(0), path, query, block, sigv4::Sha256Hex(line(0)));
  const std::string scope =
      sigv4::CredentialScope(amz_date.substr(0, 8), "us-east-1", "execute-api");
  const std::string to_sign = sigv4::StringToSign(amz_date, scope, request);
  if (sigv4::Signature("secret", amz_date.substr(0, 8), "us-east-1", "execute-api", to_sign)
          .size() != 64) {
    jwo::fuzz::Fail("the signature is not 64 hex digits");
  }
  return 0;
}
