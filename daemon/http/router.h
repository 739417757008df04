// Router: maps (method, exact path) to a Handler for one listener.
//
// Built once at startup, then shared read-only with the server (one router per listener, so
// each listener can serve a different API). Lookups answer 404 for an unknown path and 405
// with an Allow header for a known path with another method, both as JSON errors. HEAD is
// answered by the GET handler where no HEAD handler is registered (the response writer sends
// the headers only).
//
// Thread safety: Add is not thread-safe and must finish before the router is handed to a
// Server; Find is const and safe from any number of threads.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/message.h"

namespace jwo::http {

class Router {
 public:
  // Registers `h` for requests whose method equals `method` (case-sensitive, as HTTP says) and
  // whose path, without the query, equals `path` exactly.
  // REQUIRES: `path` starts with '/', `h` is non-empty, and (method, path) is not yet registered.
  void Add(std::string method, std::string path, Handler h);

  // The handler for (method, path) (for HEAD without its own handler: GET's), or nullptr with
  // `*error` set to
  //   404 {"errorMsg":"no route for POST /x"} when no method is registered for the path, or
  //   405 {"errorMsg":"method GET not allowed for /x"} plus "Allow: POST, PUT" when others are.
  // The pointer stays valid as long as the router.
  const Handler* Find(std::string_view method, std::string_view path, Response* error) const;

 private:
  struct Route {
    std::vector<std::pair<std::string, Handler>> methods;  // few per path: a scan beats a map
    std::string allow;                                     // "POST, PUT", for 405 answers
  };
  struct PathHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, Route, PathHash, std::equal_to<>> routes_;
};

}  // namespace jwo::http
