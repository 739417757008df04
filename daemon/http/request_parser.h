// RequestParser: Beast's HTTP/1.1 request parser engine writing straight into a Request.
//
// Internal to http/. Deriving from basic_parser instead of using http::request_parser skips
// Beast's field container: each header is copied once, into Request::headers, and the body
// string is moved out to the handler. Beast enforces the header and body limits
// (error::header_limit, error::body_limit). One parser per request: emplace a new one after
// is_done(), as Beast requires.
//
// Thread safety: none; owned by one session on its connection thread.
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <optional>

#include "http/message.h"

namespace jwo::http {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  // `recycled`: a finished request whose strings this parse writes into, so that a connection's
  // next request reuses the storage of the last one (none of its contents survive).
  RequestParser(uint32_t max_header_bytes, uint32_t max_body_bytes, Request recycled = {});

  // The request parsed so far; complete once is_done(). Move it out to hand it on.
  Request& request() { return request_; }

  // HTTP keep-alive semantics of what was parsed (valid once the request line and fields are,
  // including when Beast stopped at the body limit, where its own keep_alive() may not be used).
  bool KeepAlive() const;
  // The request carried "Expect: 100-continue".
  bool ExpectsContinue() const { return expects_continue_; }
  // The Content-Length it declared, when it declared one and no Transfer-Encoding: the number of
  // body bytes to skip to reach the next request after refusing this one.
  std::optional<uint64_t> SkippableBodyLength() const;
  bool IsHead() const { return is_head_; }

 private:
  using error_code = boost::beast::error_code;
  using verb = boost::beast::http::verb;
  using field = boost::beast::http::field;
  using string_view = boost::beast::string_view;

  void on_request_impl(verb method, string_view method_str, string_view target, int version,
                       error_code& ec) override;
  void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
  void on_field_impl(field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  Request request_;
  size_t fields_ = 0;  // request_.headers in use; entries past it are storage kept for reuse
  std::optional<uint64_t> content_length_;
  bool has_transfer_encoding_ = false;
  bool connection_close_ = false;
  bool connection_keep_alive_ = false;
  bool expects_continue_ = false;
  bool is_head_ = false;
};

}  // namespace jwo::http
