// `privet schema review CONFIG`: what in a config still looks read off the private data.
//
// PRIVACY: the review reads the private data (to compare the config's domains with it), so its
// output is for the data holder's own eyes, like a draft (engine/table/schema_draft.h). It
// flags, per attribute: numeric bounds equal to the data's own min and max, a category list
// equal to the set of values the data shows, a "draft:" description left in place; and the
// privacy unit's bound equal to the data's largest rows-per-unit, rules still marked "draft:",
// and the "draft" flag itself. An empty list does not prove the domains public: it only says
// that nothing obviously copied from the data remains.
#ifndef PRIVET_ENGINE_TABLE_SCHEMA_REVIEW_H_
#define PRIVET_ENGINE_TABLE_SCHEMA_REVIEW_H_

#include <string>
#include <vector>

#include "engine/table/schema.h"

namespace privet::engine {

struct ReviewItem {
  std::string subject;  // an attribute's name, "privacy_unit", "rules" or "config"
  std::string finding;  // one line: what looks data-derived and what to do
};

// Reads schema.csv_path() (InputError as the encoder's reader for malformed CSV) and returns
// the findings in config order.
std::vector<ReviewItem> ReviewSchema(const Schema& schema);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_TABLE_SCHEMA_REVIEW_H_
