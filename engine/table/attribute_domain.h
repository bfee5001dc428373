// The public facts the generator needs about each modeled attribute: its name, number of
// codes, whether codes are ordered (numeric bins, date buckets) and which code means missing.
// All of it comes from the config (engine/table/schema.h), never from the data, so the planner and
// the model may use it freely.
#ifndef PRIVET_ENGINE_TABLE_ATTRIBUTE_DOMAIN_H_
#define PRIVET_ENGINE_TABLE_ATTRIBUTE_DOMAIN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/table/schema.h"

namespace privet::engine {

struct AttributeDomain {
  // A constructor rather than aggregate initialisation, so that the short form
  // {name, domain_size, ordered, missing_code} used throughout stays valid (and free of
  // missing-initializer warnings) as public facts are added.
  AttributeDomain() = default;
  AttributeDomain(std::string name_in, std::uint32_t domain_size_in, bool ordered_in = false,
                  std::optional<std::uint32_t> missing_code_in = std::nullopt,
                  std::vector<std::uint32_t> cut_codes_in = {})
      : name(std::move(name_in)),
        domain_size(domain_size_in),
        ordered(ordered_in),
        missing_code(missing_code_in),
        cut_codes(std::move(cut_codes_in)) {}

  std::string name;
  std::uint32_t domain_size = 1;  // codes in [0, domain_size), the missing code included
  // True for integer/continuous/date/datetime: adjacent codes are adjacent values, so the
  // generator may merge neighbouring codes when it compresses the domain.
  bool ordered = false;
  std::optional<std::uint32_t> missing_code;
  // The value codes at which a compressed group must start (the config's public "cut_points",
  // engine/table/schema.h): no group holds a code below a cut code and one at or above it.
  // Ordered attributes only; strictly increasing, each in [1, number of value codes).
  std::vector<std::uint32_t> cut_codes;

  bool operator==(const AttributeDomain&) const = default;
};

// One entry per schema.modeled_attributes(), same order (= the EncodedTable's columns).
std::vector<AttributeDomain> DomainsOf(const Schema& schema);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_TABLE_ATTRIBUTE_DOMAIN_H_
