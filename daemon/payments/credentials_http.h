// A minimal blocking HTTP/1.1 client: just enough to talk to an IMDSv2-compatible credentials
// endpoint (plain HTTP, loopback or link-local, a few small requests per credentials lifetime).
//
// Why not Boost.Beast, which the rest of the daemon uses: this client runs rarely, on the IMDS
// provider's refresh thread (credentials_refresh.h), where blocking for a bounded time is
// acceptable; a hundred lines of POSIX
// sockets keep this library free of Asio/Beast and its compile time, and the timeouts explicit.
// One request per connection ("Connection: close"); bodies framed by Content-Length, chunked
// encoding, or the end of the connection.
//
// Thread safety: free functions without shared state; call from any thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace jwo::payments {

struct HttpEndpoint {
  std::string host;       // name or address, IPv6 without brackets
  std::string port;       // decimal, "80" when the URL has none
  std::string authority;  // as written in the URL, for the Host header
};

// Parses "http://host[:port]" (an IPv6 address in brackets; one trailing '/' allowed). Returns
// kInvalidArgument naming the URL when the scheme is not http, the host is empty, the port is
// not 1-65535, or a path, query or user part follows.
core::Result<HttpEndpoint> ParseHttpEndpoint(std::string_view url);

struct PlainHttpResponse {
  int status = 0;
  std::string body;
};

// Sends `method target` with `headers` (plus Host, Connection: close and, for a method other
// than GET, Content-Length: 0) on a new connection, and reads the whole response. The whole
// exchange, from name resolution's result to the last byte, is bounded by `timeout`. Returns the
// status and the decoded body whatever the status, or kUnavailable naming the endpoint and the
// reason: connection refused, timeout, connection closed early, response malformed or larger
// than 1 MiB. Name resolution uses getaddrinfo, which has no timeout: give an address or a name
// /etc/hosts resolves.
core::Result<PlainHttpResponse> PlainHttpExchange(
    const HttpEndpoint& endpoint, std::string_view method, std::string_view target,
    const std::vector<std::pair<std::string, std::string>>& headers,
    std::chrono::milliseconds timeout);

}  // namespace jwo::payments
