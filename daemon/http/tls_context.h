// Server-side TLS setup: an OpenSSL context built from TlsSettings, and the verified client
// certificate's subject.
//
// Internal to http/. The context allows TLS 1.2 and 1.3 only. With a client CA file, the
// handshake requires a client certificate that verifies against it.
//
// Thread safety: a built context is shared read-only by every session of its listener.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/server.h"

typedef struct ssl_st SSL;

namespace jwo::http {

// Loads the certificate chain, the private key (checked against the certificate) and, when set,
// the client CA file. Returns kInvalidArgument naming `listener` and the file that failed and
// OpenSSL's reason.
core::Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(
    const TlsSettings& settings, std::string_view listener);

// The subject of the peer certificate of a completed handshake, in RFC 2253 form
// ("CN=gate-01,O=Example"), or "" when the peer sent none or it did not verify.
std::string VerifiedPeerSubject(SSL* ssl);

}  // namespace jwo::http
