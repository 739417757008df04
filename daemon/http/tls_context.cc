#include "http/tls_context.h"

#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace jwo::http {
namespace {

namespace ssl = boost::asio::ssl;

core::Status LoadError(std::string_view listener, std::string_view what, const std::string& file,
                       const boost::system::error_code& ec) {
  std::string message = "listener '";
  message.append(listener).append("': cannot load ").append(what).append(" '");
  message.append(file).append("': ").append(ec.message());
  return core::InvalidArgument(std::move(message));
}

// Session resumption with client-certificate verification needs a session id context, or
// OpenSSL refuses resumed sessions.
constexpr unsigned char kSessionIdContext[] = "jwo-edge";

}  // namespace

core::Result<std::shared_ptr<ssl::context>> MakeServerTlsContext(const TlsSettings& settings,
                                                                 std::string_view listener) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                       ssl::context::single_dh_use,
                   ec);
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return core::Status(core::StatusCode::kInternal, "cannot require TLS 1.2");
  }
  ctx->use_certificate_chain_file(settings.certificate_file, ec);
  if (ec) return LoadError(listener, "certificate file", settings.certificate_file, ec);
  ctx->use_private_key_file(settings.private_key_file, ssl::context::pem, ec);
  if (ec) return LoadError(listener, "private key file", settings.private_key_file, ec);
  if (SSL_CTX_check_private_key(native) != 1) {
    return core::InvalidArgument("listener '" + std::string(listener) + "': private key '" +
                                 settings.private_key_file + "' does not match certificate '" +
                                 settings.certificate_file + "'");
  }
  SSL_CTX_set_session_id_context(native, kSessionIdContext, sizeof(kSessionIdContext) - 1);

  if (!settings.client_ca_file.empty()) {
    ctx->load_verify_file(settings.client_ca_file, ec);
    if (ec) return LoadError(listener, "client CA file", settings.client_ca_file, ec);
    // Tell clients which CAs we accept, so one holding several certificates picks the right one.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(settings.client_ca_file.c_str());
    if (names == nullptr) {
      return core::InvalidArgument("listener '" + std::string(listener) +
                                   "': no CA certificate in client CA file '" +
                                   settings.client_ca_file + "'");
    }
    SSL_CTX_set_client_CA_list(native, names);
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
    if (ec) return LoadError(listener, "client CA file", settings.client_ca_file, ec);
  } else {
    ctx->set_verify_mode(ssl::verify_none, ec);
  }
  return ctx;
}

std::string VerifiedPeerSubject(SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return {};
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return {};
  std::string subject;
  if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    if (size > 0) subject.assign(data, static_cast<size_t>(size));
  }
  BIO_free(bio);
  return subject;
}

}  // namespace jwo::http
