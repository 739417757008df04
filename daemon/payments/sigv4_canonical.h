// The building blocks of AWS Signature Version 4 shared by the signer (sigv4.cc) and the
// verifier (sigv4_verify.cc): canonicalization, the hashes and the key derivation.
//
// The cryptography is OpenSSL's (SHA-256, HMAC). The canonicalization is written here by hand
// because no Debian-packaged library offers it: the AWS C/C++ SDKs are not packaged for
// Debian 12, and a URL library's normalization differs from SigV4's in the details the test
// suite checks (slash collapsing, per-byte encoding of the already encoded path).
//
// Pure functions, callable from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace jwo::payments::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

// SHA-256 of `data` as 64 lower-case hex digits.
std::string Sha256Hex(std::string_view data);
// HMAC-SHA256 of `data` under `key`: 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);
// Lower-case hex of raw bytes.
std::string Hex(std::string_view bytes);

// Percent-encodes every byte except the unreserved A-Z a-z 0-9 - . _ ~ (and '/' when
// `keep_slash`), with upper-case hex digits.
std::string UriEncode(std::string_view s, bool keep_slash);

// The canonical URI: with `normalize`, empty and "." segments dropped and ".." segments
// resolved, keeping a trailing '/'; then each byte of the path as it goes on the request line
// encoded once more (every service but S3 signs the encoded path "double-encoded").
std::string CanonicalPath(std::string_view raw_path, bool normalize);

// The canonical query string: parameters split on '&' and the first '=', percent-decoded, then
// encoded with UriEncode and sorted by name, then value. A parameter without '=' gets an empty
// value ("a" -> "a=").
std::string CanonicalQuery(std::string_view raw_query);

// A header value as SigV4 signs it: leading and trailing whitespace removed, each inner run of
// spaces, tabs, CRs and LFs turned into one space. So a value folded over several lines
// ("v1\r\n  v2", obsolete HTTP/1.1 line folding) is signed as "v1 v2", as AWS does.
std::string CanonicalHeaderValue(std::string_view value);

// Lower-case header name -> canonical values joined by ',' in the order they appeared.
using CanonicalHeaderMap = std::map<std::string, std::string>;

struct CanonicalHeaderBlock {
  std::string lines;           // "name:value\n" per header, in name order
  std::string signed_headers;  // "name;name"
};
CanonicalHeaderBlock FormatCanonicalHeaders(const CanonicalHeaderMap& headers);

// method \n path \n query \n header lines \n signed headers \n payload hash
std::string CanonicalRequest(std::string_view method, std::string_view canonical_path,
                             std::string_view canonical_query, const CanonicalHeaderBlock& headers,
                             std::string_view payload_hash);

// "yyyymmdd/region/service/aws4_request"
std::string CredentialScope(std::string_view date8, std::string_view region,
                            std::string_view service);

// Algorithm \n amz_date \n scope \n hex(SHA-256(canonical request))
std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);

// hex(HMAC(kSigning, string_to_sign)), kSigning derived from the secret, date, region, service.
std::string Signature(std::string_view secret_access_key, std::string_view date8,
                      std::string_view region, std::string_view service,
                      std::string_view string_to_sign);

// Milliseconds since the epoch -> "yyyymmddThhmmssZ" (UTC, the millisecond part dropped).
std::string FormatAmzDate(int64_t unix_ms);
// "yyyymmddThhmmssZ" -> milliseconds since the epoch, or kInvalidArgument naming the text.
core::Result<int64_t> ParseAmzDate(std::string_view text);

// ASCII lower-case copy.
std::string Lower(std::string_view s);

}  // namespace jwo::payments::sigv4
