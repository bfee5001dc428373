#include "engine/table/decoder.h"

#include <boost/random/uniform_int_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "engine/table/rules.h"
#include "engine/table/schema_time.h"
#include "privacy/errors.h"

namespace privet::engine {
namespace {

std::string FixedText(double value, int decimals) {
  char buffer[400];
  const auto result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::fixed, decimals);
  return std::string(buffer, result.ptr);
}

// A decimal text for `value` (inside continuous bin `bin`) that reads back inside the same bin:
// about 3 significant digits of the bin's width, more only when rounding would leave the bin.
std::string ContinuousText(const Attribute& attribute, std::uint32_t bin, double value) {
  const double low = attribute.bin_lower[bin];
  const double high = attribute.bin_upper(bin);
  const bool last = bin + 1 == attribute.bin_lower.size();
  const double width = high - low;
  int decimals = std::max(0, 2 - static_cast<int>(std::floor(std::log10(width))));
  for (; decimals <= 17; ++decimals) {
    std::string text = FixedText(value, decimals);
    double parsed = 0;
    std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (parsed >= low && (parsed < high || (last && parsed <= high))) return text;
  }
  return FixedText(low, 17);  // low is always inside its bin
}

}  // namespace

std::string DecodeCell(const Attribute& attribute, std::uint32_t code,
                       boost::random::mt19937_64& rng) {
  if (code >= attribute.domain_size()) {
    throw std::out_of_range("code " + std::to_string(code) + " outside the domain of '" +
                            attribute.name + "'");
  }
  if (attribute.missing_code() && code == *attribute.missing_code()) {
    return attribute.missing_tokens.empty() ? std::string() : attribute.missing_tokens.front();
  }
  switch (attribute.type) {
    case AttributeType::kCategorical:
      return attribute.values[code];
    case AttributeType::kInteger: {
      boost::random::uniform_int_distribution<std::int64_t> uniform(
          static_cast<std::int64_t>(attribute.bin_lower[code]),
          static_cast<std::int64_t>(attribute.bin_upper_inclusive(code)));
      return std::to_string(uniform(rng));
    }
    case AttributeType::kContinuous: {
      boost::random::uniform_real_distribution<double> uniform(attribute.bin_lower[code],
                                                               attribute.bin_upper(code));
      return ContinuousText(attribute, code, uniform(rng));
    }
    case AttributeType::kDate:
    case AttributeType::kDatetime: {
      const bool datetime = attribute.type == AttributeType::kDatetime;
      const std::int64_t first = attribute.bucket_start[code];
      const std::int64_t last = code + 1 < attribute.bucket_start.size()
                                    ? attribute.bucket_start[code + 1] - 1
                                    : static_cast<std::int64_t>(attribute.max);
      boost::random::uniform_int_distribution<std::int64_t> uniform(first, last);
      return FormatTime(uniform(rng), attribute.format, datetime);
    }
    case AttributeType::kIgnore:
      break;
  }
  throw std::out_of_range("attribute '" + attribute.name + "' is ignored and has no codes");
}

void AppendCsvField(std::string& line, std::string_view field, char delimiter) {
  const bool needs_quotes =
      field.find_first_of(std::string{delimiter, '"', '\r', '\n'}) != std::string_view::npos ||
      (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!needs_quotes) {
    line.append(field);
    return;
  }
  line.push_back('"');
  for (char c : field) {
    if (c == '"') line.push_back('"');
    line.push_back(c);
  }
  line.push_back('"');
}

void WriteCsv(const Schema& schema, const EncodedTable& table, std::ostream& out,
              boost::random::mt19937_64& rng) {
  const auto& modeled = schema.modeled_attributes();
  if (table.num_columns() != modeled.size()) {
    throw InputError("table has " + std::to_string(table.num_columns()) + " columns but " +
                     schema.source() + " models " + std::to_string(modeled.size()));
  }
  for (std::size_t i = 0; i < modeled.size(); ++i) {
    const EncodedColumn& column = table.column(i);
    if (column.name() != modeled[i].name || column.domain_size() != modeled[i].domain_size()) {
      throw InputError("table column " + std::to_string(i + 1) + " (\"" + column.name() +
                       "\", domain " + std::to_string(column.domain_size()) +
                       ") does not match attribute \"" + modeled[i].name + "\" (domain " +
                       std::to_string(modeled[i].domain_size()) + ") of " + schema.source());
    }
  }
  const char delimiter = schema.delimiter();
  std::string line;
  for (std::size_t i = 0; i < modeled.size(); ++i) {
    if (i > 0) line.push_back(delimiter);
    AppendCsvField(line, modeled[i].name, delimiter);
  }
  line.push_back('\n');
  out << line;
  // Formula columns (and the buckets and maps of them) are computed from the decoded values
  // of their inputs, so that the CSV agrees with itself exactly (rules.h Formula).
  const TableRules rules = TableRules::Compile(schema);
  std::vector<bool> from_values(modeled.size(), false);
  for (std::size_t i = 0; i < modeled.size(); ++i) from_values[i] = rules.ComputedFromValues(i);
  std::vector<std::string> fields(modeled.size());
  std::vector<std::uint32_t> formula_code(modeled.size(), 0);
  for (std::size_t row = 0; row < table.num_rows(); ++row) {
    line.clear();
    for (std::size_t i = 0; i < modeled.size(); ++i) {
      if (!from_values[i]) fields[i] = DecodeCell(modeled[i], table.column(i).at(row), rng);
    }
    if (!rules.derived().empty()) {
      const auto decoded_value = [&](std::size_t column) -> double {
        const Attribute& a = modeled[column];
        if (a.missing_code() && table.column(column).at(row) == *a.missing_code()) return NAN;
        double value = 0;
        std::from_chars(fields[column].data(), fields[column].data() + fields[column].size(),
                        value);
        return value;
      };
      for (const bool formulas : {true, false}) {
        for (const DerivedColumn& d : rules.derived()) {
          if (d.formula.has_value() != formulas || !from_values[d.column]) continue;
          const Attribute& target = modeled[d.column];
          std::uint32_t code = 0;
          if (d.formula) {
            const std::optional<double> raw = d.formula->Evaluate(decoded_value);
            if (raw) {
              Formula::Result result = d.formula->Finish(*raw);
              code = result.code;
              fields[d.column] = std::move(result.text);
            } else {
              code = d.formula->MissingCode();
              fields[d.column] = DecodeCell(target, code, rng);
            }
          } else {
            code = d.code_of_source[formula_code[d.source]];
            fields[d.column] = DecodeCell(target, code, rng);
          }
          formula_code[d.column] = code;
        }
      }
    }
    for (std::size_t i = 0; i < modeled.size(); ++i) {
      if (i > 0) line.push_back(delimiter);
      AppendCsvField(line, fields[i], delimiter);
    }
    line.push_back('\n');
    out << line;
    if (!out)
      throw StorageError("writing the synthetic CSV failed at row " + std::to_string(row + 1));
  }
  out.flush();
  if (!out) throw StorageError("writing the synthetic CSV failed");
}

}  // namespace privet::engine
