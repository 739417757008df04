// A minimal browser for the portal's server-rendered pages in integration tests: one
// connection per request (as a browser may), a cookie jar for jwo_pre and jwo_session, and the
// CSRF token read from the last page, added to every form it posts.
#pragma once

#include <map>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/http_client.h"

namespace jwo::testing {

class PortalClient {
 public:
  explicit PortalClient(uint16_t port) : port_(port) {}

  core::Result<ClientResponse> Get(const std::string& target) { return Send("GET", target, ""); }
  // Posts `fields` as a form; with `csrf`, the token of the last page is added.
  core::Result<ClientResponse> Post(const std::string& target,
                                    const std::vector<std::pair<std::string, std::string>>& fields,
                                    bool csrf = true) {
    std::string body;
    auto add = [&](const std::string& k, const std::string& v) {
      if (!body.empty()) body += "&";
      body += Encode(k) + "=" + Encode(v);
    };
    if (csrf) add("csrf", csrf_);
    for (const auto& [k, v] : fields) add(k, v);
    return Send("POST", target, body);
  }
  // Follows a 303 answer's Location with a GET.
  core::Result<ClientResponse> Follow(const ClientResponse& r) {
    return Get(std::string(r.Header("Location")));
  }

  const std::string& last_body() const { return last_body_; }
  std::string cookie(const std::string& name) const {
    auto it = jar_.find(name);
    return it == jar_.end() ? std::string() : it->second;
  }
  void set_cookie(const std::string& name, const std::string& value) { jar_[name] = value; }
  void forget_cookies() { jar_.clear(); }

  // The first capture group of `pattern` in the last page, or "".
  std::string Find(const std::string& pattern) const {
    std::smatch m;
    return std::regex_search(last_body_, m, std::regex(pattern)) ? m[1].str() : std::string();
  }

 private:
  static std::string Encode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
        out += static_cast<char>(c);
      } else {
        out += '%';
        out += hex[c >> 4];
        out += hex[c & 15];
      }
    }
    return out;
  }

  core::Result<ClientResponse> Send(const std::string& method, const std::string& target,
                                    const std::string& body) {
    auto c = HttpClient::Connect("127.0.0.1", port_);
    if (!c.ok()) return c.status();
    Headers h;
    std::string cookies;
    for (const auto& [k, v] : jar_) {
      if (v.empty()) continue;
      cookies += (cookies.empty() ? "" : "; ") + k + "=" + v;
    }
    if (!cookies.empty()) h.emplace_back("Cookie", cookies);
    if (method == "POST") h.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    auto r = c->Send(method, target, body, h);
    if (!r.ok()) return r;
    for (const auto& [k, v] : r->headers) {
      if (k != "Set-Cookie" && k != "set-cookie") continue;
      const size_t eq = v.find('='), semi = v.find(';');
      jar_[v.substr(0, eq)] = v.substr(eq + 1, semi - eq - 1);
    }
    last_body_ = r->body;
    const std::string token = Find("name=\"csrf\" value=\"([0-9a-f]{64})\"");
    if (!token.empty()) csrf_ = token;
    return r;
  }

  uint16_t port_;
  std::map<std::string, std::string> jar_;
  std::string csrf_;
  std::string last_body_;
};

}  // namespace jwo::testing
