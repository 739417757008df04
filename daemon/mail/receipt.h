// The shopper's receipt for a captured trip, as an e-mail (subject, text part, HTML part):
// the priced lines with their promotions, subtotal, discount, tax and total, what was charged
// and refunded, and the card's receipt data from Get Transactional Data (brand, last four,
// entry mode, AID, authorization code, terminal and reconciliation ids).
//
// Never a full card number: only the last four digits of `tail` are printed, whatever Amazon
// sent, and nothing else from transactional data that could identify the card (expiry, PAN
// sequence number, cryptogram data) is printed. Every text taken from the trip is escaped for
// HTML. Pure functions; any thread.
#pragma once

#include <string>

#include "core/status.h"
#include "store/trip_record.h"

namespace jwo::mail {

struct ReceiptOptions {
  std::string store_name;    // "Corner Store, 1 Main St" (the trip's store_id when empty)
  std::string support_line;  // optional last line: where to ask ("Questions? portal URL")
};

struct RenderedReceipt {
  std::string subject;
  std::string text;
  std::string html;
};

// kFailedPrecondition when the trip is not captured or its currency is unknown; kCorruption
// when the transactional data is present but not a JSON object.
core::Result<RenderedReceipt> RenderReceipt(const store::TripRecord& trip,
                                            const ReceiptOptions& options);

// The last four digits of the card of the trip's transactional data ("" when none), never more.
std::string CardLastFour(const store::TripRecord& trip);

// &, <, >, " and ' as HTML entities.
std::string HtmlEscape(std::string_view text);

}  // namespace jwo::mail
