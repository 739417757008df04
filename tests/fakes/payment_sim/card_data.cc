#include "tests/fakes/payment_sim/card_data.h"

#include <boost/json.hpp>
#include <cstdint>
#include <cstdio>

namespace jwo::payment_sim {
namespace {

namespace json = boost::json;

// FNV-1a, then a SplitMix64 finaliser: stable across platforms and library versions, which
// std::hash is not.
uint64_t Hash(std::string_view s, uint64_t salt) {
  uint64_t h = 14695981039346656037ull ^ salt;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

std::string Digits(uint64_t value, int width) {
  std::string out(static_cast<size_t>(width), '0');
  for (int i = width - 1; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out;
}

std::string UuidFrom(uint64_t a, uint64_t b) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | (b >> 50)),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

struct Brand {
  const char* name;
  const char* aid;
};
constexpr Brand kBrands[] = {{"VISA", "A0000000031010"},
                             {"MASTERCARD", "A0000000041010"},
                             {"AMEX", "A00000002501"},
                             {"DISCOVER", "A0000001523010"}};

}  // namespace

CardData CardDataForTrip(std::string_view trip_id, std::string_view currency) {
  const uint64_t h = Hash(trip_id, 0);
  const uint64_t h2 = Hash(trip_id, 1);
  const Brand& brand = kBrands[h % 4];
  CardData c;
  c.brand = brand.name;
  c.pos_entry_mode = (h >> 8) % 4 == 0 ? "EMV_9F39_05" : "EMV_9F39_07";
  c.currency = std::string(currency);
  c.authorization_response_code = "00";
  c.cryptogram_information_data = "40";
  c.tail = Digits(h >> 12, 4);
  c.pan_sequence_number = Digits((h >> 28) % 4, 2);
  c.application_id = brand.aid;
  c.expiration_year = 2027 + static_cast<int>((h >> 32) % 5);
  c.expiration_month = 1 + static_cast<int>((h >> 40) % 12);
  c.cardholder_verification_method_result = "1F0302";
  c.terminal_id = "JWO" + Digits(h2 % 100000, 5);
  c.reconciliation_id = UuidFrom(h2, h);
  c.card_statement_transaction_id = Digits(h2 >> 20, 12);
  return c;
}

std::string DeterministicUuid(std::string_view seed) {
  return UuidFrom(Hash(seed, 2), Hash(seed, 3));
}

std::string CardDataJson(const CardData& c) {
  return json::serialize(json::object{
      {"brand", c.brand},
      {"posEntryMode", c.pos_entry_mode},
      {"currency", c.currency},
      {"authorizationResponseCode", c.authorization_response_code},
      {"cryptogramInformationData", c.cryptogram_information_data},
      {"tail", c.tail},
      {"panSequenceNumber", c.pan_sequence_number},
      {"applicationId", c.application_id},
      {"expirationDate",
       json::object{{"expirationYear", std::to_string(c.expiration_year)},
                    {"expirationMonth", Digits(static_cast<uint64_t>(c.expiration_month), 2)}}},
      {"cardholderVerificationMethodResult", c.cardholder_verification_method_result},
      {"terminalId", c.terminal_id},
      {"reconciliationId", c.reconciliation_id},
      {"cardStatementTransactionId", c.card_statement_transaction_id}});
}

}  // namespace jwo::payment_sim
