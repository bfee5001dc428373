#include "engine/generator/pair_selection.h"

#include <algorithm>
#include <boost/random/mersenne_twister.hpp>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "engine/generator/conditionals.h"
#include "engine/generator/domain_compression.h"
#include "engine/generator/network_structure.h"
#include "engine/generator/pair_calibration.h"
#include "engine/generator/sampler.h"
#include "privacy/errors.h"
#include "privacy/exponential_mechanism.h"

namespace privet::engine {
namespace {

constexpr double kSqrtTwoOverPi = 0.7978845608028654;
__extension__ typedef __int128 Int128;

struct Candidate {
  std::size_t first = 0, second = 0;
  std::size_t cells = 0;
  std::vector<std::uint64_t> data_counts;  // scoring rows over the pair levels
  std::vector<std::uint64_t> all_counts;   // all rows (without a subsample: data_counts)
  std::int64_t penalty = 0;                // grid units, public
};

// Counts of rows over (first, second) levels, cell = level_first * levels_second + level_second.
template <typename Weight>
void CountPair(const std::vector<std::uint8_t>& first, const std::vector<std::uint8_t>& second,
               std::size_t second_levels, const std::vector<Weight>* weights,
               std::vector<Weight>& out) {
  for (std::size_t r = 0; r < first.size(); ++r) {
    out[first[r] * second_levels + second[r]] += weights ? (*weights)[r] : Weight{1};
  }
}

// S = sum_cells |2^G c(cell) - e(cell)| - penalty, in grid units, with e(cell) =
// round(2^G f n_hat q(cell)) public. Exact in 128 bits; clamped to +-kMaxGridScore.
std::int64_t ScoreOnGrid(const Candidate& candidate, const std::vector<double>& model_counts,
                         double expected_scale) {
  constexpr double kGrid = static_cast<double>(std::int64_t{1} << kScoreGridBits);
  Int128 sum = 0;
  for (std::size_t cell = 0; cell < candidate.cells; ++cell) {
    const double e = std::min(std::round(kGrid * expected_scale * model_counts[cell]), 0x1p62);
    const Int128 expected = static_cast<Int128>(static_cast<std::int64_t>(e));
    const Int128 data = static_cast<Int128>(candidate.data_counts[cell]) << kScoreGridBits;
    sum += data > expected ? data - expected : expected - data;
  }
  sum -= candidate.penalty;
  const Int128 limit = kMaxGridScore;
  return static_cast<std::int64_t>(std::clamp(sum, -limit, limit));
}

}  // namespace

PairSelectionResult SelectAndMeasurePairs(MarginalSource& table, const BayesNetModel& network,
                                          const SynthesisPlan& plan, double n_hat,
                                          privacy::RandomSource& noise) {
  PairSelectionResult result;
  const std::size_t rounds = plan.num_pair_selections;
  const std::size_t k = plan.attributes.size();
  if (rounds == 0) return result;
  if (table.domain_sizes().size() != k || network.attributes().size() != k) {
    throw InputError("pair selection: the table and the model must have the plan's attributes");
  }
  const auto& compression = network.compression();
  const double m = plan.histogram_sensitivity;
  const double pair_sd = plan.pair.StdDev();

  // The scoring rows: all rows, or a Poisson subsample of about max_scoring_rows (secure coins,
  // the same rule as the structure search; docs/privacy.md: sensitivity unchanged).
  // The rows are seen only through counts over the pair levels (a view of `table`).
  double fraction = 1;
  std::vector<std::size_t> all(k);
  std::vector<CodeMap> level_maps(k);
  for (std::size_t a = 0; a < k; ++a) {
    all[a] = a;
    level_maps[a].domain_size = compression[a].num_pair_levels;
    for (std::uint32_t group : compression[a].group_of_code) {
      level_maps[a].code_of.push_back(compression[a].pair_level_of_group[group]);
    }
  }
  const std::unique_ptr<MarginalSource> data_levels = table.View(all, level_maps);
  std::unique_ptr<MarginalSource> scoring_levels;
  const bool subsample = n_hat > static_cast<double>(plan.options.max_scoring_rows);
  if (subsample) {
    fraction = static_cast<double>(plan.options.max_scoring_rows) / n_hat;
    scoring_levels = data_levels->Subsample(fraction, noise);
  }
  MarginalSource& scoring = subsample ? *scoring_levels : *data_levels;
  std::vector<std::vector<std::size_t>> pair_sets;
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t b = a + 1; b < k; ++b) pair_sets.push_back({a, b});
  }
  // Every pair's counts on the scoring rows in one batch (cells level_a * levels_b + level_b).
  // Without a subsample they are also what a selected pair's measurement noises, so a round
  // reads nothing more of the data; with one, each round counts its pair on all rows.
  std::vector<Marginal> scoring_counts = scoring.CountBatch(pair_sets);
  std::size_t next_pair = 0;

  // Candidates, with their data counts on the scoring rows (computed once: the data is fixed).
  constexpr double kGrid = static_cast<double>(std::int64_t{1} << kScoreGridBits);
  std::vector<Candidate> useful, others;
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t b = a + 1; b < k; ++b) {
      Candidate c;
      c.first = a;
      c.second = b;
      c.cells =
          static_cast<std::size_t>(compression[a].num_pair_levels) * compression[b].num_pair_levels;
      const double noise_l1 = kSqrtTwoOverPi * pair_sd * static_cast<double>(c.cells);
      c.penalty = static_cast<std::int64_t>(std::round(kGrid * fraction * noise_l1));
      c.data_counts = std::move(scoring_counts[next_pair++].counts);
      if (!subsample) c.all_counts = c.data_counts;
      (0.5 * noise_l1 / n_hat <= kMaxPairNoiseTvd ? useful : others).push_back(std::move(c));
    }
  }

  // The model's sample (post-processing of the released network) and its pair levels.
  boost::random::mt19937_64 rng(noise());
  const auto sample_rows = static_cast<std::size_t>(
      std::clamp(std::round(n_hat), 1.0, static_cast<double>(kSelectionSampleRows)));
  const EncodedTable sample = SampleRows(network, sample_rows, rng);
  std::vector<std::vector<std::uint8_t>> sample_levels(k);
  for (std::size_t a = 0; a < k; ++a) {
    sample_levels[a] = PairLevelsOf(sample.column(a), compression[a]);
  }
  std::vector<double> weights(sample_rows, 1.0);
  const RowCalibration calibration(sample, network);

  const std::size_t batch = (rounds + kSelectionBatches - 1) / kSelectionBatches;
  const auto sensitivity = static_cast<std::uint64_t>(m) << kScoreGridBits;
  std::vector<std::int64_t> scores;
  const std::vector<Candidate>* scored = nullptr;  // the pool `scores` belongs to
  std::size_t kept_at_scoring = 0;
  for (std::size_t done = 0; done < rounds;) {
    std::vector<Candidate>& pool = useful.empty() ? others : useful;
    if (pool.empty()) throw std::logic_error("pair selection: more rounds than pairs");
    // Rescore only when the model moved (a pair was kept) or the pool changed; otherwise the
    // remaining scores are still those of the current model.
    const bool rescore = scored != &pool || result.pairs.size() != kept_at_scoring;
    scored = &pool;
    kept_at_scoring = result.pairs.size();
    // The current model on every candidate: expected scoring counts f n_hat q.
    double total = 0;
    for (double w : weights) total += w;
    const double scale = fraction * n_hat / std::max(total, 1e-300);
    if (rescore) scores.assign(pool.size(), 0);
    for (std::size_t i = 0; rescore && i < pool.size(); ++i) {
      std::vector<double> model_counts(pool[i].cells, 0.0);
      CountPair<double>(sample_levels[pool[i].first], sample_levels[pool[i].second],
                        compression[pool[i].second].num_pair_levels, &weights, model_counts);
      scores[i] = ScoreOnGrid(pool[i], model_counts, scale);
    }
    for (std::size_t in_batch = 0; in_batch < batch && done < rounds; ++in_batch, ++done) {
      std::vector<Candidate>& from = useful.empty() ? others : useful;
      if (&from != &pool) break;  // the useful pairs ran out: rescore the others
      // Event: pair selection (exponential mechanism, sensitivity m, plan's epsilon).
      const std::size_t chosen =
          privacy::SelectExponentialExact(scores, sensitivity, plan.pair_selection_epsilon, noise);
      Candidate picked = std::move(from[chosen]);
      from.erase(from.begin() + static_cast<std::ptrdiff_t>(chosen));
      scores.erase(scores.begin() + static_cast<std::ptrdiff_t>(chosen));
      // Event: the selected pair's noisy marginal on all rows.
      if (subsample)
        picked.all_counts = data_levels->Count(std::vector{picked.first, picked.second}).counts;
      const std::vector<std::uint64_t>& counts = picked.all_counts;
      std::vector<double> noisy = plan.pair.Noisy(counts, noise);
      result.selected.emplace_back(picked.first, picked.second);
      const double noise_tvd =
          0.5 * kSqrtTwoOverPi * pair_sd * static_cast<double>(picked.cells) / n_hat;
      if (noise_tvd > kMaxPairNoiseTvd) continue;  // measured and charged, not used
      NormSub(noisy, n_hat);
      double mass = 0;
      for (double c : noisy) mass += c;
      if (!(mass > 0)) continue;
      for (double& c : noisy) c /= mass;
      result.pairs.push_back({picked.first, picked.second, std::move(noisy), 2 * noise_tvd});
    }
    if (done < rounds && result.pairs.size() != kept_at_scoring) {
      weights = calibration.Fit(result.pairs, std::move(weights), kSelectionCalibrationRounds);
    }
  }
  return result;
}

}  // namespace privet::engine
