// Throwaway X.509 material for TLS tests, generated with OpenSSL's C API at test time.
//
// A test CA signs a server certificate (CN 127.0.0.1; SAN IP:127.0.0.1 and DNS:localhost) and
// a client certificate; a second, untrusted CA signs another client certificate. Keys are
// ECDSA P-256; certificates are valid from an hour ago for 30 days. All files are PEM.
//
// Thread safety: MakeTestPki may be called from any thread, each call with its own directory.
#pragma once

#include <string>

#include "core/status.h"

namespace jwo::testing {

struct TestPki {
  std::string ca_cert;  // the trusted CA
  std::string server_cert;
  std::string server_key;
  std::string client_cert;  // subject CN=jwo-test-client,O=jwo-edge tests
  std::string client_key;
  std::string untrusted_ca_cert;
  std::string untrusted_client_cert;  // signed by untrusted_ca_cert, not by ca_cert
  std::string untrusted_client_key;
};

// The subject of TestPki::client_cert as the server reports it (RFC 2253).
inline constexpr char kTestClientSubject[] = "CN=jwo-test-client,O=jwo-edge tests";

// Writes the files into the existing directory `dir` and returns their paths. kIoError when a
// file cannot be written, kInternal when OpenSSL fails.
core::Result<TestPki> MakeTestPki(const std::string& dir);

}  // namespace jwo::testing
