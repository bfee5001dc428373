#include "engine/generator/privbayes.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "engine/generator/conditionals.h"
#include "engine/generator/domain_compression.h"
#include "engine/generator/network_structure.h"
#include "engine/generator/pair_selection.h"
#include "engine/source/in_memory_marginal_source.h"
#include "engine/table/marginals.h"
#include "privacy/errors.h"
#include "privacy/noisy_counts.h"

namespace privet::engine {
namespace {

constexpr std::uint32_t kAutoMaxParents = 3;
constexpr double kSqrtTwoOverPi = 0.7978845608028654;
constexpr double kScoringWorkPerStep = 1e8;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

std::vector<double> Noisy(const Marginal& marginal, const PlannedNoise& noise,
                          privacy::RandomSource& random) {
  return noise.Noisy(marginal.counts, random);
}

// The fitted pieces over plan.attributes (the modelled columns, derived ones left out).
struct ModelledFit {
  std::vector<AttributeCompression> compression;
  std::vector<ConditionalTable> conditionals;
  std::vector<PairMarginal> pairs;
  double total = 0;
};

// The view of `source` over the groups (or pair levels) of `maps`, every attribute kept.
std::unique_ptr<MarginalSource> Mapped(MarginalSource& source, std::vector<CodeMap> maps) {
  std::vector<std::size_t> all(maps.size());
  for (std::size_t a = 0; a < all.size(); ++a) all[a] = a;
  return source.View(all, maps);
}

// The fit proper, on a source whose attributes are exactly plan.attributes (FitBayesNet checked
// them); everything it reads of the data is counts from `table` and its views. code_sets[a]
// (may be empty) are the code sets the rules test on attribute a: the compression is refined so
// no group straddles one (RefineByCodeSets), which lets the sampler condition on them exactly.
ModelledFit FitModelled(MarginalSource& table, const SynthesisPlan& plan,
                        const std::vector<std::vector<std::vector<bool>>>& code_sets,
                        privacy::RandomSource& noise, FitDiagnostics& diag) {
  const std::size_t k = plan.attributes.size();
  const SynthesisOptions& options = plan.options;
  auto start = std::chrono::steady_clock::now();

  // 1. Noisy 1-way marginals (events 1..k), noisy n, compression.
  const double one_way_sd = plan.one_way.StdDev();
  std::vector<std::vector<double>> noisy_one_way;
  std::vector<std::vector<std::size_t>> one_way_sets;
  for (std::size_t a = 0; a < k; ++a) one_way_sets.push_back({a});
  const std::vector<Marginal> one_way = table.CountBatch(one_way_sets);
  for (std::size_t a = 0; a < k; ++a) {
    noisy_one_way.push_back(Noisy(one_way[a], plan.one_way, noise));
  }
  double weighted = 0, weights = 0;
  for (const auto& counts : noisy_one_way) {
    double total = 0;
    for (double c : counts) total += c;
    weighted += total / static_cast<double>(counts.size());
    weights += 1 / static_cast<double>(counts.size());
  }
  const double n_hat = std::max(1.0, weighted / weights);
  std::vector<AttributeCompression> compression;
  for (std::size_t a = 0; a < k; ++a) {
    compression.push_back(
        CompressDomain(plan.attributes[a], noisy_one_way[a], one_way_sd, options.max_groups));
    if (a < code_sets.size() && !code_sets[a].empty()) {
      RefineByCodeSets(code_sets[a], compression[a]);
    }
    SmoothCodeWeights(plan.attributes[a], noisy_one_way[a], one_way_sd, compression[a]);
  }
  std::vector<NoisyTable> one_way_tables;
  std::vector<std::vector<double>> child_distribution;
  for (std::size_t a = 0; a < k; ++a) {
    NoisyTable t;
    t.attributes = {a};
    t.domain_sizes = {compression[a].num_groups};
    t.counts = GroupCounts(compression[a], noisy_one_way[a]);
    t.noise_variance = one_way_sd * one_way_sd *
                       static_cast<double>(plan.attributes[a].domain_size) /
                       static_cast<double>(compression[a].num_groups);
    std::vector<double> p(t.counts.size());
    double total = 0;
    for (std::size_t g = 0; g < p.size(); ++g) total += p[g] = std::max(0.0, t.counts[g]);
    for (double& v : p) v = total > 0 ? v / total : 1.0 / static_cast<double>(p.size());
    child_distribution.push_back(std::move(p));
    one_way_tables.push_back(std::move(t));
  }
  std::vector<CodeMap> group_maps;
  for (const AttributeCompression& c : compression) {
    group_maps.push_back({c.group_of_code, c.num_groups});
  }
  const std::unique_ptr<MarginalSource> compressed = Mapped(table, std::move(group_maps));
  diag.seconds_one_way = Seconds(start);

  // 2. Structure (events k+1 .. 2k-1).
  start = std::chrono::steady_clock::now();
  std::vector<Family> network{{0, {}}};
  const double family_sd = k > 1 ? plan.family.StdDev() : 0;
  if (k > 1) {
    StructureSearchOptions search;
    search.selection_epsilon = plan.selection_epsilon;
    search.score_sensitivity = plan.selection_sensitivity;
    search.family_noise_stddev = family_sd;
    search.max_parents = options.degree ? *options.degree : kAutoMaxParents;
    // theta-usefulness (PrivBayes, TODS 2017 Sec. 5.2, in count space): a family of C cells is
    // useful when its average cell count n_hat / C is at least theta noise deviations.
    const double useful_cells = n_hat / (options.usefulness_theta * family_sd);
    search.max_family_cells = static_cast<std::uint64_t>(std::max(4.0, useful_cells));
    search.max_parent_cells = options.max_parent_cells
                                  ? *options.max_parent_cells
                                  : std::max<std::uint64_t>(2, search.max_family_cells / 2);
    search.max_candidates_per_step = options.max_candidates_per_step;
    search.penalty_weight = options.penalty_weight;
    diag.max_family_cells = search.max_family_cells;
    diag.max_parent_cells = search.max_parent_cells;
    // Poisson subsample for scoring (docs/privacy.md: sensitivity unchanged for fixed coins).
    MarginalSource* scoring = compressed.get();
    std::unique_ptr<MarginalSource> subsample;
    if (n_hat > static_cast<double>(options.max_scoring_rows)) {
      search.sample_fraction = static_cast<double>(options.max_scoring_rows) / n_hat;
      subsample = compressed->Subsample(search.sample_fraction, noise);
      scoring = subsample.get();
    }
    diag.scoring_rows = scoring->NumRows();
    // Work cap: about kScoringWorkPerStep row-visits per step, so a million-row table scores
    // fewer (sampled) large parent sets per step than a small one. Public: from n_hat only.
    const double scoring_rows = std::min(n_hat, static_cast<double>(options.max_scoring_rows));
    search.max_candidates_per_step = static_cast<std::uint32_t>(
        std::clamp(kScoringWorkPerStep / std::max(1.0, scoring_rows), 200.0,
                   static_cast<double>(options.max_candidates_per_step)));
    network = LearnStructure(*scoring, child_distribution, search, noise);
  } else {
    network = {{0, {}}};
  }
  diag.seconds_structure = Seconds(start);

  // 3. Noisy family marginals (events 2k .. 3k-2), then post-processing.
  start = std::chrono::steady_clock::now();
  std::vector<NoisyTable> families(network.size());
  std::vector<std::vector<std::size_t>> family_sets;
  for (std::size_t i = 1; i < network.size(); ++i) {
    family_sets.push_back(network[i].parents);
    family_sets.back().push_back(network[i].attribute);
  }
  const std::vector<Marginal> family_counts = compressed->CountBatch(family_sets);
  for (std::size_t i = 1; i < network.size(); ++i) {
    const std::vector<std::size_t>& attrs = family_sets[i - 1];
    const Marginal& marginal = family_counts[i - 1];
    families[i].attributes = attrs;
    families[i].domain_sizes = marginal.domain_sizes;
    families[i].counts = Noisy(marginal, plan.family, noise);
    families[i].noise_variance = family_sd * family_sd;
  }
  const ConsistentEstimate estimate = MakeConsistent(one_way_tables, families);
  std::vector<ConditionalTable> conditionals = BuildConditionals(network, estimate);
  diag.seconds_families = Seconds(start);

  // 4. Pair marginals: every pair (the last k(k-1)/2 events), or the selected ones (the last
  // 2R events, alternating selection and measurement; engine/generator/pair_selection.h).
  std::vector<PairMarginal> pairs;
  if (plan.num_pairs > 0) {
    for (std::size_t a = 0; a < k; ++a) {
      AddPairLevels(plan.attributes[a], one_way_tables[a].counts, options.pair_levels,
                    compression[a]);
    }
  }
  if (plan.num_pair_selections > 0) {
    const auto pairs_start = std::chrono::steady_clock::now();
    // The network alone, over the modelled columns (the rules are left out: the selection
    // only needs the model's pair distributions, which the rules barely change).
    const BayesNetModel network_model(plan.attributes, nullptr, compression, conditionals,
                                      estimate.total, nullptr);
    PairSelectionResult selection = SelectAndMeasurePairs(table, network_model, plan, n_hat, noise);
    pairs = std::move(selection.pairs);
    diag.pairs_selected = std::move(selection.selected);
    diag.seconds_pairs = Seconds(pairs_start);
  } else if (plan.num_pairs > 0) {
    std::vector<CodeMap> level_maps(k);
    for (std::size_t a = 0; a < k; ++a) {
      level_maps[a].domain_size = compression[a].num_pair_levels;
      for (std::uint32_t group : compression[a].group_of_code) {
        level_maps[a].code_of.push_back(compression[a].pair_level_of_group[group]);
      }
    }
    std::vector<std::vector<std::size_t>> pair_sets;
    for (std::size_t a = 0; a < k; ++a) {
      for (std::size_t b = a + 1; b < k; ++b) pair_sets.push_back({a, b});
    }
    const std::vector<Marginal> pair_counts =
        Mapped(table, std::move(level_maps))->CountBatch(pair_sets);
    const double pair_sd = plan.pair.StdDev();
    std::size_t next_pair = 0;
    for (std::size_t a = 0; a < k; ++a) {
      for (std::size_t b = a + 1; b < k; ++b) {
        std::vector<double> counts = Noisy(pair_counts[next_pair++], plan.pair, noise);
        // Public rule (planned noise, public cell count, noisy n): a pair whose expected noise
        // alone is a total variation distance above kMaxPairNoiseTvd would pull the rows
        // towards noise rather than data; it is measured (and charged) but not used.
        const double noise_tvd =
            0.5 * kSqrtTwoOverPi * pair_sd * static_cast<double>(counts.size()) / n_hat;
        if (noise_tvd > kMaxPairNoiseTvd) continue;
        NormSub(counts, n_hat);
        double total = 0;
        for (double c : counts) total += c;
        if (!(total > 0)) continue;
        for (double& c : counts) c /= total;
        pairs.push_back({a, b, std::move(counts), 2 * noise_tvd});
      }
    }
  }
  if (plan.num_pairs > 0 && pairs.empty()) {
    for (AttributeCompression& c : compression) {
      c.pair_level_of_group.clear();
      c.num_pair_levels = 0;
    }
  }
  diag.pairs_used = pairs.size();
  return {std::move(compression), std::move(conditionals), std::move(pairs), estimate.total};
}

}  // namespace

BayesNetModel FitBayesNet(const EncodedTable& table, const SynthesisPlan& plan,
                          const nlohmann::json& schema_config, privacy::RandomSource& noise,
                          FitDiagnostics* diagnostics) {
  const std::vector<AttributeDomain>& columns =
      plan.columns.empty() ? plan.attributes : plan.columns;
  if (table.num_columns() != columns.size()) {
    throw InputError("fit: the table has " + std::to_string(table.num_columns()) +
                     " columns, the plan " + std::to_string(columns.size()));
  }
  for (std::size_t a = 0; a < columns.size(); ++a) {
    if (table.column(a).name() != columns[a].name ||
        table.column(a).domain_size() != columns[a].domain_size) {
      throw InputError("fit: column " + std::to_string(a) + " (\"" + table.column(a).name() +
                       "\") does not match the plan's attribute \"" + columns[a].name + "\"");
    }
  }
  InMemoryMarginalSource source = InMemoryMarginalSource::Borrow(table, 1);
  return FitBayesNet(source, plan, schema_config, noise, diagnostics);
}

BayesNetModel FitBayesNet(MarginalSource& source, const SynthesisPlan& plan,
                          const nlohmann::json& schema_config, privacy::RandomSource& noise,
                          FitDiagnostics* diagnostics) {
  FitDiagnostics local;
  FitDiagnostics& diag = diagnostics ? *diagnostics : local;
  const std::vector<AttributeDomain>& columns =
      plan.columns.empty() ? plan.attributes : plan.columns;
  std::vector<std::size_t> modelled = plan.modelled_columns;
  if (modelled.empty()) {
    for (std::size_t a = 0; a < columns.size(); ++a) modelled.push_back(a);
  }
  if (source.domain_sizes().size() != columns.size()) {
    throw InputError("fit: the source has " + std::to_string(source.domain_sizes().size()) +
                     " attributes, the plan " + std::to_string(columns.size()));
  }
  for (std::size_t a = 0; a < columns.size(); ++a) {
    if (source.domain_sizes()[a] != columns[a].domain_size) {
      throw InputError("fit: attribute " + std::to_string(a) +
                       " of the source does not match the plan's attribute \"" + columns[a].name +
                       "\"");
    }
  }
  // Derived columns are never modelled (no event measures them): fit the others only.
  std::unique_ptr<MarginalSource> projected;
  if (modelled.size() != columns.size()) projected = source.View(modelled, {});
  MarginalSource& modelled_table = projected ? *projected : source;
  std::vector<std::vector<std::vector<bool>>> code_sets(modelled.size());
  if (!plan.rules.empty()) {
    const auto per_column = plan.rules.CodeSetsPerColumn();
    for (std::size_t i = 0; i < modelled.size(); ++i) code_sets[i] = per_column[modelled[i]];
  }
  ModelledFit fit = FitModelled(modelled_table, plan, code_sets, noise, diag);

  // Back to column indices; a derived column gets the identity compression (unused).
  std::vector<AttributeCompression> compression(columns.size());
  for (std::size_t a = 0; a < columns.size(); ++a) {
    compression[a] = IdentityCompression(columns[a].domain_size);
  }
  for (std::size_t i = 0; i < modelled.size(); ++i) {
    compression[modelled[i]] = std::move(fit.compression[i]);
  }
  for (ConditionalTable& t : fit.conditionals) {
    t.attribute = modelled[t.attribute];
    for (std::size_t& p : t.parents) p = modelled[p];
  }
  for (PairMarginal& pair : fit.pairs) {
    pair.first = modelled[pair.first];
    pair.second = modelled[pair.second];
  }
  if (!fit.pairs.empty()) {
    for (AttributeCompression& c : compression) {
      if (c.pair_level_of_group.empty()) {  // derived: one level per group, never measured
        c.pair_level_of_group.resize(c.num_groups);
        for (std::uint32_t g = 0; g < c.num_groups; ++g) c.pair_level_of_group[g] = g;
        c.num_pair_levels = c.num_groups;
      }
    }
  }
  BayesNetModel model(columns, schema_config, std::move(compression), std::move(fit.conditionals),
                      fit.total, plan.ToJson(), std::move(fit.pairs), plan.rules);
  model.Validate("fitted model");
  return model;
}

}  // namespace privet::engine
