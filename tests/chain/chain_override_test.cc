#include "chain/chain_override.h"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include "ledger/ledger.h"
#include "tests/support/temp_dir.h"

using namespace jwo;
using Catch::Matchers::ContainsSubstring;
using chain::Outcome;

namespace {

constexpr std::string_view kSelf = "store-b";

chain::ChainOverride Setting(std::string shopper, store::Override mode, int64_t at,
                             std::string origin = "store-a") {
  return {std::move(shopper), mode, "hq", "card testing", at, std::move(origin)};
}

chain::BucketChange Put(const chain::ChainOverride& o, uint64_t seq) {
  return {chain::EncodeKeyToken(o.shopper_id), chain::BucketOp::kPut, chain::EncodeChainOverride(o),
          seq};
}

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<store::Env> env;
  chain::OverrideBucket model;
  uint64_t generation = 1;
  Fixture() {
    store::EnvOptions o;
    o.directory = dir.path();
    o.map_size_bytes = 4 << 20;
    o.publish_debts = true;
    env = store::Env::Open(o).value();
  }
  chain::ApplyResult Apply(const chain::BucketChange& c) {
    chain::ApplyResult out;
    REQUIRE(env->Write([&](store::WriteTxn& txn) {
                 auto r = model.Apply(txn, c, {std::string(kSelf), 1000, generation, nullptr});
                 if (r.ok()) out = *r;
                 return r.status();
               })
                .ok());
    return out;
  }
  store::ShopperRecord Shopper(std::string_view id) {
    store::ShopperRecord out;
    REQUIRE(env->Read([&](const store::ReadTxn& txn) {
                 auto r = ledger::ReadShopper(txn, id);
                 if (r.ok() && r->has_value()) out = **r;
                 return r.status();
               })
                .ok());
    return out;
  }
  std::optional<chain::Publication> Next() {
    std::optional<chain::Publication> out;
    REQUIRE(env->Write([&](store::WriteTxn& txn) {
                 auto r = model.NextPublication(txn, kSelf);
                 if (r.ok()) out = *r;
                 return r.status();
               })
                .ok());
    return out;
  }
  void Published(const chain::Publication& p, uint64_t seq) {
    REQUIRE(
        env->Write([&](store::WriteTxn& txn) { return model.CommitPublished(txn, p, seq); }).ok());
  }
  core::Status SetHere(std::string shopper, store::Override mode, int64_t at) {
    return env->Write([&](store::WriteTxn& txn) {
      return ledger::SetChainOverride(txn, shopper, mode, "op", "why", kSelf, at, true);
    });
  }
};

}  // namespace

TEST_CASE("a chain override round-trips and refuses what breaks a rule") {
  const auto o = Setting("s 1", store::Override::kAlwaysBlock, 5);
  auto back = chain::DecodeChainOverride("s_201", chain::EncodeChainOverride(o));
  REQUIRE(back.ok());
  CHECK(back->mode == store::Override::kAlwaysBlock);
  CHECK(back->origin_store == "store-a");
  CHECK_THAT(chain::DecodeChainOverride("other", chain::EncodeChainOverride(o)).status().message(),
             ContainsSubstring("belongs under s_201"));
  auto no_reason = o;
  no_reason.reason.clear();
  CHECK_FALSE(chain::DecodeChainOverride("s_201", chain::EncodeChainOverride(no_reason)).ok());
  CHECK_FALSE(chain::DecodeChainOverride("s_201", "{\"format\":1}").ok());
}

TEST_CASE("another store's chain block applies here; a later clear lifts it") {
  Fixture f;
  CHECK(f.Apply(Put(Setting("eve", store::Override::kAlwaysBlock, 10), 1)).outcome ==
        Outcome::kAdded);
  CHECK(f.Shopper("eve").EffectiveOverride() == store::Override::kAlwaysBlock);
  CHECK(f.Shopper("eve").override_mode == store::Override::kNone);  // the store's own: untouched
  CHECK_FALSE(f.Next());  // nothing of it is published back
  CHECK(f.Apply(Put(Setting("eve", store::Override::kNone, 20), 2)).outcome == Outcome::kAdded);
  CHECK(f.Shopper("eve").EffectiveOverride() == store::Override::kNone);
}

TEST_CASE("set here: published create-only, then compare-and-set; the echo changes nothing") {
  Fixture f;
  REQUIRE(f.SetHere("max", store::Override::kAlwaysAllow, 100).ok());
  auto p = f.Next();
  REQUIRE(p);
  CHECK(p->key == "max");
  CHECK(p->expected_revision == 0);
  f.Published(*p, 7);
  CHECK_FALSE(f.Next());
  CHECK(f.Apply({p->key, chain::BucketOp::kPut, p->value, 7}).outcome == Outcome::kUnchanged);
  REQUIRE(f.SetHere("max", store::Override::kNone, 90).ok());  // a clock behind: still later
  CHECK(f.Shopper("max").chain_override_at_ms == 101);
  p = f.Next();
  REQUIRE(p);
  CHECK(p->expected_revision == 7);
}

TEST_CASE("the later setting wins, whichever reaches this store first") {
  Fixture f;
  REQUIRE(f.SetHere("ann", store::Override::kAlwaysAllow, 500).ok());
  // An older block from store-a arrives: ours is later and stays; it is (re)queued.
  CHECK(f.Apply(Put(Setting("ann", store::Override::kAlwaysBlock, 400), 3)).outcome ==
        Outcome::kStale);
  CHECK(f.Shopper("ann").EffectiveOverride() == store::Override::kAlwaysAllow);
  auto p = f.Next();
  REQUIRE(p);
  CHECK(p->expected_revision == 3);
  // A later one from store-a: it wins here, and our queued one is dropped.
  CHECK(f.Apply(Put(Setting("ann", store::Override::kAlwaysBlock, 600), 4)).outcome ==
        Outcome::kAdded);
  CHECK(f.Shopper("ann").EffectiveOverride() == store::Override::kAlwaysBlock);
  CHECK_FALSE(f.Next());
}

TEST_CASE("after a snapshot, a setting gone from the bucket is cleared, or published again") {
  Fixture f;
  f.Apply(Put(Setting("gus", store::Override::kAlwaysBlock, 10), 1));
  REQUIRE(f.SetHere("hal", store::Override::kAlwaysBlock, 20).ok());
  f.Published(*f.Next(), 2);
  chain::SweepResult swept;
  REQUIRE(f.env
              ->Write([&](store::WriteTxn& txn) {
                auto r = f.model.Sweep(txn, 2, kSelf, 3000);
                if (r.ok()) swept = *r;
                return r.status();
              })
              .ok());
  CHECK(swept.removed == 1);
  CHECK(swept.republished == 1);
  CHECK(f.Shopper("gus").EffectiveOverride() == store::Override::kNone);
  CHECK(f.Shopper("hal").EffectiveOverride() == store::Override::kAlwaysBlock);
  auto p = f.Next();
  REQUIRE(p);
  CHECK(p->key == "hal");
  CHECK(p->expected_revision == 0);
}
