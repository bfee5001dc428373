// The public schema: a versioned JSON config that declares a dataset and the PUBLIC domain of
// every attribute (docs/config.md documents each field with an example).
//
// Why the domain is public: every DP mechanism downstream (PrivBayes' exponential mechanism and
// noisy marginals, Zhang et al. 2017, Sec. 3) assumes the set of possible values is fixed
// independently of the data; a domain read off the private table would itself reveal which
// values occur (e.g. one rare diagnosis). So the config, written by a person from code books
// and general knowledge, is the only source of categories, bounds, bins and date ranges, and
// values outside it are clamped (numbers, dates) or mapped to a declared catch-all / missing
// (categories), never added. A config drafted from the data (engine/table/schema_draft.h) carries
// "draft": true and RequireReviewed() refuses it until a person has reviewed it.
//
// Codes: every modeled attribute maps each cell to a code in [0, domain_size()). Categories
// take codes in the order of "values"; numeric bins and date buckets in increasing order; when
// the attribute is nullable, missing is the LAST code (domain_size() - 1).
#ifndef PRIVET_ENGINE_TABLE_SCHEMA_H_
#define PRIVET_ENGINE_TABLE_SCHEMA_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/table/source_config.h"

namespace privet::engine {

// The only schema_version this build reads; older or newer configs are rejected by name.
inline constexpr int kSchemaVersion = 1;

enum class AttributeType { kCategorical, kInteger, kContinuous, kDate, kDatetime, kIgnore };

// What a categorical cell outside "values" becomes (config key "out_of_domain").
enum class OutOfDomainPolicy {
  kCatchAll,  // the declared "catch_all" value
  kMissing,   // the missing code (attribute must be nullable)
  kError,     // InputError naming file, line, column and value
};

// Width of a date/datetime bucket. Weeks are 7-day blocks starting at the attribute's min;
// months and years are calendar months/years. kHour and kMinute only for datetime.
// privacy_unit.id_type: kText ids are compared as trimmed strings; kInteger ids must be
// integers (optional sign, decimal digits) and are compared by value.
enum class UnitIdType { kText, kInteger };

// The canonical form of a unit id under `type`: surrounding ASCII whitespace removed; for
// kInteger also a leading '+' and leading zeros ("-0" becomes "0"). nullopt when the id is
// empty after trimming, or is not an integer under kInteger. Two cells are the same unit
// exactly when their canonical forms are equal.
std::optional<std::string> NormalizeUnitId(std::string_view id, UnitIdType type);

enum class TimeGranularity { kMinute, kHour, kDay, kWeek, kMonth, kYear };

// "categorical", "integer", ... as written in configs.
std::string_view AttributeTypeName(AttributeType type);

// One column of the dataset with its public domain. Built and validated by Schema; all fields
// are read-only to users (treat as const).
struct Attribute {
  std::string name;
  AttributeType type = AttributeType::kIgnore;
  std::string description;  // free text from the config, may be empty
  // Missing cells have their own (last) code. When false a missing cell is an InputError.
  bool nullable = true;
  // Cells equal to one of these are missing. Per-attribute override of the dataset's tokens;
  // the FIRST token is what decoding writes for missing.
  std::vector<std::string> missing_tokens;
  // True when the config gave this attribute its own "missing_tokens".
  bool missing_tokens_overridden = false;

  // --- kCategorical ---
  std::vector<std::string> values;       // code i <-> values[i]
  std::optional<std::string> catch_all;  // one of `values`
  OutOfDomainPolicy out_of_domain = OutOfDomainPolicy::kError;

