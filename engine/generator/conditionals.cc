#include "engine/generator/conditionals.h"

#include <algorithm>
#include <functional>

namespace privet::engine {
namespace {

// Stride of position i in a mixed-radix table (last fastest).
std::vector<std::size_t> Strides(const std::vector<std::uint32_t>& domain_sizes) {
  std::vector<std::size_t> strides(domain_sizes.size(), 1);
  for (std::size_t i = domain_sizes.size(); i-- > 1;) {
    strides[i - 1] = strides[i] * domain_sizes[i];
  }
  return strides;
}

std::vector<double> Project(const NoisyTable& table, std::size_t position) {
  const std::vector<std::size_t> strides = Strides(table.domain_sizes);
  std::vector<double> out(table.domain_sizes[position], 0.0);
  for (std::size_t cell = 0; cell < table.counts.size(); ++cell) {
    out[(cell / strides[position]) % table.domain_sizes[position]] += table.counts[cell];
  }
  return out;
}

double Sum(const std::vector<double>& values) {
  double total = 0;
  for (double v : values) total += v;
  return total;
}

}  // namespace

void NormSub(std::vector<double>& values, double total) {
  if (values.empty()) return;
  if (total <= 0) {
    std::fill(values.begin(), values.end(), 0.0);
    return;
  }
  std::vector<double> sorted(values);
  std::sort(sorted.begin(), sorted.end(), std::greater<double>());
  double prefix = 0;
  double delta = sorted[0] - total;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    prefix += sorted[i];
    const double candidate = (prefix - total) / static_cast<double>(i + 1);
    if (i + 1 == sorted.size() || sorted[i + 1] <= candidate) {
      delta = candidate;
      break;
    }
  }
  for (double& v : values) v = std::max(0.0, v - delta);
}

ConsistentEstimate MakeConsistent(const std::vector<NoisyTable>& one_way,
                                  const std::vector<NoisyTable>& families) {
  std::vector<NoisyTable> tables;  // 1-way tables first, then the non-empty families
  for (const NoisyTable& t : one_way) tables.push_back(t);
  std::vector<std::size_t> family_slot(families.size(), SIZE_MAX);
  for (std::size_t i = 0; i < families.size(); ++i) {
    if (families[i].counts.empty()) continue;
    family_slot[i] = tables.size();
    tables.push_back(families[i]);
  }
  // 1. Total.
  double weighted = 0, weights = 0;
  for (const NoisyTable& t : tables) {
    const double variance = t.noise_variance * static_cast<double>(t.counts.size());
    weighted += Sum(t.counts) / variance;
    weights += 1 / variance;
  }
  ConsistentEstimate estimate;
  estimate.total = std::max(1.0, weighted / weights);
  for (NoisyTable& t : tables) {
    const double shift = (estimate.total - Sum(t.counts)) / static_cast<double>(t.counts.size());
    for (double& c : t.counts) c += shift;
  }
  // 2. Shared attributes: consensus per attribute, then spread the differences.
  const std::size_t k = one_way.size();
  for (std::size_t a = 0; a < k; ++a) {
    const std::size_t groups = one_way[a].counts.size();
    std::vector<double> weighted_sum(groups, 0.0);
    double weight_total = 0;
    std::vector<std::pair<std::size_t, std::size_t>> holders;  // (table, position)
    for (std::size_t t = 0; t < tables.size(); ++t) {
      const auto& attrs = tables[t].attributes;
      auto it = std::find(attrs.begin(), attrs.end(), a);
      if (it == attrs.end()) continue;
      const std::size_t position = static_cast<std::size_t>(it - attrs.begin());
      holders.emplace_back(t, position);
      const double summed = static_cast<double>(tables[t].counts.size()) / groups;
      const double weight = 1 / (tables[t].noise_variance * summed);
      const std::vector<double> projection = Project(tables[t], position);
      for (std::size_t g = 0; g < groups; ++g) weighted_sum[g] += weight * projection[g];
      weight_total += weight;
    }
    std::vector<double> consensus(groups);
    for (std::size_t g = 0; g < groups; ++g) consensus[g] = weighted_sum[g] / weight_total;
    for (auto [t, position] : holders) {
      NoisyTable& table = tables[t];
      const std::vector<double> projection = Project(table, position);
      const double per_group_cells = static_cast<double>(table.counts.size()) / groups;
      const std::vector<std::size_t> strides = Strides(table.domain_sizes);
      for (std::size_t cell = 0; cell < table.counts.size(); ++cell) {
        const std::size_t g = (cell / strides[position]) % groups;
        table.counts[cell] += (consensus[g] - projection[g]) / per_group_cells;
      }
    }
    NormSub(consensus, estimate.total);
    estimate.one_way.push_back(std::move(consensus));
  }
  // 3. Non-negativity.
  estimate.families.resize(families.size());
  for (std::size_t i = 0; i < families.size(); ++i) {
    if (family_slot[i] == SIZE_MAX) continue;
    NoisyTable table = std::move(tables[family_slot[i]]);
    NormSub(table.counts, estimate.total);
    estimate.families[i] = std::move(table);
  }
  return estimate;
}

std::vector<ConditionalTable> BuildConditionals(const std::vector<Family>& network,
                                                const ConsistentEstimate& estimate) {
  std::vector<ConditionalTable> out;
  for (std::size_t i = 0; i < network.size(); ++i) {
    const Family& family = network[i];
    const std::vector<double>& marginal = estimate.one_way[family.attribute];
    const std::size_t groups = marginal.size();
    double marginal_total = Sum(marginal);
    std::vector<double> fallback(groups, 1.0 / static_cast<double>(groups));
    if (marginal_total > 0) {
      for (std::size_t g = 0; g < groups; ++g) fallback[g] = marginal[g] / marginal_total;
    }
    ConditionalTable table;
    table.attribute = family.attribute;
    table.parents = family.parents;
    if (family.parents.empty()) {
      table.probabilities = fallback;
      out.push_back(std::move(table));
      continue;
    }
    const std::vector<double>& counts = estimate.families[i].counts;
    table.probabilities.resize(counts.size());
    for (std::size_t row = 0; row < counts.size(); row += groups) {
      double total = 0;
      for (std::size_t g = 0; g < groups; ++g) total += counts[row + g];
      for (std::size_t g = 0; g < groups; ++g) {
        table.probabilities[row + g] = total > 0 ? counts[row + g] / total : fallback[g];
      }
    }
    out.push_back(std::move(table));
  }
  return out;
}

}  // namespace privet::engine
