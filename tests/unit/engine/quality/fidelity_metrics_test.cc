// Known-answer tests of the report's fidelity metrics: TVDs hand-computed on small tables,
// Pearson correlations against numpy/pandas, and the dense and sparse counting paths against
// a reference count.
#include "engine/quality/fidelity_metrics.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace privet::engine::quality {
namespace {

struct ColumnSpec {
  std::string name;
  std::uint32_t domain_size;
  std::vector<std::uint32_t> codes;
};

EncodedTable MakeTable(const std::vector<ColumnSpec>& specs) {
  EncodedTable table;
  for (const auto& spec : specs) {
    EncodedColumn column(spec.name, spec.domain_size);
    for (auto code : spec.codes) column.push_back(code);
    table.AddColumn(std::move(column));
  }
  return table;
}

const double kNan = std::numeric_limits<double>::quiet_NaN();

TEST_CASE("1-way TVD of a hand-computed pair of distributions") {
  // real shares (1/2, 1/2, 0), synthetic (1/6, 3/6, 2/6):
  // TVD = 1/2 (|1/2 - 1/6| + 0 + |0 - 1/3|) = 1/3.
  const EncodedTable real = MakeTable({{"a", 3, {0, 0, 1, 1}}});
  const EncodedTable synthetic = MakeTable({{"a", 3, {0, 1, 1, 1, 2, 2}}});
  const std::size_t a[] = {0};
  CHECK(MarginalTvd(real, synthetic, a) == doctest::Approx(1.0 / 3).epsilon(1e-15));
  CHECK(MarginalTvd(real, real, a) == 0.0);
}

TEST_CASE("2-way TVD sees a broken relationship that 1-way TVDs miss") {
  // Real: (a, b) independent, each of the four cells 1/4. Synthetic: a == b, cells (0,0) and
  // (1,1) at 1/2. Both margins are uniform in both tables (1-way TVD 0), but
  // 2-way TVD = 1/2 (1/4 + 1/4 + 1/4 + 1/4) = 1/2.
  const EncodedTable real = MakeTable({{"a", 2, {0, 0, 1, 1}}, {"b", 2, {0, 1, 0, 1}}});
  const EncodedTable synthetic = MakeTable({{"a", 2, {0, 0, 1, 1}}, {"b", 2, {0, 0, 1, 1}}});
  const std::size_t a[] = {0};
  const std::size_t b[] = {1};
  const std::size_t ab[] = {0, 1};
  const std::size_t ba[] = {1, 0};
  CHECK(MarginalTvd(real, synthetic, a) == 0.0);
  CHECK(MarginalTvd(real, synthetic, b) == 0.0);
  CHECK(MarginalTvd(real, synthetic, ab) == doctest::Approx(0.5).epsilon(1e-15));
  CHECK(MarginalTvd(real, synthetic, ba) == doctest::Approx(0.5).epsilon(1e-15));

  const Eigen::MatrixXd matrix = PairwiseTvdMatrix(real, synthetic);
  CHECK(matrix.rows() == 2);
  CHECK(matrix(0, 0) == 0.0);
  CHECK(matrix(1, 1) == 0.0);
  CHECK(matrix(0, 1) == doctest::Approx(0.5));
  CHECK(matrix(1, 0) == matrix(0, 1));
}

TEST_CASE("TVD is 1 for disjoint supports") {
  const EncodedTable real = MakeTable({{"a", 4, {0, 1, 0, 1}}});
  const EncodedTable synthetic = MakeTable({{"a", 4, {2, 3, 3}}});
  const std::size_t a[] = {0};
  CHECK(MarginalTvd(real, synthetic, a) == doctest::Approx(1.0).epsilon(1e-15));
}

// Reference: TVD from std::map counts of the code tuples.
double ReferenceTvd(const EncodedTable& real, const EncodedTable& synthetic,
                    const std::vector<std::size_t>& columns) {
  std::map<std::vector<std::uint32_t>, std::pair<double, double>> cells;
  for (std::size_t r = 0; r < real.num_rows(); ++r) {
    std::vector<std::uint32_t> key;
    for (auto c : columns) key.push_back(real.column(c).at(r));
    cells[key].first += 1.0 / static_cast<double>(real.num_rows());
  }
  for (std::size_t r = 0; r < synthetic.num_rows(); ++r) {
    std::vector<std::uint32_t> key;
    for (auto c : columns) key.push_back(synthetic.column(c).at(r));
    cells[key].second += 1.0 / static_cast<double>(synthetic.num_rows());
  }
  double l1 = 0;
  for (const auto& [key, shares] : cells) l1 += std::abs(shares.first - shares.second);
  return 0.5 * l1;
}

EncodedTable RandomTable(std::size_t rows, const std::vector<std::uint32_t>& domains,
                         std::uint32_t seed) {
  std::mt19937 engine(seed);
  std::vector<ColumnSpec> specs;
  for (std::size_t j = 0; j < domains.size(); ++j) {
    // Appending (not "c" + std::to_string) sidesteps GCC 12's false -Wrestrict (PR 105329).
    ColumnSpec spec{std::string("c").append(std::to_string(j)), domains[j], {}};
    // Skewed codes (min of two uniforms) so cells have unequal, overlapping mass.
    std::uniform_int_distribution<std::uint32_t> code(0, domains[j] - 1);
    for (std::size_t r = 0; r < rows; ++r)
      spec.codes.push_back(std::min(code(engine), code(engine)));
    specs.push_back(std::move(spec));
  }
  return MakeTable(specs);
}

TEST_CASE("dense and sparse counting agree with a reference count") {
  // Narrow domains (8 x 5 x 3 = 120 cells) take the dense path through engine/table/marginals.h;
  // 3000^3 cells for 500 rows take the sort-merge path.
  for (const std::vector<std::uint32_t>& domains :
       {std::vector<std::uint32_t>{8, 5, 3}, std::vector<std::uint32_t>{3000, 3000, 3000}}) {
    const EncodedTable real = RandomTable(500, domains, 1);
    const EncodedTable synthetic = RandomTable(300, domains, 2);
    for (const std::vector<std::size_t>& set :
         {std::vector<std::size_t>{0}, std::vector<std::size_t>{0, 2},
          std::vector<std::size_t>{2, 0, 1}}) {
      CAPTURE(domains[0]);
      CAPTURE(set.size());
      CHECK(MarginalTvd(real, synthetic, set) ==
            doctest::Approx(ReferenceTvd(real, synthetic, set)).epsilon(1e-12));
    }
  }
}

TEST_CASE("MeanMarginalTvd averages every k-subset, or a seeded sample of them") {
  const std::vector<std::uint32_t> domains = {3, 4, 2, 5, 3};
  const EncodedTable real = RandomTable(200, domains, 3);
  const EncodedTable synthetic = RandomTable(150, domains, 4);

  // All C(5, 3) = 10 triples, checked against an explicit loop.
  double sum = 0;
  double max = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    for (std::size_t j = i + 1; j < 5; ++j) {
      for (std::size_t k = j + 1; k < 5; ++k) {
        const double tvd = ReferenceTvd(real, synthetic, {i, j, k});
        sum += tvd;
        max = std::max(max, tvd);
      }
    }
  }
  const WayTvd all = MeanMarginalTvd(real, synthetic, 3, 10, 0);
  CHECK(all.way == 3);
  CHECK(all.total_sets == 10);
  CHECK(all.evaluated_sets == 10);
  CHECK_FALSE(all.sampled);
  CHECK(all.mean == doctest::Approx(sum / 10).epsilon(1e-12));
  CHECK(all.max == doctest::Approx(max).epsilon(1e-12));

