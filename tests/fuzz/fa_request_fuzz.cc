// Fuzz target: the Shopper Authorization request parser (fa/request.h). Any bytes must give a
// request or kInvalidArgument, never a crash; an accepted request has the required ids.
#include "fa/request.h"

#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto request = jwo::fa::ParseAuthorizationRequest(jwo::fuzz::AsText(data, size));
  if (!request.ok()) {
    if (request.status().code() != jwo::core::StatusCode::kInvalidArgument) {
      jwo::fuzz::Fail("a refused request is not kInvalidArgument");
    }
    return 0;
  }
  if (request->store_id.empty() || request->shopper_id.empty() || request->trip_id.empty()) {
    jwo::fuzz::Fail("an accepted request lacks a required id");
  }
  (void)request->GateData("lane");
  (void)request->GateData("gate");
  return 0;
}
