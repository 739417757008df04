#include "store/records.h"

#include "store/codec.h"
#include "store/table.h"
#include "store/trip_record.h"

#include <catch2/catch_test_macros.hpp>

using namespace jwo;
using namespace jwo::store;

TEST_CASE("shopper records round-trip") {
  ShopperRecord r;
  r.open_debt = {{250, *core::FindCurrency("EUR")}, {1599, *core::FindCurrency("USD")}};
  r.open_debt_count = 3;
  r.override_mode = Override::kAlwaysBlock;
  r.override_by = "alice";
  r.override_at_ms = 1700000000000;
  r.override_reason = "chargeback";
  r.updated_ms = 1700000000001;
  auto back = DecodeShopper(EncodeShopper(r));
  REQUIRE(back.ok());
  CHECK(back->open_debt.size() == 2);
  CHECK(back->OpenDebt("USD") == 1599);
  CHECK(back->OpenDebt("EUR") == 250);
  CHECK(back->OpenDebt("JPY") == 0);
  CHECK(back->open_debt_count == 3);
  CHECK(back->override_mode == Override::kAlwaysBlock);
  CHECK(back->override_by == "alice");
  CHECK(back->override_reason == "chargeback");
  CHECK(back->updated_ms == 1700000000001);
}

TEST_CASE("shopper records with a chain-scoped override are version 2; without, version 1") {
  ShopperRecord plain;
  plain.override_mode = Override::kAlwaysAllow;
  plain.override_by = "bob";
  CHECK(EncodeShopper(plain)[0] == 1);  // the bytes of schema 3: older stores read the same

  ShopperRecord r = plain;
  r.chain_override_mode = Override::kAlwaysBlock;
  r.chain_override_by = "hq-fraud";
  r.chain_override_at_ms = 1700000000123;
  r.chain_override_reason = "card testing ring";
  r.chain_override_origin = "store-a";
  const std::string bytes = EncodeShopper(r);
  CHECK(bytes[0] == 2);
  auto back = DecodeShopper(bytes);
  REQUIRE(back.ok());
  CHECK(back->chain_override_mode == Override::kAlwaysBlock);
  CHECK(back->chain_override_by == "hq-fraud");
  CHECK(back->chain_override_at_ms == 1700000000123);
  CHECK(back->chain_override_reason == "card testing ring");
  CHECK(back->chain_override_origin == "store-a");
  CHECK(back->EffectiveOverride() == Override::kAlwaysAllow);  // the store's own comes first
  back->override_mode = Override::kNone;
  CHECK(back->EffectiveOverride() == Override::kAlwaysBlock);
  for (size_t n = 0; n < bytes.size(); ++n) {
    CHECK(DecodeShopper(bytes.substr(0, n)).status().code() == core::StatusCode::kCorruption);
  }
  CHECK(DecodeShopper(bytes + "x").status().code() == core::StatusCode::kCorruption);
}

TEST_CASE("truncated or unknown-version records are corruption") {
  const std::string bytes = EncodeShopper(ShopperRecord{});
  for (size_t n = 0; n < bytes.size(); ++n) {
    CHECK(DecodeShopper(bytes.substr(0, n)).status().code() == core::StatusCode::kCorruption);
  }
  std::string future = bytes;
  future[0] = 9;
  CHECK(DecodeShopper(future).status().code() == core::StatusCode::kCorruption);
}

TEST_CASE("a stored amount whose currency is not ISO 4217 is corruption, not a default") {
  // Amounts decode into core::Money, whose currency comes from FindCurrency.
  Encoder shopper;
  shopper.U8(1);
  shopper.U8(1);
  shopper.Str("XYZ");
  shopper.I64(100);
  shopper.U32(1);
  shopper.U8(0);
  shopper.Str("");
  shopper.I64(0);
  shopper.Str("");
  shopper.I64(0);
  CHECK(DecodeShopper(shopper.bytes()).status().code() == core::StatusCode::kCorruption);
  std::string ok = shopper.Take();
  ok.replace(ok.find("XYZ"), 3, "JPY");
  auto jpy = DecodeShopper(ok);
  REQUIRE(jpy.ok());
  CHECK(jpy->open_debt.at(0).currency.exponent == 0);
  CHECK(jpy->OpenDebt("JPY") == 100);

  DebtRecord d;
  d.amount = {5, *core::FindCurrency("USD")};
  std::string debt = EncodeDebt(d);
  debt.replace(debt.find("USD"), 3, "XYZ");
  const std::string key = *DebtKey("s", "t", DebtKind::kTrip);
  CHECK(DecodeDebt(key, debt).status().code() == core::StatusCode::kCorruption);
}

