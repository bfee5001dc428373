#include "engine/quality/fidelity_metrics.h"

#include <algorithm>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "engine/table/marginals.h"

namespace privet::engine::quality {
namespace {

// A marginal with few cells relative to the rows is counted densely (engine/table/marginals.h); a
// sparse one (a 3-way set of wide attributes: far more cells than rows) by sorting the rows'
// cell indices, whose cost is bounded by the rows rather than the cells.
constexpr std::uint64_t kDenseCellFloor = std::uint64_t{1} << 16;

void CheckSameColumns(const EncodedTable& real, const EncodedTable& synthetic,
                      std::span<const std::size_t> columns) {
  if (real.num_rows() == 0 || synthetic.num_rows() == 0) {
    throw std::invalid_argument("TVD: the real or the synthetic table has no rows");
  }
  if (real.num_columns() != synthetic.num_columns()) {
    throw std::invalid_argument(
        "TVD: the tables have different columns (encode both with the "
        "same schema)");
  }
  for (std::size_t c : columns) {
    if (c >= real.num_columns()) {
      throw std::invalid_argument("TVD: column index " + std::to_string(c) + " out of range");
    }
    if (real.column(c).domain_size() != synthetic.column(c).domain_size() ||
        real.column(c).name() != synthetic.column(c).name()) {
      throw std::invalid_argument("TVD: column '" + real.column(c).name() +
                                  "' differs between the tables");
    }
  }
}

// The mixed-radix cell index of each row over `columns` (first column most significant).
std::vector<std::uint64_t> CellIndices(const EncodedTable& table,
                                       std::span<const std::size_t> columns) {
  std::vector<std::uint64_t> cells(table.num_rows(), 0);
  for (std::size_t c : columns) {
    const std::uint64_t radix = table.column(c).domain_size();
    table.column(c).Visit([&](const auto& codes) {
      for (std::size_t r = 0; r < codes.size(); ++r) cells[r] = cells[r] * radix + codes[r];
    });
  }
  return cells;
}

std::uint64_t CellCount(const EncodedTable& table, std::span<const std::size_t> columns) {
  std::uint64_t product = 1;
  for (std::size_t c : columns) {
    const std::uint64_t size = table.column(c).domain_size();
    if (product > std::numeric_limits<std::uint64_t>::max() / size) {
      throw std::invalid_argument("TVD: the marginal has more than 2^64 cells");
    }
    product *= size;
  }
  return product;
}

}  // namespace

double MarginalTvd(const EncodedTable& real, const EncodedTable& synthetic,
                   std::span<const std::size_t> columns) {
  CheckSameColumns(real, synthetic, columns);
  const double real_rows = static_cast<double>(real.num_rows());
  const double synthetic_rows = static_cast<double>(synthetic.num_rows());
  const std::uint64_t num_cells = CellCount(real, columns);

  double l1 = 0;
  if (num_cells <=
      std::max<std::uint64_t>(kDenseCellFloor, 8 * (real.num_rows() + synthetic.num_rows()))) {
    const Marginal real_counts = ComputeMarginal(real, columns);
    const Marginal synthetic_counts = ComputeMarginal(synthetic, columns);
    for (std::size_t cell = 0; cell < real_counts.num_cells(); ++cell) {
      if (real_counts.counts[cell] == 0 && synthetic_counts.counts[cell] == 0) continue;
      l1 += std::abs(static_cast<double>(real_counts.counts[cell]) / real_rows -
                     static_cast<double>(synthetic_counts.counts[cell]) / synthetic_rows);
    }
  } else {
    std::vector<std::uint64_t> real_cells = CellIndices(real, columns);
    std::vector<std::uint64_t> synthetic_cells = CellIndices(synthetic, columns);
    // Merge the two sorted index lists run by run; a cell absent from one side has share 0.
    std::sort(real_cells.begin(), real_cells.end());
    std::sort(synthetic_cells.begin(), synthetic_cells.end());
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < real_cells.size() || j < synthetic_cells.size()) {
      const std::uint64_t cell = std::min(
          i < real_cells.size() ? real_cells[i] : std::numeric_limits<std::uint64_t>::max(),
          j < synthetic_cells.size() ? synthetic_cells[j]
                                     : std::numeric_limits<std::uint64_t>::max());
      std::size_t real_count = 0;
      std::size_t synthetic_count = 0;
      while (i < real_cells.size() && real_cells[i] == cell) ++i, ++real_count;
      while (j < synthetic_cells.size() && synthetic_cells[j] == cell) ++j, ++synthetic_count;
      l1 += std::abs(static_cast<double>(real_count) / real_rows -
                     static_cast<double>(synthetic_count) / synthetic_rows);
    }
  }
  return 0.5 * l1;
}

