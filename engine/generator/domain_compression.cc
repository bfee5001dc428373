#include "engine/generator/domain_compression.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <numeric>
#include <optional>

namespace privet::engine {
namespace {

// Fills code_weight from the clipped noisy counts, normalised per group.
void SetWeights(AttributeCompression& c, std::span<const double> noisy_counts) {
  const std::size_t d = c.group_of_code.size();
  std::vector<double> mass(c.num_groups, 0.0);
  std::vector<std::uint32_t> members(c.num_groups, 0);
  c.code_weight.assign(d, 0.0);
  for (std::size_t code = 0; code < d; ++code) {
    c.code_weight[code] = std::max(0.0, noisy_counts[code]);
    mass[c.group_of_code[code]] += c.code_weight[code];
    ++members[c.group_of_code[code]];
  }
  for (std::size_t code = 0; code < d; ++code) {
    const std::uint32_t g = c.group_of_code[code];
    c.code_weight[code] = mass[g] > 0 ? c.code_weight[code] / mass[g] : 1.0 / members[g];
  }
}

// Cuts the ordered value codes `values` into at most max_runs runs of adjacent codes of about
// equal clipped noisy mass, each at least `threshold` (3 sigma) except when the codes hold less
// in all. Writes each code's run (0-based) into run_of and returns the number of runs (>= 1
// when values is not empty).
std::uint32_t EqualMassRuns(std::span<const std::uint32_t> values,
                            std::span<const double> noisy_counts, double threshold,
                            std::uint32_t max_runs, std::span<std::uint32_t> run_of) {
  std::uint32_t runs = 0;
  if (values.empty()) return 0;
  double remaining = 0;
  for (std::uint32_t code : values) remaining += std::max(0.0, noisy_counts[code]);
  std::uint32_t bins_left =
      std::min<std::uint32_t>(max_runs, static_cast<std::uint32_t>(values.size()));
  double accumulated = 0;
  const auto close_run = [&] {
    remaining -= accumulated;
    accumulated = 0;
    --bins_left;
    ++runs;
  };
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double mass = std::max(0.0, noisy_counts[values[i]]);
    // A heavy code (covid's ct_result: 94% of the rows at 45, "not detected") must not
    // swallow the lighter codes before it: when the run already passes 3 sigma and ends
    // nearer its target without this code than with it, it is closed before the code.
    const double before_target =
        std::max(threshold, bins_left > 0 ? remaining / bins_left : remaining);
    if (bins_left > 1 && accumulated >= threshold && accumulated + mass > before_target &&
        accumulated + mass - before_target > before_target - accumulated) {
      close_run();
    }
    run_of[i] = runs;
    accumulated += mass;
    const double target = std::max(threshold, bins_left > 0 ? remaining / bins_left : remaining);
    if (bins_left > 1 && accumulated >= target && i + 1 < values.size()) {
      close_run();
    }
  }
  // The last run: merge it into the previous one when it is too light to stand alone.
  if (runs > 0 && accumulated < threshold) {
    for (auto& r : run_of) r = std::min(r, runs - 1);
  } else {
    ++runs;
  }
  return runs;
}

}  // namespace

void RefineByCodeSets(const std::vector<std::vector<bool>>& sets,
                      AttributeCompression& compression) {
  const std::size_t codes = compression.group_of_code.size();
  std::map<std::pair<std::uint32_t, std::vector<bool>>, std::uint32_t> refined;
  std::vector<std::uint32_t> group_of_code(codes);
  for (std::size_t code = 0; code < codes; ++code) {
    std::vector<bool> membership(sets.size());
    for (std::size_t s = 0; s < sets.size(); ++s) membership[s] = sets[s][code];
    const auto key = std::make_pair(compression.group_of_code[code], std::move(membership));
    const auto it = refined.emplace(key, static_cast<std::uint32_t>(refined.size())).first;
    group_of_code[code] = it->second;
  }
  const auto groups = static_cast<std::uint32_t>(refined.size());
  std::vector<double> mass(groups, 0.0);
  std::vector<std::uint32_t> size(groups, 0);
  for (std::size_t code = 0; code < codes; ++code) {
    mass[group_of_code[code]] += compression.code_weight[code];
    ++size[group_of_code[code]];
  }
  for (std::size_t code = 0; code < codes; ++code) {
    const std::uint32_t g = group_of_code[code];
    compression.code_weight[code] =
        mass[g] > 0 ? compression.code_weight[code] / mass[g] : 1.0 / static_cast<double>(size[g]);
  }
  compression.group_of_code = std::move(group_of_code);
  compression.num_groups = groups;
}

