#include "http/router.h"

#include <cassert>

namespace jwo::http {

void Router::Add(std::string method, std::string path, Handler h) {
  assert(!path.empty() && path.front() == '/');
  assert(h);
  Route& route = routes_[std::move(path)];
  for (auto& [existing, handler] : route.methods) {
    if (existing == method) {
      assert(false && "route registered twice");
      handler = std::move(h);
      return;
    }
  }
  if (!route.allow.empty()) route.allow.append(", ");
  route.allow.append(method);
  // HEAD is answered by the GET handler (RFC 9110 9.3.2); the writer drops the body.
  if (method == "GET") route.allow.append(", HEAD");
  route.methods.emplace_back(std::move(method), std::move(h));
}

const Handler* Router::Find(std::string_view method, std::string_view path, Response* error) const {
  auto it = routes_.find(path);
  if (it == routes_.end()) {
    std::string message = "no route for ";
    message.append(method).append(" ").append(path);
    *error = JsonError(404, message);
    return nullptr;
  }
  for (const auto& [registered, handler] : it->second.methods) {
    if (registered == method) return &handler;
  }
  if (method == "HEAD") {
    for (const auto& [registered, handler] : it->second.methods) {
      if (registered == "GET") return &handler;
    }
  }
  std::string message = "method ";
  message.append(method).append(" not allowed for ").append(path);
  *error = JsonError(405, message);
  error->headers.emplace_back("Allow", it->second.allow);
  return nullptr;
}

}  // namespace jwo::http
