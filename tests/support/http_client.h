// HttpClient: a blocking HTTP/1.1 (optionally HTTPS) client for tests, on one keep-alive
// connection.
//
// Every operation is bounded by the timeout given to Connect, so a test against a broken
// server fails instead of hanging. Besides whole requests it can write raw bytes and read
// answers one at a time, for pipelining and malformed-input tests.
//
// Thread safety: one HttpClient per thread; distinct clients are independent.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace jwo::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct TlsClientOptions {
  std::string ca_file;    // PEM; the server certificate must verify against it and match host
  std::string cert_file;  // PEM client certificate chain, or empty for none
  std::string key_file;   // PEM key of cert_file
};

struct ClientResponse {
  int status = 0;
  std::string body;
  Headers headers;
  bool keep_alive = true;  // the server did not announce it will close

  // First header named `name` (ASCII case-insensitive), or "".
  std::string_view Header(std::string_view name) const;
};

class HttpClient {
 public:
  // Connects (and completes the TLS handshake when `tls` is set). Errors: kUnavailable when the
  // connection or handshake fails or times out, kInvalidArgument for unreadable TLS files.
  static core::Result<HttpClient> Connect(
      const std::string& host, uint16_t port, std::optional<TlsClientOptions> tls = std::nullopt,
      std::chrono::milliseconds timeout = std::chrono::seconds(10));

  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;
  ~HttpClient();

  // Sends one request (Host and Content-Length are added) and reads its answer. kUnavailable
  // when writing or reading fails, times out, or the server closed the connection.
  core::Result<ClientResponse> Send(std::string_view method, std::string_view target,
                                    std::string_view body, const Headers& headers = {});
  core::Result<ClientResponse> Post(std::string_view target, std::string_view body,
                                    const Headers& headers = {});
  core::Result<ClientResponse> Get(std::string_view target, const Headers& headers = {});

  // Writes bytes as they are. kUnavailable on failure or timeout.
  core::Status WriteRaw(std::string_view bytes);
  // Reads the next answer from the connection.
  core::Result<ClientResponse> ReadResponse();
  // Waits for the server to close the connection. OK when it did (FIN, reset or TLS
  // close); kUnavailable on timeout; kFailedPrecondition when data arrived instead.
  core::Status WaitForClose();

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace jwo::testing
