// PaymentEndpoint: where and how PaymentClient reaches Amazon's Payment Service (or the
// simulator), and the checks that a configuration of it is usable.
//
// ValidateEndpoint is meant for startup (tier 3 of CONTRIBUTING.md): a bad URL, limit or CA file
// is reported there, naming the field, instead of surfacing later as failed requests.
//
// Thread safety: plain values and pure functions, callable from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace jwo::payments {

struct PaymentEndpoint {
  // "https://us-east-1.payments.amazonphysicalstores.com" or "http://127.0.0.1:PORT" (the
  // simulator). Scheme, host and optional port only: no user info, path, query or fragment.
  std::string base_url;
  std::string ca_file;                  // PEM bundle; empty = the system trust store
  uint32_t max_connections = 4;         // concurrent requests, each on its own connection
  uint32_t max_queued = 10000;          // requests waiting for a connection; beyond it: kQueueFull
  uint32_t connect_timeout_ms = 5000;   // DNS, TCP connect and TLS handshake together
  uint32_t request_timeout_ms = 15000;  // from writing the request to the whole answer
  uint32_t idle_timeout_ms = 30000;     // pooled connections idle longer are closed
};

// The parts of base_url a connection needs.
struct EndpointAddress {
  bool tls = false;  // https
  std::string host;  // "us-east-1.payments.amazonphysicalstores.com", "127.0.0.1", "::1"
  bool host_is_ip = false;
  uint16_t port = 0;  // explicit, else 443 (https) or 80 (http)
  // The Host header: host, IPv6 in brackets, with ":port" when not the scheme's default
  // ("127.0.0.1:8080", "[::1]:8443", "us-east-1.payments.amazonphysicalstores.com").
  std::string host_header;
};

// Parses base_url. kInvalidArgument, with the reason, for anything but
// http(s)://host[:port][/] with a non-empty host and a port in 1..65535. Host names are
// lower-cased (DNS is case-insensitive; SigV4 signs the Host header as sent).
core::Result<EndpointAddress> ParseEndpointUrl(std::string_view base_url);

// OK when `endpoint` can be used: base_url parses, max_connections and every timeout are > 0,
// and for https the trust anchors load (ca_file readable PEM with at least one certificate).
// Otherwise kInvalidArgument naming the field ("payments.base_url: ...").
core::Status ValidateEndpoint(const PaymentEndpoint& endpoint);

// The limit checks of ValidateEndpoint alone (max_connections and the timeouts > 0).
core::Status CheckEndpointLimits(const PaymentEndpoint& endpoint);

// Loads the anchors that server certificates are verified against into `ctx`: the certificates
// of `ca_file`, or the system's default verify paths when it is empty. kInvalidArgument naming
// the file and OpenSSL's reason when it cannot be read or holds no certificate.
core::Status LoadServerTrust(SSL_CTX* ctx, const std::string& ca_file);

}  // namespace jwo::payments