TEST_CASE("debt keys group a shopper's debts and round-trip") {
  DebtRecord d;
  d.shopper_id = "shopper-1";
  d.trip_id = "trip-9";
  d.amount = {1234, *core::FindCurrency("USD")};
  d.cause = DebtCause::kDeclinedAdjust;
  d.origin_store = "store-7";
  d.created_ms = 5;
  auto key = DebtKey(d.shopper_id, d.trip_id, DebtKind::kTrip);
  REQUIRE(key.ok());
  CHECK(*key == std::string("\x09shopper-1\x06trip-9\x01"));
  CHECK(key->rfind(DebtKeyPrefix("shopper-1"), 0) == 0);
  CHECK(key->rfind(*DebtTripKeyPrefix("shopper-1", "trip-9"), 0) == 0);
  // "shopper-1" must not match the prefix of "shopper-10", nor "trip-9" that of "trip-99".
  CHECK(DebtKey("shopper-10", "t", DebtKind::kTrip)->rfind(DebtKeyPrefix("shopper-1"), 0) != 0);
  CHECK(DebtKey("shopper-1", "trip-99", DebtKind::kTrip)
            ->rfind(*DebtTripKeyPrefix("shopper-1", "trip-9"), 0) != 0);
  auto back = DecodeDebt(*key, EncodeDebt(d));
  REQUIRE(back.ok());
  CHECK(back->shopper_id == "shopper-1");
  CHECK(back->trip_id == "trip-9");
  CHECK(back->kind == DebtKind::kTrip);
  CHECK(back->amount == core::Money{1234, *core::FindCurrency("USD")});
  CHECK(back->cause == DebtCause::kDeclinedAdjust);
  CHECK(back->state == DebtState::kOpen);
  CHECK(DebtCauseName(back->cause) == "declined_adjust");
}

TEST_CASE("each kind of a trip's debt has its own key") {
  DebtRecord d;
  d.amount = {100, *core::FindCurrency("USD")};
  for (DebtKind kind : {DebtKind::kTrip, DebtKind::kExpired, DebtKind::kManual}) {
    INFO(DebtKindName(kind));
    auto key = DebtKey("s", "t1", kind);
    REQUIRE(key.ok());
    CHECK(key->back() == static_cast<char>(kind));
    auto back = DecodeDebt(*key, EncodeDebt(d));
    REQUIRE(back.ok());
    CHECK(back->kind == kind);
    CHECK(back->trip_id == "t1");
    CHECK(DebtKindFromName(DebtKindName(kind)) == kind);
  }
  CHECK(DebtKindName(DebtKind::kTrip) == "trip");
  CHECK(DebtKindName(DebtKind::kExpired) == "expired");
  CHECK(DebtKindName(DebtKind::kManual) == "manual");
  CHECK_FALSE(DebtKindFromName("Trip").has_value());
  CHECK(DebtKindOf(DebtCause::kDeclinedAdjust) == DebtKind::kTrip);
  CHECK(DebtKindOf(DebtCause::kPartialCapture) == DebtKind::kTrip);
  CHECK(DebtKindOf(DebtCause::kExpiredPreAuth) == DebtKind::kExpired);
  CHECK(DebtKindOf(DebtCause::kManual) == DebtKind::kManual);
  // A key without a kind (schema 2), an unknown kind, or trailing bytes are not debt keys.
  const std::string value = EncodeDebt(d);
  for (std::string bad : {std::string("\x01s\x02t1"), std::string("\x01s\x02t1\x04"),
                          std::string("\x01s\x02t1\x01x"), std::string("\x01s")}) {
    CHECK(DecodeDebt(bad, value).status().code() == core::StatusCode::kCorruption);
  }
  auto legacy = DecodeDebtSchema2("\x01st1-expired", value);
  REQUIRE(legacy.ok());
  CHECK(legacy->trip_id == "t1-expired");
}

