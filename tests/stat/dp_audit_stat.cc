// Empirical DP audit (tests/stat/dp_audit.h) of privet's mechanisms and of a whole synthesize
// request, each on neighbouring inputs that differ by one privacy unit AT the unit bound
// (m = 2 rows, all placed where they move the output most), and of mutants whose noise is
// halved: the real mechanisms pass, the mutants fail. False-alarm probability of each audit of
// a correct mechanism: alpha = 1e-6 (Clopper-Pearson + Bonferroni, derived in dp_audit.h); the
// five audits of real mechanisms below together fail with probability <= 5e-6 for fresh seeds.
// Mutants are built here (the same samplers called with half the noise, while the claimed
// epsilon and delta stay those of the real plan); the product has no switch for them.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/queries/correlation_query.h"
#include "engine/table/encoded_table.h"
#include "engine/generator/privbayes.h"
#include "engine/table/schema.h"
#include "engine/generator/synthesis_plan.h"
#include "engine/table/unit_bounding.h"
#include "privacy/accountant.h"
#include "privacy/exponential_mechanism.h"
#include "privacy/gaussian_mechanism.h"
#include "privacy/noisy_counts.h"
#include "privacy/random_source.h"
#include "tests/stat/dp_audit.h"

namespace privet {
namespace {

using privacy::RandomSource;
using stat::AuditHistogram;
using stat::AuditResult;

constexpr std::uint32_t kUnitBound = 2;  // m: the neighbour adds one unit of exactly m rows

// Runs `bin_of(neighbour, random)` `runs` times on D (neighbour = false) and on D' (true),
// each with its own seeded stream.
std::pair<AuditHistogram, AuditHistogram> Sample(
    std::size_t bins, int runs, std::uint64_t seed,
    const std::function<std::size_t(bool, RandomSource&)>& bin_of) {
  AuditHistogram d(bins), d_prime(bins);
  auto random = RandomSource::Seeded(seed);
  auto random_prime = RandomSource::Seeded(seed + 1000003);
  for (int i = 0; i < runs; ++i) {
    d.Add(bin_of(false, random));
    d_prime.Add(bin_of(true, random_prime));
  }
  return {std::move(d), std::move(d_prime)};
}

void Report(const std::string& what, const AuditResult& result) {
  MESSAGE(what << ": worst margin " << result.worst_margin << " at " << result.worst_event << " ("
               << result.checks << " checks)");
}

// --- discrete Laplace: a count (3 on D, 3 + m on D') + DLap(m / epsilon) --------------------
AuditResult AuditLaplace(double noise_epsilon, std::uint64_t seed) {
  constexpr double kEpsilon = 1.0;
  const auto real = privacy::PlanDiscreteLaplace(kEpsilon, kUnitBound);
  const auto used = privacy::PlanDiscreteLaplace(noise_epsilon, kUnitBound);
  const std::int64_t low = 3 - 14, high = 3 + kUnitBound + 14;
  const auto [d, d_prime] =
      Sample(static_cast<std::size_t>(high - low + 1), 200000, seed,
             [&](bool neighbour, RandomSource& random) {
               const std::vector<std::int64_t> count{neighbour ? 3 + kUnitBound : 3};
               return stat::IntegerBin(privacy::AddDiscreteLaplaceNoise(count, used, random)[0],
                                       low, high);
             });
  return stat::AuditApproximateDp(d, d_prime, real.epsilon, 0.0, /*ordered=*/true);
}

TEST_CASE("DP audit: discrete Laplace passes; with half the noise it fails") {
  const AuditResult real = AuditLaplace(1.0, 11);
  Report("discrete Laplace", real);
  CHECK_FALSE(real.violation);
  const AuditResult mutant = AuditLaplace(2.0, 12);  // scale m / (2 epsilon): half the noise
  Report("discrete Laplace, half noise", mutant);
  CHECK(mutant.violation);
}

// --- discrete Gaussian: a count (3 on D, 3 + m on D') + N_Z(0, sigma^2) ------------------------
AuditResult AuditGaussian(double noise_sigma, std::uint64_t seed) {
  constexpr double kSigma = 2.0, kDelta = 1e-5;
  const auto real = privacy::PlanDiscreteGaussian(kSigma);
  const std::vector<privacy::PrivacyEvent> events{real.Event(kUnitBound)};
  const double epsilon = privacy::ComposeEpsilon(events, kDelta);  // what the ledger charges
  const auto used = privacy::PlanDiscreteGaussian(noise_sigma);
  const std::int64_t low = 3 - 14, high = 3 + kUnitBound + 14;
  const auto [d, d_prime] =
      Sample(static_cast<std::size_t>(high - low + 1), 200000, seed,
             [&](bool neighbour, RandomSource& random) {
               const std::vector<std::int64_t> count{neighbour ? 3 + kUnitBound : 3};
               return stat::IntegerBin(privacy::AddDiscreteGaussianNoise(count, used, random)[0],
                                       low, high);
             });
  MESSAGE("discrete Gaussian sigma " << kSigma << ", l2 " << kUnitBound << ": epsilon " << epsilon
                                     << " at delta " << kDelta);
  return stat::AuditApproximateDp(d, d_prime, epsilon, kDelta, /*ordered=*/true);
}

TEST_CASE("DP audit: discrete Gaussian passes; with half the noise it fails") {
  const AuditResult real = AuditGaussian(2.0, 21);
  Report("discrete Gaussian", real);
  CHECK_FALSE(real.violation);
  const AuditResult mutant = AuditGaussian(1.0, 22);
  Report("discrete Gaussian, half noise", mutant);
  CHECK(mutant.violation);
}

// --- exponential mechanism: 10 candidates, every score moved by the sensitivity ---------------
// D: u = (0, 1, ..., 1); D': u = (1, 0, ..., 0) (sensitivity 1): the worst case of the
// McSherry-Talwar bound, log-ratio of candidate 0 close to epsilon.
AuditResult AuditExponential(double noise_epsilon, std::uint64_t seed) {
  constexpr double kEpsilon = 1.0, kSensitivity = 1.0;
  std::vector<double> d_scores(10, 1.0), d_prime_scores(10, 0.0);
  d_scores[0] = 0.0;
  d_prime_scores[0] = 1.0;
  const auto [d, d_prime] = Sample(10, 200000, seed, [&](bool neighbour, RandomSource& random) {
    return privacy::SelectExponential(neighbour ? d_prime_scores : d_scores, noise_epsilon,
                                      kSensitivity, random);
  });
  return stat::AuditApproximateDp(d, d_prime, kEpsilon, 0.0, /*ordered=*/false);
}

TEST_CASE("DP audit: exponential mechanism passes; with half the noise it fails") {
  const AuditResult real = AuditExponential(1.0, 31);
  Report("exponential mechanism", real);
  CHECK_FALSE(real.violation);
  // Half the noise of the selection: the exponent epsilon u / (2 Delta) doubled.
  const AuditResult mutant = AuditExponential(2.0, 32);
  Report("exponential mechanism, half noise", mutant);
  CHECK(mutant.violation);
}

// --- the correlation query ------------------------------------------------------------------
// Two binary attributes x0, x1 in {0, 1} (z = -1 or +1). D: four rows, one per cell; D' adds
// one unit at (1, 1), bounded to m rows by the pipeline's own unit bounding, where each row
// contributes u = (1, 1, 1, 1, 1, 1) of norm sqrt(6): the statistics move by exactly the planned L2
// sensitivity m sqrt(6). The audited output is the mechanism's noisy statistics vector (the
// release, matrix and noisy count, is post-processing of it, so auditing the vector is the stronger
// test), reduced to its projection on the direction of that move, binned at sigma/2: the most
// powerful 1-D statistic (the likelihood ratio of two Gaussians depends on the output only through
// it).
engine::Schema BinarySchema() {
  nlohmann::json config = {
      {"schema_version", 1},
      {"dataset", {{"id", "audit"}, {"csv", "unused.csv"}}},
      {"privacy_unit", {{"column", "unit"}, {"max_rows_per_unit", kUnitBound}}}};
  nlohmann::json attributes = nlohmann::json::array();
  attributes.push_back({{"name", "unit"}, {"type", "ignore"}});
  for (const char* name : {"x0", "x1"}) {
    attributes.push_back(
        {{"name", name}, {"type", "integer"}, {"min", 0}, {"max", 1}, {"nullable", false}});
  }
  config["attributes"] = attributes;
  return engine::Schema::FromJson(config, ".", "audit config");
}

// The table as read, with unit ids: each given row is its own unit and, for D', one more unit
// holds 2m + 1 rows at `extra`, so that the pipeline's own unit bounding (BoundRowsPerUnit,
// secure stream) cuts it to exactly m rows: the neighbour is at the unit bound.
engine::EncodedTable BinaryTable(const std::vector<std::vector<std::uint32_t>>& rows,
                                 bool neighbour, const std::vector<std::uint32_t>& extra) {
  engine::EncodedTable table;
  const std::uint32_t heavy_rows = neighbour ? 2 * kUnitBound + 1 : 0;
  for (std::size_t c = 0; c < 2; ++c) {
    engine::EncodedColumn column(c == 0 ? "x0" : "x1", 2);
    for (const auto& row : rows) column.push_back(row[c]);
    for (std::uint32_t i = 0; i < heavy_rows; ++i) column.push_back(extra[c]);
    table.AddColumn(std::move(column));
  }
  std::vector<std::uint32_t> units(rows.size());
  for (std::uint32_t u = 0; u < units.size(); ++u) units[u] = u;
  for (std::uint32_t i = 0; i < heavy_rows; ++i)
    units.push_back(static_cast<std::uint32_t>(rows.size()));
  table.set_unit_ids(std::move(units));
  return table;
}

AuditResult AuditCorrelation(double noise_factor, std::uint64_t seed) {
  const engine::Schema schema = BinarySchema();
  engine::CorrelationQueryOptions options;
  options.attributes = {"x0", "x1"};
  options.epsilon = 2.0;
  options.delta = 1e-5;
  const engine::CorrelationQueryPlan real = engine::PlanCorrelationQuery(schema, options);
  engine::CorrelationQueryPlan used = real;
  used.noise = privacy::PlanGaussianVector(real.noise.dimension, real.noise.sigma * noise_factor,
                                           real.l2_sensitivity);
  const std::vector<std::vector<std::uint32_t>> rows = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
  const engine::EncodedTable d_table = BinaryTable(rows, false, {1, 1});
  const engine::EncodedTable d_prime_table = BinaryTable(rows, true, {1, 1});
  // s(D) = (4, 0, 0, 4, 0, 4); the move is m (1, 1, 1, 1, 1, 1), projected: m sqrt(6).
  const double root6 = std::sqrt(6.0);
  const double projected_d = (4 + 4 + 4) / root6;
  const double sigma = real.noise.sigma;
  const double low = projected_d - 6 * sigma;
  const double width = sigma / 2;
  const std::size_t bins =
      static_cast<std::size_t>(std::ceil((12 * sigma + real.l2_sensitivity) / width));
  const auto [d, d_prime] = Sample(bins, 400000, seed, [&](bool neighbour, RandomSource& random) {
    const engine::EncodedTable bounded =
        engine::BoundRowsPerUnit(neighbour ? d_prime_table : d_table, kUnitBound, random);
    const auto result = engine::RunCorrelationQuery(bounded, used, random);
    double projection = 0;
    for (const double value : result.noisy_statistics) projection += value / root6;
    return stat::RealBin(projection, low, width, bins);
  });
  MESSAGE("correlation query: sigma " << sigma << ", l2 " << real.l2_sensitivity
                                      << ", composed epsilon " << real.composed_epsilon);
  return stat::AuditApproximateDp(d, d_prime, options.epsilon, options.delta, /*ordered=*/true);
}

TEST_CASE("DP audit: the correlation query passes; with half the noise it fails") {
  const AuditResult real = AuditCorrelation(1.0, 41);
  Report("correlation query", real);
  CHECK_FALSE(real.violation);
  const AuditResult mutant = AuditCorrelation(0.5, 42);
  Report("correlation query, half noise", mutant);
  CHECK(mutant.violation);
}

// --- a whole synthesize request ----------------------------------------------------------------
// The private part of `privet synthesize` (engine/privbayes.h: FitBayesNet with the plan the
// ledger would be charged with; 1-way marginals, structure selection, family and pair
// marginals, all from a secure-mode-equivalent seeded stream) on two tiny bounded tables:
// D, 12 rows over two binary attributes; D' adds one unit of 2m + 1 rows at (1, 1), which the
// request's unit bounding (BoundRowsPerUnit, run first as in privet synthesize) cuts to m. Audited
// outputs of the released model: its noisy row count n_hat (ordered bins) and whether the network
// has the edge x0 -> x1 (2 bins); each audit at alpha / 2, so alpha over both. A mutant is not run
// here: any low-dimensional statistic of the model sees only part of the budget (n_hat depends on
// the 1-way marginals, 10% of rho), so even halved noise stays within the total epsilon for it; the
// mechanisms the request is built from are audited with mutants above.
TEST_CASE("DP audit: a whole synthesize request on neighbouring tables passes") {
  const engine::Schema schema = BinarySchema();
  engine::SynthesisOptions options;
  options.epsilon = 1.0;
  options.delta = 1e-6;
  const engine::SynthesisPlan plan = engine::PlanSynthesis(schema, options);
  CHECK(plan.composed_epsilon <= options.epsilon);
  const std::vector<std::vector<std::uint32_t>> rows = {{0, 0}, {0, 0}, {0, 0}, {0, 1},
                                                        {0, 1}, {0, 1}, {1, 0}, {1, 0},
                                                        {1, 0}, {1, 1}, {1, 1}, {1, 1}};
  const engine::EncodedTable d_table = BinaryTable(rows, false, {1, 1});
  const engine::EncodedTable d_prime_table = BinaryTable(rows, true, {1, 1});
  // n_hat in bins of a quarter of the 1-way noise deviation, 8 deviations either side.
  const double deviation = plan.one_way.StdDev();
  const double low = 12 - 8 * deviation, width = deviation / 4;
  const std::size_t rows_bins = 66;
  constexpr int kRuns = 30000;
  AuditHistogram rows_d(rows_bins), rows_d_prime(rows_bins), edge_d(2), edge_d_prime(2);
  auto random = RandomSource::Seeded(51);
  auto random_prime = RandomSource::Seeded(52);
  const nlohmann::json no_config;
  for (int i = 0; i < kRuns; ++i) {
    for (const bool neighbour : {false, true}) {
      RandomSource& stream = neighbour ? random_prime : random;
      const engine::EncodedTable bounded =
          engine::BoundRowsPerUnit(neighbour ? d_prime_table : d_table, kUnitBound, stream);
      const engine::BayesNetModel model = engine::FitBayesNet(bounded, plan, no_config, stream);
      const std::size_t rows_bin = stat::RealBin(model.noisy_rows(), low, width, rows_bins);
      bool edge = false;
      for (const auto& conditional : model.network()) edge = edge || !conditional.parents.empty();
      (neighbour ? rows_d_prime : rows_d).Add(rows_bin);
      (neighbour ? edge_d_prime : edge_d).Add(edge ? 1 : 0);
    }
  }
  const double delta = options.delta;
  const AuditResult rows_audit = stat::AuditApproximateDp(
      rows_d, rows_d_prime, options.epsilon, delta, /*ordered=*/true, stat::kAuditFalseAlarm / 2);
  const AuditResult edge_audit = stat::AuditApproximateDp(
      edge_d, edge_d_prime, options.epsilon, delta, /*ordered=*/false, stat::kAuditFalseAlarm / 2);
  Report("synthesize, noisy row count", rows_audit);
  Report("synthesize, edge x0 -> x1", edge_audit);
  MESSAGE("edge chosen on D in " << edge_d.counts[1] << " of " << kRuns << " fits, on D' in "
                                 << edge_d_prime.counts[1]);
  CHECK_FALSE(rows_audit.violation);
  CHECK_FALSE(edge_audit.violation);
  // The statistics vary (else the audit would be vacuous): both edge outcomes occur.
  CHECK(edge_d.counts[0] > 0);
  CHECK(edge_d.counts[1] > 0);
}

}  // namespace
}  // namespace privet
