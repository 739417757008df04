#include "payments/payment_wire.h"

#include <algorithm>

namespace jwo::payments {
namespace {

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsTokenChar);
}

bool IsClientOwnedHeader(std::string_view name) {
  return HeaderNameEquals(name, "Content-Length") || HeaderNameEquals(name, "Connection") ||
         HeaderNameEquals(name, "Transfer-Encoding");
}

}  // namespace

bool HeaderNameEquals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

std::string InvalidRequestReason(const OutboundRequest& req) {
  if (!IsToken(req.method)) return "invalid request: the method is not an HTTP token";
  const bool bad_path_char = std::any_of(req.path.begin(), req.path.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == 0x7f;
  });
  if (req.path.empty() || req.path.front() != '/' || bad_path_char) {
    return "invalid request: the path must start with '/' and hold no spaces or control "
           "characters";
  }
  for (const auto& [name, value] : req.headers) {
    if (!IsToken(name)) return "invalid request: header name '" + name + "' is not an HTTP token";
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return "invalid request: the value of header " + name + " holds CR, LF or NUL";
    }
  }
  return {};
}

std::string SerializeRequest(const OutboundRequest& req, std::string_view host) {
  std::string out;
  out.reserve(256 + req.path.size() + req.body.size());
  out.append(req.method).append(" ").append(req.path).append(" HTTP/1.1\r\n");
  const bool has_host = std::any_of(req.headers.begin(), req.headers.end(), [](const auto& h) {
    return HeaderNameEquals(h.first, "Host");
  });
  if (!has_host) out.append("Host: ").append(host).append("\r\n");
  for (const auto& [name, value] : req.headers) {
    if (IsClientOwnedHeader(name)) continue;
    out.append(name).append(": ").append(value).append("\r\n");
  }
  if (!req.body.empty() || (req.method != "GET" && req.method != "HEAD")) {
    out.append("Content-Length: ").append(std::to_string(req.body.size())).append("\r\n");
  }
  out.append("\r\n").append(req.body);
  return out;
}

}  // namespace jwo::payments
