#include "engine/table/attribute_domain.h"

namespace privet::engine {

std::vector<AttributeDomain> DomainsOf(const Schema& schema) {
  std::vector<AttributeDomain> domains;
  for (const Attribute& attribute : schema.modeled_attributes()) {
    AttributeDomain domain;
    domain.name = attribute.name;
    domain.domain_size = attribute.domain_size();
    domain.ordered = attribute.type != AttributeType::kCategorical;
    domain.missing_code = attribute.missing_code();
    domains.push_back(std::move(domain));
  }
  return domains;
}

}  // namespace privet::engine
