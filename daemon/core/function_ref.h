// FunctionRef: a non-owning reference to a callable, for parameters that are called during the
// call and never kept (C++26's std::function_ref, not in this toolchain's library).
//
// Unlike std::function it never allocates: a lambda whose captures exceed std::function's
// small buffer (two pointers in libstdc++) costs a heap allocation per call with std::function,
// which the gate decision's store read paid on every request (docs/performance.md).
//
// The referenced callable must outlive the FunctionRef: take it as a parameter, never store it.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace jwo::core {

template <typename Signature>
class FunctionRef;

template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
 public:
  template <typename F>
  requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
           std::is_invocable_r_v<R, F&, Args...>) FunctionRef(F&& f)
  noexcept  // NOLINT(google-explicit-constructor): used like std::function
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace jwo::core
