#include "core/money.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace jwo::core {
namespace {

struct CurrencyEntry {
  const char* code;
  int exponent;
};

// Active ISO 4217 codes with their minor-unit exponent, sorted by code for binary search.
// Source: the ISO 4217 list (amendment 179). Funds codes are included; precious metals (XAU...)
// and "no currency" codes are not, since nothing in a shop is priced in them.
constexpr CurrencyEntry kCurrencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2},
    {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4},
    {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2},
    {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2},
    {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0},
    {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2},
    {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2},
    {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2},
    {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2},
    {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2},
    {"MWK", 2}, {"MXN", 2}, {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2},
    {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2},
    {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0},
    {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2}, {"SLE", 2},
    {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2},
    {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2}, {"TZS", 2},
    {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2}, {"UYW", 4}, {"UZS", 2},
    {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XOF", 0},
    {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2}, {"ZWL", 2},
};

constexpr int64_t kPow10[] = {1, 10, 100, 1000, 10000};

// A three-letter code as one integer, in the table's (byte-wise) order: the search compares
// integers, not strings (it runs for every amount of every gate request).
constexpr uint32_t PackCode(const char* c) {
  return static_cast<uint32_t>(static_cast<unsigned char>(c[0])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(c[1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(c[2]));
}
static_assert(std::is_sorted(std::begin(kCurrencies), std::end(kCurrencies),
                             [](const CurrencyEntry& a, const CurrencyEntry& b) {
                               return PackCode(a.code) < PackCode(b.code);
                             }),
              "kCurrencies must stay sorted by code for FindCurrency's binary search");

}  // namespace

std::optional<Currency> FindCurrency(std::string_view code) {
  if (code.size() != 3) return std::nullopt;
  const uint32_t key = PackCode(code.data());
  auto it =
      std::lower_bound(std::begin(kCurrencies), std::end(kCurrencies), key,
                       [](const CurrencyEntry& e, uint32_t k) { return PackCode(e.code) < k; });
  if (it == std::end(kCurrencies) || PackCode(it->code) != key) return std::nullopt;
  Currency c;
  std::memcpy(c.code, it->code, 3);
  c.exponent = it->exponent;
  return c;
}

Result<int64_t> ParseMinorUnits(std::string_view text, const Currency& currency) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  const size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  auto all_digits = [](std::string_view d) {
    return std::all_of(d.begin(), d.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  };
  if (whole.empty() || !all_digits(whole) || !all_digits(frac) ||
      (dot != std::string_view::npos && frac.empty())) {
    return Status(StatusCode::kInvalidArgument,
                  "'" + std::string(text) + "' is not a plain decimal number");
  }
  // Trailing zeros beyond the currency's digits carry no value ("15.990" USD is 15.99).
  while (frac.size() > static_cast<size_t>(currency.exponent) && frac.back() == '0') {
    frac.remove_suffix(1);
  }
  if (frac.size() > static_cast<size_t>(currency.exponent)) {
    return Status(StatusCode::kOutOfRange,
                  "'" + std::string(text) + "' has more than " + std::to_string(currency.exponent) +
                      " decimal places for " + std::string(currency.Code()));
  }
  while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
  if (whole.size() + static_cast<size_t>(currency.exponent) > 15) {
    return Status(StatusCode::kOutOfRange, "'" + std::string(text) + "' is too large");
  }
  int64_t minor = 0;
  for (char ch : whole) minor = minor * 10 + (ch - '0');
  int64_t fraction = 0;
  for (char ch : frac) fraction = fraction * 10 + (ch - '0');
  minor = minor * kPow10[currency.exponent] +
          fraction * kPow10[currency.exponent - static_cast<int>(frac.size())];
  return negative ? -minor : minor;
}

std::string FormatMinorUnits(int64_t minor, const Currency& currency) {
  const bool negative = minor < 0;
  // kMaxMinorUnits keeps |minor| far from INT64_MIN, so the negation cannot overflow.
  uint64_t magnitude = negative ? static_cast<uint64_t>(-minor) : static_cast<uint64_t>(minor);
  std::string digits = std::to_string(magnitude);
  const size_t exp = static_cast<size_t>(currency.exponent);
  if (exp > 0) {
    if (digits.size() <= exp) digits.insert(0, exp - digits.size() + 1, '0');
    digits.insert(digits.size() - exp, 1, '.');
  }
  return negative ? "-" + digits : digits;
}

}  // namespace jwo::core
