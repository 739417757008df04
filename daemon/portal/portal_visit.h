// One request as the portal's pages see it: the parsed form, the browser's CSRF cookie, the
// session and what it may see. Internal to portal/ (portal_service.cc builds it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/money.h"
#include "http/message.h"
#include "portal/portal_service.h"
#include "portal/portal_store.h"
#include "portal/web.h"
#include "store/shopper_index.h"

namespace jwo::portal {

struct PortalService::Visit {
  explicit Visit(const http::Request& r) : request(r) {}
  const http::Request& request;
  int64_t now = 0;
  std::string peer;  // address only
  web::Form form;    // a POST's body
  web::Form query;   // the target's query
  std::string pre;   // the jwo_pre cookie (CSRF binding), made on this visit when new
  std::string csrf;  // the token forms carry
  std::string session_id;
  std::optional<SessionRecord> session;
  std::vector<store::IndexedTrip> trips;  // kShopper: every trip of the address
  std::vector<std::string> shopper_ids;   // kShopper: the distinct shopper ids of those trips
  http::HeaderList set_cookies;
  web::Frame frame;
};

// "12.50 USD" (an unknown currency code prints the minor units and the code).
inline std::string FormatAmount(int64_t minor, std::string_view currency) {
  auto c = core::FindCurrency(currency);
  if (!c) return std::to_string(minor) + " " + std::string(currency);
  return core::FormatMinorUnits(minor, *c) + " " + std::string(currency);
}

}  // namespace jwo::portal
