// Status and Result<T>: how expected outcomes travel as values (tier 1 of CONTRIBUTING.md).
//
// A Status is either OK or a (code, message) pair; a Result<T> holds either a T or a non-OK
// Status. Neither throws. Both are plain values: copy them, move them, use them from any thread.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace jwo::core {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the caller's input broke a documented rule
  kNotFound,            // the thing asked for does not exist
  kAlreadyExists,       // a create met an existing record
  kFailedPrecondition,  // the state of the system does not allow it (e.g. newer schema)
  kOutOfRange,          // a value beyond what is representable or allowed
  kUnavailable,         // a resource cannot be reached right now (may succeed later)
  kIoError,             // the operating system or the store reported an error
  kCorruption,          // stored data does not decode
  kInternal,            // a broken invariant
};

// Stable lower-case name of a code ("invalid_argument", ...), for logs and the control API.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<code name>: <message>", or "ok".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }

// Either a value or a non-OK Status. REQUIRES: a Result is never built from an OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // The error; OK when the result holds a value.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace jwo::core
