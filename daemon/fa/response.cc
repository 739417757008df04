#include "fa/response.h"

#include "core/json.h"

namespace jwo::fa {

std::string SerializeDecision(const Decision& d) {
  // Hand-assembled: the amount must print with exactly the currency's digits, which a JSON
  // library's double formatting does not promise; every other value is a fixed token or a
  // risk name validated as [A-Za-z0-9_]+ on the way in, so nothing needs escaping.
  std::string out;
  out.reserve(64);
  out += R"({"status":")";
  out += d.outcome == store::Outcome::kApproved ? "APPROVED" : "DENIED";
  out += '"';
  if (d.outcome == store::Outcome::kDenied && !d.risks.empty()) {
    out += R"(,"shopperRisks":[)";
    for (size_t i = 0; i < d.risks.size(); ++i) {
      if (i > 0) out += ',';
      out += '"';
      out += d.risks[i];
      out += '"';
    }
    out += ']';
  }
  if (d.outcome == store::Outcome::kApproved && d.adjust_amount) {
    out += R"(,"authorizationConditions":[{"type":"ADJUST","amount":{"value":)";
    out += core::MinorUnitsToJsonNumber(d.adjust_amount->minor, d.adjust_amount->currency);
    out += R"(,"currencyCode":")";
    out += d.adjust_amount->currency.Code();
    out += R"("}}])";
  }
  out += '}';
  return out;
}

}  // namespace jwo::fa