WayTvd MeanMarginalTvd(const EncodedTable& real, const EncodedTable& synthetic, std::size_t way,
                       std::size_t max_sets, std::uint64_t seed) {
  const std::size_t n = real.num_columns();
  if (way == 0 || way > n) {
    throw std::invalid_argument("TVD: way " + std::to_string(way) + " outside [1, " +
                                std::to_string(n) + "]");
  }
  if (max_sets == 0) throw std::invalid_argument("TVD: max_sets must be >= 1");

  // Every k-subset in lexicographic order (itertools.combinations' order).
  std::vector<std::vector<std::size_t>> sets;
  std::vector<std::size_t> current(way);
  for (std::size_t i = 0; i < way; ++i) current[i] = i;
  while (true) {
    sets.push_back(current);
    std::size_t i = way;
    while (i > 0 && current[i - 1] == n - way + (i - 1)) --i;
    if (i == 0) break;
    ++current[i - 1];
    for (std::size_t k = i; k < way; ++k) current[k] = current[k - 1] + 1;
  }

  WayTvd result;
  result.way = way;
  result.total_sets = sets.size();
  if (sets.size() > max_sets) {
    // Partial Fisher-Yates: the first max_sets entries become a uniform sample without
    // replacement (Knuth, TAOCP vol. 2, Sec. 3.4.2).
    boost::random::mt19937_64 engine(seed);
    for (std::size_t i = 0; i < max_sets; ++i) {
      boost::random::uniform_int_distribution<std::size_t> pick(i, sets.size() - 1);
      std::swap(sets[i], sets[pick(engine)]);
    }
    sets.resize(max_sets);
    result.sampled = true;
  }
  result.evaluated_sets = sets.size();
  double sum = 0;
  for (const auto& set : sets) {
    const double tvd = MarginalTvd(real, synthetic, set);
    sum += tvd;
    result.max = std::max(result.max, tvd);
  }
  result.mean = sum / static_cast<double>(sets.size());
  return result;
}

Eigen::MatrixXd PairwiseTvdMatrix(const EncodedTable& real, const EncodedTable& synthetic) {
  const std::size_t n = real.num_columns();
  Eigen::MatrixXd matrix =
      Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t single[] = {i};
    const auto ii = static_cast<Eigen::Index>(i);
    matrix(ii, ii) = MarginalTvd(real, synthetic, single);
    for (std::size_t j = i + 1; j < n; ++j) {
      const std::size_t pair[] = {i, j};
      const auto jj = static_cast<Eigen::Index>(j);
      matrix(ii, jj) = matrix(jj, ii) = MarginalTvd(real, synthetic, pair);
    }
  }
  return matrix;
}

std::vector<double> CodeShares(const EncodedColumn& column) {
  if (column.size() == 0) {
    throw std::invalid_argument("column '" + column.name() + "' has no rows");
  }
  std::vector<double> shares(column.domain_size(), 0.0);
  column.Visit([&](const auto& codes) {
    for (auto code : codes) shares[code] += 1.0;
  });
  for (double& share : shares) share /= static_cast<double>(column.size());
  return shares;
}

Eigen::MatrixXd PearsonCorrelation(const std::vector<std::vector<double>>& columns) {
  const std::size_t n = columns.size();
  for (const auto& column : columns) {
    if (column.size() != columns.front().size()) {
      throw std::invalid_argument("Pearson correlation: columns of different lengths");
    }
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Eigen::MatrixXd matrix =
      Eigen::MatrixXd::Constant(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n), nan);
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = a; b < n; ++b) {
      const auto& x = columns[a];
      const auto& y = columns[b];
      // Two passes over the complete pairs: the means first, then centred sums, which avoids
      // the cancellation of the one-pass sum-of-squares formula.
      double count = 0;
      double sum_x = 0;
      double sum_y = 0;
      for (std::size_t r = 0; r < x.size(); ++r) {
        if (std::isnan(x[r]) || std::isnan(y[r])) continue;
        ++count;
        sum_x += x[r];
        sum_y += y[r];
      }
      if (count < 2) continue;
      const double mean_x = sum_x / count;
      const double mean_y = sum_y / count;
      double sxx = 0;
      double syy = 0;
      double sxy = 0;
      for (std::size_t r = 0; r < x.size(); ++r) {
        if (std::isnan(x[r]) || std::isnan(y[r])) continue;
        const double dx = x[r] - mean_x;
        const double dy = y[r] - mean_y;
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
      }
      if (sxx <= 0 || syy <= 0) continue;
      // Clamped: rounding can push |r| a hair above 1 for perfectly linear columns.
      const double r_xy = std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
      const auto ia = static_cast<Eigen::Index>(a);
      const auto ib = static_cast<Eigen::Index>(b);
      matrix(ia, ib) = matrix(ib, ia) = r_xy;
    }
  }
  return matrix;
}

std::optional<double> MeanAbsoluteCorrelationDifference(const Eigen::MatrixXd& a,
                                                        const Eigen::MatrixXd& b) {
  if (a.rows() != a.cols() || b.rows() != b.cols() || a.rows() != b.rows()) {
    throw std::invalid_argument("correlation difference: matrices of different shapes");
  }
  double sum = 0;
  std::size_t count = 0;
  for (Eigen::Index i = 0; i < a.rows(); ++i) {
    for (Eigen::Index j = i + 1; j < a.cols(); ++j) {
      if (std::isnan(a(i, j)) || std::isnan(b(i, j))) continue;
      sum += std::abs(a(i, j) - b(i, j));
      ++count;
    }
  }
  if (count == 0) return std::nullopt;
  return sum / static_cast<double>(count);
}

}  // namespace privet::engine::quality