  const WayTvd sample = MeanMarginalTvd(real, synthetic, 3, 4, 7);
  CHECK(sample.total_sets == 10);
  CHECK(sample.evaluated_sets == 4);
  CHECK(sample.sampled);
  CHECK(sample.max <= max + 1e-12);
  // Same seed, same sample: two reports of one table pair are comparable.
  CHECK(MeanMarginalTvd(real, synthetic, 3, 4, 7).mean == sample.mean);

  const WayTvd whole = MeanMarginalTvd(real, synthetic, 5, 1, 0);
  CHECK(whole.total_sets == 1);
  CHECK(whole.mean == doctest::Approx(ReferenceTvd(real, synthetic, {0, 1, 2, 3, 4})));
}

TEST_CASE("bad inputs to the TVD functions are rejected") {
  const EncodedTable real = MakeTable({{"a", 2, {0, 1}}, {"b", 3, {0, 2}}});
  const EncodedTable other_domain = MakeTable({{"a", 3, {0, 1}}, {"b", 3, {0, 2}}});
  const EncodedTable other_name = MakeTable({{"x", 2, {0, 1}}, {"b", 3, {0, 2}}});
  const EncodedTable fewer = MakeTable({{"a", 2, {0, 1}}});
  EncodedTable empty;
  empty.AddColumn(EncodedColumn("a", 2));
  empty.AddColumn(EncodedColumn("b", 3));
  const std::size_t a[] = {0};
  const std::size_t out_of_range[] = {2};
  CHECK_THROWS_AS(MarginalTvd(real, other_domain, a), std::invalid_argument);
  CHECK_THROWS_AS(MarginalTvd(real, other_name, a), std::invalid_argument);
  CHECK_THROWS_AS(MarginalTvd(real, fewer, a), std::invalid_argument);
  CHECK_THROWS_AS(MarginalTvd(real, empty, a), std::invalid_argument);
  CHECK_THROWS_AS(MarginalTvd(empty, real, a), std::invalid_argument);
  CHECK_THROWS_AS(MarginalTvd(real, real, out_of_range), std::invalid_argument);
  CHECK_THROWS_AS(MeanMarginalTvd(real, real, 0, 10, 0), std::invalid_argument);
  CHECK_THROWS_AS(MeanMarginalTvd(real, real, 3, 10, 0), std::invalid_argument);
  CHECK_THROWS_AS(MeanMarginalTvd(real, real, 1, 0, 0), std::invalid_argument);
  CHECK_THROWS_AS(CodeShares(empty.column(0)), std::invalid_argument);
}

