// Fuzz target: every record decoder of the store (store/records.h, store/trip_record.h). The
// first byte picks the decoder; for the keyed tables the second byte is the key's length, the
// key and then the value follow. Any bytes must decode or give kCorruption, never a crash. What
// decodes, encodes again to bytes that decode (what was read can always be written back).
#include <algorithm>
#include <string>

#include "fuzz_target.h"
#include "store/records.h"
#include "store/trip_record.h"

namespace store = jwo::store;
using jwo::core::StatusCode;

namespace {

template <typename T>
bool Refused(const jwo::core::Result<T>& r) {
  if (r.ok()) return false;
  if (r.status().code() != StatusCode::kCorruption) jwo::fuzz::Fail("refused, not kCorruption");
  return true;
}

template <typename T>
void MustDecode(const jwo::core::Result<T>& r, const char* what) {
  if (!r.ok()) jwo::fuzz::Fail(what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t which = data[0] % 10;
  // Unkeyed records take all the bytes after the first; keyed ones a key and then a value.
  const std::string_view rest = jwo::fuzz::AsText(data + 1, size - 1);
  std::string_view key, value;
  if (!rest.empty()) {
    const size_t key_len = std::min<size_t>(static_cast<uint8_t>(rest[0]), rest.size() - 1);
    key = rest.substr(1, key_len);
    value = rest.substr(1 + key_len);
  }
  switch (which) {
    case 0: {
      auto r = store::DecodeShopper(rest);
      if (!Refused(r)) MustDecode(store::DecodeShopper(store::EncodeShopper(*r)), "shopper");
      break;
    }
    case 1: {
      auto r = store::DecodeDebt(key, value);
      if (!Refused(r)) (void)store::EncodeDebt(*r);
      break;
    }
    case 2: {
      auto r = store::DecodeDebtSchema2(key, value);
      if (!Refused(r)) (void)store::EncodeDebt(*r);
      break;
    }
    case 3: {
      auto r = store::DecodeDecision(key, value);
      if (!Refused(r)) (void)store::EncodeDecision(*r);
      break;
    }
    case 4: {
      auto r = store::DecodeGateEvent(key, value);
      if (!Refused(r)) (void)store::EncodeGateEvent(*r);
      break;
    }
    case 5: {
      auto r = store::DecodeAudit(key, value);
      if (!Refused(r)) MustDecode(store::DecodeAudit(key, store::EncodeAudit(*r)), "audit");
      break;
    }
    case 6: {
      auto r = store::DecodeTrip(rest);
      if (!Refused(r)) MustDecode(store::DecodeTrip(store::EncodeTrip(*r)), "trip");
      break;
    }
    case 7: {
      auto r = store::DecodeTripVersion1(rest);
      if (!Refused(r)) MustDecode(store::DecodeTrip(store::EncodeTrip(*r)), "trip version 1");
      break;
    }
    case 8: {
      auto r = store::DecodePurchase(rest);
      if (!Refused(r)) MustDecode(store::DecodePurchase(store::EncodePurchase(*r)), "purchase");
      break;
    }
    default: {
      auto r = store::DecodeOutbox(key, value);
      if (!Refused(r)) MustDecode(store::DecodeOutbox(key, store::EncodeOutbox(*r)), "outbox");
      break;
    }
  }
  return 0;
}
