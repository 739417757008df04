// Fuzz target: the Create Purchases request parser (ordering/purchase_request.h). Any bytes must
// give a request or kInvalidArgument, never a crash; the cart digest of an accepted request is
// 64 hex digits.
#include "ordering/purchase_request.h"

#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto request = jwo::ordering::ParsePurchaseRequest(jwo::fuzz::AsText(data, size));
  if (!request.ok()) {
    if (request.status().code() != jwo::core::StatusCode::kInvalidArgument) {
      jwo::fuzz::Fail("a refused request is not kInvalidArgument");
    }
    return 0;
  }
  if (request->trip_id.empty() || request->store_id.empty()) {
    jwo::fuzz::Fail("an accepted request lacks a required id");
  }
  if (jwo::ordering::CartDigest(request->cart).size() != 64) {
    jwo::fuzz::Fail("the cart digest is not 64 hex digits");
  }
  return 0;
}
