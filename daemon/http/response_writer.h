// Response serialization: a Response turned into HTTP/1.1 wire bytes.
//
// Internal to http/. Written by hand rather than through Beast's serializer so that a session
// can keep one reusable string per pipeline slot and send it with a single write, with no
// per-response field container.
//
// Thread safety: pure functions.
#pragma once

#include <string>

#include "http/message.h"

namespace jwo::http {

struct WireOptions {
  bool close = false;          // add "Connection: close"; the connection ends after this answer
  bool keep_alive_10 = false;  // an HTTP/1.0 client asked for keep-alive: confirm it
  bool head = false;           // answer to HEAD: headers only, Content-Length of the body
};

// The status sent for `status`: itself when in 100..599, else 500 (a handler bug must not put
// an invalid status line on the wire).
int WireStatus(int status);

// Replaces `*out` with the serialized response (its capacity is reused). Content-Length is
// always set except for 1xx, 204 and 304, which carry no body. Extra headers named
// Content-Length, Connection or Transfer-Encoding, or holding CR/LF, are dropped.
void SerializeResponse(const Response& response, const WireOptions& options, std::string* out);

}  // namespace jwo::http
