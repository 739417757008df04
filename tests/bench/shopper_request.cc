#include "tests/bench/shopper_request.h"

#include <charconv>
#include <ctime>

namespace jwo::bench {
namespace {

void AppendHex(uint64_t value, int digits, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    out->push_back(kHex[(value >> shift) & 0xF]);
  }
}

void AppendUnsigned(uint64_t value, int min_width, std::string* out) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  (void)ec;  // 24 chars always hold a uint64_t
  for (int pad = min_width - static_cast<int>(end - digits); pad > 0; --pad) out->push_back('0');
  out->append(digits, end);
}

}  // namespace

RequestSource::RequestSource(const RequestSpec& spec) : spec_(spec), rng_(spec.seed) {
  head_prefix_ = "POST " + spec_.path + " HTTP/1.1\r\nHost: " + spec_.host_header +
                 "\r\nContent-Type: application/json\r\nContent-Length: ";
  request_.reserve(1024);
  body_.reserve(768);
}

void RequestSource::AppendUuid(std::string* out) {
  // Version 4 layout: the version nibble is 4 and the variant bits are 10.
  const uint64_t hi = (rng_() & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;
  const uint64_t lo = (rng_() & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  AppendHex(hi >> 32, 8, out);
  out->push_back('-');
  AppendHex(hi >> 16, 4, out);
  out->push_back('-');
  AppendHex(hi, 4, out);
  out->push_back('-');
  AppendHex(lo >> 48, 4, out);
  out->push_back('-');
  AppendHex(lo, 12, out);
}

void RequestSource::AppendTimestamp(std::string* out) {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  // gmtime_r and strftime cost more than the rest of the body, so format once per second.
  if (now.tv_sec != cached_second_) {
    tm parts{};
    const time_t seconds = now.tv_sec;
    gmtime_r(&seconds, &parts);
    char text[32];
    const size_t n = strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &parts);
    cached_second_text_.assign(text, n);
    cached_second_ = now.tv_sec;
  }
  out->append(cached_second_text_);
  out->push_back('.');
  AppendUnsigned(static_cast<uint64_t>(now.tv_nsec / 1000000), 3, out);
  out->push_back('Z');
}

void RequestSource::BuildBody(uint64_t shopper, std::string* out) {
  out->clear();
  out->append(R"({"storeId":")");
  out->append(spec_.store_id);
  out->append(R"(","shopperIdentity":{"id":"shopper-)");
  AppendUnsigned(shopper, 7, out);
  out->append(R"("},"authorizedAmount":{"value":50.00,"currencyCode":"USD"},)"
              R"("shopperInteraction":{"shoppingTripId":")");
  AppendUuid(out);
  out->append(R"(","gateAuthenticationEvent":{"id":")");
  AppendUuid(out);
  out->append(R"(","type":"CREDIT_CARD","interactionType":"TAP","timestamp":")");
  AppendTimestamp(out);
  out->append(R"(","location":"ENTRY","data":{"gate":"g1","lane":"1"}}}})");
}

OutgoingRequest RequestSource::Next() {
  OutgoingRequest next;
  if (!spec_.fixed_body) {
    const uint64_t shopper = rng_() % spec_.shoppers;
    next.in_debt = spec_.debt_every != 0 && shopper % spec_.debt_every == 0;
    BuildBody(shopper, &body_);
  }
  const std::string& body = spec_.fixed_body ? spec_.body : body_;
  request_.assign(head_prefix_);
  AppendUnsigned(body.size(), 0, &request_);
  request_.append("\r\n\r\n");
  request_.append(body);
  next.bytes = request_;
  return next;
}

std::string RequestSource::SampleBody(uint64_t index) {
  std::string body;
  BuildBody(index, &body);
  return body;
}

}  // namespace jwo::bench
