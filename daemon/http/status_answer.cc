#include "http/status_answer.h"

#include <cassert>

namespace jwo::http {

int HttpStatusFor(core::StatusCode code) {
  using core::StatusCode;
  // No default: a new code does not compile (-Wswitch) until it has an answer here.
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kUnavailable:
    case StatusCode::kIoError:
      return 503;
    case StatusCode::kCorruption:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

Response StatusAnswer(const core::Status& s) {
  assert(!s.ok());
  return JsonError(HttpStatusFor(s.code()), s.message());
}

}  // namespace jwo::http
