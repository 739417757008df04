#include "payments/payment_endpoint.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <charconv>
#include <memory>

#include "core/ascii.h"

namespace jwo::payments {
namespace {

namespace urls = boost::urls;

core::Status BadUrl(std::string_view url, std::string_view why) {
  std::string message = "payments.base_url '";
  message.append(url).append("': ").append(why);
  return core::InvalidArgument(std::move(message));
}

// OpenSSL's most recent error as text, emptying its queue so later calls start clean.
std::string TakeOpenSslError() {
  unsigned long last = 0;
  while (const unsigned long e = ERR_get_error()) last = e;
  if (last == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(last, text, sizeof(text));
  return text;
}

}  // namespace

core::Result<EndpointAddress> ParseEndpointUrl(std::string_view base_url) {
  // std::string_view converts to the library's string_view (boost::core::string_view; Boost
  // 1.83, Debian 13, no longer has urls::string_view).
  auto parsed = urls::parse_absolute_uri(base_url);
  if (!parsed) return BadUrl(base_url, "not an absolute URL (" + parsed.error().message() + ")");
  const urls::url_view& url = *parsed;

  EndpointAddress address;
  if (url.scheme_id() == urls::scheme::https) {
    address.tls = true;
  } else if (url.scheme_id() != urls::scheme::http) {
    return BadUrl(base_url, "scheme must be https or http");
  }
  if (url.has_userinfo()) return BadUrl(base_url, "user info is not allowed");
  if (url.has_query() || url.has_fragment()) {
    return BadUrl(base_url, "a query or fragment is not allowed");
  }
  if (!url.encoded_path().empty() && url.encoded_path() != "/") {
    return BadUrl(base_url, "a path is not allowed (request paths start at the root)");
  }

  switch (url.host_type()) {
    case urls::host_type::name: {
      const auto encoded = url.encoded_host();
      const std::string_view host(encoded.data(), encoded.size());
      if (host.empty()) return BadUrl(base_url, "the host is empty");
      if (host.find('%') != std::string_view::npos) {
        return BadUrl(base_url, "percent-encoded host names are not allowed");
      }
      address.host = core::AsciiLowerCopy(host);
      break;
    }
    case urls::host_type::ipv4:
      address.host = url.host_ipv4_address().to_string();
      address.host_is_ip = true;
      break;
    case urls::host_type::ipv6:
      address.host = url.host_ipv6_address().to_string();
      address.host_is_ip = true;
      break;
    default:
      return BadUrl(base_url, "the host must be a DNS name, an IPv4 or an IPv6 address");
  }

  const uint16_t default_port = address.tls ? 443 : 80;
  address.port = default_port;
  if (url.has_port()) {
    const auto text = url.port();
    unsigned value = 0;
    const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || err != std::errc() || end != text.data() + text.size() || value == 0 ||
        value > 65535) {
      return BadUrl(base_url, "the port must be a number in 1..65535");
    }
    address.port = static_cast<uint16_t>(value);
  }

  address.host_header =
      url.host_type() == urls::host_type::ipv6 ? "[" + address.host + "]" : address.host;
  if (address.port != default_port) address.host_header += ":" + std::to_string(address.port);
  return address;
}

core::Status CheckEndpointLimits(const PaymentEndpoint& endpoint) {
  auto positive = [](const char* field, uint32_t value) {
    if (value > 0) return core::Status::Ok();
    return core::InvalidArgument(std::string("payments.") + field + " must be greater than 0");
  };
  for (const auto& status : {positive("max_connections", endpoint.max_connections),
                             positive("connect_timeout_ms", endpoint.connect_timeout_ms),
                             positive("request_timeout_ms", endpoint.request_timeout_ms),
                             positive("idle_timeout_ms", endpoint.idle_timeout_ms)}) {
    if (!status.ok()) return status;
  }
  return core::Status::Ok();
}

core::Status ValidateEndpoint(const PaymentEndpoint& endpoint) {
  auto address = ParseEndpointUrl(endpoint.base_url);
  if (!address.ok()) return address.status();
  if (auto limits = CheckEndpointLimits(endpoint); !limits.ok()) return limits;
  if (!address->tls) return core::Status::Ok();

  const std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                              &SSL_CTX_free);
  if (!ctx) return core::Status(core::StatusCode::kInternal, TakeOpenSslError());
  return LoadServerTrust(ctx.get(), endpoint.ca_file);
}

core::Status LoadServerTrust(SSL_CTX* ctx, const std::string& ca_file) {
  ERR_clear_error();
  if (ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
      return core::InvalidArgument("payments: cannot load the system trust store: " +
                                   TakeOpenSslError());
    }
    return core::Status::Ok();
  }
  if (SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
    return core::InvalidArgument("payments.ca_file '" + ca_file +
                                 "': no usable CA certificate: " + TakeOpenSslError());
  }
  return core::Status::Ok();
}

}  // namespace jwo::payments
