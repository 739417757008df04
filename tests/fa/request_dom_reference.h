// The oracle of the differential test: the gate's request parsed from a boost::json::value
// document, as before core::FlatJson (request_dom_reference.cc).
#pragma once

#include <string_view>

#include "core/status.h"
#include "fa/request.h"

namespace jwo::fa::dom_reference {

core::Status Parse(std::string_view body, AuthorizationRequest& out);

}  // namespace jwo::fa::dom_reference
