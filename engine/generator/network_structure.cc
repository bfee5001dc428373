#include "engine/generator/network_structure.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "engine/table/marginals.h"
#include "privacy/errors.h"
#include "privacy/exponential_mechanism.h"

namespace privet::engine {
namespace {

constexpr double kSqrtTwoOverPi = 0.7978845608028654;

using Key = std::pair<std::size_t, std::vector<std::size_t>>;

// Candidates' joint counts are requested in batches of at most this many cells (32 MB), so a
// round of wide candidates never holds all its counts at once.
constexpr std::uint64_t kBatchCells = std::uint64_t{1} << 22;

std::uint64_t CellsOf(std::span<const std::uint32_t> table,
                      const std::vector<std::size_t>& attributes) {
  std::uint64_t cells = 1;
  for (std::size_t a : attributes) cells *= table[a];
  return cells;
}

// All subsets of `pool` with 2..max_size elements whose cell product stays within the caps,
// appended for child x. Stops (returns false) once `limit` would be exceeded.
bool EnumerateLarge(std::span<const std::uint32_t> table, const std::vector<std::size_t>& pool,
                    std::size_t child, const StructureSearchOptions& options, std::size_t limit,
                    std::vector<Key>& out) {
  const std::uint64_t child_cells = table[child];
  std::vector<std::size_t> current;
  bool ok = true;
  auto recurse = [&](auto&& self, std::size_t start, std::uint64_t cells) -> void {
    if (!ok) return;
    if (current.size() >= 2) {
      if (out.size() >= limit) {
        ok = false;
        return;
      }
      out.emplace_back(child, current);
    }
    if (current.size() == options.max_parents) return;
    for (std::size_t i = start; i < pool.size() && ok; ++i) {
      const std::uint64_t next = cells * table[pool[i]];
      if (next > options.max_parent_cells || next * child_cells > options.max_family_cells) {
        continue;
      }
      current.push_back(pool[i]);
      self(self, i + 1, next);
      current.pop_back();
    }
  };
  recurse(recurse, 0, 1);
  return ok;
}

}  // namespace

std::vector<std::int64_t> QuantizeDistribution(std::span<const double> distribution) {
  constexpr std::int64_t kOne = std::int64_t{1} << kScoreGridBits;
  std::vector<std::int64_t> weights;
  weights.reserve(distribution.size());
  std::int64_t total = 0;
  for (const double p : distribution) {
    if (!std::isfinite(p)) {
      throw InputError("structure search: a reference distribution is not finite");
    }
    // floor(p 2^k) is exact: scaling by a power of two, then an integer-valued floor.
    const double scaled = std::ldexp(std::clamp(p, 0.0, 1.0), kScoreGridBits);
    weights.push_back(static_cast<std::int64_t>(std::floor(scaled)));
    total += weights.back();
  }
  // The doubles may sum to a hair above 1: take units off the largest weights until the sum is
  // at most 1 (deterministic, so neighbours given the same released values agree). Flooring
  // already loses up to one unit per entry, so more than that excess is not a distribution.
  if (total > kOne + static_cast<std::int64_t>(weights.size())) {
    throw InputError("structure search: a reference distribution sums to more than 1");
  }
  while (total > kOne) {
    auto largest = std::max_element(weights.begin(), weights.end());
    --*largest;
    --total;
  }
  return weights;
}

std::int64_t DependenceScoreOnGrid(const EncodedTable& table, std::size_t child,
                                   const std::vector<std::size_t>& parents,
                                   std::span<const std::int64_t> child_weights) {
  std::vector<std::size_t> attributes = parents;
  attributes.push_back(child);
  return DependenceScoreOnGrid(ComputeMarginal(table, attributes, 1), child_weights);
}

std::int64_t DependenceScoreOnGrid(const Marginal& joint,
                                   std::span<const std::int64_t> child_weights) {
  __extension__ typedef __int128 Int128;
  const std::size_t d = joint.domain_sizes.back();
  // |c 2^k - w_x c_P| <= n 2^k < 2^(64+20) per cell; the sum of all of them is at most
  // 2 n 2^k < 2^86 (n < 2^64 rows): 128 bits hold every partial sum exactly.
  Int128 score = 0;
  for (std::size_t row = 0; row < joint.counts.size(); row += d) {
    Int128 parent_count = 0;
    for (std::size_t x = 0; x < d; ++x) parent_count += joint.counts[row + x];
    if (parent_count == 0) continue;
    for (std::size_t x = 0; x < d; ++x) {
      const Int128 term = (static_cast<Int128>(joint.counts[row + x]) << kScoreGridBits) -
                          static_cast<Int128>(child_weights[x]) * parent_count;
      score += term < 0 ? -term : term;
    }
  }
  return score > kMaxGridScore ? kMaxGridScore : static_cast<std::int64_t>(score);
}

std::size_t ChooseRoot(std::span<const std::uint32_t> groups,
                       const std::vector<std::vector<double>>& noisy_marginals) {
  std::optional<std::size_t> root;
  std::size_t flattest = 0;
  double flattest_share = 2;
  for (std::size_t a = 0; a < groups.size(); ++a) {
    const double largest = noisy_marginals[a].empty()
                               ? 1.0
                               : *std::max_element(noisy_marginals[a].begin(),
                                                   noisy_marginals[a].end());
    if (largest < flattest_share) flattest_share = largest, flattest = a;
    if (groups[a] < 2 || largest > kMaxRootShare) continue;
    if (!root || groups[a] < groups[*root]) root = a;
  }
  return root ? *root : flattest;
}

std::vector<Family> LearnStructure(MarginalSource& scoring_source,
                                   const std::vector<std::vector<double>>& noisy_marginals,
                                   const StructureSearchOptions& options,
                                   privacy::RandomSource& secure) {
  const std::vector<std::uint32_t>& scoring = scoring_source.domain_sizes();
  const std::size_t k = scoring.size();
  if (k == 0 || noisy_marginals.size() != k) {
    throw InputError("structure search: one noisy marginal per column expected");
  }
  for (std::size_t a = 0; a < k; ++a) {
    if (noisy_marginals[a].size() != scoring[a]) {
      throw InputError("structure search: noisy marginal of column " + std::to_string(a) +
                       " has the wrong size");
    }
  }
  std::vector<std::uint32_t> groups(k);
  for (std::size_t a = 0; a < k; ++a) groups[a] = scoring[a];
  const std::size_t root = ChooseRoot(groups, noisy_marginals);
  std::vector<Family> network{{root, {}}};
  std::vector<std::size_t> selected{root};
  std::vector<bool> in_network(k, false);
  in_network[root] = true;
  std::map<Key, std::int64_t> cache;
  // The exponential mechanism runs on grid units: scores S = 2^k dep - round(2^k penalty),
  // sensitivity 2m 2^k (an exact integer; docs/privacy.md "Structure score").
  if (!(options.score_sensitivity >= 1 && options.score_sensitivity <= 0x1p40) ||
      options.score_sensitivity != std::floor(options.score_sensitivity)) {
    throw InputError("structure search: the score sensitivity must be an integer in [1, 2^40]");
  }
  const std::uint64_t grid_sensitivity = static_cast<std::uint64_t>(options.score_sensitivity)
                                         << kScoreGridBits;
  std::vector<std::vector<std::int64_t>> child_weights;
  child_weights.reserve(k);
  for (const auto& distribution : noisy_marginals) {
    child_weights.push_back(QuantizeDistribution(distribution));
  }

  for (std::size_t step = 1; step < k; ++step) {
    std::vector<Key> candidates;
    std::vector<std::size_t> pool = selected;
    std::sort(pool.begin(), pool.end());
    std::vector<std::size_t> open;
    for (std::size_t x = 0; x < k; ++x) {
      if (!in_network[x]) open.push_back(x);
    }
    for (std::size_t x : open) {
      const std::uint64_t child_cells = scoring[x];
      candidates.emplace_back(x, std::vector<std::size_t>{});
      for (std::size_t p : pool) {
        const std::uint64_t cells = scoring[p];
        if (cells <= options.max_parent_cells && cells * child_cells <= options.max_family_cells) {
          candidates.emplace_back(x, std::vector<std::size_t>{p});
        }
      }
    }
    if (options.max_parents >= 2 && pool.size() >= 2) {
      std::vector<Key> large;
      bool complete = true;
      for (std::size_t x : open) {
        if (!EnumerateLarge(scoring, pool, x, options, options.max_candidates_per_step, large)) {
          complete = false;
          break;
        }
      }
      if (complete) {
        candidates.insert(candidates.end(), large.begin(), large.end());
      } else {
        // Too many: draw max_candidates_per_step distinct ones uniformly (data-independent).
        std::set<Key> drawn;
        const std::size_t attempts = 20 * std::size_t{options.max_candidates_per_step};
        for (std::size_t t = 0; t < attempts && drawn.size() < options.max_candidates_per_step;
             ++t) {
          const std::size_t x = open[secure.UniformBelow(open.size())];
          const std::size_t size =
              2 + secure.UniformBelow(std::min<std::size_t>(options.max_parents, pool.size()) - 1);
          std::vector<std::size_t> parents;
          while (parents.size() < size) {
            const std::size_t p = pool[secure.UniformBelow(pool.size())];
            if (std::find(parents.begin(), parents.end(), p) == parents.end()) {
              parents.push_back(p);
            }
          }
          std::sort(parents.begin(), parents.end());
          const std::uint64_t parent_cells = CellsOf(scoring, parents);
          if (parent_cells > options.max_parent_cells ||
              parent_cells * scoring[x] > options.max_family_cells) {
            continue;
          }
          drawn.emplace(x, std::move(parents));
        }
        candidates.insert(candidates.end(), drawn.begin(), drawn.end());
      }
    }
    // Score the candidates not seen before: their joint counts (parents, then the child) in
    // batches (one GROUPING SETS pass per batch for a database source), then the scores.
    std::vector<const Key*> missing;
    for (const Key& key : candidates) {
      if (!cache.count(key)) missing.push_back(&key);
    }
    for (std::size_t first = 0; first < missing.size();) {
      std::vector<std::vector<std::size_t>> sets;
      std::uint64_t cells = 0;
      for (std::size_t i = first; i < missing.size() && (sets.empty() || cells < kBatchCells);
           ++i) {
        sets.push_back(missing[i]->second);
        sets.back().push_back(missing[i]->first);
        cells += CellsOf(scoring, sets.back());
      }
      const std::vector<Marginal> joints = scoring_source.CountBatch(sets);
      for (std::size_t i = 0; i < joints.size(); ++i, ++first) {
        cache[*missing[first]] =
            DependenceScoreOnGrid(joints[i], child_weights[missing[first]->first]);
      }
    }
    std::vector<std::int64_t> scores;
    scores.reserve(candidates.size());
    for (const Key& key : candidates) {
      std::vector<std::size_t> family = key.second;
      family.push_back(key.first);
      const double penalty = options.penalty_weight * options.sample_fraction * kSqrtTwoOverPi *
                             options.family_noise_stddev *
                             static_cast<double>(CellsOf(scoring, family));
      // Public, the same on neighbours: any deterministic rounding keeps the sensitivity.
      const double grid_penalty =
          std::min(std::ldexp(penalty, kScoreGridBits), static_cast<double>(kMaxGridScore));
      scores.push_back(cache[key] - static_cast<std::int64_t>(std::llround(grid_penalty)));
    }
    const std::size_t chosen = privacy::SelectExponentialExact(scores, grid_sensitivity,
                                                               options.selection_epsilon, secure);
    const Key& pick = candidates[chosen];
    network.push_back({pick.first, pick.second});
    selected.push_back(pick.first);
    in_network[pick.first] = true;
  }
  return network;
}

}  // namespace privet::engine
