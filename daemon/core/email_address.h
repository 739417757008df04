// Plain e-mail addresses (addr-spec) as jwo-edge sends to and from: the configuration's sender,
// shoppers' addresses from Get Shopper Identity. Pure; any thread.
#pragma once

#include <string_view>

namespace jwo::core {

// True for local@domain in printable ASCII, without spaces, angle brackets, quotes, the other
// RFC 5322 specials, line breaks (header and SMTP command injection) or a second '@', at most
// 254 bytes.
bool IsValidEmailAddress(std::string_view address);

}  // namespace jwo::core
