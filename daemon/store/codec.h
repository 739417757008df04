// The byte encoding of stored values (docs/store-format.md): little-endian fixed-width
// integers and u16-length-prefixed strings, appended in field order after a record version
// byte. Hand-written because the records are small and hot (the gate decodes one per tap):
// a general serializer would cost more than the 60 lines here.
//
// Encoder and Decoder are plain values; use one per thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace jwo::store {

class Encoder {
 public:
  Encoder() = default;
  // Appends to `out` instead of a buffer of its own (no allocation while `out` has room).
  explicit Encoder(std::string& out) : out_(out) {}
  Encoder(const Encoder&) = delete;
  Encoder& operator=(const Encoder&) = delete;

  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(uint32_t v) { Fixed(v); }
  void I64(int64_t v) { Fixed(static_cast<uint64_t>(v)); }
  void U64(uint64_t v) { Fixed(v); }
  // REQUIRES: s.size() <= 65535 (callers validate lengths at the API boundary).
  void Str(std::string_view s) {
    Fixed(static_cast<uint16_t>(s.size()));
    out_.append(s);
  }
  void Raw(std::string_view s) { out_.append(s); }
  const std::string& bytes() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  template <typename T>
  void Fixed(T v) {
    char b[sizeof(T)];
    for (size_t i = 0; i < sizeof(T); ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    out_.append(b, sizeof(T));
  }
  std::string own_;
  std::string& out_ = own_;
};

// Reads what Encoder wrote. Every getter returns false (and leaves the decoder failed) when the
// input is too short; callers turn that into a kCorruption status.
class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}
  bool U8(uint8_t& v) { return Fixed(v); }
  bool U32(uint32_t& v) { return Fixed(v); }
  bool U64(uint64_t& v) { return Fixed(v); }
  bool I64(int64_t& v) {
    uint64_t u;
    if (!Fixed(u)) return false;
    v = static_cast<int64_t>(u);
    return true;
  }
  bool Str(std::string& s) {
    uint16_t n;
    if (!Fixed(n) || in_.size() < n) return Fail();
    s.assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool Raw(size_t n, std::string_view& s) {
    if (in_.size() < n) return Fail();
    s = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  template <typename T>
  bool Fixed(T& v) {
    if (in_.size() < sizeof(T)) return Fail();
    T r = 0;
    for (size_t i = 0; i < sizeof(T); ++i) {
      r |= static_cast<T>(static_cast<T>(static_cast<unsigned char>(in_[i])) << (8 * i));
    }
    v = r;
    in_.remove_prefix(sizeof(T));
    return true;
  }
  bool Fail() {
    in_ = {};
    return false;
  }
  std::string_view in_;
};

// Big-endian u64, for keys that must sort numerically (sequence numbers).
inline std::string BigEndianKey(uint64_t v) {
  std::string k(8, '\0');
  for (int i = 7; i >= 0; --i) {
    k[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return k;
}

inline uint64_t FromBigEndianKey(std::string_view k) {
  uint64_t v = 0;
  for (size_t i = 0; i < k.size() && i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(k[i]);
  return v;
}

}  // namespace jwo::store