void SmoothCodeWeights(const AttributeDomain& attribute, std::span<const double> noisy_counts,
                       double noise_stddev, AttributeCompression& compression) {
  AttributeCompression& c = compression;
  const std::size_t d = c.group_of_code.size();
  std::vector<std::vector<std::uint32_t>> members(c.num_groups);
  for (std::uint32_t code = 0; code < d; ++code) members[c.group_of_code[code]].push_back(code);
  std::vector<double> mass(c.num_groups, 0.0);
  for (std::uint32_t g = 0; g < c.num_groups; ++g) {
    for (std::uint32_t code : members[g]) mass[g] += noisy_counts[code];
    mass[g] = std::max(0.0, mass[g]);
  }
  const auto is_value = [&](std::uint32_t code) {
    return !attribute.missing_code || code != *attribute.missing_code;
  };
  // Baseline shape per code (any positive scale; only its shape within a group matters).
  std::vector<double> shape(d, 1.0);
  if (attribute.ordered) {
    // Knots: (middle value code of the group, the group's mass per value code), in code order.
    std::vector<std::pair<double, double>> knots;
    for (std::uint32_t g = 0; g < c.num_groups; ++g) {
      std::vector<std::uint32_t> values;
      for (std::uint32_t code : members[g]) {
        if (is_value(code)) values.push_back(code);
      }
      if (values.empty()) continue;
      double value_mass = 0;  // without a missing code that rides with the run
      for (std::uint32_t code : values) value_mass += noisy_counts[code];
      const double middle = 0.5 * (values.front() + values.back());
      knots.emplace_back(middle, std::max(0.0, value_mass) / static_cast<double>(values.size()));
    }
    std::sort(knots.begin(), knots.end());
    for (std::uint32_t code = 0; code < d; ++code) {
      if (!is_value(code)) continue;  // the missing code: its own noisy count, below
      if (knots.empty()) continue;
      const double x = code;
      const auto after = std::lower_bound(knots.begin(), knots.end(), std::make_pair(x, -1.0));
      if (after == knots.begin()) {
        shape[code] = knots.front().second;
      } else if (after == knots.end()) {
        shape[code] = knots.back().second;
      } else {
        const auto before = after - 1;
        const double t = (x - before->first) / (after->first - before->first);
        shape[code] = before->second + t * (after->second - before->second);
      }
    }
  }
  const double expected_abs_noise = std::sqrt(2.0 / std::numbers::pi) * noise_stddev;
  c.code_weight.assign(d, 0.0);
  for (std::uint32_t g = 0; g < c.num_groups; ++g) {
    const std::vector<std::uint32_t>& codes = members[g];
    // The missing code sharing a group with values keeps its own clipped noisy count (at most
    // the group's mass); the values share the rest by their shape. An even share would invent
    // missing rows where the data have none (nhanes' Race1: 276 of 10,000, real 0).
    std::size_t value_codes = 0;
    for (std::uint32_t code : codes) value_codes += is_value(code) ? 1 : 0;
    const bool shares = value_codes > 0 && value_codes < codes.size();
    const double missing_mass =
        shares ? std::min(mass[g], std::max(0.0, noisy_counts[*attribute.missing_code])) : 0.0;
    double shape_total = 0;
    for (std::uint32_t code : codes) shape_total += shares && !is_value(code) ? 0 : shape[code];
    std::vector<double> baseline(codes.size());
    for (std::size_t i = 0; i < codes.size(); ++i) {
      if (shares && !is_value(codes[i])) {
        baseline[i] = missing_mass;
      } else {
        const double rest = mass[g] - missing_mass;
        baseline[i] = shape_total > 0 ? rest * shape[codes[i]] / shape_total
                                      : rest / static_cast<double>(shares ? value_codes
                                                                          : codes.size());
      }
    }
    double distance = 0;
    for (std::size_t i = 0; i < codes.size(); ++i) {
      distance += std::abs(noisy_counts[codes[i]] - baseline[i]);
    }
    const double noise_l1 = expected_abs_noise * static_cast<double>(codes.size());
    const double lambda = distance > 0 ? std::max(0.0, 1.0 - noise_l1 / distance) : 0.0;
    double total = 0;
    for (std::size_t i = 0; i < codes.size(); ++i) {
      const double w = baseline[i] + lambda * (noisy_counts[codes[i]] - baseline[i]);
      total += c.code_weight[codes[i]] = std::max(0.0, w);
    }
    for (std::uint32_t code : codes) {
      const bool drawn = !shares || is_value(code);  // an empty group draws its values only
      c.code_weight[code] = total > 0   ? c.code_weight[code] / total
                            : drawn ? 1.0 / static_cast<double>(shares ? value_codes
                                                                       : codes.size())
                                    : 0.0;
    }
  }
}

