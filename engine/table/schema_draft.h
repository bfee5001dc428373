// `privet schema draft`: a first config inferred from a CSV, to save typing.
//
// PRIVACY: everything in the draft (categories, bounds, which columns look like identifiers)
// is read off the private data, so the draft is itself a disclosure of that data and its
// domains are NOT public. The output carries "draft": true and a top-level "warning";
// Schema::RequireReviewed() makes every budget-spending command refuse it until a person has
// replaced the data-derived domains with public ones (code book, standards, general knowledge)
// and removed the flag. It is for the data holder's own eyes only.
#ifndef PRIVET_ENGINE_TABLE_SCHEMA_DRAFT_H_
#define PRIVET_ENGINE_TABLE_SCHEMA_DRAFT_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace privet::engine {

struct DraftOptions {
  char delimiter = ',';
  // Dataset id; empty -> the file name without extension (sanitised).
  std::string dataset_id;
  // How dataset.csv is written in the draft (as the user will place the config); empty -> the
  // absolute path of the CSV.
  std::string csv_as_written;
  // A text column with at most this many distinct values becomes categorical; above it, the
  // most frequent (max_categories - 1) values are kept and the rest map to a catch-all "other".
  std::size_t max_categories = 50;
  // A column whose non-missing values are nearly all distinct (distinct / non-missing above
  // this ratio, with at least 20 rows) looks like an identifier and becomes "ignore".
  double identifier_ratio = 0.95;
  // Uniform bins for numeric columns with a wide range.
  std::uint32_t numeric_bins = 20;
};

// Reads the CSV (header required) and returns a config (schema_version 1) with "draft": true
// and a "warning". Inference per column: all values integers -> integer (one bin per value when
// the range spans at most max_categories integers, else numeric_bins); all numbers ->
// continuous; all ISO dates (YYYY-MM-DD) -> date; otherwise categorical; identifier-like or
// all-missing columns -> ignore; so are columns named like identifiers ("id", "subject_id",
// "PatientID") whose values are mostly distinct. Missing tokens: those of "NA", "", "?", "N/A",
// "NaN", "NULL", "null", "." that occur. Throws InputError on unreadable or malformed CSV.
// The draft also proposes rules it sees in the data ("derived" and "constraints", each marked
// "draft: ..." in its description; docs/config.md): a categorical column that is a function of
// another (each source value in at least 50 rows), and "x = value" or "x <= bin edge" implies
// "y missing" where that holds in at least 50 rows (questionnaire skip logic), at most 30, the
// best supported first. Like the domains they disclose the data and need a person's review.
nlohmann::json DraftSchema(const std::filesystem::path& csv, const DraftOptions& options = {});

// The config with its keys in reading order (docs/config.md): top level schema_version, draft,
// warning, dataset, privacy_unit, attributes, rules; each attribute name, type, its domain,
// then its options and description. What `schema draft` writes.
nlohmann::ordered_json InReadingOrder(const nlohmann::json& config);

class Schema;
class EncodedTable;
// The proposals alone: {"derived": [...], "constraints": [...]} for `table` encoded with
// `schema`. Private (read off the data), for the draft only.
nlohmann::json ProposeRules(const Schema& schema, const EncodedTable& table);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_TABLE_SCHEMA_DRAFT_H_
