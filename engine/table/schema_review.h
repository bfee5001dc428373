// `privet schema review CONFIG`: what in a config still looks read off the private data.
//
// PRIVACY: the review reads the private data (to compare the config's domains with it), so its
// output is for the data holder's own eyes, like a draft (engine/table/schema_draft.h). It
// flags, per attribute: numeric bounds equal to the data's own min and max, a category list
// equal to the set of values the data shows, a "draft:" description left in place; and the
// privacy unit's bound equal to the data's largest rows-per-unit, rules still marked "draft:",
// and the "draft" flag itself. An empty list does not prove the domains public: it only says
// that nothing obviously copied from the data remains.
//
// An attribute whose config carries "reviewed": "NOTE" (the officer's statement of the public
// source of its domain, e.g. the code book) is not flagged for a domain equal to the data's: the
// review reports it as reviewed, with the note, so the claim stays visible. The note silences
// only the domain findings (bounds, categories), never a "draft:" description.
#ifndef PRIVET_ENGINE_TABLE_SCHEMA_REVIEW_H_
#define PRIVET_ENGINE_TABLE_SCHEMA_REVIEW_H_

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "engine/table/schema.h"

namespace privet::engine {

// What a finding is about, so a long review can be shown grouped (all attributes with data
// bounds on one line) instead of one line per attribute.
enum class ReviewKind {
  kDraftFlag,           // subject "config": "draft": true is still set
  kUnitBound,           // subject "privacy_unit": the bound is the data's largest or 99th pct
  kDraftDescription,    // an attribute's description still starts with "draft:"
  kBoundsFromData,      // numeric bounds are the data's own min and max
  kMinFromData,         // only the min is the data's own
  kMaxFromData,         // only the max is the data's own
  kCategoriesFromData,  // the category list is exactly the values seen
  kDraftRules,          // subject "rules": derived or constraint rules still marked "draft:"
  kReviewed,            // a domain equal to the data's that the config marks "reviewed"
};

struct ReviewItem {
  std::string subject;  // an attribute's name, "privacy_unit", "rules" or "config"
  std::string finding;  // one line: what looks data-derived and what to do (kReviewed:
                        // "reviewed: NOTE (what would have been flagged)")
  ReviewKind kind = ReviewKind::kDraftFlag;
};

// The "reviewed" notes of a config file's attributes, by attribute name. Read from the file,
// since Schema keeps no note (no release reads it); Schema::Load validates them (non-empty
// strings). InputError when the file is not JSON.
std::map<std::string, std::string> ReviewedNotes(const std::filesystem::path& config);

// Reads schema.csv_path() (InputError as the encoder's reader for malformed CSV) and returns
// the findings in config order; `reviewed` as ReviewedNotes gives it.
std::vector<ReviewItem> ReviewSchema(const Schema& schema,
                                     const std::map<std::string, std::string>& reviewed = {});

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_TABLE_SCHEMA_REVIEW_H_
