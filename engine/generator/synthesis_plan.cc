#include "engine/generator/synthesis_plan.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "engine/generator/network_structure.h"
#include "privacy/accountant.h"
#include "privacy/errors.h"
#include "privacy/exponential_mechanism.h"

namespace privet::engine {
namespace {

using privacy::PrivacyEvent;

struct Shares {
  double one_way, structure, family, pair;
};

Shares EffectiveShares(const SynthesisOptions& options, std::size_t k) {
  if (k <= 1) return {1.0, 0.0, 0.0, 0.0};
  const double pair = options.UsesPairs(k) ? options.EffectivePairShare() : 0.0;
  return {options.one_way_share, options.structure_share,
          1.0 - options.one_way_share - options.structure_share - pair, pair};
}

// The plan at budget scale t (rho in Gaussian mode, epsilon in pure mode), with the
// samplers' rounding applied, so the events are exactly those the fit will cause.
// `compose` = false leaves composed_epsilon unset (the calibration composes the events itself).
SynthesisPlan PlanAt(std::span<const AttributeDomain> attributes, const SynthesisOptions& options,
                     double t, bool compose = true) {
  const std::size_t k = attributes.size();
  const Shares shares = EffectiveShares(options, k);
  const double m = options.max_rows_per_unit;
  SynthesisPlan plan;
  plan.options = options;
  plan.attributes.assign(attributes.begin(), attributes.end());
  plan.histogram_sensitivity = m;
  plan.selection_sensitivity = 2 * m;
  plan.one_way.mode = plan.family.mode = plan.pair.mode = options.mode;
  const double selections = static_cast<double>(k - 1);
  const bool select_pairs = shares.pair > 0 && options.SelectsPairs(k);
  plan.num_pairs = shares.pair == 0 ? 0
                   : select_pairs   ? options.EffectivePairRounds(k)
                                    : k * (k - 1) / 2;
  plan.num_pair_selections = select_pairs ? plan.num_pairs : 0;
  const double pairs = static_cast<double>(plan.num_pairs);
  // With selection, pair_selection_fraction of the pair budget goes to the selections.
  const double pair_measure_share =
      select_pairs ? shares.pair * (1 - options.pair_selection_fraction) : shares.pair;
  const double pair_select_share = shares.pair - pair_measure_share;
  if (options.mode == NoiseMode::kGaussian) {
    // rho of a Gaussian histogram = m^2 / (2 sigma^2)  =>  sigma = m / sqrt(2 rho).
    plan.one_way.gaussian =
        privacy::PlanDiscreteGaussian(m / std::sqrt(2 * shares.one_way * t / k));
    if (k > 1) {
      // Exponential mechanism: (eps^2 / 8)-zCDP (bounded range, Cesar & Rogers 2021).
      plan.selection_epsilon = std::sqrt(8 * shares.structure * t / selections);
      plan.family.gaussian =
          privacy::PlanDiscreteGaussian(m / std::sqrt(2 * shares.family * t / selections));
    }
    if (plan.num_pairs > 0) {
      plan.pair.gaussian =
          privacy::PlanDiscreteGaussian(m / std::sqrt(2 * pair_measure_share * t / pairs));
    }
    if (plan.num_pair_selections > 0) {
      plan.pair_selection_epsilon = std::sqrt(8 * pair_select_share * t / pairs);
    }
  } else {
    plan.one_way.laplace = privacy::PlanDiscreteLaplace(shares.one_way * t / k, m);
    if (k > 1) {
      plan.selection_epsilon = shares.structure * t / selections;
      plan.family.laplace = privacy::PlanDiscreteLaplace(shares.family * t / selections, m);
    }
    if (plan.num_pairs > 0) {
      plan.pair.laplace = privacy::PlanDiscreteLaplace(pair_measure_share * t / pairs, m);
    }
    if (plan.num_pair_selections > 0) plan.pair_selection_epsilon = pair_select_share * t / pairs;
  }
  if (k > 1) {
    // The structure search's exact exponential mechanism (engine/network_structure.h) must
    // accept this epsilon with its grid sensitivity 2m 2^kScoreGridBits; checked here, from
    // public values, so an out-of-range epsilon is refused before the charge, not after it.
    const std::vector<std::int64_t> any_score{0};
    privacy::PlanExponential(any_score, static_cast<std::uint64_t>(2 * m) << kScoreGridBits,
                             plan.selection_epsilon);
  }
  if (plan.num_pair_selections > 0) {
    // The pair selection's exact mechanism (engine/generator/pair_selection.h): sensitivity m
    // on the same grid.
    const std::vector<std::int64_t> any_score{0};
    privacy::PlanExponential(any_score, static_cast<std::uint64_t>(m) << kScoreGridBits,
                             plan.pair_selection_epsilon);
  }
  auto noise_event = [&](const PlannedNoise& noise, const std::string& query) {
    return noise.mode == NoiseMode::kGaussian ? noise.gaussian.Event(m, query)
                                              : noise.laplace.Event(query);
  };
  for (const AttributeDomain& attribute : attributes) {
    plan.events.push_back(
        noise_event(plan.one_way, "synthesize: 1-way marginal(" + attribute.name + ")"));
  }
  for (std::size_t i = 1; i < k; ++i) {
    plan.events.push_back(PrivacyEvent::Exponential(
        plan.selection_epsilon, "synthesize: structure step " + std::to_string(i) +
                                    " (exponential mechanism, score sensitivity " +
                                    std::to_string(static_cast<int>(2 * m)) + ")"));
  }
  for (std::size_t i = 1; i < k; ++i) {
    plan.events.push_back(
        noise_event(plan.family, "synthesize: family marginal " + std::to_string(i)));
  }
  if (plan.num_pair_selections > 0) {
    // The rounds in the order the fit makes them: a selection, then the chosen pair's marginal.
    for (std::size_t r = 1; r <= plan.num_pair_selections; ++r) {
      plan.events.push_back(PrivacyEvent::Exponential(
          plan.pair_selection_epsilon, "synthesize: pair selection " + std::to_string(r) +
                                           " (exponential mechanism, score sensitivity " +
                                           std::to_string(static_cast<int>(m)) + ")"));
      plan.events.push_back(
          noise_event(plan.pair, "synthesize: selected pair marginal " + std::to_string(r)));
    }
  } else if (plan.num_pairs > 0) {
    for (std::size_t a = 0; a < k; ++a) {
      for (std::size_t b = a + 1; b < k; ++b) {
        plan.events.push_back(noise_event(
            plan.pair,
            "synthesize: pair marginal(" + attributes[a].name + "," + attributes[b].name + ")"));
      }
    }
  }
  if (compose) plan.composed_epsilon = privacy::ComposeEpsilon(plan.events, options.delta);
  plan.pair_fraction = shares.pair;
  plan.one_way_fraction = shares.one_way;
  plan.structure_fraction = shares.structure;
  plan.family_fraction = shares.family;
  return plan;
}

}  // namespace

std::string NoiseModeName(NoiseMode mode) {
  return mode == NoiseMode::kGaussian ? "gaussian" : "pure";
}

NoiseMode ParseNoiseMode(const std::string& name) {
  if (name == "gaussian") return NoiseMode::kGaussian;
  if (name == "pure") return NoiseMode::kPure;
  throw InputError("mode \"" + name + "\": expected \"gaussian\" or \"pure\"");
}

void SynthesisOptions::Validate() const {
  if (!(epsilon > 0) || !std::isfinite(epsilon)) {
    throw InputError("epsilon must be finite and > 0 (got " + std::to_string(epsilon) + ")");
  }
  if (!(delta >= 0 && delta < 1)) {
    throw InputError("delta must be in [0, 1) (got " + std::to_string(delta) + ")");
  }
  if (mode == NoiseMode::kGaussian && delta == 0) {
    throw InputError("delta must be > 0 in gaussian mode; use --mode pure for delta = 0");
  }
  if (max_rows_per_unit == 0) throw InputError("max_rows_per_unit must be at least 1");
  if (!(one_way_share > 0 && one_way_share < 1) || !(structure_share > 0 && structure_share < 1) ||
      !(EffectivePairShare() >= 0 && EffectivePairShare() < 1) ||
      !(one_way_share + structure_share + EffectivePairShare() < 1)) {
    throw InputError(
        "budget shares: one_way_share and structure_share must be in (0, 1), "
        "pair_share in [0, 1), with a sum below 1");
  }
  if (pair_levels < 2 || pair_levels > 64) throw InputError("pair_levels must be in [2, 64]");
  if (pair_rounds && *pair_rounds == 0) throw InputError("pair_rounds must be at least 1");
  if (!(pair_selection_fraction > 0 && pair_selection_fraction < 1)) {
    throw InputError("pair_selection_fraction must be in (0, 1)");
  }
  if (degree && *degree > 8) throw InputError("degree must be at most 8 parents");
  if (max_parent_cells && *max_parent_cells == 0) {
    throw InputError("max_parent_cells must be at least 1");
  }
  if (max_groups < 2) throw InputError("max_groups must be at least 2");
  if (max_candidates_per_step == 0) throw InputError("max_candidates_per_step must be >= 1");
  if (max_scoring_rows < 1000) throw InputError("max_scoring_rows must be at least 1000");
  if (!(penalty_weight >= 0) || !std::isfinite(penalty_weight)) {
    throw InputError("penalty_weight must be finite and >= 0");
  }
  if (!(usefulness_theta > 0) || !std::isfinite(usefulness_theta)) {
    throw InputError("usefulness_theta must be finite and > 0");
  }
}

nlohmann::json SynthesisOptions::ToJson() const {
  nlohmann::json json = {{"epsilon", epsilon},
                         {"delta", delta},
                         {"mode", NoiseModeName(mode)},
                         {"max_rows_per_unit", max_rows_per_unit},
                         {"one_way_share", one_way_share},
                         {"structure_share", structure_share},
                         {"max_groups", max_groups},
                         {"max_candidates_per_step", max_candidates_per_step},
                         {"max_scoring_rows", max_scoring_rows},
                         {"penalty_weight", penalty_weight},
                         {"usefulness_theta", usefulness_theta},
                         {"pair_share", EffectivePairShare()},
                         {"pair_levels", pair_levels},
                         {"pair_selection_fraction", pair_selection_fraction}};
  json["pair_rounds"] = pair_rounds ? nlohmann::json(*pair_rounds) : nlohmann::json("auto");
  json["degree"] = degree ? nlohmann::json(*degree) : nlohmann::json("auto");
  json["max_parent_cells"] =
      max_parent_cells ? nlohmann::json(*max_parent_cells) : nlohmann::json("auto");
  return json;
}

double PlannedNoise::StdDev() const {
  if (mode == NoiseMode::kGaussian) return gaussian.sigma;
  const double b = laplace.scale.ToDouble();
  // Discrete Laplace with Pr[z] ~ exp(-|z|/b): variance 2 e^{-1/b} / (1 - e^{-1/b})^2.
  const double q = std::exp(-1.0 / b);
  return std::sqrt(2 * q) / (1 - q);
}

std::vector<double> PlannedNoise::Noisy(std::span<const std::uint64_t> counts,
                                        privacy::RandomSource& random) const {
  const std::vector<std::int64_t> exact(counts.begin(), counts.end());
  const std::vector<std::int64_t> noisy =
      mode == NoiseMode::kGaussian ? privacy::AddDiscreteGaussianNoise(exact, gaussian, random)
                                   : privacy::AddDiscreteLaplaceNoise(exact, laplace, random);
  return std::vector<double>(noisy.begin(), noisy.end());
}

nlohmann::json PlannedNoise::ToJson() const {
  if (mode == NoiseMode::kGaussian) {
    return {{"mechanism", "discrete_gaussian"},
            {"sigma", gaussian.sigma},
            {"sigma_squared", gaussian.sigma_squared.ToString()},
            {"stddev", StdDev()}};
  }
  return {{"mechanism", "discrete_laplace"},
          {"scale", laplace.scale.ToString()},
          {"epsilon", laplace.epsilon},
          {"stddev", StdDev()}};
}

SynthesisPlan PlanSynthesis(std::span<const AttributeDomain> attributes,
                            const SynthesisOptions& options) {
  options.Validate();
  if (attributes.empty()) throw InputError("synthesis plan: the schema has no modeled attribute");
  for (const AttributeDomain& attribute : attributes) {
    if (attribute.domain_size == 0) {
      throw InputError("synthesis plan: attribute \"" + attribute.name + "\" has an empty domain");
    }
  }
  // Largest t with ComposeEpsilon(events(t)) <= epsilon (privacy::LargestFittingScale: an
  // RDP bracket and bisection, then a short refinement with the full accountant).
  // ComposeEpsilon is increasing in t (every event's loss grows with its share of t).
  const auto events_at = [&](double t) -> std::optional<std::vector<PrivacyEvent>> {
    try {
      return PlanAt(attributes, options, t, /*compose=*/false).events;
    } catch (const InputError&) {
      return std::nullopt;  // t so large (or small) that a sampler parameter leaves its range
    }
  };
  const double start = options.mode == NoiseMode::kGaussian
                           ? options.epsilon * options.epsilon / 1e4
                           : options.epsilon / 1e4;
  const std::optional<double> t =
      privacy::LargestFittingScale(events_at, options.epsilon, options.delta, start);
  if (!t) {
    throw InputError("epsilon " + std::to_string(options.epsilon) +
                     " is too small to plan a synthesis of " + std::to_string(attributes.size()) +
                     " attributes (the noise would leave the samplers' range)");
  }
  return PlanAt(attributes, options, *t);
}

double PlannedPairNoiseTvd(const SynthesisPlan& plan, double expected_rows) {
  if (plan.num_pairs == 0) return 0;
  const double cells = static_cast<double>(plan.options.pair_levels) * plan.options.pair_levels;
  return 0.5 * 0.7978845608028654 * plan.pair.StdDev() * cells / expected_rows;
}

std::optional<std::uint32_t> AutoPairRoundsFor(const SynthesisPlan& plan, double expected_rows) {
  if (plan.num_pair_selections == 0) return std::nullopt;
  const double tvd = PlannedPairNoiseTvd(plan, expected_rows);
  if (!(tvd > 0)) return std::nullopt;
  const double ratio = kMaxPlannedPairNoiseTvd / tvd;
  const double rounds = std::floor(static_cast<double>(plan.num_pairs) * ratio * ratio);
  if (rounds < 1) return std::nullopt;
  return static_cast<std::uint32_t>(std::min(rounds, static_cast<double>(plan.num_pairs)));
}

SynthesisPlan PlanSynthesis(const Schema& schema, SynthesisOptions options) {
  options.max_rows_per_unit = schema.max_rows_per_unit();
  const std::vector<AttributeDomain> columns = DomainsOf(schema);
  TableRules rules = TableRules::Compile(schema);
  std::vector<AttributeDomain> modelled;
  std::vector<std::size_t> modelled_columns;
  for (std::size_t a = 0; a < columns.size(); ++a) {
    if (rules.IsDerived(a)) continue;
    modelled.push_back(columns[a]);
    modelled_columns.push_back(a);
  }
  SynthesisPlan plan = PlanSynthesis(modelled, options);
  // Automatic pairs are dropped when the config's public row estimate says they would carry
  // only noise: a pair of pair_levels^2 cells whose expected noise TVD at expected_rows is above
  // kMaxPlannedPairNoiseTvd would be measured and charged but never used (the fit's rule,
  // engine/generator/pair_selection.h), so its budget goes to the network instead. Public:
  // expected_rows is declared by the officer, the noise is planned.
  // Without expected_rows the plan cannot judge the pairs, and on a wide table the automatic
  // rounds split the pair share so many ways that, at the row counts seen so far, none passes
  // the fit's rule (nhanes at m = 1, epsilon 1: 150 rounds of noise std 147 over 36 cells, a
  // noise TVD of about 0.21 at 10,000 rows; measured with and without them in
  // bench/results/2026-12-02-vm-fidelity-s5.md). So above kMaxAttributesForPairsWithoutEstimate
  // modelled attributes the automatic pairs need the public estimate; their share goes to the
  // network. Public: a function of k and the options.
  const bool has_estimate = schema.expected_rows() && *schema.expected_rows() >= 1;
  if (!options.pair_share && plan.num_pairs > 0 && !has_estimate &&
      modelled.size() > kMaxAttributesForPairsWithoutEstimate) {
    options.pair_share = 0.0;
    plan = PlanSynthesis(modelled, options);
  }
  // With the estimate and selected automatic pairs, fewer rounds make each measurement less
  // noisy (the pair share is split over the rounds, so sigma grows about as sqrt(rounds)): the
  // rounds are cut to the most whose full-size pair still passes kMaxPlannedPairNoiseTvd at
  // expected_rows (AutoPairRoundsFor), and only when not even one round passes are the pairs
  // left out. nhanes at m = 1, epsilon 1: 150 rounds (noise TVD 0.21) -> 8 rounds (0.049);
  // measured in bench/results/2026-12-02-vm-nhanes-m1-s7.md. Public: the estimate, k, options.
  if (!options.pair_share && plan.num_pairs > 0 && has_estimate) {
    const double rows = *schema.expected_rows();
    // Only the automatic rounds are cut; on success the cut plan replaces the plan, otherwise
    // the options stay as they came and the pairs are left out below.
    const std::optional<std::uint32_t> rounds =
        PlannedPairNoiseTvd(plan, rows) > kMaxPlannedPairNoiseTvd && !options.pair_rounds
            ? AutoPairRoundsFor(plan, rows)
            : std::nullopt;
    if (rounds) {
      SynthesisOptions cut = options;
      cut.pair_rounds = *rounds;
      SynthesisPlan cut_plan = PlanSynthesis(modelled, cut);
      // The sqrt law is an approximation (the scale t is re-fitted): step down if needed.
      while (PlannedPairNoiseTvd(cut_plan, rows) > kMaxPlannedPairNoiseTvd &&
             *cut.pair_rounds > 1) {
        cut.pair_rounds = *cut.pair_rounds - 1;
        cut_plan = PlanSynthesis(modelled, cut);
      }
      if (PlannedPairNoiseTvd(cut_plan, rows) <= kMaxPlannedPairNoiseTvd) {
        options = cut;
        plan = std::move(cut_plan);
      }
    }
    if (PlannedPairNoiseTvd(plan, rows) > kMaxPlannedPairNoiseTvd) {
      options.pair_share = 0.0;
      plan = PlanSynthesis(modelled, options);
    }
  }
  plan.columns = columns;
  plan.modelled_columns = std::move(modelled_columns);
  plan.rules = std::move(rules);
  plan.expected_rows = schema.expected_rows();
  return plan;
}

namespace {

// E|Z| of one cell's noise, exactly for the discrete samplers: discrete Laplace with
// q = exp(-1/b) has E|Z| = 2q / (1 - q^2); the discrete Gaussian's is summed over |z| up to
// 40 sigma (the tail beyond is below 1e-300).
double MeanAbsoluteNoise(const PlannedNoise& noise) {
  if (noise.mode == NoiseMode::kPure) {
    const double q = std::exp(-1.0 / noise.laplace.scale.ToDouble());
    return 2 * q / (1 - q * q);
  }
  const double sigma = noise.gaussian.sigma;
  const double s2 = noise.gaussian.sigma_squared.ToDouble();
  const auto limit = static_cast<std::int64_t>(std::ceil(40 * sigma)) + 2;
  double weight_sum = 1, abs_sum = 0;  // z = 0 has weight 1
  for (std::int64_t z = 1; z <= limit; ++z) {
    const double w = std::exp(-static_cast<double>(z) * static_cast<double>(z) / (2 * s2));
    weight_sum += 2 * w;
    abs_sum += 2 * static_cast<double>(z) * w;
  }
  return abs_sum / weight_sum;
}

std::string Fixed(double value, int digits) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(digits);
  out << value;
  return out.str();
}

}  // namespace

