#include "http/message.h"

#include <cstdint>

#include "core/ascii.h"
#include "core/json_writer.h"

namespace jwo::http {
namespace {}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return core::EqualsIgnoreCase(a, b);
}

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

Response JsonError(int status, std::string_view message) {
  Response response;
  response.status = status;
  response.body.reserve(message.size() + 16);
  response.body.append("{\"errorMsg\":\"");
  core::AppendJsonEscaped(message, &response.body);
  response.body.append("\"}");
  return response;
}

}  // namespace jwo::http
