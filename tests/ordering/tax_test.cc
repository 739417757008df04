#include "ordering/tax.h"

#include <catch2/catch_test_macros.hpp>

#include <vector>

namespace jwo::ordering {
namespace {

// state 6.25%, city 2%; categories: general (both), exempt.
TaxTable Table() {
  TaxTable t;
  t.rates = {{"state", "State", 62'500}, {"city", "City", 20'000}};
  t.categories = {{"general", false, {0, 1}}, {"grocery", true, {}}};
  return t;
}

TEST_CASE("line level rounds each line and each rate on its own") {
  const TaxTable t = Table();
  const TaxCategory* general = t.FindCategory("general");
  const std::vector<TaxableLine> lines = {{30, general}, {1000, general}};
  const auto tax = ComputeTaxes(t, {RoundingMode::kHalfUp, RoundingLevel::kLine}, lines);
  // 30: 1.875 -> 2 and 0.6 -> 1. 1000: 62.5 -> 63 and 20.
  CHECK(tax[0] == std::vector<int64_t>{2, 1});
  CHECK(tax[1] == std::vector<int64_t>{63, 20});
}

TEST_CASE("exempt lines carry no rates") {
  const TaxTable t = Table();
  const std::vector<TaxableLine> lines = {{500, t.FindCategory("grocery")}};
  const auto tax = ComputeTaxes(t, {}, lines);
  CHECK(tax[0].empty());
  CHECK(t.CombinedPpm(*t.FindCategory("grocery")) == 0);
  CHECK(t.CombinedPpm(*t.FindCategory("general")) == 82'500);
  CHECK(t.FindCategory("nope") == nullptr);
}

TEST_CASE("total level rounds each rate once and shares it by largest remainder") {
  const TaxTable t = Table();
  const TaxCategory* general = t.FindCategory("general");
  // state: 10 x 6.25% = 0.625, 20 -> 1.25, 30 -> 1.875; sum 3.75 -> 4 (half up).
  // Floors 0, 1, 1 = 2; 2 cents left go to the largest remainders: .875 (line 2), .625
  // (line 0): 1, 1, 2.
  // city: 0.2, 0.4, 0.6; sum 1.2 -> 1; floors 0; the cent goes to .6 (line 2).
  const std::vector<TaxableLine> lines = {{10, general}, {20, general}, {30, general}};
  const auto tax = ComputeTaxes(t, {RoundingMode::kHalfUp, RoundingLevel::kTotal}, lines);
  CHECK(tax[0] == std::vector<int64_t>{1, 0});
  CHECK(tax[1] == std::vector<int64_t>{1, 0});
  CHECK(tax[2] == std::vector<int64_t>{2, 1});
}

TEST_CASE("total level with mode down still hands out what the floors leave") {
  const TaxTable t = Table();
  const TaxCategory* general = t.FindCategory("general");
  // state: three lines of 0.625 -> sum 1.875 -> 1 (down); floors 0: the first line gets it.
  const std::vector<TaxableLine> lines = {{10, general}, {10, general}, {10, general}};
  const auto tax = ComputeTaxes(t, {RoundingMode::kDown, RoundingLevel::kTotal}, lines);
  CHECK(tax[0][0] == 1);
  CHECK(tax[1][0] == 0);
  CHECK(tax[2][0] == 0);
}

TEST_CASE("a zero net pays no tax at either level") {
  const TaxTable t = Table();
  const std::vector<TaxableLine> lines = {{0, t.FindCategory("general")}};
  for (RoundingLevel level : {RoundingLevel::kLine, RoundingLevel::kTotal}) {
    const auto tax = ComputeTaxes(t, {RoundingMode::kUp, level}, lines);
    CHECK(tax[0] == std::vector<int64_t>{0, 0});
  }
}

}  // namespace
}  // namespace jwo::ordering