AttributeCompression IdentityCompression(std::uint32_t domain_size) {
  AttributeCompression c;
  c.num_groups = domain_size;
  c.group_of_code.resize(domain_size);
  std::iota(c.group_of_code.begin(), c.group_of_code.end(), 0u);
  c.code_weight.assign(domain_size, 1.0);
  return c;
}

AttributeCompression CompressDomain(const AttributeDomain& attribute,
                                    std::span<const double> noisy_counts, double noise_stddev,
                                    std::uint32_t max_groups) {
  const std::uint32_t d = attribute.domain_size;
  const double threshold = 3 * noise_stddev;
  AttributeCompression c;
  c.group_of_code.assign(d, 0);
  if (!attribute.ordered) {
    std::vector<std::uint32_t> order(d);
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return noisy_counts[a] > noisy_counts[b];
    });
    std::vector<bool> own(d, false);
    std::uint32_t kept = 0;
    const std::uint32_t limit = d <= max_groups ? d : max_groups - 1;
    for (std::uint32_t code : order) {
      if (kept < limit && noisy_counts[code] >= threshold) {
        own[code] = true;
        ++kept;
      }
    }
    std::uint32_t next = 0;
    for (std::uint32_t code = 0; code < d; ++code) {
      if (own[code]) c.group_of_code[code] = next++;
    }
    const bool has_rare = kept < d;
    for (std::uint32_t code = 0; code < d; ++code) {
      if (!own[code]) c.group_of_code[code] = next;
    }
    c.num_groups = next + (has_rare ? 1 : 0);
    SetWeights(c, noisy_counts);
    return c;
  }
  // Ordered: runs of adjacent value codes of about equal clipped noisy mass, cut first into
  // segments at the public cut codes so that no run straddles a cut.
  std::vector<std::uint32_t> values;
  for (std::uint32_t code = 0; code < d; ++code) {
    if (!attribute.missing_code || code != *attribute.missing_code) values.push_back(code);
  }
  const bool missing_own = attribute.missing_code &&
                           noisy_counts[*attribute.missing_code] >= threshold && !values.empty();
  const std::uint32_t value_groups_max = std::max(1u, max_groups - (missing_own ? 1 : 0));
  std::vector<std::size_t> segment_start{0};
  for (std::uint32_t cut : attribute.cut_codes) {
    const auto at = static_cast<std::size_t>(std::lower_bound(values.begin(), values.end(), cut) -
                                             values.begin());
    if (at > segment_start.back() && at < values.size()) segment_start.push_back(at);
  }
  segment_start.push_back(values.size());
  double total_mass = 0;
  for (std::uint32_t code : values) total_mass += std::max(0.0, noisy_counts[code]);
  std::vector<std::uint32_t> run_of(values.size(), 0);
  std::uint32_t runs = 0;
  for (std::size_t s = 0; s + 1 < segment_start.size(); ++s) {
    const std::span<const std::uint32_t> segment(values.data() + segment_start[s],
                                                 segment_start[s + 1] - segment_start[s]);
    // Without cuts the one segment gets all value_groups_max runs; with cuts each segment gets
    // its share by mass, at least one (so the cuts may add groups beyond max_groups).
    std::uint32_t segment_runs = value_groups_max;
    if (segment_start.size() > 2) {
      double mass = 0;
      for (std::uint32_t code : segment) mass += std::max(0.0, noisy_counts[code]);
      const double share = total_mass > 0 ? mass / total_mass : 1.0 / (segment_start.size() - 1);
      segment_runs =
          std::max(1u, static_cast<std::uint32_t>(std::lround(share * value_groups_max)));
    }
    const std::uint32_t first_run = runs;
    runs +=
        EqualMassRuns(segment, noisy_counts, threshold, segment_runs,
                      std::span<std::uint32_t>(run_of.data() + segment_start[s], segment.size()));
    for (std::size_t i = segment_start[s]; i < segment_start[s + 1]; ++i) run_of[i] += first_run;
  }
  for (std::size_t i = 0; i < values.size(); ++i) c.group_of_code[values[i]] = run_of[i];
  c.num_groups = std::max(1u, runs);
  if (attribute.missing_code) {
    if (missing_own) {
      c.group_of_code[*attribute.missing_code] = c.num_groups++;
    } else {
      // Too rare to model on its own: it rides with the last run (or is the only group).
      c.group_of_code[*attribute.missing_code] = values.empty() ? 0 : c.num_groups - 1;
    }
  }
  SetWeights(c, noisy_counts);
  return c;
}

