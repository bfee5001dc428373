#include "engine/source/marginal_source.h"

#include <string>

#include "privacy/errors.h"

namespace privet::engine {

std::vector<Marginal> MarginalSource::CountBatch(
    const std::vector<std::vector<std::size_t>>& sets) {
  for (const auto& set : sets) CheckMarginalAttributes(domain_sizes(), set);
  std::vector<Marginal> out;
  out.reserve(sets.size());
  for (const auto& set : sets) out.push_back(Count(set));
  return out;
}

std::uint64_t CheckMarginalAttributes(const std::vector<std::uint32_t>& domain_sizes,
                                      std::span<const std::size_t> attributes) {
  std::uint64_t cells = 1;
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    if (attributes[i] >= domain_sizes.size()) {
      throw InputError("marginal: attribute index " + std::to_string(attributes[i]) +
                       " is out of range (" + std::to_string(domain_sizes.size()) +
                       " modeled attributes)");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (attributes[j] == attributes[i]) {
        throw InputError("marginal: attribute index " + std::to_string(attributes[i]) +
                         " is listed twice");
      }
    }
    cells *= domain_sizes[attributes[i]];
    if (cells > kMaxMarginalCells) {
      throw InputError("marginal: more than " + std::to_string(kMaxMarginalCells) + " cells");
    }
  }
  return cells;
}

}  // namespace privet::engine