  // --- kInteger, kContinuous ---
  // Cells are clamped to [min, max]. For kDate/kDatetime min and max are days / seconds since
  // 1970-01-01 (UTC, no time zones: the data's local clock is taken as is).
  double min = 0;
  double max = 0;
  // Bin b holds values v with bin_lower[b] <= v < bin_lower[b + 1]; the last bin also holds
  // max. For kInteger the bounds are integers and bin b holds the integers
  // [bin_lower[b], bin_upper_inclusive(b)]. Size = number of bins.
  std::vector<double> bin_lower;
  // As written in the config, kept so ToJson round-trips: at most one is set, neither for an
  // integer attribute with one bin per integer.
  std::optional<std::uint32_t> config_bins;
  std::optional<std::vector<double>> config_edges;
  // Public cut points (config "cut_points", docs/config.md): values c at which the generator's
  // compressed groups must break, so no group holds both a value below c and one at or above
  // it (age 18: a group never mixes minors and adults, and a value drawn inside its group
  // never crosses 18). Strictly increasing, each a bin edge: bin_lower[b] for some b >= 1.
  // Public knowledge declared by the officer; no budget. Empty when none are declared.
  std::vector<double> cut_points;

  // --- kDate, kDatetime ---
  TimeGranularity granularity = TimeGranularity::kDay;
  // strftime-like: %Y %m %d %H %M %S and literal characters. Default "%Y-%m-%d" (date),
  // "%Y-%m-%d %H:%M:%S" (datetime).
  std::string format;
  // bucket b covers [bucket_start[b], bucket_start[b + 1]) in days (date) or seconds
  // (datetime), intersected with [min, max]; size = number of buckets.
  std::vector<std::int64_t> bucket_start;

  bool modeled() const { return type != AttributeType::kIgnore; }
  // Number of codes including the missing code; 0 for kIgnore.
  std::uint32_t domain_size() const;
  // Number of codes excluding missing (categories, bins or buckets).
  std::uint32_t num_value_codes() const;
  // domain_size() - 1 when nullable, else nullopt.
  std::optional<std::uint32_t> missing_code() const;
  // A human label for a code, for reports: the category, "[20, 30)" (continuous bin, last one
  // closed), "[20, 29]" or "20" (integer bin), "2020-03-02" (one-day bucket) or
  // "2020-03-02..2020-03-08" (first..last day or second, ISO form), "missing". Throws
  // std::out_of_range for code >= domain_size().
  std::string Label(std::uint32_t code) const;
  // Largest integer in integer bin b (bin_lower[b + 1] - 1, or max for the last bin).
  double bin_upper_inclusive(std::uint32_t bin) const;
  // Upper end of bin b (exclusive except for the last bin, which ends at max).
  double bin_upper(std::uint32_t bin) const;
  // The bucket of a clamped time value (days or seconds since epoch, in [min, max]).
  std::uint32_t BucketOf(std::int64_t time) const;
  // The bin of a clamped number in [min, max].
  std::uint32_t BinOf(double value) const;
};

// The largest config file Schema::Load reads (16 MiB): far above any genuine config (the
// shipped ones are a few kilobytes), far below one that declares 10^7 categories, which is
// refused here in microseconds instead of after seconds of parsing and gigabytes of memory.
inline constexpr std::size_t kMaxConfigBytes = std::size_t{16} << 20;

class Schema {
 public:
  // Reads and validates a config file. Relative paths inside it resolve against the config's
  // directory. csv_override, when given, replaces dataset.csv (for data not shipped, e.g. a
  // copy elsewhere); it is used as given (relative to the working directory).
  // Throws InputError naming the file and the field, e.g.
  //   configs/x.json: attributes[3] "age": min (90) must be below max (10)
  static Schema Load(const std::filesystem::path& config,
                     const std::optional<std::filesystem::path>& csv_override = std::nullopt);
  // Validates an already parsed config. base_dir resolves relative paths; source names the
  // config in error messages.
  static Schema FromJson(const nlohmann::json& config, const std::filesystem::path& base_dir,
                         const std::string& source = "config");

  // The config as JSON, normalised (defaults written out, csv path as written in the config,
  // not resolved). FromJson(ToJson()) gives an equal schema; the model file embeds it.
  nlohmann::json ToJson() const;

