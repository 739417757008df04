#include "mail/receipt.h"

#include "core/json.h"
#include "core/money.h"
#include "core/time_format.h"

namespace jwo::mail {
namespace {

namespace json = boost::json;

// What Get Transactional Data tells about the payment, reduced to what a receipt may show.
struct CardLines {
  std::string brand, last_four, entry_mode, aid, auth_code, terminal, reconciliation;
};

std::string Member(const json::object& o, std::string_view key) {
  return core::JsonStringOr(o, key);
}

// The last four digits of `tail`: Amazon sends four, but a receipt must never carry more, so a
// longer value (or one with non-digits) is cut to its last four digits.
std::string LastFour(const std::string& tail) {
  std::string digits;
  for (char c : tail) {
    if (c >= '0' && c <= '9') digits += c;
  }
  return digits.size() > 4 ? digits.substr(digits.size() - 4) : digits;
}

core::Result<CardLines> ReadCard(const std::string& transactional_data) {
  CardLines c;
  if (transactional_data.empty()) return c;
  auto doc = core::ParseJson(transactional_data);
  if (!doc.ok() || !doc->is_object()) {
    return core::Status(core::StatusCode::kCorruption,
                        "the trip's transactional data is not a JSON object");
  }
  const json::object& o = doc->get_object();
  c.brand = Member(o, "brand");
  c.last_four = LastFour(Member(o, "tail"));
  c.entry_mode = Member(o, "posEntryMode");
  c.aid = Member(o, "applicationId");
  c.auth_code = Member(o, "authorizationResponseCode");
  c.terminal = Member(o, "terminalId");
  c.reconciliation = Member(o, "reconciliationId");
  return c;
}

// "12.50 USD"
std::string Amount(int64_t minor, const core::Currency& c) {
  return core::FormatMinorUnits(minor, c) + " " + std::string(c.Code());
}

// Text columns: the label left, the amount right-aligned to a fixed width.
std::string Row(const std::string& label, const std::string& amount) {
  constexpr size_t kWidth = 48;
  std::string line = label;
  const size_t used = line.size() + amount.size();
  line += std::string(used < kWidth ? kWidth - used : 1, ' ');
  return line + amount + "\n";
}

}  // namespace

std::string CardLastFour(const store::TripRecord& trip) {
  auto card = ReadCard(trip.transactional_data);
  return card.ok() ? card->last_four : std::string();
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

core::Result<RenderedReceipt> RenderReceipt(const store::TripRecord& t,
                                            const ReceiptOptions& options) {
  if (t.state != store::TripState::kCaptured) {
    return core::Status(core::StatusCode::kFailedPrecondition,
                        "trip " + t.trip_id + " is not captured; there is no receipt");
  }
  const std::optional<core::Currency> cur = core::FindCurrency(t.currency);
  if (!cur) {
    return core::Status(core::StatusCode::kFailedPrecondition,
                        "trip " + t.trip_id + " has no known currency");
  }
  auto card = ReadCard(t.transactional_data);
  if (!card.ok()) return card.status();
  const std::string store = options.store_name.empty() ? t.store_id : options.store_name;
  const std::string when =
      core::FormatUtc(t.end_ms != 0 ? t.end_ms : t.created_ms, "%Y-%m-%d %H:%M UTC");

  RenderedReceipt r;
  r.subject = "Your receipt from " + store + ": " + Amount(t.captured, *cur);

  std::string text = "Receipt\n" + store + "\n" + when + "\nTrip " + t.trip_id + "\n\n";
  std::string rows;
  for (const store::PricedLineRecord& l : t.priced) {
    text += Row(l.name + " x " + l.quantity, Amount(l.gross, *cur));
    rows += "<tr><td>" + HtmlEscape(l.name) + " &times; " + HtmlEscape(l.quantity) +
            "</td><td class=\"num\">" + HtmlEscape(Amount(l.gross, *cur)) + "</td></tr>\n";
    for (const std::string& p : l.promotions) {
      text += "  " + p + "\n";
      rows += "<tr><td class=\"promo\">" + HtmlEscape(p) + "</td><td></td></tr>\n";
    }
    if (l.discount != 0) {
      text += Row("  discount", Amount(-l.discount, *cur));
      rows += "<tr><td class=\"promo\">discount</td><td class=\"num\">" +
              HtmlEscape(Amount(-l.discount, *cur)) + "</td></tr>\n";
    }
  }
  std::string totals;
  auto total_row = [&](const std::string& label, int64_t minor) {
    text += Row(label, Amount(minor, *cur));
    totals += "<tr><th>" + HtmlEscape(label) + "</th><td class=\"num\">" +
              HtmlEscape(Amount(minor, *cur)) + "</td></tr>\n";
  };
  text += "\n";
  total_row("Subtotal", t.subtotal);
  if (t.discount != 0) total_row("Discounts", -t.discount);
  total_row("Tax", t.tax);
  total_row("Total", t.total);
  total_row("Charged", t.captured);
  if (t.refunded != 0) total_row("Refunded", -t.refunded);

  std::string payment;
  if (!card->brand.empty() || !card->last_four.empty()) {
    std::string line = card->brand.empty() ? "Card" : card->brand;
    if (!card->last_four.empty()) line += " ending " + card->last_four;
    payment += line + "\n";
  }
  const std::pair<const char*, const std::string*> details[] = {
      {"Entry mode", &card->entry_mode},
      {"AID", &card->aid},
      {"Authorization", &card->auth_code},
      {"Terminal", &card->terminal},
      {"Reference", &card->reconciliation}};
  for (const auto& [label, value] : details) {
    if (!value->empty()) payment += std::string(label) + ": " + *value + "\n";
  }
  if (!payment.empty()) text += "\nPayment\n" + payment;
  if (!options.support_line.empty()) text += "\n" + options.support_line + "\n";
  r.text = std::move(text);

  std::string payment_html;
  for (size_t start = 0; start < payment.size();) {
    const size_t end = payment.find('\n', start);
    payment_html += HtmlEscape(payment.substr(start, end - start)) + "<br>\n";
    start = end + 1;
  }
  r.html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width\"><title>Receipt</title>"
      "<style>body{font-family:sans-serif;color:#111;max-width:32em;margin:auto}"
      "table{width:100%;border-collapse:collapse}td,th{padding:2px 0;text-align:left}"
      ".num{text-align:right;white-space:nowrap}.promo{padding-left:1em;color:#444}"
      "</style></head><body>\n<h1>Receipt</h1>\n<p>" +
      HtmlEscape(store) + "<br>" + HtmlEscape(when) + "<br>Trip " + HtmlEscape(t.trip_id) +
      "</p>\n<table>\n" + rows + "</table>\n<table>\n" + totals + "</table>\n" +
      (payment_html.empty() ? "" : "<h2>Payment</h2>\n<p>" + payment_html + "</p>\n") +
      (options.support_line.empty() ? "" : "<p>" + HtmlEscape(options.support_line) + "</p>\n") +
      "</body></html>\n";
  return r;
}

}  // namespace jwo::mail
