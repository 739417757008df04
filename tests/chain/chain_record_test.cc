#include "chain/chain_record.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <vector>

using namespace jwo;
using Catch::Matchers::ContainsSubstring;

namespace {

chain::ChainDebt Sample() {
  chain::ChainDebt c;
  c.debt.shopper_id = "shopper 1@example";
  c.debt.trip_id = "trip-1";
  c.debt.kind = store::DebtKind::kTrip;
  c.debt.cause = store::DebtCause::kDeclinedAdjust;
  c.debt.amount = {1250, *core::FindCurrency("USD")};
  c.debt.origin_store = "store-a";
  c.debt.created_ms = 1700000000000;
  c.debt.note = "declined: \"insufficient funds\"";
  return c;
}

}  // namespace

TEST_CASE("key tokens: NATS key characters only, one spelling per id, reversible") {
  for (const std::string& id :
       std::vector<std::string>{"store-a", "store 7", "a.b", "a_b", "Ünïcode",
                                std::string("\0x", 2), "$KV.*>", "x/y=z"}) {
    const std::string token = chain::EncodeKeyToken(id);
    for (unsigned char c : token) {
      CHECK(((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_'));
    }
    CHECK(chain::DecodeKeyToken(token) == id);
  }
  CHECK(chain::EncodeKeyToken("store 7") == "store_207");
  CHECK_FALSE(chain::DecodeKeyToken("a_41"));  // 'A' would be written plain: not ours
  CHECK_FALSE(chain::DecodeKeyToken("a_4"));
  CHECK_FALSE(chain::DecodeKeyToken("a_zz"));
  CHECK_FALSE(chain::DecodeKeyToken(""));
  CHECK_FALSE(chain::DecodeKeyToken("a.b"));
}

TEST_CASE("bucket keys group a store's debts and parse back") {
  auto key = chain::BucketKey("store a", "trip.1", store::DebtKind::kExpired);
  REQUIRE(key.ok());
  CHECK(*key == "store_20a.trip_2E1.expired");
  CHECK(key->rfind(chain::BucketKeyPrefix("store a"), 0) == 0);
  auto parts = chain::ParseBucketKey(*key);
  REQUIRE(parts);
  CHECK(parts->origin_store == "store a");
  CHECK(parts->trip_id == "trip.1");
  CHECK(parts->kind == store::DebtKind::kExpired);
  CHECK_FALSE(chain::ParseBucketKey("store-a.trip"));
  CHECK_FALSE(chain::ParseBucketKey("store-a.trip.other"));
  CHECK_FALSE(chain::ParseBucketKey("a.b.trip.x"));
  CHECK(chain::BucketKey("", "t", store::DebtKind::kTrip).status().code() ==
        core::StatusCode::kInvalidArgument);
}

TEST_CASE("a record survives its JSON exactly") {
  chain::ChainDebt c = Sample();
  const std::string key = *chain::BucketKey("store-a", "trip-1", store::DebtKind::kTrip);
  auto back = chain::DecodeChainDebt(key, chain::EncodeChainDebt(c));
  REQUIRE(back.ok());
  CHECK(back->debt.shopper_id == c.debt.shopper_id);
  CHECK(back->debt.amount == c.debt.amount);
  CHECK(back->debt.note == c.debt.note);
  CHECK(back->debt.state == store::DebtState::kOpen);
  CHECK(back->version == chain::kOpenVersion);

  c.debt.state = store::DebtState::kSettled;
  c.debt.settlement_ref = "portal-77";
  c.debt.settled_ms = 1700000001000;
  c.version = chain::kClosedVersion;
  back = chain::DecodeChainDebt(key, chain::EncodeChainDebt(c));
  REQUIRE(back.ok());
  CHECK(back->debt.state == store::DebtState::kSettled);
  CHECK(back->debt.settlement_ref == "portal-77");
}

TEST_CASE("a value that breaks a rule is refused with what is wrong") {
  const std::string key = *chain::BucketKey("store-a", "trip-1", store::DebtKind::kTrip);
  const std::string good = chain::EncodeChainDebt(Sample());
  auto refused = [&](std::string value, const char* why) {
    auto r = chain::DecodeChainDebt(key, value);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == core::StatusCode::kInvalidArgument);
    CHECK_THAT(r.status().message(), ContainsSubstring(why));
  };
  auto replace = [&](std::string from, std::string to) {
    std::string v = good;
    REQUIRE(v.find(from) != std::string::npos);
    return v.replace(v.find(from), from.size(), to);
  };
  refused("", "not JSON");
  refused("[]", "not a JSON object");
  refused(replace("\"format\":1", "\"format\":2"), "format 2");
  refused(replace("\"amount_minor\":1250", "\"amount_minor\":-5"), "amount_minor");
  refused(replace("\"amount_minor\":1250", "\"amount_minor\":12.5"), "amount_minor");
  refused(replace("\"currency\":\"USD\"", "\"currency\":\"XXY\""), "ISO 4217");
  refused(replace("\"state\":\"open\"", "\"state\":\"settled\""), "does not fit state");
  refused(replace("\"cause\":\"declined_adjust\"", "\"cause\":\"manual\""), "cannot be of kind");
  refused(replace("\"shopper\":\"shopper 1@example\"", "\"shopper\":\"\""), "'shopper' is empty");
  refused(replace("\"version\":1", "\"version\":1,\"version\":1"), "duplicate key");
  auto elsewhere = chain::DecodeChainDebt("store-b.trip-1.trip", good);
  REQUIRE_FALSE(elsewhere.ok());
  CHECK_THAT(elsewhere.status().message(), ContainsSubstring("belongs under store-a.trip-1.trip"));
}
