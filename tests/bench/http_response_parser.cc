#include "tests/bench/http_response_parser.h"

#include <charconv>
#include <cstdint>

#include "core/ascii.h"

namespace jwo::bench {
namespace {

constexpr size_t kMaxHeaderBytes = 64 * 1024;
constexpr std::string_view kCrlf = "\r\n";

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (core::EqualsIgnoreCase(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// What the header block says about framing and the connection.
struct Framing {
  bool has_length = false;
  uint64_t length = 0;
  bool chunked = false;
  bool keep_alive = true;
};

// "HTTP/1.1 200 OK": sets *status and whether the version keeps connections open by default.
bool ParseStatusLine(std::string_view line, int* status, bool* keep_alive_default) {
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[8] != ' ') return false;
  *keep_alive_default = line[7] != '0';
  int code = 0;
  const char* first = line.data() + 9;
  auto [end, ec] = std::from_chars(first, first + 3, code);
  if (ec != std::errc() || end != first + 3 || code < 100 || code > 599) return false;
  if (line.size() > 12 && line[12] != ' ') return false;
  *status = code;
  return true;
}

bool ParseHeaders(std::string_view block, Framing* framing) {
  while (!block.empty()) {
    const size_t eol = block.find(kCrlf);
    const std::string_view line = block.substr(0, eol);
    block.remove_prefix(eol == std::string_view::npos ? block.size() : eol + 2);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = Trim(line.substr(colon + 1));
    if (core::EqualsIgnoreCase(name, "content-length")) {
      uint64_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size()) return false;
      if (framing->has_length && framing->length != n) return false;
      framing->has_length = true;
      framing->length = n;
    } else if (core::EqualsIgnoreCase(name, "transfer-encoding")) {
      framing->chunked = ContainsIgnoreCase(value, "chunked");
    } else if (core::EqualsIgnoreCase(name, "connection")) {
      if (ContainsIgnoreCase(value, "close")) framing->keep_alive = false;
      if (ContainsIgnoreCase(value, "keep-alive")) framing->keep_alive = true;
    }
  }
  return true;
}

// Decodes the chunked body starting at `rest`; on success sets *consumed to the bytes used,
// trailers and final CRLF included.
ParseOutcome ParseChunkedBody(std::string_view rest, size_t* consumed, std::string* body) {
  body->clear();
  size_t pos = 0;
  for (;;) {
    const size_t eol = rest.find(kCrlf, pos);
    if (eol == std::string_view::npos) return ParseOutcome::kIncomplete;
    std::string_view size_text = rest.substr(pos, eol - pos);
    size_text = Trim(size_text.substr(0, size_text.find(';')));
    uint64_t chunk = 0;
    auto [end, ec] =
        std::from_chars(size_text.data(), size_text.data() + size_text.size(), chunk, 16);
    if (size_text.empty() || ec != std::errc() || end != size_text.data() + size_text.size()) {
      return ParseOutcome::kMalformed;
    }
    pos = eol + 2;
    if (chunk == 0) break;
    if (rest.size() - pos < chunk + 2) return ParseOutcome::kIncomplete;
    if (rest.substr(pos + chunk, 2) != kCrlf) return ParseOutcome::kMalformed;
    body->append(rest.substr(pos, chunk));
    pos += chunk + 2;
  }
  // Trailer fields, then the empty line that ends the message.
  for (;;) {
    const size_t eol = rest.find(kCrlf, pos);
    if (eol == std::string_view::npos) return ParseOutcome::kIncomplete;
    const bool empty_line = eol == pos;
    pos = eol + 2;
    if (empty_line) break;
  }
  *consumed = pos;
  return ParseOutcome::kComplete;
}

}  // namespace

ParseOutcome ParseHttpResponse(std::string_view buffer, HttpResponse* out,
                               std::string* chunk_scratch) {
  const size_t header_end = buffer.find("\r\n\r\n");
  if (header_end == std::string_view::npos) {
    return buffer.size() > kMaxHeaderBytes ? ParseOutcome::kMalformed : ParseOutcome::kIncomplete;
  }
  if (header_end > kMaxHeaderBytes) return ParseOutcome::kMalformed;
  const std::string_view head = buffer.substr(0, header_end);
  const size_t status_end = head.find(kCrlf);
  const std::string_view status_line = head.substr(0, status_end);

  int status = 0;
  Framing framing;
  if (!ParseStatusLine(status_line, &status, &framing.keep_alive)) return ParseOutcome::kMalformed;
  if (status_end != std::string_view::npos &&
      !ParseHeaders(head.substr(status_end + 2), &framing)) {
    return ParseOutcome::kMalformed;
  }

  const size_t body_start = header_end + 4;
  out->status = status;
  out->keep_alive = framing.keep_alive;
  // RFC 9112 §6.3: 1xx, 204 and 304 responses never carry a body.
  if (status < 200 || status == 204 || status == 304) {
    out->size = body_start;
    out->body = {};
    return ParseOutcome::kComplete;
  }
  if (framing.chunked) {
    size_t used = 0;
    const ParseOutcome chunked = ParseChunkedBody(buffer.substr(body_start), &used, chunk_scratch);
    if (chunked != ParseOutcome::kComplete) return chunked;
    out->size = body_start + used;
    out->body = *chunk_scratch;
    return ParseOutcome::kComplete;
  }
  if (!framing.has_length) return ParseOutcome::kMalformed;
  if (buffer.size() - body_start < framing.length) return ParseOutcome::kIncomplete;
  out->size = body_start + framing.length;
  out->body = buffer.substr(body_start, framing.length);
  return ParseOutcome::kComplete;
}

}  // namespace jwo::bench
