// Identifier rules shared by the APIs, and the pseudonym used for shopper ids in logs.
// Pure functions, any thread.
#pragma once

#include <string>
#include <string_view>

namespace jwo::core {

// 8-4-4-4-12 hexadecimal digits (either case), as Amazon's UUID fields are documented.
bool IsUuid(std::string_view s);

// ^[0-9a-zA-Z_-]*$ (storeId) — `allow_empty` false makes it the `+` form (shoppingTripId).
bool IsIdToken(std::string_view s, bool allow_empty = false);

// True when `s` holds no ASCII control character (0x00-0x1F, 0x7F). Ids that reach the store
// or a log line must pass this.
bool IsPrintable(std::string_view s);

// True when `s` is empty or holds only spaces, tabs, CRs and LFs.
bool IsBlank(std::string_view s);

// Lower-case hexadecimal of `bytes`.
std::string HexLower(std::string_view bytes);

// Hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(std::string_view data);

// A random (version 4, RFC 4122) UUID in lower case, e.g. for purchase and refund request ids.
std::string NewUuidV4();

// A stable pseudonym for personal identifiers in logs and metrics: "sh_" and the first 12 hex
// digits of SHA-256(id). Never log the id itself.
std::string Pseudonym(std::string_view id);

// One validator per id kind, so the HTTP APIs, the control API and the store apply the same
// rule. Each returns what is wrong as a rule phrase to put after the field's name ("must not be
// empty", "must match ^[0-9a-zA-Z_-]+$", ...), or an empty view when `s` is valid.

// Shopper ids (shopperIdentity.id, `jwo-edgectl shopper ...`), and other opaque references an
// operator or Amazon chooses (settlement references): 1 to 255 bytes, not only whitespace, no
// control character. Any other byte is kept as received.
inline constexpr size_t kMaxIdBytes = 255;
std::string_view CheckShopperId(std::string_view s);
std::string_view CheckReference(std::string_view s);
// Shopping trip ids and store ids: 1 to 255 characters of ^[0-9a-zA-Z_-]+$.
std::string_view CheckTripId(std::string_view s);
std::string_view CheckStoreId(std::string_view s);
// An operator's reason for a change: 1 to 1024 bytes, not only whitespace, no control character.
inline constexpr size_t kMaxReasonBytes = 1024;
std::string_view CheckReason(std::string_view s);

}  // namespace jwo::core
