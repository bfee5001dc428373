// Known answers for the report's disclosure figures (disclosure.h) and leakage check
// (leakage.h), on tables small enough to count by hand.
#include "engine/quality/disclosure.h"

#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/quality/leakage.h"

namespace privet::engine::quality {
namespace {

// A table of `rows`, each a list of codes; every column has domain `domain`.
EncodedTable Table(const std::vector<std::vector<std::uint32_t>>& rows, std::uint32_t domain) {
  EncodedTable table;
  const std::size_t columns = rows.front().size();
  for (std::size_t j = 0; j < columns; ++j) {
    std::string name = "c";  // appended: GCC 12's -Wrestrict misfires on "c" + to_string
    name += std::to_string(j);
    EncodedColumn column(name, domain);
    for (const auto& row : rows) column.push_back(row[j]);
    table.AddColumn(std::move(column));
  }
  return table;
}

TEST_CASE("a synthetic table that copies its input: every row a copy, DCR 0, advantage 1") {
  // Members and withheld rows differ in every attribute from each other's rows.
  const EncodedTable members = Table({{0, 0, 0}, {0, 1, 0}, {1, 0, 0}, {1, 1, 0}}, 4);
  const EncodedTable withheld = Table({{2, 2, 2}, {3, 3, 3}, {2, 3, 2}}, 4);
  const DisclosureReport d = ComputeDisclosure(members, withheld, members, HoldoutKind::kWithheld);
  CHECK(d.exact_copy_share == 1.0);
  CHECK(d.expected_exact_copy_share == 0.0);
  CHECK(d.synthetic_dcr.share_zero == 1.0);
  CHECK(d.synthetic_dcr.median == 0.0);
  CHECK(d.synthetic_dcr.mean == 0.0);
  CHECK(d.holdout_dcr.median == 3.0);  // withheld rows share no code with any member
  REQUIRE(d.attack.has_value());
  CHECK(d.attack->advantage == 1.0);
  CHECK(d.attack->threshold == 0);
  CHECK(d.attack->true_positive_rate == 1.0);
  CHECK(d.attack->false_positive_rate == 0.0);
}

TEST_CASE("hand-counted copies, distances and attack on three binary attributes") {
  const EncodedTable reference = Table({{0, 0, 0}, {1, 1, 1}}, 2);
  // Synthetic: one copy of row 0, one row at distance 1 from row 0, one at distance 1 from
  // row 1 (110 is 1 from 111 and 2 from 000).
  const EncodedTable synthetic = Table({{0, 0, 0}, {0, 0, 1}, {1, 1, 0}}, 2);
  // Holdout: 111 is a coincidental copy; 010 is 1 from 000.
  const EncodedTable holdout = Table({{1, 1, 1}, {0, 1, 0}}, 2);
  const DisclosureReport d =
      ComputeDisclosure(reference, holdout, synthetic, HoldoutKind::kWithheld);
  CHECK(d.dimension == 3);
  CHECK(d.exact_copy_share == doctest::Approx(1.0 / 3));
  CHECK(d.expected_exact_copy_share == doctest::Approx(0.5));
  CHECK(d.synthetic_dcr.cdf == std::vector<double>{1.0 / 3, 1, 1, 1});
  CHECK(d.synthetic_dcr.median == 1.0);
  CHECK(d.synthetic_dcr.mean == doctest::Approx(2.0 / 3));
  CHECK(d.holdout_dcr.cdf == std::vector<double>{0.5, 1, 1, 1});
  // Attack: members 000 (a copy in the synthetic set, distance 0) and 111 (1 from 110);
  // withheld 111 (distance 1) and 010 (1 from 000). F_member = {1/2, 1, ...},
  // F_non = {0, 1, ...}: the best cut is distance 0, TPR 1/2, FPR 0.
  REQUIRE(d.attack.has_value());
  CHECK(d.attack->advantage == doctest::Approx(0.5));
  CHECK(d.attack->threshold == 0);
  CHECK(d.attack->true_positive_rate == doctest::Approx(0.5));
  CHECK(d.attack->false_positive_rate == 0.0);
  // sqrt(-ln 0.05 / 2 * (2 + 2) / (2 * 2)) = sqrt(ln 20 / 2).
  CHECK(d.attack->chance_level_95 == doctest::Approx(std::sqrt(std::log(20.0) / 2)));
}

TEST_CASE("a split of the release's own input gives baselines but no membership attack") {
  const EncodedTable reference = Table({{0, 0}, {1, 1}}, 2);
  const EncodedTable split = Table({{0, 1}}, 2);
  const DisclosureReport d =
      ComputeDisclosure(reference, split, reference, HoldoutKind::kSplitOfReleaseInput);
  CHECK(d.exact_copy_share == 1.0);
  CHECK(d.holdout_dcr.median == 1.0);
  CHECK_FALSE(d.attack.has_value());
}

TEST_CASE("query rows are sampled evenly when there are more than max_query_rows") {
  std::vector<std::vector<std::uint32_t>> rows;
  for (std::uint32_t i = 0; i < 10; ++i) rows.push_back({i % 2, i % 5});
  const EncodedTable table = Table(rows, 5);
  const DisclosureReport d = ComputeDisclosure(table, table, table, HoldoutKind::kWithheld,
                                               DisclosureOptions{.max_query_rows = 4});
  CHECK(d.synthetic_dcr.rows == 4);
  CHECK(d.exact_copy_share == 1.0);   // exact copies always count every row
  CHECK(d.attack->advantage == 0.0);  // members and non-members are the same rows
}

TEST_CASE("mismatched tables are refused") {
  const EncodedTable two = Table({{0, 0}}, 2);
  const EncodedTable three = Table({{0, 0, 0}}, 2);
  const EncodedTable wider_domain = Table({{0, 0}}, 3);
  CHECK_THROWS_AS(ComputeDisclosure(two, three, two, HoldoutKind::kWithheld),
                  std::invalid_argument);
  CHECK_THROWS_AS(ComputeDisclosure(two, wider_domain, two, HoldoutKind::kWithheld),
                  std::invalid_argument);
}

TEST_CASE("the DP bound on a membership attack's advantage") {
  // (e^eps - 1 + 2 delta) / (e^eps + 1): 0 at eps 0, 1/2 at eps ln 3, tanh(eps / 2) when pure.
  CHECK(MembershipAdvantageBound(0, 0) == 0.0);
  CHECK(MembershipAdvantageBound(std::log(3.0), 0) == doctest::Approx(0.5));
  CHECK(MembershipAdvantageBound(std::log(3.0), 0.1) == doctest::Approx(0.55));
  CHECK(MembershipAdvantageBound(1.0, 0) == doctest::Approx(std::tanh(0.5)));
  CHECK(MembershipAdvantageBound(50, 0) == doctest::Approx(1.0));
  CHECK(MembershipAdvantageBound(1, 1) == 1.0);
  CHECK_THROWS_AS(MembershipAdvantageBound(-1, 0), std::invalid_argument);
}

TEST_CASE("leakage: a copy of the target is flagged, an independent attribute is not") {
  // Columns: target, copy of target, independent of target (each pair of values equally often),
  // and a column that agrees with the target on 7 of 8 rows.
  const EncodedTable table = Table({{0, 0, 0, 0},
                                    {0, 0, 1, 0},
                                    {0, 0, 0, 0},
                                    {0, 0, 1, 1},
                                    {1, 1, 0, 1},
                                    {1, 1, 1, 1},
                                    {1, 1, 0, 1},
                                    {1, 1, 1, 1}},
                                   2);
  const LeakageCheck check = CheckLeakage(table, 0);
  CHECK(check.majority_accuracy == 0.5);
  CHECK(check.target_entropy_bits == doctest::Approx(1.0));
  REQUIRE(check.all.size() == 3);
  CHECK(check.all[0].single_attribute_accuracy == 1.0);
  CHECK(check.all[0].error_reduction == 1.0);
  CHECK(check.all[0].mutual_information_share == doctest::Approx(1.0));
  CHECK(check.all[1].single_attribute_accuracy == 0.5);
  CHECK(check.all[1].error_reduction == 0.0);
  CHECK(check.all[1].mutual_information_share == doctest::Approx(0.0));
  // 7 of 8: error reduction (7/8 - 1/2) / (1/2) = 3/4; H(Y|X) = (3/8) * 0 + (5/8) * H(1/5)
  // with H(1/5) = 0.7219 bits, so the MI share is 1 - 0.4512 = 0.5488.
  CHECK(check.all[2].error_reduction == doctest::Approx(0.75));
  CHECK(check.all[2].mutual_information_share == doctest::Approx(0.54879).epsilon(1e-4));
  // Flagged at kLeakageThreshold 0.5: the copy and the 7-of-8 column, not the independent one.
  REQUIRE(check.flagged.size() == 2);
  CHECK(check.flagged[0].column == 1);
  CHECK(check.flagged[1].column == 3);
}

}  // namespace
}  // namespace privet::engine::quality
