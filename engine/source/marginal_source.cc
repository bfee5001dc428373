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

namespace {

// The index checks of CheckMarginalAttributes; returns the cell count, or 0 past
// kMaxMarginalCells when `limit_cells` is false.
std::uint64_t CheckIndices(const std::vector<std::uint32_t>& domain_sizes,
                           std::span<const std::size_t> attributes, bool limit_cells) {
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
    cells = cells > kMaxMarginalCells ? cells : cells * domain_sizes[attributes[i]];
    if (limit_cells && cells > kMaxMarginalCells) {
      throw InputError("marginal: more than " + std::to_string(kMaxMarginalCells) + " cells");
    }
  }
  return cells;
}

void CheckMarginalAttributesIgnoringCells(const std::vector<std::uint32_t>& domain_sizes,
                                          std::span<const std::size_t> attributes) {
  CheckIndices(domain_sizes, attributes, false);
}

}  // namespace

std::uint64_t CheckMarginalAttributes(const std::vector<std::uint32_t>& domain_sizes,
                                      std::span<const std::size_t> attributes) {
  return CheckIndices(domain_sizes, attributes, true);
}

std::vector<std::uint32_t> CheckView(const std::vector<std::uint32_t>& domain_sizes,
                                     std::span<const std::size_t> attributes,
                                     const std::vector<CodeMap>& maps) {
  CheckMarginalAttributesIgnoringCells(domain_sizes, attributes);
  if (!maps.empty() && maps.size() != attributes.size()) {
    throw InputError("marginal view: one code map per attribute expected");
  }
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    if (maps.empty()) {
      out.push_back(domain_sizes[attributes[i]]);
      continue;
    }
    const CodeMap& map = maps[i];
    if (map.code_of.size() != domain_sizes[attributes[i]] || map.domain_size == 0) {
      throw InputError("marginal view: the code map of attribute index " +
                       std::to_string(attributes[i]) + " does not fit its domain");
    }
    for (std::uint32_t code : map.code_of) {
      if (code >= map.domain_size) {
        throw InputError("marginal view: a code map of attribute index " +
                         std::to_string(attributes[i]) + " leaves its domain");
      }
    }
    out.push_back(map.domain_size);
  }
  return out;
}

std::uint64_t SubsampleThreshold(double fraction) {
  if (!(fraction > 0 && fraction <= 1)) {
    throw InputError("marginal subsample: the fraction must be in (0, 1]");
  }
  // Exact: fraction * 2^53 scales by a power of two, then truncates (as the generator always
  // did for its scoring coins).
  return static_cast<std::uint64_t>(fraction * 9007199254740992.0);
}

}  // namespace privet::engine
