#include "tests/support/http_client.h"

#include <openssl/ssl.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cctype>

#include "core/ascii.h"

namespace jwo::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using error_code = boost::system::error_code;

core::Status Unavailable(std::string what, const error_code& ec) {
  return {core::StatusCode::kUnavailable, what + ": " + ec.message()};
}

}  // namespace

std::string_view ClientResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (core::EqualsIgnoreCase(key, name)) return value;
  }
  return {};
}

struct HttpClient::Impl {
  asio::io_context io;
  std::optional<asio::ssl::context> ssl_ctx;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  std::chrono::milliseconds timeout{};
  std::string host;

  beast::tcp_stream& Tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  // Runs one asynchronous operation to completion under the timeout: Beast's stream timeouts
  // apply to asynchronous operations only. Returns its error and byte count.
  template <typename Initiate>
  error_code Run(Initiate initiate, size_t* bytes = nullptr) {
    error_code result = asio::error::would_block;
    size_t transferred = 0;
    Tcp().expires_after(timeout);
    initiate(Completion{&result, &transferred});
    io.restart();
    io.run();
    if (bytes != nullptr) *bytes = transferred;
    return result;
  }

  // A completion handler for every operation the client uses.
  struct Completion {
    error_code* ec;
    size_t* bytes;
    void operator()(error_code e) const { *ec = e; }
    void operator()(error_code e, size_t n) const {
      *ec = e;
      *bytes = n;
    }
    void operator()(error_code e, const asio::ip::tcp::endpoint&) const { *ec = e; }
  };
};

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;
HttpClient::~HttpClient() = default;

core::Result<HttpClient> HttpClient::Connect(const std::string& host, uint16_t port,
                                             std::optional<TlsClientOptions> tls,
                                             std::chrono::milliseconds timeout) {
  auto impl = std::make_unique<Impl>();
  impl->timeout = timeout;
  impl->host = host;
  error_code ec;
  asio::ip::tcp::resolver resolver(impl->io);
  const auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return Unavailable("resolve " + host, ec);

  if (tls) {
    auto& ctx = impl->ssl_ctx.emplace(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    if (!tls->ca_file.empty()) {
      ctx.load_verify_file(tls->ca_file, ec);
      if (ec) return core::InvalidArgument("CA file " + tls->ca_file + ": " + ec.message());
      ctx.set_verify_mode(asio::ssl::verify_peer);
    }
    if (!tls->cert_file.empty()) {
      ctx.use_certificate_chain_file(tls->cert_file, ec);
      if (ec) return core::InvalidArgument("cert file " + tls->cert_file + ": " + ec.message());
      ctx.use_private_key_file(tls->key_file, asio::ssl::context::pem, ec);
      if (ec) return core::InvalidArgument("key file " + tls->key_file + ": " + ec.message());
    }
    impl->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(impl->io, ctx);
    impl->tls->set_verify_callback(asio::ssl::host_name_verification(host));
    error_code not_ip;
    asio::ip::make_address(host, not_ip);
    if (not_ip) SSL_set_tlsext_host_name(impl->tls->native_handle(), host.c_str());
  } else {
    impl->plain = std::make_unique<beast::tcp_stream>(impl->io);
  }

  Impl* raw = impl.get();
  ec = raw->Run([&](auto handler) { raw->Tcp().async_connect(endpoints, handler); });
  if (ec) return Unavailable("connect to " + host + ":" + std::to_string(port), ec);
  if (tls) {
    ec = raw->Run(
        [&](auto handler) { raw->tls->async_handshake(asio::ssl::stream_base::client, handler); });
    if (ec) return Unavailable("TLS handshake with " + host, ec);
  }
  return HttpClient(std::move(impl));
}

core::Status HttpClient::WriteRaw(std::string_view bytes) {
  Impl* impl = impl_.get();
  const auto buffer = asio::buffer(bytes.data(), bytes.size());
  const error_code ec = impl->Run([&](auto handler) {
    if (impl->tls) {
      asio::async_write(*impl->tls, buffer, handler);
    } else {
      asio::async_write(*impl->plain, buffer, handler);
    }
  });
  if (ec) return Unavailable("write", ec);
  return core::Status::Ok();
}

core::Result<ClientResponse> HttpClient::ReadResponse() {
  Impl* impl = impl_.get();
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  const error_code ec = impl->Run([&](auto handler) {
    if (impl->tls) {
      http::async_read(*impl->tls, impl->buffer, parser, handler);
    } else {
      http::async_read(*impl->plain, impl->buffer, parser, handler);
    }
  });
  if (ec) return Unavailable("read response", ec);
  auto message = parser.release();
  ClientResponse response;
  response.status = static_cast<int>(message.result_int());
  response.keep_alive = message.keep_alive();
  for (const auto& field : message) {
    response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  response.body = std::move(message.body());
  return response;
}

core::Result<ClientResponse> HttpClient::Send(std::string_view method, std::string_view target,
                                              std::string_view body, const Headers& headers) {
  std::string request;
  request.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  request.append("Host: ").append(impl_->host).append("\r\n");
  for (const auto& [name, value] : headers) request.append(name + ": " + value + "\r\n");
  if (!body.empty() || method == "POST" || method == "PUT") {
    request.append("Content-Length: " + std::to_string(body.size()) + "\r\n");
  }
  request.append("\r\n").append(body);
  if (auto status = WriteRaw(request); !status.ok()) return status;
  return ReadResponse();
}

core::Result<ClientResponse> HttpClient::Post(std::string_view target, std::string_view body,
                                              const Headers& headers) {
  return Send("POST", target, body, headers);
}

core::Result<ClientResponse> HttpClient::Get(std::string_view target, const Headers& headers) {
  return Send("GET", target, "", headers);
}

core::Status HttpClient::WaitForClose() {
  Impl* impl = impl_.get();
  if (impl->buffer.size() > 0) {
    return {core::StatusCode::kFailedPrecondition, "unread bytes before close"};
  }
  std::array<char, 1024> data;
  size_t bytes = 0;
  const error_code ec = impl->Run(
      [&](auto handler) {
        if (impl->tls) {
          impl->tls->async_read_some(asio::buffer(data), handler);
        } else {
          impl->plain->async_read_some(asio::buffer(data), handler);
        }
      },
      &bytes);
  if (!ec) {
    return {core::StatusCode::kFailedPrecondition,
            "received " + std::to_string(bytes) + " bytes instead of a close"};
  }
  if (ec == beast::error::timeout) return Unavailable("waiting for close", ec);
  return core::Status::Ok();
}

}  // namespace jwo::testing
