// The one mapping from a core::Status to an HTTP answer, so every handler answers the same
// outcome with the same status code.
//
//   ok                                  200
//   invalid_argument, out_of_range      400  the request broke a documented rule
//   not_found                           404
//   already_exists, failed_precondition 409  the request conflicts with the current state
//   unavailable, io_error               503  retry later (Amazon retries a 503)
//   corruption, internal                500
//
// Pure functions, safe from any thread.
#pragma once

#include "core/status.h"
#include "http/message.h"

namespace jwo::http {

// The HTTP status code for `code` (table above).
int HttpStatusFor(core::StatusCode code);

// JsonError(HttpStatusFor(s.code()), s.message()): {"errorMsg":"<message>"}.
// REQUIRES: !s.ok() (a success is answered by the handler with its own body).
Response StatusAnswer(const core::Status& s);

}  // namespace jwo::http