std::optional<NoiseForecast> SynthesisPlan::Forecast() const {
  if (!expected_rows || !(*expected_rows >= 1)) return std::nullopt;
  NoiseForecast f;
  const double n = *expected_rows;
  f.expected_rows = n;
  f.mean_abs_noise_one_way = MeanAbsoluteNoise(one_way);
  std::vector<double> tvds;
  for (const AttributeDomain& a : attributes) {
    const double tvd = 0.5 * a.domain_size * f.mean_abs_noise_one_way / n;
    f.attributes.push_back({a.name, a.domain_size, tvd});
    tvds.push_back(tvd);
  }
  if (num_families() > 0) {
    f.useful_family_cells = n / (options.usefulness_theta * family.StdDev());
    f.family_noise_tvd_100_cells = 0.5 * 100 * MeanAbsoluteNoise(family) / n;
  }
  if (num_pairs > 0) {
    f.pair_noise_tvd =
        0.5 * options.pair_levels * options.pair_levels * MeanAbsoluteNoise(pair) / n;
  }
  std::sort(tvds.begin(), tvds.end());
  const double median = tvds[tvds.size() / 2];
  std::size_t noisy = 0;
  for (double t : tvds) noisy += t > 0.1 ? 1 : 0;
  // Mostly noise: half the attributes' own distributions are more than 10% noise, or no
  // family of even 2 x 4 cells is useful (relationships cannot be measured at all).
  f.mostly_noise = 2 * noisy >= tvds.size() || (num_families() > 0 && f.useful_family_cells < 8);
  if (f.mostly_noise) {
    f.verdict = "MOST OF THIS RELEASE WILL BE NOISE: " + std::to_string(noisy) + " of " +
                std::to_string(tvds.size()) +
                " attributes have a 1-way noise TVD above 0.1, and a family can hold only about " +
                Fixed(f.useful_family_cells, 0) + " useful cells.";
  } else {
    f.verdict = "The 1-way marginals keep most of their signal (median noise TVD " +
                Fixed(median, 3) + "); relationships survive in families of up to about " +
                Fixed(f.useful_family_cells, 0) + " cells.";
  }
  // What would help, most effective first: each measurement's noise std scales with m and
  // about with 1 / epsilon; fewer attributes give each a larger share; fewer codes cut the
  // cells a marginal spreads its noise over.
  if (f.mostly_noise || noisy > 0) {
    f.advice.push_back("a larger epsilon: the noise std falls about as 1/epsilon (at epsilon " +
                       Fixed(2 * options.epsilon, 2) + " it roughly halves)");
    if (options.max_rows_per_unit > 1) {
      f.advice.push_back("a smaller unit bound: every noise std is proportional to m = " +
                         std::to_string(options.max_rows_per_unit));
    }
    f.advice.push_back("fewer attributes: the " + std::to_string(attributes.size()) +
                       " modelled attributes share the budget (declare derived columns, or "
                       "ignore columns the study does not need)");
    std::vector<std::pair<double, std::string>> worst;
    for (const AttributeForecast& a : f.attributes) {
      if (a.one_way_noise_tvd > 0.1) worst.push_back({a.one_way_noise_tvd, a.name});
    }
    std::sort(worst.rbegin(), worst.rend());
    if (!worst.empty()) {
      std::string names;
      for (std::size_t i = 0; i < worst.size() && i < 5; ++i) {
        names += (i ? ", " : "") + worst[i].second;
      }
      f.advice.push_back("coarser bins or fewer categories for " + names +
                         " (noise grows with the number of codes)");
    }
  }
  return f;
}

