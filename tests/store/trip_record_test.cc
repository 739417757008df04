#include "store/trip_record.h"

#include <catch2/catch_test_macros.hpp>
#include <string>

using namespace jwo;
using namespace jwo::store;

namespace {

// A schema-2 trip row (record version 1) as that build wrote it: refund states by name, no
// receipt flags.
std::string TripV1(const std::string& refund_state, const std::string& transactional_data,
                   const std::string& history_event) {
  return "\x01" + std::string(R"({"trip":"t1","shopper":"s1","currency":"USD","state":4,)") +
         R"("cart":[],"priced":[],"refunds":[{"id":"r1","amount":100,"state":")" + refund_state +
         R"("}],"transactional_data":")" + transactional_data +
         R"(","receipt_complete":false,"history":[{"at":1,"event":")" + history_event + R"("}]})";
}

}  // namespace

TEST_CASE("refund states have stable display names") {
  CHECK(RefundStateName(RefundState::kPending) == "pending");
  CHECK(RefundStateName(RefundState::kDone) == "done");
  CHECK(RefundStateName(RefundState::kFailed) == "failed");
  CHECK(RefundStateName(static_cast<RefundState>(0)) == "unknown");
}

TEST_CASE("trip record version 2 keeps refund states as numbers and the receipt flags") {
  TripRecord t;
  t.trip_id = "t1";
  t.state = TripState::kCaptured;
  t.refunds = {{"r1", 100, "DAMAGED_ITEM", "ops", 5, RefundState::kFailed, ""},
               {"r2", 50, "DAMAGED_ITEM", "ops", 6, RefundState::kDone, "rec-1"}};
  t.have_transactional_data = true;
  t.have_shopper_identity = false;
  const std::string bytes = EncodeTrip(t);
  CHECK(bytes[0] == 2);
  // The stored value is the number: renaming the display text cannot change a stored refund.
  CHECK(bytes.find(R"("state":3)") != std::string::npos);
  CHECK(bytes.find("failed") == std::string::npos);
  auto back = DecodeTrip(bytes);
  REQUIRE(back.ok());
  CHECK(back->refunds.at(0).state == RefundState::kFailed);
  CHECK(back->refunds.at(1).state == RefundState::kDone);
  CHECK(back->have_transactional_data);
  CHECK_FALSE(back->have_shopper_identity);

  for (const char* bad : {R"("state":0)", R"("state":4)", R"("state":"done")"}) {
    INFO(bad);
    std::string broken = bytes;
    broken.replace(broken.find(R"("state":3)"), 9, bad);
    CHECK(DecodeTrip(broken).status().code() == core::StatusCode::kCorruption);
  }
}

TEST_CASE("a version-1 trip decodes only for the migration, which derives the receipt flags") {
  const std::string old = TripV1("pending", "{}", "shopper_identity");
  CHECK(DecodeTrip(old).status().code() == core::StatusCode::kCorruption);
  auto t = DecodeTripVersion1(old);
  REQUIRE(t.ok());
  CHECK(t->refunds.at(0).state == RefundState::kPending);
  CHECK(t->have_transactional_data);
  CHECK(t->have_shopper_identity);

  auto bare = DecodeTripVersion1(TripV1("done", "", "captured"));
  REQUIRE(bare.ok());
  CHECK(bare->refunds.at(0).state == RefundState::kDone);
  CHECK_FALSE(bare->have_transactional_data);
  CHECK_FALSE(bare->have_shopper_identity);

  CHECK(DecodeTripVersion1(TripV1("failed", "", "x"))->refunds.at(0).state == RefundState::kFailed);
  CHECK(DecodeTripVersion1(TripV1("refunded", "", "x")).status().code() ==
        core::StatusCode::kCorruption);
  // A version-2 row is not read as version 1 either.
  CHECK(DecodeTripVersion1(EncodeTrip(TripRecord{})).status().code() ==
        core::StatusCode::kCorruption);
}
