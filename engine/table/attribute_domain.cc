#include "engine/table/attribute_domain.h"

#include <algorithm>

namespace privet::engine {

std::vector<AttributeDomain> DomainsOf(const Schema& schema) {
  std::vector<AttributeDomain> domains;
  for (const Attribute& attribute : schema.modeled_attributes()) {
    AttributeDomain domain;
    domain.name = attribute.name;
    domain.domain_size = attribute.domain_size();
    domain.ordered = attribute.type != AttributeType::kCategorical;
    domain.missing_code = attribute.missing_code();
    for (double cut : attribute.cut_points) {  // each a bin edge (validated by the schema)
      const auto edge =
          std::lower_bound(attribute.bin_lower.begin(), attribute.bin_lower.end(), cut);
      domain.cut_codes.push_back(static_cast<std::uint32_t>(edge - attribute.bin_lower.begin()));
    }
    domains.push_back(std::move(domain));
  }
  return domains;
}

}  // namespace privet::engine
