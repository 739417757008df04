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

namespace {

// A trip with lines whose text tries to look like the record's own members.
TripRecord TripWithLines() {
  TripRecord t;
  t.trip_id = "t-lines";
  t.store_id = "s1";
  t.shopper_id = R"(shopper ,"cart":[ x)";
  t.auth_event_ids = {R"(ev,"cart":[1])", "ev2"};
  for (int i = 0; i < 3; ++i) {
    const std::string n = std::to_string(i);
    t.cart.push_back({"L" + n, R"(item ,"unpriced":[ )" + n, "SKU", "1", "unit", {"upc" + n}});
    t.priced.push_back({"L" + n,
                        "SKU" + n,
                        R"(name,"priced":[)" + n,
                        "1",
                        100,
                        100,
                        10,
                        8,
                        98,
                        {R"(promo,"unpriced":[])"}});
  }
  t.unpriced = {"line 9: unknown SKU"};
  t.currency = "USD";
  t.total = 294;
  t.state = TripState::kCapturing;
  t.Record(1, "created", R"(,"cart":[)");
  return t;
}

}  // namespace

TEST_CASE("a trip read without its lines is written back with the same lines, byte for byte") {
  const TripRecord original = TripWithLines();
  const std::string bytes = EncodeTrip(original);
  auto head = DecodeTripHead(bytes);
  REQUIRE(head.ok());
  CHECK(head->cart.empty());
  CHECK(head->priced.empty());
  CHECK(head->stored_lines.rfind(R"("cart":[{)", 0) == 0);
  // Everything else is decoded.
  CHECK(head->shopper_id == original.shopper_id);
  CHECK(head->auth_event_ids == original.auth_event_ids);
  CHECK(head->unpriced == original.unpriced);
  CHECK(head->total == 294);
  CHECK(head->history.at(0).detail == R"(,"cart":[)");
  // Unchanged, it encodes to the very same record.
  CHECK(EncodeTrip(*head) == bytes);

  // The lifecycle changes the state and the history: the lines come back intact.
  head->state = TripState::kCaptured;
  head->captured = 294;
  head->Record(2, "capture_approved");
  auto full = DecodeTrip(EncodeTrip(*head));
  REQUIRE(full.ok());
  CHECK(full->state == TripState::kCaptured);
  CHECK(full->history.size() == 2);
  REQUIRE(full->cart.size() == 3);
  REQUIRE(full->priced.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(full->cart[i].item_id == original.cart[i].item_id);
    CHECK(full->cart[i].upcs == original.cart[i].upcs);
    CHECK(full->priced[i].name == original.priced[i].name);
    CHECK(full->priced[i].total == original.priced[i].total);
    CHECK(full->priced[i].promotions == original.priced[i].promotions);
  }
  CHECK(full->stored_lines.empty());
}

TEST_CASE("a trip without lines, or not laid out as EncodeTrip writes, is still read whole") {
  TripRecord empty = TripWithLines();
  empty.cart.clear();
  empty.priced.clear();
  auto head = DecodeTripHead(EncodeTrip(empty));
  REQUIRE(head.ok());
  CHECK(head->stored_lines == R"("cart":[],"priced":[])");
  CHECK(EncodeTrip(*head) == EncodeTrip(empty));

  // Members in another order (a record written by hand, or by a future layout): the lines cannot
  // be cut out by position, so the record is decoded whole.
  const std::string reordered =
      "\x02" +
      std::string(R"({"trip":"t2","priced":[],"cart":[{"line":"L1","id":"i1","type":"SKU",)") +
      R"("qty":"1","unit":"unit","upcs":[]}],"unpriced":[],"state":2,"refunds":[],"history":[]})";
  auto whole = DecodeTripHead(reordered);
  REQUIRE(whole.ok());
  CHECK(whole->stored_lines.empty());
  CHECK(whole->cart.size() == 1);

  // Damage is still refused, as by DecodeTrip.
  std::string broken = EncodeTrip(TripWithLines());
  broken.replace(broken.find(R"("state":3)"), 9, R"("state":0)");
  CHECK(DecodeTripHead(broken).status().code() == core::StatusCode::kCorruption);
  CHECK(DecodeTripHead("").status().code() == core::StatusCode::kCorruption);
  CHECK(DecodeTripHead("\x02{").status().code() == core::StatusCode::kCorruption);
}

TEST_CASE("lines held as text encode to the same record as the lines themselves") {
  for (const bool with_lines : {true, false}) {
    TripRecord original = TripWithLines();
    if (!with_lines) {
      original.cart.clear();
      original.priced.clear();
    }
    TripRecord held = original;
    HoldLinesAsText(held);
    INFO("with lines: " << with_lines);
    CHECK(held.cart.empty());
    CHECK(held.priced.empty());
    CHECK(held.stored_lines.rfind(R"("cart":[)", 0) == 0);
    CHECK(held.stored_lines.back() == ']');
    CHECK(EncodeTrip(held) == EncodeTrip(original));
  }
}