TEST_CASE("ids are checked for LMDB before they become keys") {
  CHECK(DebtKey("", "t", DebtKind::kTrip).status().code() == core::StatusCode::kInvalidArgument);
  CHECK(DebtKey(std::string(256, 's'), "t", DebtKind::kTrip).status().code() ==
        core::StatusCode::kInvalidArgument);
  CHECK(DebtKey("a\nb", "t", DebtKind::kTrip).status().code() ==
        core::StatusCode::kInvalidArgument);
  CHECK(DebtKey("s", "", DebtKind::kTrip).status().code() == core::StatusCode::kInvalidArgument);
}

TEST_CASE("a debt key of two very long ids stays within LMDB's limit, trips kept apart") {
  const std::string shopper(255, 's');
  const std::string trip(255, 't');
  auto key = DebtKey(shopper, trip, DebtKind::kExpired);
  REQUIRE(key.ok());
  CHECK(key->size() == kMaxKeyBytes);
  auto other = DebtKey(shopper, trip.substr(0, 254) + "u", DebtKind::kExpired);
  REQUIRE(other.ok());
  CHECK(*key != *other);
  CHECK(key->rfind(*DebtTripKeyPrefix(shopper, trip), 0) == 0);
  DebtRecord d;
  d.amount = {1, *core::FindCurrency("USD")};
  auto back = DecodeDebt(*key, EncodeDebt(d));
  REQUIRE(back.ok());
  CHECK(back->shopper_id == shopper);
  CHECK(back->kind == DebtKind::kExpired);
  CHECK(back->trip_id.size() == kMaxKeyBytes - 3 - shopper.size());
  CHECK(back->trip_id.find('~') != std::string::npos);
  // Ids short enough are kept whole.
  CHECK(DecodeDebt(*DebtKey(shopper, std::string(253, 't'), DebtKind::kTrip), EncodeDebt(d))
            ->trip_id == std::string(253, 't'));
}

TEST_CASE("decision and audit records round-trip") {
  DecisionRecord d;
  d.trip_id = "trip-1";
  d.gate_event_id = "ev-1";
  d.shopper_id = "s";
  d.store_id = "store";
  d.decided_ms = 10;
  d.event_ms = 9;
  d.outcome = Outcome::kDenied;
  d.reason = "open_debt";
  d.risks = {"BadDebt"};
  d.lane = "3";
  d.latency_us = 42;
  auto back = DecodeDecision(BigEndianKey(5), EncodeDecision(d));
  REQUIRE(back.ok());
  CHECK(back->trip_id == "trip-1");
  CHECK(back->gate_event_id == "ev-1");
  CHECK(back->outcome == Outcome::kDenied);
  CHECK(back->risks == std::vector<std::string>{"BadDebt"});
  CHECK(back->lane == "3");
  CHECK(back->latency_us == 42);
  CHECK(back->sequence == 5);

  AuditRecord a{7, 11, "alice", "shopper.block", "s", "", "fraud"};
  auto ab = DecodeAudit(std::string("\0\0\0\0\0\0\0\7", 8), EncodeAudit(a));
  REQUIRE(ab.ok());
  CHECK(ab->sequence == 7);
  CHECK(ab->actor == "alice");
  CHECK(ab->reason == "fraud");
}

TEST_CASE("trip records round-trip through their JSON encoding") {
  TripRecord t;
  t.trip_id = "trip-1";
  t.store_id = "s";
  t.purchase_id = "p";
  t.shopper_id = "shopper";
  t.cart = {{"l1", "sku-1", "SKU", "2.0", "unit", {"0123"}}};
  t.priced = {{"l1", "sku-1", "Milk", "2", 199, 398, 50, 20, 368, {"promo-1"}}};
  t.currency = "USD";
  t.total = 368;
  t.state = TripState::kCapturing;
  t.refunds = {{"uuid", 100, "DAMAGED_ITEM", "ops", 5, RefundState::kPending, ""}};
  t.Record(7, "created", "priced 1 line");
  auto back = DecodeTrip(EncodeTrip(t));
  REQUIRE(back.ok());
  CHECK(back->trip_id == "trip-1");
  CHECK(back->cart.at(0).upcs == std::vector<std::string>{"0123"});
  CHECK(back->priced.at(0).promotions == std::vector<std::string>{"promo-1"});
  CHECK(back->priced.at(0).total == 368);
  CHECK(back->state == TripState::kCapturing);
  CHECK(back->refunds.at(0).refund_request_id == "uuid");
  CHECK(back->history.at(0).event == "created");
  CHECK(DecodeTrip("\x01{}").status().code() == core::StatusCode::kCorruption);
  CHECK(DecodeTrip("").status().code() == core::StatusCode::kCorruption);
}