TEST_CASE("CodeShares covers the whole domain, unseen codes included") {
  const EncodedTable table = MakeTable({{"a", 4, {0, 0, 0, 2}}});
  const std::vector<double> shares = CodeShares(table.column(0));
  REQUIRE(shares.size() == 4);
  CHECK(shares[0] == 0.75);
  CHECK(shares[1] == 0.0);
  CHECK(shares[2] == 0.25);
  CHECK(shares[3] == 0.0);
}

TEST_CASE("Pearson correlation matches numpy and pandas") {
  // numpy 1.24: corrcoef([1,2,3,4,5], [2,4,5,4,5])[0,1] = 0.7745966692414834 (= sqrt(0.6)).
  Eigen::MatrixXd r = PearsonCorrelation({{1, 2, 3, 4, 5}, {2, 4, 5, 4, 5}, {5, 4, 3, 2, 1}});
  CHECK(r(0, 1) == doctest::Approx(std::sqrt(0.6)).epsilon(1e-12));
  CHECK(r(1, 0) == r(0, 1));
  CHECK(r(0, 2) == doctest::Approx(-1.0).epsilon(1e-15));
  CHECK(r(0, 0) == 1.0);

  // pandas 1.5 DataFrame.corr() with pairwise deletion of NaN:
  //   x = [1, 2, nan, 4, 5, 6], y = [2, nan, 3, 8, 10, 11], z = [1, 1, 1, 1, 1, 2]
  //   r(x, y) = 0.9952267030562385, r(x, z) = 0.6469966392206306,
  //   r(y, z) = 0.5745344379228119.
  r = PearsonCorrelation({{1, 2, kNan, 4, 5, 6}, {2, kNan, 3, 8, 10, 11}, {1, 1, 1, 1, 1, 2}});
  CHECK(r(0, 1) == doctest::Approx(0.9952267030562385).epsilon(1e-12));
  CHECK(r(0, 2) == doctest::Approx(0.6469966392206306).epsilon(1e-12));
  CHECK(r(1, 2) == doctest::Approx(0.5745344379228119).epsilon(1e-12));
}

TEST_CASE("Pearson correlation is undefined for constant or too sparse columns") {
  const Eigen::MatrixXd r = PearsonCorrelation({{1, 2, 3, 4}, {7, 7, 7, 7}, {kNan, kNan, kNan, 1}});
  CHECK(std::isnan(r(0, 1)));
  CHECK(std::isnan(r(1, 1)));
  CHECK(std::isnan(r(0, 2)));  // one complete pair only
  CHECK(r(0, 0) == 1.0);
  CHECK_THROWS_AS(PearsonCorrelation({{1, 2}, {1, 2, 3}}), std::invalid_argument);
}

TEST_CASE("mean absolute correlation difference over the upper triangle, NaN skipped") {
  Eigen::MatrixXd a(3, 3);
  Eigen::MatrixXd b(3, 3);
  a << 1, 0.5, kNan, 0.5, 1, -0.2, kNan, -0.2, 1;
  b << 1, 0.1, 0.3, 0.1, 1, 0.2, 0.3, 0.2, 1;
  // Pairs (0,1): |0.5 - 0.1| = 0.4; (1,2): |-0.2 - 0.2| = 0.4; (0,2) skipped. Mean 0.4.
  const std::optional<double> mad = MeanAbsoluteCorrelationDifference(a, b);
  REQUIRE(mad.has_value());
  CHECK(*mad == doctest::Approx(0.4).epsilon(1e-15));

  Eigen::MatrixXd undefined = Eigen::MatrixXd::Constant(2, 2, kNan);
  CHECK_FALSE(MeanAbsoluteCorrelationDifference(undefined, undefined).has_value());
  CHECK_THROWS_AS(MeanAbsoluteCorrelationDifference(a, undefined), std::invalid_argument);
}

}  // namespace
}  // namespace privet::engine::quality
