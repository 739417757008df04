// SignatureCheck: verifies a received request's AWS SigV4 signature (service execute-api)
// against the credentials the simulator was started with, as API Gateway does in front of the
// Payment Service. The verification itself is payments::VerifyV4; this adapts an
// http::Request to it.
//
// Thread safety: immutable after construction; Verify may be called from any thread.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "http/message.h"

namespace jwo::payment_sim {

struct SimCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty: requests must not carry X-Amz-Security-Token
};

class SignatureCheck {
 public:
  // REQUIRES: access_key_id, secret_access_key and region non-empty; max_skew_ms >= 0.
  SignatureCheck(SimCredentials credentials, std::string region, int64_t max_skew_ms);

  // OK when `request` is signed by the configured credentials for the configured region and
  // service execute-api, with X-Amz-Date within max_skew_ms of `now_unix_ms`. Otherwise the
  // error of payments::VerifyV4, whose message says what is wrong (missing or malformed
  // Authorization, unknown access key, wrong region, clock skew, token mismatch, signature
  // mismatch with the canonical request the simulator computed).
  core::Status Verify(const http::Request& request, int64_t now_unix_ms) const;

 private:
  SimCredentials credentials_;
  std::string region_;
  int64_t max_skew_ms_;
};

}  // namespace jwo::payment_sim
