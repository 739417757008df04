#include "core/ids.h"

#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <random>

namespace jwo::core {

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

namespace {

constexpr std::array<bool, 256> MakeIdTokenTable() {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[static_cast<size_t>(c)] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                                    (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
  }
  return table;
}
constexpr std::array<bool, 256> kIdToken = MakeIdTokenTable();

}  // namespace

// These run over every id of every gate request, which is valid almost always: they look at
// every byte without a branch per byte (a table lookup; eight bytes per step) and decide at the
// end.
bool IsIdToken(std::string_view s, bool allow_empty) {
  if (s.empty()) return allow_empty;
  bool ok = true;
  for (unsigned char c : s) ok &= kIdToken[c];
  return ok;
}

bool IsPrintable(std::string_view s) {
  // Eight bytes at a time: a word has a byte below 0x20 when (w - 0x20 in every byte) borrows
  // into a byte whose top bit w does not set, and a 0x7F byte when w ^ 0x7F.. has a zero byte
  // (the exact tests of "Bit Twiddling Hacks", hasless / haszero; bytes >= 0x80 are printable).
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  const auto has_below = [](uint64_t w, uint64_t n) { return (w - kOnes * n) & ~w & kHigh; };
  uint64_t bad = 0;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    bad |= has_below(w, 0x20) | has_below(w ^ (kOnes * 0x7f), 1);
  }
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    bad |= static_cast<uint64_t>(c < 0x20) | static_cast<uint64_t>(c == 0x7f);
  }
  return bad == 0;
}

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

namespace {

std::string_view CheckText(std::string_view s, size_t max, std::string_view too_long) {
  if (IsBlank(s)) return "must not be empty";
  if (s.size() > max) return too_long;
  if (!IsPrintable(s)) return "must not contain control characters";
  return {};
}

std::string_view CheckToken(std::string_view s) {
  if (s.empty()) return "must not be empty";
  if (s.size() > kMaxIdBytes) return "must be at most 255 characters";
  if (!IsIdToken(s)) return "must match ^[0-9a-zA-Z_-]+$";
  return {};
}

}  // namespace

std::string_view CheckShopperId(std::string_view s) {
  return CheckText(s, kMaxIdBytes, "must be at most 255 characters");
}

std::string_view CheckReference(std::string_view s) { return CheckShopperId(s); }

std::string_view CheckTripId(std::string_view s) { return CheckToken(s); }

std::string_view CheckStoreId(std::string_view s) { return CheckToken(s); }

std::string_view CheckReason(std::string_view s) {
  return CheckText(s, kMaxReasonBytes, "must be at most 1024 bytes");
}

std::string HexLower(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return HexLower(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string NewUuidV4() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const uint64_t a = rng(), b = rng();
  char bytes[16];
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<char>(a >> (8 * i));
    bytes[8 + i] = static_cast<char>(b >> (8 * i));
  }
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  const std::string hex = HexLower(std::string_view(bytes, sizeof bytes));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string Pseudonym(std::string_view id) { return "sh_" + Sha256Hex(id).substr(0, 12); }

}  // namespace jwo::core
