// RequestSource: the HTTP/1.1 requests a load thread sends. Either every request carries one
// fixed body, or each carries a fresh Amazon Shopper Authorization (F&A) callback for a
// shopper drawn at random from "shopper-0000000" .. "shopper-<N-1>" with a fixed seed, a new
// shoppingTripId and gate event id, so a run exercises the store like gate taps do and is
// repeatable. Shopper i is in debt when i % debt_every == 0 — the rule jwo-bench-fill uses
// when it fills the store — so about 1/debt_every of the answers should be DENIED.
//
// Thread-safety: none; each load thread owns one.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace jwo::bench {

struct RequestSpec {
  std::string host_header;  // "127.0.0.1:8080"
  std::string path;         // "/v1/fraudandabuse/shopperauthorization"
  // Fixed-body mode when set.
  bool fixed_body = false;
  std::string body;
  // Generated mode: shoppers > 0.
  uint64_t shoppers = 0;
  uint64_t debt_every = 0;  // 0: nobody is in debt
  std::string store_id = "bench-store";
  uint64_t seed = 1;
};

struct OutgoingRequest {
  std::string_view bytes;  // the whole request; valid until the next Next() call
  bool in_debt = false;    // generated mode: the shopper owes money, so DENIED is expected
};

class RequestSource {
 public:
  // REQUIRES: spec.fixed_body or spec.shoppers > 0.
  explicit RequestSource(const RequestSpec& spec);

  // Builds the next request.
  OutgoingRequest Next();

  // The body of a generated request for shopper `index`, trip and event ids from the random
  // stream; for printing a sample (--print-request).
  std::string SampleBody(uint64_t index);

 private:
  void AppendUuid(std::string* out);
  void AppendTimestamp(std::string* out);
  void BuildBody(uint64_t shopper, std::string* out);

  RequestSpec spec_;
  std::mt19937_64 rng_;
  std::string head_prefix_;  // request line, Host, Content-Type, "Content-Length: "
  std::string body_;
  std::string request_;
  int64_t cached_second_ = -1;
  std::string cached_second_text_;  // "YYYY-MM-DDTHH:MM:SS"
};

}  // namespace jwo::bench
