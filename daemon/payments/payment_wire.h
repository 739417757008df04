// The HTTP/1.1 form of an OutboundRequest: the checks that keep a request from breaking the
// message framing, and its serialization.
//
// Internal to payments/ (PaymentClient checks a request when it is queued, PaymentConnection
// again after signing, then writes it).
//
// Thread safety: pure functions, callable from any thread.
#pragma once

#include <string>
#include <string_view>

#include "payments/payment_client.h"

namespace jwo::payments {

// True when the header names `a` and `b` are equal ignoring ASCII case.
bool HeaderNameEquals(std::string_view a, std::string_view b);

// Why `req` cannot be written as an HTTP/1.1 request ("invalid request: ..."), or "" when it
// can: the method must be a token, the path start with '/' without spaces or control
// characters, header names be tokens and values free of CR, LF and NUL.
std::string InvalidRequestReason(const OutboundRequest& req);

// The request as it goes on the wire: the request line, "Host: <host>" unless `req` has a Host
// header, its headers in order except Content-Length, Connection and Transfer-Encoding (the
// framing is the client's), Content-Length (for any body, and always but for GET and HEAD),
// then the body. REQUIRES: InvalidRequestReason(req) is empty.
std::string SerializeRequest(const OutboundRequest& req, std::string_view host);

}  // namespace jwo::payments
