#include "fa/response.h"

#include "core/json_writer.h"

namespace jwo::fa {

std::string SerializeDecision(const Decision& d) {
  core::JsonWriter w;
  w.BeginObject().Key("status").String(d.outcome == store::Outcome::kApproved ? "APPROVED"
                                                                              : "DENIED");
  if (d.outcome == store::Outcome::kDenied && !d.risks.empty()) {
    w.Key("shopperRisks").BeginArray();
    for (const std::string& risk : d.risks) w.String(risk);
    w.EndArray();
  }
  if (d.outcome == store::Outcome::kApproved && d.adjust_amount) {
    w.Key("authorizationConditions").BeginArray().BeginObject().Key("type").String("ADJUST");
    w.Key("amount").BeginObject().Key("value").Money(d.adjust_amount->minor,
                                                     d.adjust_amount->currency);
    w.Key("currencyCode").String(d.adjust_amount->currency.Code()).EndObject();
    w.EndObject().EndArray();
  }
  w.EndObject();
  return w.Take();
}

}  // namespace jwo::fa
