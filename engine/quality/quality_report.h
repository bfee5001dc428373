// The officer's quality report: every number comparing a synthetic table with the real one,
// computed once here and rendered by html_report.h (the page) and ToJson (the numbers).
//
// NOT DIFFERENTIALLY PRIVATE. Every number below is a statistic of the real table, computed
// without noise. It is for the privacy officer, who already holds the real data; it must not
// be released, attached to a release or shown to a researcher (docs/report.md).
//
// Binning: all marginal metrics run on the schema's codes (the config's categories, bins and
// date buckets; missing is its own code), for the real and the synthetic CSV alike, so they
// measure what the generator models. WriteCodedCsv writes those codes so that
// ../shared/tools/fidelity.py --all-categorical recomputes the same TVDs independently.
#ifndef PRIVET_ENGINE_QUALITY_QUALITY_REPORT_H_
#define PRIVET_ENGINE_QUALITY_QUALITY_REPORT_H_

#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/quality/disclosure.h"
#include "engine/quality/fidelity_metrics.h"
#include "engine/quality/leakage.h"
#include "engine/table/encoded_table.h"
#include "engine/table/schema.h"

namespace privet::engine::quality {

struct ReportOptions {
  // Column whose prediction is compared (train on synthetic vs train on real); none = skip.
  std::optional<std::string> target;
  // Ways of the marginal TVD means (each in [1, number of modeled attributes]; larger ways
  // are skipped when the schema has fewer attributes).
  std::vector<std::size_t> ways = {1, 2, 3};
  // More k-way sets than this are sampled (fidelity_metrics.h, MeanMarginalTvd): 10,000
  // keeps a 76-attribute table's 70,300 triples to a few seconds.
  std::size_t max_sets_per_way = 10000;
  std::uint64_t set_sample_seed = 0;
  // numpy RandomState seed of the 80/20 split (holdout_split.h); 0 as in fidelity.py.
  std::uint32_t split_seed = 0;
  // Real rows the release never saw (encoded with the same schema; not owned, may be null).
  // With them the disclosure section compares against a true holdout and runs the membership
  // attack; without, it uses the 20% split as its baseline (disclosure.h, HoldoutKind).
  const EncodedTable* withheld_rows = nullptr;
  DisclosureOptions disclosure;
};

// One attribute's real and synthetic distributions over its codes.
struct AttributeComparison {
  std::string name;
  std::string type;                 // "categorical", "integer", ...
  std::vector<std::string> labels;  // Attribute::Label per code
  std::vector<double> real_shares;
  std::vector<double> synthetic_shares;
  double tvd = 0;  // 1-way TVD
};

// Pearson correlations of the integer/continuous attributes on their values (clamped to the
// public [min, max] as the encoder does; missing excluded pairwise).
struct CorrelationComparison {
  std::vector<std::string> names;
  Eigen::MatrixXd real;
  Eigen::MatrixXd synthetic;
  std::optional<double> mean_absolute_difference;  // over the strict upper triangle
};

// Two classifiers, logistic regression (logistic_regression.h) and naive Bayes
// (naive_bayes.h), each trained on the real 80% split and on the whole synthetic table, all
// tested on the real 20% split (RealSplit: by privacy unit when the config names one).
struct ClassifierComparison {
  std::string target;
  std::size_t train_rows = 0;
  std::size_t test_rows = 0;
  std::size_t synthetic_rows = 0;
  double majority_accuracy = 0;    // most common class of the real training split
  double accuracy_train_real = 0;  // logistic regression
  double accuracy_train_synthetic = 0;
  double naive_bayes_accuracy_train_real = 0;
  double naive_bayes_accuracy_train_synthetic = 0;
};

// One declared rule (engine/table/rules.h) checked on both tables: the rows that break it.
struct RuleCheck {
  std::string name;  // the constraint's name, or "derived: COLUMN from SOURCE"
  std::string kind;  // "constraint" or "derived"
  std::uint64_t real_violations = 0;
  std::uint64_t synthetic_violations = 0;
};

// The release the synthetic table came from, as its attestation names it (public facts of the
// release; the report does not verify the signature: `privet verify` does).
struct ReleaseHeader {
  std::string release_id;  // the ledger's release id ("release-N", N its charge entry)
  std::string dataset_id;
  std::string kind;  // "synthetic-table", ...
  double epsilon = 0;
  double delta = 0;
  std::string attestation_sha256;  // of the attestation file's bytes
  std::string ledger_entry_hash;
  std::string time;  // UTC, ISO 8601
};

// How the real table was split 80/20 (holdout_split.h) for the classifier's train and test rows
// and, without a withheld table, the disclosure section's reference and holdout rows.
struct RealSplit {
  // The privacy unit column whose units were kept whole (every row of one patient on one
  // side); empty when the config names no unit and the split is by row, as fidelity.py's.
  std::string unit_column;
  std::size_t train_units = 0;  // units on each side (rows, when split by row)
  std::size_t test_units = 0;
};

// How many of the worst attributes and pairs the report ranks.
inline constexpr std::size_t kWorstListSize = 10;

struct QualityReport {
  std::optional<ReleaseHeader> release;  // set by the caller when it has the attestation
  std::string dataset_id;
  std::string real_source;  // file names as given, for the page header
  std::string synthetic_source;
  std::size_t real_rows = 0;
  std::size_t synthetic_rows = 0;
  std::vector<AttributeComparison> attributes;       // modeled attributes, schema order
  Eigen::MatrixXd pairwise_tvd;                      // PairwiseTvdMatrix over those attributes
  std::vector<WayTvd> marginal_tvd;                  // one per requested way
  std::optional<CorrelationComparison> correlation;  // absent with < 2 numeric attributes
  std::optional<ClassifierComparison> classifier;    // present when options.target is set
  std::vector<RuleCheck> rules;                      // constraints, then derived columns
  std::optional<DisclosureReport> disclosure;        // absent when the real table is too small
  std::optional<LeakageCheck> leakage;               // present with a target
  RealSplit split;
  std::uint64_t set_sample_seed = 0;
  std::string software_version;
};

// The numeric values of every integer/continuous modeled attribute of a CSV, in schema order:
// NaN for a missing token, else the number clamped to [min, max]. Columns are matched by
// header name as in EncodeCsv (which must have accepted the file: a cell that is not a
// number here is an InputError naming file, line and column).
struct NumericColumns {
  std::vector<std::string> names;
  std::vector<std::vector<double>> values;
};
NumericColumns ReadNumericColumns(const Schema& schema, const std::filesystem::path& csv);

// Computes the report. real and synthetic are encoded with `schema` (columns =
// modeled_attributes()); the numeric columns come from ReadNumericColumns on the same files.
// Throws InputError when a table is empty, options.target is not a modeled attribute, or the
// real table has fewer than 5 rows to split (no row left to test on).
QualityReport ComputeQualityReport(const Schema& schema, const EncodedTable& real,
                                   const EncodedTable& synthetic,
                                   const NumericColumns& real_numeric,
                                   const NumericColumns& synthetic_numeric,
                                   const ReportOptions& options);

// The report's numbers as JSON (docs/report.md lists the fields), with "not_private": true
// and the same warning as the page.
nlohmann::json ToJson(const QualityReport& report);

// Writes `table` as CSV: a header of the column names, then each cell as its integer code.
// StorageError if the file cannot be written.
void WriteCodedCsv(const EncodedTable& table, const std::filesystem::path& path);

// The warning the page and the JSON carry, in an officer's words.
extern const char* const kNotPrivateWarning;

}  // namespace privet::engine::quality

#endif  // PRIVET_ENGINE_QUALITY_QUALITY_REPORT_H_
