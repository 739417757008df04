// Reads the AWS SigV4 test suite copied into tests/data/sigv4-test-suite/ (see SOURCE.md
// there): each case folder holds context.json, request.txt and the expected header-* results.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "payments/sigv4.h"

namespace jwo::payments::testing {

struct SigV4Case {
  std::string name;  // folder path relative to the suite root, e.g. "get-vanilla"
  std::string dir;   // absolute folder path
  HttpRequestToSign request;
  std::string request_line;  // "GET / HTTP/1.1"
  // As written, e.g. "My-Header1: value1"; a folded header is one entry holding its
  // continuation lines after '\n', and its value in `request` holds them the same way.
  std::vector<std::string> header_lines;
  AwsCredentials creds;
  SigningParams params;
};

// The suite's root folder in the source tree.
std::string SigV4SuiteDir();

// Every case folder (any depth) that holds a context.json, sorted by name. Aborts the test
// program with a message when a case cannot be read: a broken vector must not pass silently.
std::vector<SigV4Case> LoadSigV4Suite();

// The case's header-signed-request.txt as a request, the headers AWS's signer added included:
// what a server receives. Aborts like LoadSigV4Suite when the file cannot be read.
HttpRequestToSign ExpectedSignedRequest(const SigV4Case& c);

// The whole content of `path`, or "<missing: path>".
std::string ReadFileText(const std::string& path);

// The signed request as the suite's header-signed-request.txt writes it: the request line, the
// original header lines, the added headers as "Name:value", a blank line, the body.
std::string RenderSignedRequest(const SigV4Case& c, const SignedParts& signed_parts);

}  // namespace jwo::payments::testing
