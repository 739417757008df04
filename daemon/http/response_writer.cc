#include "http/response_writer.h"

#include <boost/beast/http/status.hpp>
#include <charconv>

namespace jwo::http {
namespace {

bool SafeHeader(std::string_view name, std::string_view value) {
  if (name.empty() || name.find_first_of("\r\n:") != std::string_view::npos) return false;
  if (value.find_first_of("\r\n") != std::string_view::npos) return false;
  return !EqualsIgnoreCase(name, "Content-Length") && !EqualsIgnoreCase(name, "Connection") &&
         !EqualsIgnoreCase(name, "Transfer-Encoding");
}

void AppendNumber(uint64_t value, std::string* out) {
  char digits[24];
  auto [end, err] = std::to_chars(digits, digits + sizeof(digits), value);
  out->append(digits, end);
}

}  // namespace

int WireStatus(int status) { return (status >= 100 && status <= 599) ? status : 500; }

void SerializeResponse(const Response& response, const WireOptions& options, std::string* out) {
  const int status = WireStatus(response.status);
  const bool bodyless_status = status < 200 || status == 204 || status == 304;
  const auto reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));

  out->clear();
  out->append("HTTP/1.1 ");
  AppendNumber(static_cast<uint64_t>(status), out);
  out->push_back(' ');
  out->append(reason.data(), reason.size());
  out->append("\r\n");
  if (!response.content_type.empty() && SafeHeader("Content-Type", response.content_type)) {
    out->append("Content-Type: ").append(response.content_type).append("\r\n");
  }
  if (!bodyless_status) {
    out->append("Content-Length: ");
    AppendNumber(response.body.size(), out);
    out->append("\r\n");
  }
  for (const auto& [name, value] : response.headers) {
    if (!SafeHeader(name, value)) continue;
    out->append(name).append(": ").append(value).append("\r\n");
  }
  if (options.close) {
    out->append("Connection: close\r\n");
  } else if (options.keep_alive_10) {
    out->append("Connection: keep-alive\r\n");
  }
  out->append("\r\n");
  if (!bodyless_status && !options.head) out->append(response.body);
}

}  // namespace jwo::http