nlohmann::json NoiseForecast::ToJson() const {
  nlohmann::json json = {{"expected_rows", expected_rows},
                         {"mean_abs_noise_one_way", mean_abs_noise_one_way},
                         {"useful_family_cells", useful_family_cells},
                         {"family_noise_tvd_100_cells", family_noise_tvd_100_cells},
                         {"pair_noise_tvd", pair_noise_tvd},
                         {"mostly_noise", mostly_noise},
                         {"verdict", verdict},
                         {"advice", advice}};
  json["attributes"] = nlohmann::json::array();
  for (const AttributeForecast& a : attributes) {
    json["attributes"].push_back(
        {{"name", a.name}, {"cells", a.cells}, {"one_way_noise_tvd", a.one_way_noise_tvd}});
  }
  return json;
}

nlohmann::json SynthesisPlan::ToJson() const {
  nlohmann::json json;
  json["options"] = options.ToJson();
  json["attributes"] = nlohmann::json::array();
  for (const AttributeDomain& attribute : attributes) {
    json["attributes"].push_back(
        {{"name", attribute.name}, {"domain_size", attribute.domain_size}});
  }
  for (const DerivedColumn& d : rules.derived()) {
    json["derived"].push_back(
        {{"name", columns[d.column].name}, {"from", columns[d.source].name}, {"kind", d.kind}});
  }
  if (!rules.rule_names().empty()) json["constraints"] = rules.rule_names();
  if (const auto forecast = Forecast()) {
    json["forecast"] = forecast->ToJson();
  } else {
    json["forecast"] = nullptr;
  }
  json["histogram_sensitivity"] = histogram_sensitivity;
  json["one_way"] = one_way.ToJson();
  json["one_way"]["count"] = num_one_way();
  if (num_selections() > 0) {
    json["family"] = family.ToJson();
    json["family"]["count"] = num_families();
    json["selection"] = {{"mechanism", "exponential"},
                         {"epsilon", selection_epsilon},
                         {"score_sensitivity", selection_sensitivity},
                         {"count", num_selections()}};
  }
  if (num_pairs > 0) {
    json["pair"] = pair.ToJson();
    json["pair"]["count"] = num_pairs;
    json["pair"]["selected"] = num_pair_selections > 0;
  }
  if (num_pair_selections > 0) {
    json["pair_selection"] = {{"mechanism", "exponential"},
                              {"epsilon", pair_selection_epsilon},
                              {"score_sensitivity", histogram_sensitivity},
                              {"count", num_pair_selections}};
  }
  json["budget_split"] = {{"unit", options.mode == NoiseMode::kGaussian ? "rho" : "epsilon"},
                          {"one_way", one_way_fraction},
                          {"structure", structure_fraction},
                          {"families", family_fraction},
                          {"pairs", pair_fraction}};
  json["composed_epsilon"] = composed_epsilon;
  json["delta"] = options.delta;
  json["events"] = nlohmann::json::array();
  for (const privacy::PrivacyEvent& event : events) json["events"].push_back(event.ToJson());
  return json;
}

