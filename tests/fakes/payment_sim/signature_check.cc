#include "tests/fakes/payment_sim/signature_check.h"

#include <utility>

#include "payments/sigv4.h"

namespace jwo::payment_sim {

SignatureCheck::SignatureCheck(SimCredentials credentials, std::string region, int64_t max_skew_ms)
    : credentials_(std::move(credentials)), region_(std::move(region)), max_skew_ms_(max_skew_ms) {}

core::Status SignatureCheck::Verify(const http::Request& request, int64_t now_unix_ms) const {
  payments::HttpRequestToSign received;
  received.method = request.method;
  received.path = request.path;
  if (const size_t q = request.target.find('?'); q != std::string::npos) {
    received.query = request.target.substr(q + 1);
  }
  received.headers = request.headers;
  received.body = request.body;
  const auto lookup =
      [this](std::string_view access_key_id) -> std::optional<payments::AwsCredentials> {
    if (access_key_id != credentials_.access_key_id) return std::nullopt;
    return payments::AwsCredentials{credentials_.access_key_id, credentials_.secret_access_key,
                                    credentials_.session_token, 0};
  };
  return payments::VerifyV4(received, region_, "execute-api", lookup, now_unix_ms, max_skew_ms_);
}

}  // namespace jwo::payment_sim