TEST_CASE("outbox entries keep their body byte for byte") {
  OutboxEntry e;
  e.operation = Operation::kCapture;
  e.trip_id = "trip-1";
  e.body = std::string(70000, 'b');  // beyond a u16 length
  e.attempts = 3;
  e.next_attempt_ms = 99;
  e.last_error = "503";
  auto back = DecodeOutbox(BigEndianKey(42), EncodeOutbox(e));
  REQUIRE(back.ok());
  CHECK(back->sequence == 42);
  CHECK(back->operation == Operation::kCapture);
  CHECK(back->body == e.body);
  CHECK(back->attempts == 3);
  CHECK(OperationPath(back->operation) == "/v1/capture/charge");
}

TEST_CASE("gate events sort by time under their trip and round-trip") {
  GateEventRecord r{"trip-1", "entry", 2, "person_passed", "in", 1700000000123};
  auto k1 = GateEventKey("trip-1", 1700000000123, 7);
  auto k2 = GateEventKey("trip-1", 1700000000124, 0);
  REQUIRE(k1.ok());
  REQUIRE(k2.ok());
  CHECK(*k1 < *k2);
  CHECK(k1->rfind(DebtKeyPrefix("trip-1"), 0) == 0);
  auto back = DecodeGateEvent(*k1, EncodeGateEvent(r));
  REQUIRE(back.ok());
  CHECK(back->trip_id == "trip-1");
  CHECK(back->lane == 2);
  CHECK(back->event == "person_passed");
  CHECK(back->at_ms == 1700000000123);
  CHECK(GateEventKey("", 1, 1).status().code() == core::StatusCode::kInvalidArgument);
}

TEST_CASE("every decoder refuses bytes after the last field as corruption") {
  const auto corrupt = [](const auto& result) {
    return result.status().code() == core::StatusCode::kCorruption;
  };
  ShopperRecord s;
  s.open_debt = {{250, *core::FindCurrency("USD")}};
  CHECK(DecodeShopper(EncodeShopper(s)).ok());
  CHECK(corrupt(DecodeShopper(EncodeShopper(s) + "x")));

  DebtRecord d;
  d.shopper_id = "s";
  d.trip_id = "t";
  d.amount = {100, *core::FindCurrency("USD")};
  const std::string key = *DebtKey("s", "t", DebtKind::kTrip);
  CHECK(DecodeDebt(key, EncodeDebt(d)).ok());
  CHECK(corrupt(DecodeDebt(key, EncodeDebt(d) + "x")));

  DecisionRecord dec;
  dec.trip_id = "t";
  dec.gate_event_id = "e";
  CHECK(DecodeDecision(BigEndianKey(1), EncodeDecision(dec)).ok());
  CHECK(corrupt(DecodeDecision(BigEndianKey(1), EncodeDecision(dec) + "x")));

  AuditRecord a{1, 2, "alice", "shopper.block", "s", "", "fraud"};
  CHECK(DecodeAudit(BigEndianKey(1), EncodeAudit(a)).ok());
  CHECK(corrupt(DecodeAudit(BigEndianKey(1), EncodeAudit(a) + "x")));

  GateEventRecord g{"t", "entry", 1, "person_passed", "", 5};
  const std::string gkey = *GateEventKey("t", 5, 0);
  CHECK(DecodeGateEvent(gkey, EncodeGateEvent(g)).ok());
  CHECK(corrupt(DecodeGateEvent(gkey, EncodeGateEvent(g) + "x")));

  PurchaseRecord p{"t", "p", "{}", "digest", 9};
  CHECK(DecodePurchase(EncodePurchase(p)).ok());
  CHECK(corrupt(DecodePurchase(EncodePurchase(p) + "x")));

  OutboxEntry e;
  e.trip_id = "t";
  CHECK(corrupt(DecodeOutbox(BigEndianKey(1), EncodeOutbox(e) + "x")));
  TripRecord t;
  t.trip_id = "t";
  CHECK(corrupt(DecodeTrip(EncodeTrip(t) + "x")));
}
