#include "engine/quality/disclosure.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_set>

namespace privet::engine::quality {
namespace {

// The table's codes row by row, for the distance loops.
struct RowMatrix {
  std::size_t rows = 0;
  std::size_t columns = 0;
  std::vector<std::uint32_t> codes;  // rows x columns, row-major
  const std::uint32_t* row(std::size_t r) const { return codes.data() + r * columns; }
};

RowMatrix ToRows(const EncodedTable& table) {
  RowMatrix m;
  m.rows = table.num_rows();
  m.columns = table.num_columns();
  m.codes.resize(m.rows * m.columns);
  for (std::size_t j = 0; j < m.columns; ++j) {
    const EncodedColumn& column = table.column(j);
    for (std::size_t r = 0; r < m.rows; ++r) m.codes[r * m.columns + j] = column.at(r);
  }
  return m;
}

std::string Key(const RowMatrix& m, std::size_t r) {
  return std::string(reinterpret_cast<const char*>(m.row(r)), m.columns * sizeof(std::uint32_t));
}

double CopyShare(const RowMatrix& query, const std::unordered_set<std::string>& reference) {
  std::size_t copies = 0;
  for (std::size_t r = 0; r < query.rows; ++r) copies += reference.count(Key(query, r));
  return static_cast<double>(copies) / static_cast<double>(query.rows);
}

// Evenly spaced rows 0, n/k, 2n/k, ...: deterministic and spread over the file.
std::vector<std::size_t> SampleRows(std::size_t n, std::size_t at_most) {
  const std::size_t k = std::min(n, at_most);
  std::vector<std::size_t> rows(k);
  for (std::size_t i = 0; i < k; ++i) rows[i] = i * n / k;
  return rows;
}

// Hamming distance from each sampled query row to its closest reference row. Each scan stops
// early once a row cannot beat the best so far, and the whole search at distance 0.
std::vector<std::size_t> ClosestDistances(const RowMatrix& query,
                                          std::span<const std::size_t> sample,
                                          const RowMatrix& reference) {
  std::vector<std::size_t> out;
  out.reserve(sample.size());
  const std::size_t d = query.columns;
  for (std::size_t q : sample) {
    const std::uint32_t* a = query.row(q);
    std::size_t best = d;
    for (std::size_t r = 0; r < reference.rows && best > 0; ++r) {
      const std::uint32_t* b = reference.row(r);
      std::size_t distance = 0;
      for (std::size_t j = 0; j < d && distance < best; ++j) distance += a[j] != b[j];
      best = std::min(best, distance);
    }
    out.push_back(best);
  }
  return out;
}

std::vector<double> Cdf(const std::vector<std::size_t>& distances, std::size_t dimension) {
  std::vector<double> cdf(dimension + 1, 0);
  for (std::size_t distance : distances) cdf[distance] += 1;
  double running = 0;
  for (double& c : cdf) {
    running += c;
    c = running / static_cast<double>(distances.size());
  }
  return cdf;
}

DistanceSummary Summarize(std::vector<std::size_t> distances, std::size_t dimension) {
  DistanceSummary s;
  s.rows = distances.size();
  s.cdf = Cdf(distances, dimension);
  s.share_zero = s.cdf[0];
  double total = 0;
  for (std::size_t distance : distances) total += static_cast<double>(distance);
  s.mean = total / static_cast<double>(distances.size());
  std::sort(distances.begin(), distances.end());
  s.median = static_cast<double>(distances[(distances.size() - 1) / 2]);
  return s;
}

}  // namespace

DisclosureReport ComputeDisclosure(const EncodedTable& reference, const EncodedTable& holdout,
                                   const EncodedTable& synthetic, HoldoutKind holdout_kind,
                                   const DisclosureOptions& options) {
  for (const EncodedTable* table : {&reference, &holdout, &synthetic}) {
    if (table->num_rows() == 0) throw std::invalid_argument("disclosure: a table has no rows");
    if (table->num_columns() != reference.num_columns() || reference.num_columns() == 0) {
      throw std::invalid_argument("disclosure: the tables have different columns");
    }
    for (std::size_t j = 0; j < reference.num_columns(); ++j) {
      if (table->column(j).domain_size() != reference.column(j).domain_size()) {
        throw std::invalid_argument("disclosure: the tables have different domains");
      }
    }
  }
  if (options.max_query_rows == 0) throw std::invalid_argument("disclosure: max_query_rows 0");
  const RowMatrix ref = ToRows(reference);
  const RowMatrix hold = ToRows(holdout);
  const RowMatrix synth = ToRows(synthetic);

  DisclosureReport report;
  report.holdout_kind = holdout_kind;
  report.dimension = ref.columns;
  report.reference_rows = ref.rows;
  report.holdout_rows = hold.rows;
  report.synthetic_rows = synth.rows;

  std::unordered_set<std::string> reference_keys;
  reference_keys.reserve(ref.rows);
  for (std::size_t r = 0; r < ref.rows; ++r) reference_keys.insert(Key(ref, r));
  report.exact_copy_share = CopyShare(synth, reference_keys);
  report.expected_exact_copy_share = CopyShare(hold, reference_keys);

  const std::vector<std::size_t> synthetic_sample = SampleRows(synth.rows, options.max_query_rows);
  const std::vector<std::size_t> holdout_sample = SampleRows(hold.rows, options.max_query_rows);
  report.synthetic_dcr = Summarize(ClosestDistances(synth, synthetic_sample, ref), ref.columns);
  report.holdout_dcr = Summarize(ClosestDistances(hold, holdout_sample, ref), ref.columns);

  if (holdout_kind == HoldoutKind::kWithheld) {
    // Members: reference rows; non-members: withheld rows; score: distance to the synthetic
    // set. Guessing "member" at distance <= t gives TPR = F_member(t), FPR = F_non(t).
    const std::vector<std::size_t> member_sample = SampleRows(ref.rows, options.max_query_rows);
    const std::vector<double> members =
        Cdf(ClosestDistances(ref, member_sample, synth), ref.columns);
    const std::vector<double> non_members =
        Cdf(ClosestDistances(hold, holdout_sample, synth), ref.columns);
    MembershipAttack attack;
    attack.member_rows = member_sample.size();
    attack.non_member_rows = holdout_sample.size();
    for (std::size_t t = 0; t <= ref.columns; ++t) {
      const double gain = members[t] - non_members[t];
      if (gain > attack.advantage) {
        attack.advantage = gain;
        attack.threshold = t;
        attack.true_positive_rate = members[t];
        attack.false_positive_rate = non_members[t];
      }
    }
    const auto n = static_cast<double>(attack.member_rows);
    const auto m = static_cast<double>(attack.non_member_rows);
    attack.chance_level_95 = std::sqrt(-std::log(0.05) / 2 * (n + m) / (n * m));
    report.attack = attack;
  }
  return report;
}

double MembershipAdvantageBound(double epsilon, double delta) {
  if (!(epsilon >= 0) || !(delta >= 0)) {
    throw std::invalid_argument("membership bound: epsilon and delta must be >= 0");
  }
  if (std::isinf(epsilon)) return 1;
  return std::min(1.0, (std::expm1(epsilon) + 2 * delta) / (std::exp(epsilon) + 1));
}

}  // namespace privet::engine::quality