std::string SynthesisPlan::Describe() const {
  std::ostringstream out;
  out << "privet synthesize plan (" << NoiseModeName(options.mode) << " mode)\n";
  out << "  request: epsilon " << options.epsilon << ", delta " << options.delta
      << "; privacy unit bound m = " << options.max_rows_per_unit << " rows\n";
  out << "  " << attributes.size() << " attributes, " << events.size()
      << " privacy events, composed epsilon " << composed_epsilon << "\n";
  out << "  budget split (" << (options.mode == NoiseMode::kGaussian ? "rho" : "epsilon")
      << "): 1-way marginals " << one_way_fraction << ", structure " << structure_fraction
      << ", families " << family_fraction << ", pairs " << pair_fraction << "\n";
  out << "  1-way marginals: " << num_one_way() << " x "
      << (options.mode == NoiseMode::kGaussian ? "discrete Gaussian" : "discrete Laplace")
      << ", noise std " << one_way.StdDev() << " per cell\n";
  if (num_selections() > 0) {
    out << "  structure: " << num_selections() << " exponential-mechanism selections, epsilon "
        << selection_epsilon << " each, score sensitivity " << selection_sensitivity << "\n";
    const double sd = family.StdDev();
    out << "  families: " << num_families() << " noisy marginals, noise std " << sd
        << " per cell; a family of 100 cells gets about " << 0.7979 * sd * 100
        << " counts of absolute noise in total (L1)\n";
  }
  if (num_pairs > 0) {
    out << "  pairs: " << num_pairs << " noisy pair marginals over at most " << options.pair_levels
        << " x " << options.pair_levels << " coarse levels, noise std " << pair.StdDev()
        << " per cell";
    if (num_pair_selections > 0) {
      out << "; " << num_pair_selections << " of the "
          << attributes.size() * (attributes.size() - 1) / 2
          << " pairs, each chosen by the exponential mechanism (epsilon " << pair_selection_epsilon
          << ", score sensitivity " << histogram_sensitivity
          << ") as the pair the model so far gets most wrong";
    }
    out << "\n";
  }
  if (!rules.derived().empty()) {
    out << "  derived (not modelled, computed from their source after sampling, no budget):";
    std::vector<std::string> names;
    for (const AttributeDomain& c : columns) names.push_back(c.name);
    for (const DerivedColumn& d : rules.derived()) {
      out << " " << columns[d.column].name << " (" << d.Describe(names) << ")";
    }
    out << "\n";
  }
  if (!rules.rule_names().empty()) {
    out << "  constraints (no synthetic row breaks them): " << rules.rule_names().size() << "\n";
  }
  if (const auto f = Forecast()) {
    out << "  forecast for about " << Fixed(f->expected_rows, 0)
        << " rows (expected_rows, a public estimate):\n";
    out << "    " << f->verdict << "\n";
    std::vector<const AttributeForecast*> noisy;
    for (const AttributeForecast& a : f->attributes) {
      if (a.one_way_noise_tvd > 0.05) noisy.push_back(&a);
    }
    std::sort(noisy.begin(), noisy.end(), [](const auto* x, const auto* y) {
      return x->one_way_noise_tvd > y->one_way_noise_tvd;
    });
    if (!noisy.empty()) {
      out << "    1-way noise TVD above 0.05 (" << noisy.size() << " of " << f->attributes.size()
          << " attributes):";
      for (std::size_t i = 0; i < noisy.size() && i < 12; ++i) {
        out << (i ? ", " : " ") << noisy[i]->name << " " << Fixed(noisy[i]->one_way_noise_tvd, 3)
            << " (" << noisy[i]->cells << " codes)";
      }
      out << (noisy.size() > 12 ? ", ..." : "") << "\n";
    } else {
      out << "    every attribute's 1-way noise TVD is at most 0.05\n";
    }
    if (num_families() > 0) {
      out << "    a family of 100 cells carries noise TVD "
          << Fixed(f->family_noise_tvd_100_cells, 3) << "; families above about "
          << Fixed(f->useful_family_cells, 0) << " cells are not used\n";
    }
    if (num_pairs > 0) {
      out << "    each pair marginal (" << options.pair_levels << " x " << options.pair_levels
          << " levels) carries noise TVD " << Fixed(f->pair_noise_tvd, 3)
          << (f->pair_noise_tvd > 0.05 ? ": above 0.05, so the pairs will be measured but not used"
                                       : "")
          << "\n";
    }
    for (const std::string& advice : f->advice) out << "    would help: " << advice << "\n";
  } else {
    out << "  forecast: cannot judge how much of the release will be noise without a public "
           "row-count estimate (declare \"expected_rows\" in the config)\n";
  }
  out << "  degree: " << (options.degree ? std::to_string(*options.degree) : "automatic")
      << ", max parent cells: "
      << (options.max_parent_cells ? std::to_string(*options.max_parent_cells) : "automatic")
      << "\n";
  return out.str();
}

}  // namespace privet::engine