void AddPairLevels(const AttributeDomain& attribute, std::span<const double> group_counts,
                   std::uint32_t max_levels, AttributeCompression& compression) {
  AttributeCompression& c = compression;
  std::vector<std::uint32_t>& level_of = c.pair_level_of_group;
  level_of.assign(c.num_groups, 0);
  if (c.num_groups <= max_levels) {
    std::iota(level_of.begin(), level_of.end(), 0u);
    c.num_pair_levels = c.num_groups;
    return;
  }
  if (!attribute.ordered) {
    std::vector<std::uint32_t> order(c.num_groups);
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return group_counts[a] > group_counts[b];
    });
    for (std::uint32_t rank = 0; rank < c.num_groups; ++rank) {
      level_of[order[rank]] = std::min(rank, max_levels - 1);
    }
    c.num_pair_levels = max_levels;
    return;
  }
  // Ordered: groups are runs of codes in code order; the missing code may hold a group alone.
  std::optional<std::uint32_t> missing_group;
  if (attribute.missing_code) {
    const std::uint32_t g = c.group_of_code[*attribute.missing_code];
    if (std::count(c.group_of_code.begin(), c.group_of_code.end(), g) == 1) missing_group = g;
  }
  std::vector<std::uint32_t> value_groups;
  for (std::uint32_t g = 0; g < c.num_groups; ++g) {
    if (g != missing_group) value_groups.push_back(g);
  }
  const auto runs = std::min<std::uint32_t>(max_levels - (missing_group ? 1 : 0),
                                            static_cast<std::uint32_t>(value_groups.size()));
  double total = 0;
  for (std::uint32_t g : value_groups) total += std::max(0.0, group_counts[g]);
  // Each group joins the run holding the midpoint of its mass on [0, total): runs of about
  // equal mass, in order; runs left empty vanish in the renumbering.
  double before = 0;
  std::uint32_t next = 0, last_run = 0;
  for (std::size_t i = 0; i < value_groups.size(); ++i) {
    const double mass = total > 0 ? std::max(0.0, group_counts[value_groups[i]]) : 1.0;
    const double scale = total > 0 ? total : static_cast<double>(value_groups.size());
    const auto run = std::min<std::uint32_t>(
        runs - 1, static_cast<std::uint32_t>(runs * (before + mass / 2) / scale));
    if (i > 0 && run != last_run) ++next;
    last_run = run;
    level_of[value_groups[i]] = next;
    before += mass;
  }
  c.num_pair_levels = next + 1;
  if (missing_group) level_of[*missing_group] = c.num_pair_levels++;
}

std::vector<std::uint8_t> PairLevelsOf(const EncodedColumn& codes,
                                       const AttributeCompression& compression) {
  const AttributeCompression& c = compression;
  std::vector<std::uint8_t> levels;
  levels.reserve(codes.size());
  codes.Visit([&](const auto& values) {
    for (auto code : values) {
      levels.push_back(static_cast<std::uint8_t>(c.pair_level_of_group[c.group_of_code[code]]));
    }
  });
  return levels;
}

std::vector<double> GroupCounts(const AttributeCompression& compression,
                                std::span<const double> noisy_counts) {
  std::vector<double> groups(compression.num_groups, 0.0);
  for (std::size_t code = 0; code < noisy_counts.size(); ++code) {
    groups[compression.group_of_code[code]] += noisy_counts[code];
  }
  return groups;
}

}  // namespace privet::engine
