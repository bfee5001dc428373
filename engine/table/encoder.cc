#include "engine/table/encoder.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <string_view>
#include <unordered_map>

#include "engine/table/csv_reader.h"
#include "engine/table/schema_time.h"
#include "privacy/errors.h"

namespace privet::engine {
namespace {

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// A finite decimal number, surrounding spaces allowed, nothing else.
std::optional<double> ParseNumber(std::string_view text) {
  text = TrimSpaces(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  // Integers (most numeric cells) take the much faster integer parser.
  std::int64_t integer = 0;
  const auto integer_result = std::from_chars(text.data(), text.data() + text.size(), integer);
  if (integer_result.ec == std::errc() && integer_result.ptr == text.data() + text.size() &&
      integer > -(std::int64_t{1} << 53) && integer < (std::int64_t{1} << 53)) {
    return static_cast<double>(integer);
  }
  double value = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) return std::nullopt;
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

std::string Quoted(std::string_view value) {
  constexpr std::size_t kShown = 60;  // keep one-line messages readable
  std::string shown(value.substr(0, kShown));
  if (value.size() > kShown) shown += "...";
  return "\"" + shown + "\"";
}

// Encodes the cells of one attribute; built once per column so categorical lookups are hashed.
// show_values: whether error messages may quote the offending cell. A cell of the private
// data must not reach a researcher's terminal (docs/privacy.md, "Error messages"), so its
// messages say where the cell is (file, line, column) but not what it holds.
class ColumnEncoder {
 public:
  ColumnEncoder(const Attribute& attribute, bool show_values)
      : attribute_(&attribute), show_values_(show_values) {
    for (std::uint32_t i = 0; i < attribute.values.size(); ++i) {
      codes_.emplace(attribute.values[i], i);
    }
    if (attribute.catch_all) catch_all_code_ = codes_.at(*attribute.catch_all);
  }

  // The code of `cell`; on a bad cell returns false with `error` saying what is wrong.
  bool Encode(std::string_view cell, std::uint32_t& code, std::string& error,
              ColumnEncodingCounts* counts) const {
    const Attribute& a = *attribute_;
    if (std::find(a.missing_tokens.begin(), a.missing_tokens.end(), cell) !=
        a.missing_tokens.end()) {
      if (!a.nullable) {
        // The cell is one of the config's missing tokens: public, so it may be named.
        error = "missing value " + Quoted(cell) +
                " but the attribute is not nullable (set \"nullable\": true or fix the data)";
        return false;
      }
      if (counts) ++counts->missing;
      code = *a.missing_code();
      return true;
    }
    switch (a.type) {
      case AttributeType::kCategorical: {
        if (const auto it = codes_.find(cell); it != codes_.end()) {
          code = it->second;
          return true;
        }
        switch (a.out_of_domain) {
          case OutOfDomainPolicy::kCatchAll:
            if (counts) ++counts->mapped_to_catch_all;
            code = catch_all_code_;
            return true;
          case OutOfDomainPolicy::kMissing:
            if (counts) ++counts->mapped_to_missing;
            code = *a.missing_code();
            return true;
          case OutOfDomainPolicy::kError:
            error = "value " + Shown(cell) +
                    " is not in the declared domain (add it to \"values\", or declare a "
                    "\"catch_all\" value" +
                    std::string(a.nullable ? " or out_of_domain \"missing\")"
                                           : "; the attribute is not nullable, so out-of-domain "
                                             "values cannot become missing)");
            return false;
        }
        return false;
      }
      case AttributeType::kInteger:
      case AttributeType::kContinuous: {
        auto value = ParseNumber(cell);
        if (!value) {
          error = "value " + Shown(cell) + " is not a number";
          return false;
        }
        if (a.type == AttributeType::kInteger && *value != std::floor(*value)) {
          error = "value " + Shown(cell) + " is not an integer (declare the attribute continuous)";
          return false;
        }
        if (*value < a.min || *value > a.max) {
          if (counts) ++counts->clamped;
          *value = std::clamp(*value, a.min, a.max);
        }
        code = a.BinOf(*value);
        return true;
      }
      case AttributeType::kDate:
      case AttributeType::kDatetime: {
        const bool datetime = a.type == AttributeType::kDatetime;
        auto value = ParseTime(TrimSpaces(cell), a.format, datetime);
        if (!value) {
          error = "value " + Shown(cell) + " is not a " + (datetime ? "datetime" : "date") +
                  " in the format \"" + a.format + "\"";
          return false;
        }
        const auto min = static_cast<std::int64_t>(a.min);
        const auto max = static_cast<std::int64_t>(a.max);
        if (*value < min || *value > max) {
          if (counts) ++counts->clamped;
          *value = std::clamp(*value, min, max);
        }
        code = a.BucketOf(*value);
        return true;
      }
      case AttributeType::kIgnore:
        break;
    }
    error = "attribute is ignored";
    return false;
  }

 private:
  std::string Shown(std::string_view cell) const {
    return show_values_ ? Quoted(cell) : std::string("(not shown: private data)");
  }

  const Attribute* attribute_;
  bool show_values_ = false;
  std::unordered_map<std::string_view, std::uint32_t> codes_;
  std::uint32_t catch_all_code_ = 0;
};

// Where each modeled attribute (and the unit column) sits in the file.
struct HeaderLayout {
  std::vector<std::size_t> field_of;  // file column of modeled attribute i
  std::optional<std::size_t> unit_field;
  std::size_t expected_fields = 0;
};

// Reads and checks the header (when the schema has one).
HeaderLayout ReadLayout(const Schema& schema, CsvReader& reader, const std::string& display_name,
                        CsvKind kind) {
  const auto& modeled = schema.modeled_attributes();
  const auto& all = schema.attributes();
  HeaderLayout layout;
  layout.field_of.resize(modeled.size());
  // WriteCsv always writes a header, so a synthetic file has one whatever the dataset's setting.
  if (schema.has_header() || kind == CsvKind::kSynthetic) {
    if (!reader.ReadRecord()) {
      throw InputError(display_name +
                       ": the file is empty (expected a header line naming the "
                       "columns)");
    }
    std::unordered_map<std::string, std::size_t> position;
    for (std::size_t f = 0; f < reader.num_fields(); ++f) {
      std::string name(reader.field(f));
      if (!schema.FindAttribute(name)) {
        throw InputError(display_name + ":" + std::to_string(reader.line()) + ": column " +
                         Quoted(name) + " (field " + std::to_string(f + 1) +
                         ") is not in the config " + schema.source() +
                         " (declare it, with type \"ignore\" if it must not be modeled)");
      }
      if (!position.emplace(name, f).second) {
        throw InputError(display_name + ":" + std::to_string(reader.line()) + ": column " +
                         Quoted(name) + " appears twice in the header");
      }
    }
    layout.expected_fields = reader.num_fields();
    for (std::size_t i = 0; i < modeled.size(); ++i) {
      const auto it = position.find(modeled[i].name);
      if (it == position.end()) {
        throw InputError(display_name + ": column " + Quoted(modeled[i].name) +
                         " of the config is missing from the header");
      }
      layout.field_of[i] = it->second;
    }
    if (const auto& unit = schema.privacy_unit_column(); unit && kind == CsvKind::kPrivateData) {
      const auto it = position.find(*unit);
      if (it == position.end()) {
        throw InputError(display_name + ": privacy unit column " + Quoted(*unit) +
                         " is missing from the header");
      }
      layout.unit_field = it->second;
    }
  } else {
    layout.expected_fields = all.size();
    std::size_t m = 0;
    for (std::size_t f = 0; f < all.size(); ++f) {
      if (all[f].modeled()) layout.field_of[m++] = f;
      if (kind == CsvKind::kPrivateData && schema.privacy_unit_column() &&
          all[f].name == *schema.privacy_unit_column()) {
        layout.unit_field = f;
      }
    }
  }
  return layout;
}

}  // namespace

std::uint32_t EncodeCell(const Attribute& attribute, std::string_view cell,
                         const std::string& where, ColumnEncodingCounts* counts) {
  if (!attribute.modeled()) throw InputError(where + ": attribute is ignored, it has no codes");
  ColumnEncoder encoder(attribute, /*show_values=*/true);
  std::uint32_t code = 0;
  std::string error;
  if (!encoder.Encode(cell, code, error, counts)) throw InputError(where + ": " + error);
  return code;
}

EncodedTable EncodeCsv(const Schema& schema, std::istream& csv, const std::string& display_name,
                       EncodingReport* report, CsvKind kind) {
  const auto& modeled = schema.modeled_attributes();
  CsvOptions options;
  options.delimiter = schema.delimiter();
  // With one modeled column an empty line is a (missing) cell; with more it cannot be a record.
  options.skip_blank_lines = modeled.size() > 1;
  CsvReader reader(csv, display_name, options);

  HeaderLayout layout = ReadLayout(schema, reader, display_name, kind);
  const std::vector<std::size_t>& field_of = layout.field_of;
  const std::optional<std::size_t>& unit_field = layout.unit_field;
  const std::size_t expected_fields = layout.expected_fields;

  std::vector<ColumnEncoder> encoders;
  std::vector<EncodedColumn> columns;
  std::vector<ColumnEncodingCounts> counts(modeled.size());
  for (std::size_t i = 0; i < modeled.size(); ++i) {
    encoders.emplace_back(modeled[i], /*show_values=*/kind == CsvKind::kSynthetic);
    columns.emplace_back(modeled[i].name, modeled[i].domain_size());
    counts[i].name = modeled[i].name;
  }
  std::unordered_map<std::string, std::uint32_t> unit_index;
  std::vector<std::uint32_t> unit_ids;

  std::uint64_t rows = 0;
  std::string error;
  while (reader.ReadRecord()) {
    if (reader.num_fields() != expected_fields) {
      throw InputError(display_name + ":" + std::to_string(reader.line()) + ": expected " +
                       std::to_string(expected_fields) + " fields, found " +
                       std::to_string(reader.num_fields()));
    }
    for (std::size_t i = 0; i < modeled.size(); ++i) {
      const std::size_t f = field_of[i];
      std::uint32_t code = 0;
      if (!encoders[i].Encode(reader.field(f), code, error, &counts[i])) {
        throw InputError(display_name + ":" + std::to_string(reader.line()) + ": column " +
                         Quoted(modeled[i].name) + " (field " + std::to_string(f + 1) +
                         "): " + error);
      }
      columns[i].push_back(code);
    }
    if (unit_field) {
      const std::string_view unit = reader.field(*unit_field);
      // A row without a unit cannot be bounded per person; refusing it is the only safe choice.
      const auto& tokens = schema.missing_tokens();
      const auto is_token = [&tokens](std::string_view text) {
        return std::find(tokens.begin(), tokens.end(), text) != tokens.end();
      };
      const UnitIdType id_type = schema.privacy_unit_id_type();
      const std::optional<std::string> id = NormalizeUnitId(unit, id_type);
      if ((!id && id_type == UnitIdType::kText) || is_token(unit) || is_token(TrimSpaces(unit)) ||
          TrimSpaces(unit).empty()) {
        throw InputError(display_name + ":" + std::to_string(reader.line()) +
                         ": privacy unit column " + Quoted(*schema.privacy_unit_column()) +
                         " is empty or missing; every row must name its unit");
      }
      if (!id) {  // id_type "integer" and the cell is not one; the cell itself is not shown
        throw InputError(display_name + ":" + std::to_string(reader.line()) +
                         ": privacy unit column " + Quoted(*schema.privacy_unit_column()) +
                         " is not an integer (the config declares id_type \"integer\")");
      }
      // Units are matched on the canonical id, so "123", " 123" and (for integer ids) "0123"
      // are one person, bounded to max_rows_per_unit rows together (docs/privacy.md).
      const auto next = static_cast<std::uint32_t>(unit_index.size());
      const auto [it, inserted] = unit_index.try_emplace(*id, next);
      unit_ids.push_back(it->second);
    }
    ++rows;
  }
  if (rows == 0) {
    throw InputError(display_name + ": no data rows" +
                     (schema.has_header() ? " after the header" : std::string()));
  }

  EncodedTable table;
  for (auto& column : columns) table.AddColumn(std::move(column));
  if (unit_field) {
    unit_ids.shrink_to_fit();
    table.set_unit_ids(std::move(unit_ids));
  }
  if (report) {
    report->rows = rows;
    report->columns = std::move(counts);
  }
  return table;
}

EncodedTable EncodeCsv(const Schema& schema, const std::filesystem::path& csv,
                       EncodingReport* report, CsvKind kind) {
  std::ifstream in(csv, std::ios::binary);
  if (!in) {
    throw InputError(csv.string() + ": cannot open the CSV file (check \"csv\" in " +
                     schema.source() + " or pass --data)");
  }
  return EncodeCsv(schema, in, csv.string(), report, kind);
}

void CheckCsvHeader(const Schema& schema, const std::filesystem::path& csv, CsvKind kind) {
  if (!schema.has_header() && kind == CsvKind::kPrivateData) return;
  CsvOptions options;
  options.delimiter = schema.delimiter();
  CsvReader reader(csv, options);
  ReadLayout(schema, reader, csv.string(), kind);
}

EncodedTable EncodeDataset(const Schema& schema, EncodingReport* report) {
  if (schema.source_config().kind != SourceKind::kCsv) {
    throw InputError(schema.source() + ": the source is a PostgreSQL table, which this command "
                     "does not read yet (engine/source/postgres_marginal_source.h); give a CSV");
  }
  return EncodeCsv(schema, schema.csv_path(), report);
}

}  // namespace privet::engine
