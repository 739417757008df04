#include "http/request_parser.h"

#include <boost/beast/http/error.hpp>
#include <charconv>

namespace jwo::http {
namespace {

// Calls `fn` with each comma-separated token of a header value, spaces and tabs trimmed.
template <typename Fn>
void ForEachToken(std::string_view value, Fn fn) {
  while (!value.empty()) {
    const size_t comma = value.find(',');
    std::string_view token = value.substr(0, comma);
    value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
      token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (!token.empty()) fn(token);
  }
}

}  // namespace

RequestParser::RequestParser(uint32_t max_header_bytes, uint32_t max_body_bytes, Request recycled)
    : request_(std::move(recycled)) {
  header_limit(max_header_bytes);
  body_limit(max_body_bytes);
  // Keep parsing into the body in the same put() call as the header: one pass per read.
  eager(true);
  // Cleared, not freed: assign() below reuses each string's storage. The header list keeps its
  // entries until on_header_impl trims it to the fields this request had.
  request_.method.clear();
  request_.target.clear();
  request_.path.clear();
  request_.body.clear();
  request_.listener.clear();
  request_.peer.clear();
  request_.client_cert_subject.clear();
  request_.version = 11;
  if (request_.headers.capacity() < 8) request_.headers.reserve(8);
}

bool RequestParser::KeepAlive() const {
  if (request_.version >= 11) return !connection_close_;
  return connection_keep_alive_ && !connection_close_;
}

std::optional<uint64_t> RequestParser::SkippableBodyLength() const {
  if (has_transfer_encoding_) return std::nullopt;
  return content_length_;
}

void RequestParser::on_request_impl(verb method, string_view method_str, string_view target,
                                    int version, error_code&) {
  request_.method.assign(method_str.data(), method_str.size());
  request_.target.assign(target.data(), target.size());
  const size_t query = request_.target.find('?');
  request_.path.assign(request_.target, 0, query);
  request_.version = version;
  is_head_ = method == verb::head;
}

void RequestParser::on_response_impl(int, string_view, int, error_code& ec) {
  // Unreachable for a request parser; refuse rather than guess.
  ec = boost::beast::http::error::bad_version;
}

void RequestParser::on_field_impl(field name, string_view name_string, string_view value,
                                  error_code&) {
  const std::string_view v(value.data(), value.size());
  switch (name) {
    case field::connection:
      ForEachToken(v, [this](std::string_view token) {
        if (EqualsIgnoreCase(token, "close")) connection_close_ = true;
        if (EqualsIgnoreCase(token, "keep-alive")) connection_keep_alive_ = true;
      });
      break;
    case field::content_length: {
      // Beast has validated the value (digits, consistent repeats) before calling us.
      uint64_t length = 0;
      auto [end, err] = std::from_chars(v.data(), v.data() + v.size(), length);
      if (err == std::errc() && end == v.data() + v.size()) content_length_ = length;
      break;
    }
    case field::transfer_encoding:
      has_transfer_encoding_ = true;
      break;
    case field::expect:
      if (EqualsIgnoreCase(v, "100-continue")) expects_continue_ = true;
      break;
    default:
      break;
  }
  const std::string_view n(name_string.data(), name_string.size());
  if (fields_ < request_.headers.size()) {
    request_.headers[fields_].first.assign(n);
    request_.headers[fields_].second.assign(v);
  } else {
    request_.headers.emplace_back(n, v);
  }
  ++fields_;
}

void RequestParser::on_header_impl(error_code&) { request_.headers.resize(fields_); }

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      error_code&) {
  // Beast has already refused a declared length above the body limit.
  if (content_length) request_.body.reserve(static_cast<size_t>(*content_length));
}

std::size_t RequestParser::on_body_impl(string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_chunk_header_impl(std::uint64_t, string_view, error_code&) {}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_finish_impl(error_code&) {}

}  // namespace jwo::http
