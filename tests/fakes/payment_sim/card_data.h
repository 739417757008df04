// CardData: the EMV receipt fields Get Transactional Data answers, made up deterministically
// from the shopping trip id, so the same trip always shows the same card and a test can
// predict it.
//
// Thread safety: pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

namespace jwo::payment_sim {

struct CardData {
  std::string brand;                        // VISA, MASTERCARD, AMEX or DISCOVER
  std::string pos_entry_mode;               // EMV_9F39_07 (contactless) or EMV_9F39_05 (chip)
  std::string currency;                     // the trip's currency code
  std::string authorization_response_code;  // "00"
  std::string cryptogram_information_data;  // "40" (a TC: approved offline-capable cryptogram)
  std::string tail;                         // last four digits of the card number
  std::string pan_sequence_number;          // "00".."03"
  std::string application_id;               // the brand's AID, e.g. A0000000031010 for VISA
  int expiration_year = 0;                  // 2027..2031
  int expiration_month = 0;                 // 1..12
  std::string cardholder_verification_method_result;  // "1F0302": no CVM required, successful
  std::string terminal_id;                            // "JWO" and five digits
  std::string reconciliation_id;                      // UUID-shaped
  std::string card_statement_transaction_id;          // twelve digits
};

// The card data for `trip_id` in `currency`.
CardData CardDataForTrip(std::string_view trip_id, std::string_view currency);

// A UUID-shaped identifier (version 4 layout) derived from `seed`: the same seed, the same id.
std::string DeterministicUuid(std::string_view seed);

// The 200 body of Get Transactional Data: every CardData field under Amazon's names
// (expirationDate as {"expirationYear": "2028", "expirationMonth": "07"}).
std::string CardDataJson(const CardData& card);

}  // namespace jwo::payment_sim