  // True when the config says "draft": true (drafted from private data, not yet reviewed).
  bool is_draft() const { return draft_; }
  // Throws InputError unless a person has reviewed the config (no "draft": true). Every
  // command that spends budget calls this first.
  void RequireReviewed() const;

  const std::string& dataset_id() const { return dataset_id_; }
  // Where the rows live (the config's "source", engine/table/source_config.h): kCsv, the
  // default, reads csv_path(); kPostgresql has no CSV (csv_path() is empty).
  const SourceConfig& source_config() const { return source_config_; }
  // The CSV, resolved (relative to the config's directory, or the override).
  const std::filesystem::path& csv_path() const { return csv_path_; }
  char delimiter() const { return delimiter_; }
  bool has_header() const { return has_header_; }
  // The dataset-wide missing tokens (default {""}); attributes may override them.
  const std::vector<std::string>& missing_tokens() const { return missing_tokens_; }

  // The column identifying the privacy unit (a patient); an attribute of type "ignore".
  // nullopt when every row is its own unit.
  const std::optional<std::string>& privacy_unit_column() const { return privacy_unit_column_; }
  // How two unit ids are compared (docs/config.md "privacy_unit"): always after trimming
  // surrounding whitespace; kInteger also compares them as integers ("0123" = "+123" = "123").
  UnitIdType privacy_unit_id_type() const { return privacy_unit_id_type_; }
  // Maximum rows one unit contributes (>= 1; 1 when there is no unit column). Every
  // sensitivity downstream is scaled by it; extra rows are dropped (engine side, secure RNG).
  std::uint32_t max_rows_per_unit() const { return max_rows_per_unit_; }

  // Every column of the config, in config order (ignored ones included).
  const std::vector<Attribute>& attributes() const { return attributes_; }
  // The non-ignored attributes in config order: exactly the columns of an EncodedTable.
  const std::vector<Attribute>& modeled_attributes() const { return modeled_; }
  // nullptr when no attribute has that name.
  const Attribute* FindAttribute(std::string_view name) const;
  // The EncodedTable column index of each named modeled attribute, in the given order.
  // Throws InputError, prefixed with `who` (e.g. "query marginal"), for a name that is not a
  // modeled attribute or that is listed twice.
  std::vector<std::size_t> ModeledColumns(const std::vector<std::string>& names,
                                          const std::string& who) const;

  // Where the config came from (file path or "config"), for messages.
  const std::string& source() const { return source_; }

  // The config's "derived" and "constraints" arrays as written (null when absent), validated
  // at load by TableRules::Compile (engine/table/rules.h), which is how they are used.
  const nlohmann::json& derived_config() const { return derived_config_; }
  const nlohmann::json& constraints_config() const { return constraints_config_; }
  // The config's public estimate of the row count ("expected_rows"), for the plan's noise
  // forecast (engine/generator/synthesis_plan.h); nullopt when not declared.
  std::optional<double> expected_rows() const { return expected_rows_; }

 private:
  Schema() = default;

  std::string source_;
  bool draft_ = false;
  std::string warning_;
  std::string description_;
  std::string dataset_id_;
  SourceConfig source_config_;
  std::string csv_as_written_;
  std::filesystem::path csv_path_;
  char delimiter_ = ',';
  bool has_header_ = true;
  std::vector<std::string> missing_tokens_{""};
  std::optional<std::string> privacy_unit_column_;
  UnitIdType privacy_unit_id_type_ = UnitIdType::kText;
  std::uint32_t max_rows_per_unit_ = 1;
  std::vector<Attribute> attributes_;
  std::vector<Attribute> modeled_;
  nlohmann::json derived_config_;
  nlohmann::json constraints_config_;
  std::optional<double> expected_rows_;
};

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_TABLE_SCHEMA_H_
