#include "engine/quality/quality_report.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "engine/quality/holdout_split.h"
#include "engine/quality/logistic_regression.h"
#include "engine/quality/naive_bayes.h"
#include "engine/table/csv_reader.h"
#include "engine/table/rules.h"
#include "privacy/errors.h"
#include "privet/version.h"

namespace privet::engine::quality {

const char* const kNotPrivateWarning =
    "CONFIDENTIAL - FOR THE PRIVACY OFFICER ONLY. This report compares the synthetic table "
    "with the REAL patient data. Its numbers and charts are computed from the real data "
    "without any privacy protection: it is NOT differentially private. Do not release it, "
    "attach it to a release or share it with researchers.";

namespace {

bool IsNumeric(const Attribute& attribute) {
  return attribute.type == AttributeType::kInteger || attribute.type == AttributeType::kContinuous;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

NumericColumns ReadNumericColumns(const Schema& schema, const std::filesystem::path& csv) {
  NumericColumns result;
  std::vector<const Attribute*> numeric;
  for (const auto& attribute : schema.modeled_attributes()) {
    if (!IsNumeric(attribute)) continue;
    numeric.push_back(&attribute);
    result.names.push_back(attribute.name);
  }
  result.values.resize(numeric.size());
  CsvReader reader(csv, CsvOptions{.delimiter = schema.delimiter()});

  // Field index of each numeric attribute: by header name, else by config position.
  std::vector<std::size_t> field_of(numeric.size());
  if (schema.has_header()) {
    if (!reader.ReadRecord()) {
      throw InputError(csv.string() + ": empty file, expected a header line");
    }
    std::unordered_map<std::string, std::size_t> header;
    for (std::size_t i = 0; i < reader.num_fields(); ++i) {
      header.emplace(std::string(Trim(reader.field(i))), i);
    }
    for (std::size_t k = 0; k < numeric.size(); ++k) {
      const auto found = header.find(numeric[k]->name);
      if (found == header.end()) {
        throw InputError(csv.string() + ": no column \"" + numeric[k]->name +
                         "\" in the header; the file must have every modeled attribute");
      }
      field_of[k] = found->second;
    }
  } else {
    for (std::size_t k = 0; k < numeric.size(); ++k) {
      for (std::size_t i = 0; i < schema.attributes().size(); ++i) {
        if (schema.attributes()[i].name == numeric[k]->name) field_of[k] = i;
      }
    }
  }

  while (reader.ReadRecord()) {
    for (std::size_t k = 0; k < numeric.size(); ++k) {
      const Attribute& attribute = *numeric[k];
      const std::string where = csv.string() + ":" + std::to_string(reader.line()) + ": column \"" +
                                attribute.name + "\"";
      if (field_of[k] >= reader.num_fields()) {
        throw InputError(where + ": the row has only " + std::to_string(reader.num_fields()) +
                         " fields");
      }
      const std::string_view cell = reader.field(field_of[k]);
      const auto& tokens =
          attribute.missing_tokens.empty() ? schema.missing_tokens() : attribute.missing_tokens;
      bool missing = false;
      for (const auto& token : tokens) missing = missing || cell == token;
      if (missing) {
        result.values[k].push_back(std::numeric_limits<double>::quiet_NaN());
        continue;
      }
      const std::string_view text = Trim(cell);
      double value = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
        throw InputError(where + ": \"" + std::string(cell) +
                         "\" is not a number; fix the cell or declare it a missing token");
      }
      // Clamped as the encoder clamps: the report compares what the generator could learn.
      result.values[k].push_back(std::clamp(value, attribute.min, attribute.max));
    }
  }
  return result;
}

QualityReport ComputeQualityReport(const Schema& schema, const EncodedTable& real,
                                   const EncodedTable& synthetic,
                                   const NumericColumns& real_numeric,
                                   const NumericColumns& synthetic_numeric,
                                   const ReportOptions& options) {
  const auto& attributes = schema.modeled_attributes();
  for (const auto* table : {&real, &synthetic}) {
    if (table->num_columns() != attributes.size()) {
      throw InputError("quality report: a table does not have the schema's " +
                       std::to_string(attributes.size()) + " modeled columns");
    }
  }
  if (real.num_rows() == 0) throw InputError("quality report: the real table has no rows");
  if (synthetic.num_rows() == 0) {
    throw InputError("quality report: the synthetic table has no rows");
  }

  QualityReport report;
  report.dataset_id = schema.dataset_id();
  report.real_rows = real.num_rows();
  report.synthetic_rows = synthetic.num_rows();
  report.set_sample_seed = options.set_sample_seed;
  report.software_version =
      std::string(privet::kVersion) + " (commit " + privet::kBuildCommit + ")";

  // One 80/20 split for the classifier and the disclosure baseline. By privacy unit when the
  // table has one: a row split puts a repeated patient's rows on both sides, so held-out rows
  // would copy "reference" rows of the same patient (a third of nhanes' split rows did) and
  // test accuracy would be measured on patients the model was trained on.
  const bool by_unit = !real.unit_ids().empty();
  const HoldoutSplit split = by_unit ? EightyTwentyUnitSplit(real.unit_ids(), options.split_seed)
                                     : EightyTwentySplit(real.num_rows(), options.split_seed);
  if (by_unit) {
    report.split.unit_column = schema.privacy_unit_column().value_or("the privacy unit");
    const auto count_units = [&](const std::vector<std::size_t>& rows) {
      std::unordered_set<std::uint32_t> units;
      for (std::size_t row : rows) units.insert(real.unit_ids()[row]);
      return units.size();
    };
    report.split.train_units = count_units(split.train_rows);
    report.split.test_units = count_units(split.test_rows);
  } else {
    report.split.train_units = split.train_rows.size();
    report.split.test_units = split.test_rows.size();
  }

  const TableRules rules = TableRules::Compile(schema);
  if (!rules.empty()) {
    const TableRules::Violations in_real = rules.CountViolations(real);
    const TableRules::Violations in_synthetic = rules.CountViolations(synthetic);
    for (std::size_t i = 0; i < rules.rule_names().size(); ++i) {
      report.rules.push_back(
          {rules.rule_names()[i], "constraint", in_real.per_rule[i], in_synthetic.per_rule[i]});
    }
    std::vector<std::string> names;
    for (const Attribute& a : attributes) names.push_back(a.name);
    for (std::size_t i = 0; i < rules.derived().size(); ++i) {
      const DerivedColumn& d = rules.derived()[i];
      const std::string what =
          d.formula ? attributes[d.column].name + " = " + d.formula->Describe(names) + " (formula)"
                    : attributes[d.column].name + " from " + attributes[d.source].name + " (" +
                          d.kind + ")";
      report.rules.push_back(
          {"derived: " + what, "derived", in_real.per_derived[i], in_synthetic.per_derived[i]});
    }
  }
  report.pairwise_tvd = PairwiseTvdMatrix(real, synthetic);
  for (std::size_t j = 0; j < attributes.size(); ++j) {
    AttributeComparison comparison;
    comparison.name = attributes[j].name;
    comparison.type = std::string(AttributeTypeName(attributes[j].type));
    for (std::uint32_t code = 0; code < attributes[j].domain_size(); ++code) {
      comparison.labels.push_back(attributes[j].Label(code));
    }
    comparison.real_shares = CodeShares(real.column(j));
    comparison.synthetic_shares = CodeShares(synthetic.column(j));
    const auto jj = static_cast<Eigen::Index>(j);
    comparison.tvd = report.pairwise_tvd(jj, jj);
    report.attributes.push_back(std::move(comparison));
  }

  for (std::size_t way : options.ways) {
    if (way == 0) throw InputError("quality report: marginal way must be >= 1");
    if (way > attributes.size()) continue;
    report.marginal_tvd.push_back(
        MeanMarginalTvd(real, synthetic, way, options.max_sets_per_way, options.set_sample_seed));
  }

  if (real_numeric.names.size() >= 2) {
    if (real_numeric.names != synthetic_numeric.names) {
      throw InputError("quality report: the real and synthetic numeric columns differ");
    }
    CorrelationComparison correlation;
    correlation.names = real_numeric.names;
    correlation.real = PearsonCorrelation(real_numeric.values);
    correlation.synthetic = PearsonCorrelation(synthetic_numeric.values);
    correlation.mean_absolute_difference =
        MeanAbsoluteCorrelationDifference(correlation.real, correlation.synthetic);
    report.correlation = std::move(correlation);
  }

  if (options.withheld_rows != nullptr) {
    if (options.withheld_rows->num_rows() == 0) {
      throw InputError("quality report: the withheld (holdout) table has no rows");
    }
    report.disclosure = ComputeDisclosure(real, *options.withheld_rows, synthetic,
                                          HoldoutKind::kWithheld, options.disclosure);
  } else {
    if (!split.train_rows.empty() && !split.test_rows.empty()) {
      report.disclosure =
          ComputeDisclosure(real.SelectRows(split.train_rows), real.SelectRows(split.test_rows),
                            synthetic, HoldoutKind::kSplitOfReleaseInput, options.disclosure);
    }
  }

  if (options.target) {
    const std::optional<std::size_t> target = real.IndexOf(*options.target);
    if (!target) {
      throw InputError("quality report: --target \"" + *options.target +
                       "\" is not a modeled attribute of the config");
    }
    if (split.train_rows.empty() || split.test_rows.empty()) {
      throw InputError(
          by_unit ? "quality report: the real table has too few privacy units (" +
                        std::to_string(report.split.train_units + report.split.test_units) +
                        ") for an 80/20 split by " + report.split.unit_column
                  : "quality report: the real table has too few rows (" +
                        std::to_string(real.num_rows()) + ") for an 80/20 split");
    }
    const EncodedTable train = real.SelectRows(split.train_rows);
    const EncodedTable test = real.SelectRows(split.test_rows);
    ClassifierComparison classifier;
    classifier.target = *options.target;
    classifier.train_rows = train.num_rows();
    classifier.test_rows = test.num_rows();
    classifier.synthetic_rows = synthetic.num_rows();
    classifier.majority_accuracy = MajorityClassAccuracy(train, test, *target);
    classifier.accuracy_train_real = LogisticRegression::Fit(train, *target).Accuracy(test);
    classifier.accuracy_train_synthetic =
        LogisticRegression::Fit(synthetic, *target).Accuracy(test);
    classifier.naive_bayes_accuracy_train_real = NaiveBayes::Fit(train, *target).Accuracy(test);
    classifier.naive_bayes_accuracy_train_synthetic =
        NaiveBayes::Fit(synthetic, *target).Accuracy(test);
    report.classifier = classifier;
    report.leakage = CheckLeakage(real, *target);
  }
  return report;
}

namespace {

nlohmann::json MatrixJson(const Eigen::MatrixXd& matrix) {
  nlohmann::json rows = nlohmann::json::array();
  for (Eigen::Index i = 0; i < matrix.rows(); ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index j = 0; j < matrix.cols(); ++j) {
      // JSON has no NaN: an undefined correlation is null.
      if (std::isnan(matrix(i, j))) {
        row.push_back(nullptr);
      } else {
        row.push_back(matrix(i, j));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

nlohmann::json DistanceJson(const DistanceSummary& s) {
  return {{"rows", s.rows},
          {"share_zero", s.share_zero},
          {"median", s.median},
          {"mean", s.mean},
          {"cdf", s.cdf}};
}

nlohmann::json DisclosureJson(const DisclosureReport& d, const RealSplit& split) {
  const bool withheld = d.holdout_kind == HoldoutKind::kWithheld;
  nlohmann::json out = {
      {"holdout", withheld ? "withheld" : "split"},
      // How the split baseline was cut (null with a withheld holdout, which is not a split).
      {"split_by", withheld ? nlohmann::json(nullptr)
                            : nlohmann::json(split.unit_column.empty() ? "row" : "unit")},
      {"split_unit_column", withheld || split.unit_column.empty()
                                ? nlohmann::json(nullptr)
                                : nlohmann::json(split.unit_column)},
      {"distance", "Hamming distance on schema codes (attributes that differ)"},
      {"dimension", d.dimension},
      {"reference_rows", d.reference_rows},
      {"holdout_rows", d.holdout_rows},
      {"synthetic_rows", d.synthetic_rows},
      {"exact_copy_share", d.exact_copy_share},
      {"expected_exact_copy_share", d.expected_exact_copy_share},
      {"synthetic_dcr", DistanceJson(d.synthetic_dcr)},
      {"holdout_dcr", DistanceJson(d.holdout_dcr)}};
  if (d.attack) {
    out["membership_attack"] = {{"member_rows", d.attack->member_rows},
                                {"non_member_rows", d.attack->non_member_rows},
                                {"advantage", d.attack->advantage},
                                {"threshold", d.attack->threshold},
                                {"true_positive_rate", d.attack->true_positive_rate},
                                {"false_positive_rate", d.attack->false_positive_rate},
                                {"chance_level_95", d.attack->chance_level_95}};
  } else {
    out["membership_attack"] = nullptr;
  }
  return out;
}

}  // namespace

nlohmann::json ToJson(const QualityReport& report) {
  nlohmann::json out;
  out["not_private"] = true;
  out["warning"] = kNotPrivateWarning;
  out["dataset_id"] = report.dataset_id;
  out["real_source"] = report.real_source;
  out["synthetic_source"] = report.synthetic_source;
  out["rows_real"] = report.real_rows;
  out["rows_synth"] = report.synthetic_rows;
  out["software_version"] = report.software_version;
  out["binning"] = "schema codes (config categories, bins, date buckets; missing is a code)";
  if (report.release) {
    const ReleaseHeader& r = *report.release;
    out["release"] = {{"release_id", r.release_id},
                      {"dataset_id", r.dataset_id},
                      {"kind", r.kind},
                      {"epsilon", r.epsilon},
                      {"delta", r.delta},
                      {"attestation_sha256", r.attestation_sha256},
                      {"ledger_entry_hash", r.ledger_entry_hash},
                      {"time", r.time}};
  } else {
    out["release"] = nullptr;
  }

  nlohmann::json names = nlohmann::json::array();
  nlohmann::json attributes = nlohmann::json::array();
  for (const auto& attribute : report.attributes) {
    names.push_back(attribute.name);
    attributes.push_back({{"name", attribute.name},
                          {"type", attribute.type},
                          {"labels", attribute.labels},
                          {"real_shares", attribute.real_shares},
                          {"synthetic_shares", attribute.synthetic_shares},
                          {"tvd", attribute.tvd}});
  }
  out["attributes"] = attributes;
  out["pairwise_tvd"] = {{"attributes", names}, {"matrix", MatrixJson(report.pairwise_tvd)}};

  if (!report.rules.empty()) {
    nlohmann::json rules = nlohmann::json::array();
    for (const RuleCheck& rule : report.rules) {
      rules.push_back({{"name", rule.name},
                       {"kind", rule.kind},
                       {"real_violations", rule.real_violations},
                       {"synthetic_violations", rule.synthetic_violations}});
    }
    out["rules"] = rules;
  }
  out["set_sample_seed"] = report.set_sample_seed;
  for (const auto& way : report.marginal_tvd) {
    const std::string prefix = "tvd_" + std::to_string(way.way) + "way_";
    out[prefix + "mean"] = way.mean;
    out[prefix + "max"] = way.max;
    out[prefix + "sets"] = way.evaluated_sets;
    out[prefix + "total_sets"] = way.total_sets;
    out[prefix + "sampled"] = way.sampled;
  }

  if (report.correlation) {
    const auto& correlation = *report.correlation;
    out["correlation"] = {{"attributes", correlation.names},
                          {"real", MatrixJson(correlation.real)},
                          {"synthetic", MatrixJson(correlation.synthetic)}};
    if (correlation.mean_absolute_difference) {
      out["corr_mad"] = *correlation.mean_absolute_difference;
    } else {
      out["corr_mad"] = nullptr;
    }
  }
  if (report.classifier) {
    const auto& classifier = *report.classifier;
    out["classifier"] = {
        {"model",
         "multinomial logistic regression on one-hot codes (AdaGrad, 15 epochs, l2 1e-4, seed 0)"},
        {"second_model", "categorical naive Bayes, Laplace smoothing alpha = 1"},
        {"target", classifier.target},
        {"split", report.split.unit_column.empty()
                      ? "numpy RandomState(0) permutation of the rows, first 80% train"
                      : "numpy RandomState(0) permutation of the privacy units (" +
                            report.split.unit_column +
                            "), first 80% of the units train with all their rows"},
        {"train_rows", classifier.train_rows},
        {"test_rows", classifier.test_rows},
        {"synthetic_rows", classifier.synthetic_rows}};
    out["majority_acc"] = classifier.majority_accuracy;
    out["acc_train_real"] = classifier.accuracy_train_real;
    out["acc_train_synth"] = classifier.accuracy_train_synthetic;
    out["nb_acc_train_real"] = classifier.naive_bayes_accuracy_train_real;
    out["nb_acc_train_synth"] = classifier.naive_bayes_accuracy_train_synthetic;
  }
  if (report.disclosure) {
    out["disclosure"] = DisclosureJson(*report.disclosure, report.split);
    // Public: a function of the release's published cost.
    out["disclosure"]["dp_membership_advantage_bound"] =
        report.release ? nlohmann::json(MembershipAdvantageBound(report.release->epsilon,
                                                                 report.release->delta))
                       : nlohmann::json(nullptr);
  }
  if (report.leakage) {
    const auto leakage_json = [&](const std::vector<AttributeLeakage>& leaks) {
      nlohmann::json listed = nlohmann::json::array();
      for (const AttributeLeakage& leak : leaks) {
        listed.push_back({{"attribute", report.attributes.at(leak.column).name},
                          {"single_attribute_accuracy", leak.single_attribute_accuracy},
                          {"error_reduction", leak.error_reduction},
                          {"mutual_information_share", leak.mutual_information_share}});
      }
      return listed;
    };
    const nlohmann::json flagged = leakage_json(report.leakage->flagged);
    const nlohmann::json every = leakage_json(report.leakage->all);
    out["leakage"] = {{"majority_accuracy", report.leakage->majority_accuracy},
                      {"attributes", every},
                      {"target_entropy_bits", report.leakage->target_entropy_bits},
                      {"threshold", kLeakageThreshold},
                      {"flagged", flagged}};
  }
  return out;
}

void WriteCodedCsv(const EncodedTable& table, const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw StorageError(path.string() + ": cannot open for writing");
  for (std::size_t j = 0; j < table.num_columns(); ++j) {
    // Attribute names are plain identifiers in practice; quote anyway when they need it.
    const std::string& name = table.column(j).name();
    const bool quote = name.find_first_of(",\"\r\n") != std::string::npos;
    if (j > 0) out << ',';
    if (quote) {
      out << '"';
      for (char c : name) out << (c == '"' ? std::string("\"\"") : std::string(1, c));
      out << '"';
    } else {
      out << name;
    }
  }
  out << '\n';
  std::string line;
  for (std::size_t r = 0; r < table.num_rows(); ++r) {
    line.clear();
    for (std::size_t j = 0; j < table.num_columns(); ++j) {
      if (j > 0) line += ',';
      line += std::to_string(table.column(j).at(r));
    }
    line += '\n';
    out << line;
  }
  out.flush();
  if (!out) throw StorageError(path.string() + ": write failed (disk full?)");
}

}  // namespace privet::engine::quality
