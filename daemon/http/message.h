// Request and Response: the HTTP exchange as handlers see it, free of any network library.
//
// A handler receives a Request by value and answers exactly once through Respond, on any thread,
// at once or later. The server keeps answers to pipelined requests in request order, so a
// handler never needs to know about the connection it came from.
//
// Thread safety: plain values; a Respond may be called from any thread (once).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jwo::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "POST"
  std::string target;  // "/v1/fraudandabuse/shopperauthorization?x=1"
  std::string path;    // target without the query
  std::string body;
  HeaderList headers;               // as received, in order
  std::string listener;             // name of the listener it arrived on
  std::string peer;                 // "127.0.0.1:53422"
  std::string client_cert_subject;  // verified client certificate subject (RFC 2253), or empty
  int version = 11;                 // 10 for HTTP/1.0, 11 for HTTP/1.1

  // Value of the first header named `name` (ASCII case-insensitive); "" when absent. The view
  // lives as long as this Request.
  std::string_view Header(std::string_view name) const;
};

struct Response {
  int status = 200;  // 100..599; the server answers 500 for anything else
  std::string body;
  // Empty: no Content-Type header. A view, not a string, so that answers allocate nothing for it
  // ("application/json" is one byte past std::string's in-place capacity): it must point at
  // storage that outlives the response, in practice a string literal.
  std::string_view content_type = "application/json";
  // Extra headers. The server owns Content-Length, Connection and Transfer-Encoding and drops
  // those names here, as well as any header whose name or value holds CR or LF.
  HeaderList headers;
  // Fault injection (the payment simulator's "dropped connection"): instead of answering, the
  // server closes the connection at once; answers still owed on it are discarded.
  bool close_without_response = false;
};

// A response with body {"errorMsg":"<message>"}. The message is escaped by
// core::AppendJsonEscaped; bytes that are not valid UTF-8 become U+FFFD, so the body is always
// valid JSON.
Response JsonError(int status, std::string_view message);

// True when `a` and `b` are equal ignoring ASCII case (header names, methods in Allow).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// A handler answers exactly once by calling `respond`, on any thread, now or later (the daemon's
// write path answers after an LMDB commit on another thread). The session keeps the connection's
// order of answers for pipelined requests. Calling it twice, or never, breaks the contract: a
// connection whose handler never answers is held open until the client goes away or the request
// timeout closes it, and its session object is kept until the answer comes.
using Respond = std::function<void(Response)>;
// REQUIRES: does not throw.
using Handler = std::function<void(Request&&, Respond)>;

}  // namespace jwo::http
