#include "engine/source/postgres_sql.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "privacy/errors.h"

namespace privet::engine {

// Collects parameters and hands out their placeholders, each cast to its SQL type.
class PostgresSql::Params {
 public:
  std::string Add(std::string value, std::string_view type) {
    values_.push_back(std::move(value));
    std::string placeholder = "$";
    placeholder += std::to_string(values_.size());
    placeholder += "::";
    placeholder += type;
    return placeholder;
  }
  std::vector<std::string> Take() { return std::move(values_); }

 private:
  std::vector<std::string> values_;
};

namespace {

// Shortest text that reads back as the same double (float8in parses it exactly).
std::string DoubleText(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

// A PostgreSQL array literal of text elements, each double-quoted with \ and " escaped.
std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

template <class T, class Format>
std::string NumberArray(const std::vector<T>& values, Format format) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += format(values[i]);
  }
  return out + "}";
}

// The grammar ParseNumber (engine/table/encoder.cc) accepts after trimming spaces and tabs: an
// optional '+', then what std::from_chars reads as a whole (optional '-', digits with an
// optional fraction, optional exponent). Infinity and NaN are refused there as not finite.
constexpr std::string_view kNumberPattern =
    R"(^\+?-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$)";

// An anchored regular expression for a CheckTimeFormat-valid format, one capture group per
// field (ParseTime: %Y four digits, the others one or two), and the fields in group order.
std::pair<std::string, std::string> TimePattern(std::string_view format) {
  std::string pattern = "^";
  std::string fields;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] == '%' && i + 1 < format.size()) {
      const char spec = format[++i];
      if (spec == '%') {
        pattern += '%';
      } else {
        pattern += spec == 'Y' ? "([0-9]{4})" : "([0-9]{1,2})";
        fields += spec;
      }
      continue;
    }
    const char c = format[i];
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && c != ' ') pattern += '\\';
    pattern += c;
  }
  return {pattern + "$", fields};
}

}  // namespace

PgColumnClass ClassifyPgType(std::string_view type) {
  if (type == "text" || type.starts_with("character varying") || type.starts_with("character(") ||
      type == "character" || type == "\"char\"" || type == "name") {
    return PgColumnClass::kText;
  }
  if (type == "smallint" || type == "integer" || type == "bigint" || type == "real" ||
      type == "double precision" || type.starts_with("numeric")) {
    return PgColumnClass::kNumber;
  }
  if (type == "date") return PgColumnClass::kDate;
  if (type.starts_with("timestamp") && type.find("with time zone") == std::string_view::npos) {
    return PgColumnClass::kTimestamp;
  }
  return PgColumnClass::kOther;
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

PostgresSql::PostgresSql(const Schema& schema, std::map<std::string, PgColumnClass> column_classes,
                         std::string pgcrypto_schema)
    : schema_(schema),
      column_classes_(std::move(column_classes)),
      pgcrypto_schema_(std::move(pgcrypto_schema)) {
  const PostgresSourceConfig& pg = schema_.source_config().postgresql;
  for (const Attribute& attribute : schema_.modeled_attributes()) {
    const std::string& column = pg.ColumnOf(attribute.name);
    const auto it = column_classes_.find(column);
    if (it == column_classes_.end()) {
      throw InputError(schema_.source() + ": attribute \"" + attribute.name + "\": column \"" +
                       column + "\" is not in " + Relation());
    }
    const PgColumnClass type = it->second;
    const bool ok =
        attribute.type == AttributeType::kCategorical ||
        ((attribute.type == AttributeType::kInteger ||
          attribute.type == AttributeType::kContinuous) &&
         (type == PgColumnClass::kText || type == PgColumnClass::kNumber)) ||
        ((attribute.type == AttributeType::kDate || attribute.type == AttributeType::kDatetime) &&
         (type == PgColumnClass::kText || type == PgColumnClass::kDate ||
          type == PgColumnClass::kTimestamp));
    if (!ok) {
      throw InputError(schema_.source() + ": attribute \"" + attribute.name + "\" (" +
                       std::string(AttributeTypeName(attribute.type)) + "): column \"" + column +
                       "\" has a type privet cannot read as one (docs/config.md, \"source\")");
    }
  }
  if (const auto& unit = schema_.privacy_unit_column()) {
    if (!column_classes_.count(pg.ColumnOf(*unit))) {
      throw InputError(schema_.source() + ": privacy unit column \"" + pg.ColumnOf(*unit) +
                       "\" is not in " + Relation());
    }
  }
}

std::string PostgresSql::Relation() const {
  const PostgresSourceConfig& pg = schema_.source_config().postgresql;
  return QuoteIdentifier(pg.schema) + "." + QuoteIdentifier(pg.table);
}

std::string PostgresSql::MissingTest(const std::string& column, PgColumnClass column_class,
                                     const std::vector<std::string>& tokens, Params& params) const {
  if (column_class != PgColumnClass::kText || tokens.empty()) return column + " IS NULL";
  return "(" + column + " IS NULL OR " + column + " = ANY(" +
         params.Add(TextArray(tokens), "text[]") + "))";
}

std::string PostgresSql::CodeExpression(std::size_t index, Params& params) const {
  const Attribute& a = schema_.modeled_attributes().at(index);
  const std::string column = QuoteIdentifier(schema_.source_config().postgresql.ColumnOf(a.name));
  const PgColumnClass type =
      column_classes_.at(schema_.source_config().postgresql.ColumnOf(a.name));
  const std::string missing_code = a.nullable ? std::to_string(*a.missing_code()) : "-1";
  std::string sql =
      "CASE WHEN " + MissingTest(column, type, a.missing_tokens, params) + " THEN " + missing_code;
  std::string trimmed_text;  // the cell trimmed of spaces and tabs, as the CSV path trims it
  const auto trimmed_cell = [&]() -> const std::string& {
    if (trimmed_text.empty())
      trimmed_text = "btrim(" + column + ", " + params.Add(" \t", "text") + ")";
    return trimmed_text;
  };
  switch (a.type) {
    case AttributeType::kCategorical: {
      std::string out_of_domain = "-1";
      if (a.out_of_domain == OutOfDomainPolicy::kCatchAll) {
        out_of_domain = std::to_string(std::find(a.values.begin(), a.values.end(), *a.catch_all) -
                                       a.values.begin());
      } else if (a.out_of_domain == OutOfDomainPolicy::kMissing) {
        out_of_domain = std::to_string(*a.missing_code());
      }
      // Categories match the cell exactly (no trimming), as in the CSV path; a column of
      // another type is compared by its text form.
      const std::string text = type == PgColumnClass::kText ? column : column + "::text";
      const std::string position =
          "array_position(" + params.Add(TextArray(a.values), "text[]") + ", " + text + ")";
      sql += " WHEN " + position + " IS NULL THEN " + out_of_domain + " ELSE " + position + " - 1";
      break;
    }
    case AttributeType::kInteger:
    case AttributeType::kContinuous: {
      std::string value;
      if (type == PgColumnClass::kText) {
        const std::string& trimmed = trimmed_cell();
        sql += " WHEN " + trimmed + " !~ " + params.Add(std::string(kNumberPattern), "text") +
               " THEN -1";
        value = "float8in(textout(regexp_replace(" + trimmed + ", '^\\+', '')))";
      } else {
        value = column + "::float8";
        sql += " WHEN NOT (" + value + " > '-Infinity'::float8 AND " + value +
               " < 'Infinity'::float8) THEN -1";
      }
      if (a.type == AttributeType::kInteger) {
        sql += " WHEN " + value + " <> trunc(" + value + ") THEN -1";
      }
      sql += " ELSE width_bucket(float8smaller(float8larger(" + value + ", " +
             params.Add(DoubleText(a.min), "float8") + "), " +
             params.Add(DoubleText(a.max), "float8") + "), " +
             params.Add(NumberArray(a.bin_lower, DoubleText), "float8[]") + ") - 1";
      break;
    }
    case AttributeType::kDate:
    case AttributeType::kDatetime: {
      const bool datetime = a.type == AttributeType::kDatetime;
      const std::string epoch = "DATE '1970-01-01'";
      std::string time;  // days (date) or seconds (datetime) since the epoch, bigint
      if (type == PgColumnClass::kText) {
        const std::string& trimmed = trimmed_cell();
        const auto time_pattern = TimePattern(a.format);
        const std::string& pattern = time_pattern.first;
        const std::string& fields = time_pattern.second;
        const std::string re = params.Add(pattern, "text");
        sql += " WHEN " + trimmed + " !~ " + re + " THEN -1";
        const auto field = [&](char spec, const char* fallback) -> std::string {
          const std::size_t group = fields.find(spec);
          if (group == std::string::npos) return fallback;
          return "int4in(textout((regexp_match(" + trimmed + ", " + re + "))[" +
                 std::to_string(group + 1) + "]))";
        };
        if (datetime) {
          time = "floor(EXTRACT(EPOCH FROM make_timestamp(" + field('Y', "0") + ", " +
                 field('m', "1") + ", " + field('d', "1") + ", " + field('H', "0") + ", " +
                 field('M', "0") + ", " + field('S', "0") + ")))::int8";
        } else {
          time = "(make_date(" + field('Y', "0") + ", " + field('m', "1") + ", " + field('d', "1") +
                 ") - " + epoch + ")::int8";
        }
      } else {
        sql += " WHEN NOT isfinite(" + column + ") THEN -1";
        if (type == PgColumnClass::kDate) {
          time = "(" + column + " - " + epoch + ")::int8" + (datetime ? " * 86400" : "");
        } else if (datetime) {
          time = "floor(EXTRACT(EPOCH FROM " + column + "))::int8";
        } else {
          time = "(" + column + "::date - " + epoch + ")::int8";
        }
      }
      sql +=
          " ELSE width_bucket(int8smaller(int8larger(" + time + ", " +
          params.Add(std::to_string(static_cast<std::int64_t>(a.min)), "int8") + "), " +
          params.Add(std::to_string(static_cast<std::int64_t>(a.max)), "int8") + "), " +
          params.Add(NumberArray(a.bucket_start, [](std::int64_t v) { return std::to_string(v); }),
                     "int8[]") +
          ") - 1";
      break;
    }
    case AttributeType::kIgnore:
      break;
  }
  return sql + " END";
}

std::string PostgresSql::UnitExpression(Params& params) const {
  // NormalizeUnitId (engine/table/schema.h): trimmed of ASCII whitespace; an integer id
  // canonical (no '+', no leading zeros, "-0" = "0", which numeric's text form gives). NULL for a
  // row the CSV path refuses: no id, a dataset missing token (as is or trimmed of spaces/tabs),
  // an empty id, or a non-integer under id_type "integer".
  const PostgresSourceConfig& pg = schema_.source_config().postgresql;
  const std::string& name = pg.ColumnOf(*schema_.privacy_unit_column());
  const std::string column = QuoteIdentifier(name);
  const std::string text =
      column_classes_.at(name) == PgColumnClass::kText ? column : column + "::text";
  const std::string tokens = params.Add(TextArray(schema_.missing_tokens()), "text[]");
  const std::string trimmed = "btrim(" + text + ", " + params.Add(" \t\r\n\v\f", "text") + ")";
  std::string canonical = trimmed;
  if (schema_.privacy_unit_id_type() == UnitIdType::kInteger) {
    canonical = "CASE WHEN " + trimmed + " ~ " + params.Add("^[+-]?[0-9]+$", "text") + " THEN (" +
                trimmed + ")::numeric::text END";
  }
  return "CASE WHEN " + column + " IS NULL OR " + text + " = ANY(" + tokens + ") OR btrim(" + text +
         ", " + params.Add(" \t", "text") + ") = ANY(" + tokens + ") OR " + trimmed +
         " = '' THEN NULL ELSE " + canonical + " END";
}

std::string PostgresSql::EncodedRows(const std::vector<std::size_t>& attributes, bool with_unit,
                                     Params& params, const std::string& relation,
                                     bool with_row_text) const {
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    if (i) sql += ", ";
    sql += CodeExpression(attributes[i], params) + " AS c" + std::to_string(attributes[i]);
  }
  if (with_unit)
    sql += std::string(attributes.empty() ? "" : ", ") + UnitExpression(params) + " AS u";
  if (with_row_text) {
    // Injective as the data commitment's row text (postgres_commitment.h).
    std::string text = "concat_ws(','";
    for (const Attribute& attribute : schema_.modeled_attributes()) {
      text += ", quote_nullable(" +
              QuoteIdentifier(schema_.source_config().postgresql.ColumnOf(attribute.name)) +
              "::text)";
    }
    sql += std::string(attributes.empty() && !with_unit ? "" : ", ") + text + ") AS r";
  }
  if (attributes.empty() && !with_unit && !with_row_text) sql += "1 AS one";
  return sql + " FROM " + relation;
}

std::string PostgresSql::Viewed(const std::vector<std::size_t>& columns, const std::string& from,
                                const std::string& where, const CountView& view) const {
  if (view.code_maps.empty()) return from + where;
  std::string sql = "(SELECT ";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    std::string column = "c";
    column += std::to_string(columns[i]);
    if (i) sql += ", ";
    const auto map = view.code_maps.find(columns[i]);
    if (map == view.code_maps.end()) {
      sql += column;
      continue;
    }
    // Integer literals, computed by privet from released values: nothing to quote.
    sql += "CASE " + column;
    for (std::size_t code = 0; code < map->second.size(); ++code) {
      sql += " WHEN " + std::to_string(code) + " THEN " + std::to_string(map->second[code]);
    }
    sql += " END AS " + column;
  }
  if (columns.empty()) sql += "1 AS one";
  return sql + " FROM " + from + where + ") AS v";
}

std::string PostgresSql::SampleTest(const std::string& message, const CountView& view,
                                    Params& params) const {
  // HMAC-SHA256 (RFC 2104) from the built-in sha256: H((K ^ opad) || H((K ^ ipad) || m)), the
  // 32-byte key zero-padded to the 64-byte block; the pads are computed here, so no extension
  // is needed and no key bytes are spliced into the text.
  std::string ipad, opad;
  const auto hex = [](unsigned value) {
    constexpr char kDigits[] = "0123456789abcdef";
    return std::string{kDigits[value >> 4], kDigits[value & 15]};
  };
  for (std::size_t i = 0; i < 64; ++i) {
    unsigned byte = 0;
    if (2 * i + 1 < view.sample_key_hex.size()) {
      byte = static_cast<unsigned>(std::stoul(view.sample_key_hex.substr(2 * i, 2), nullptr, 16));
    }
    ipad += hex(byte ^ 0x36u);
    opad += hex(byte ^ 0x5cu);
  }
  return "substr(sha256(" + params.Add("\\x" + opad, "bytea") + " || sha256(" +
         params.Add("\\x" + ipad, "bytea") + " || convert_to(" + message + ", 'UTF8'))), 1, 8) < " +
         params.Add("\\x" + view.sample_threshold_hex, "bytea");
}

SqlStatement PostgresSql::Validation() const {
  Params params;
  std::vector<std::size_t> all(schema_.modeled_attributes().size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  const bool unit = schema_.privacy_unit_column().has_value();
  std::string sql = "SELECT count(*) > 0";
  for (std::size_t i : all) sql += ", coalesce(bool_or(c" + std::to_string(i) + " < 0), false)";
  if (unit) sql += ", coalesce(bool_or(u IS NULL), false)";
  sql += " FROM (" + EncodedRows(all, unit, params, Relation()) + ") AS e";
  return {sql, params.Take()};
}

SqlStatement PostgresSql::Counts(const std::vector<std::vector<std::size_t>>& sets,
                                 const std::string& bound_key_hex, const CountView& view) const {
  const bool sample = !view.sample_key_hex.empty();
  Params params;
  std::set<std::size_t> used;
  for (const auto& set : sets) used.insert(set.begin(), set.end());
  const std::vector<std::size_t> columns(used.begin(), used.end());
  // (Appends, not "c" + std::string: GCC 12 warns falsely on literal + temporary, -Wrestrict.)
  const auto name = [](std::size_t i) {
    std::string out = "c";
    out += std::to_string(i);
    return out;
  };
  std::string select = "SELECT ";
  for (std::size_t i : columns) select += name(i) + ", ";
  select += "count(*)";

  std::string from;
  if (!schema_.privacy_unit_column() && sets.size() == 1 && !partitions_.empty() && !sample) {
    // One GROUP BY per partition, summed (set_partitions says why).
    std::string keys;
    for (std::size_t i : columns) {
      if (!keys.empty()) keys += ", ";
      keys += name(i);
    }
    std::string branches;
    for (const std::string& partition : partitions_) {
      if (!branches.empty()) branches += " UNION ALL ";
      branches += "SELECT ";
      for (std::size_t i : columns) branches += name(i) + ", ";
      branches += "count(*) AS n FROM " +
                  Viewed(columns, "(" + EncodedRows(columns, false, params, partition) + ") AS e",
                         "", view);
      if (!keys.empty()) branches += " GROUP BY " + keys;
    }
    std::string sum_select = "SELECT ";
    for (std::size_t i : columns) sum_select += name(i) + ", ";
    return {sum_select + "sum(n)::int8 FROM (" + branches + ") AS per_partition" +
                (keys.empty() ? "" : " GROUP BY " + keys),
            params.Take()};
  }
  std::string where;
  if (!schema_.privacy_unit_column()) {
    from = "(" + EncodedRows(columns, false, params, Relation(), sample) + ") AS e";
    if (sample) where = " WHERE " + SampleTest("r", view, params);
  } else {
    // The unit bound (docs/officer.md, "The unit bound in SQL"). Every query orders each unit's
    // rows by ALL modeled codes, numbers them (occ), and keeps the max_rows_per_unit rows with
    // the smallest HMAC-SHA256(key, unit ':' occ). The key is 32 bytes of gen_random_bytes drawn
    // once per source, so the kept rows are the same in every query of the source (rows tied in
    // the occ order are identical in every code, so which of them is kept changes no count), and
    // a uniformly random subset of each unit's rows (HMAC as a PRF gives every (unit, occ) an
    // independent uniform rank), independent of every other unit.
    std::vector<std::size_t> all(schema_.modeled_attributes().size());
    std::string order;
    for (std::size_t i = 0; i < all.size(); ++i) {
      all[i] = i;
      if (i) order += ", ";
      order += name(i);
    }
    const std::string crypto = QuoteIdentifier(pgcrypto_schema_);
    from =
        "(SELECT o.*, row_number() OVER (PARTITION BY u ORDER BY " + crypto +
        ".hmac(convert_to(u || ':' || occ::text, 'UTF8'), " +
        params.Add("\\x" + bound_key_hex, "bytea") +
        ", 'sha256')) AS kept_rank FROM (SELECT e.*, row_number() OVER (PARTITION BY u ORDER BY " +
        order + ") AS occ FROM (" + EncodedRows(all, true, params, Relation()) +
        ") AS e) AS o) AS b";
    where =
        " WHERE kept_rank <= " + params.Add(std::to_string(schema_.max_rows_per_unit()), "int8");
    if (sample) where += " AND " + SampleTest("u || ':' || occ::text", view, params);
  }
  from = Viewed(columns, from, where, view);
  std::string group;
  if (sets.size() == 1) {
    for (std::size_t i = 0; i < sets[0].size(); ++i) {
      if (i) group += ", ";
      group += name(sets[0][i]);
    }
    if (!group.empty()) group = " GROUP BY " + group;
  } else {
    group = " GROUP BY GROUPING SETS (";
    for (std::size_t s = 0; s < sets.size(); ++s) {
      group += s ? ", (" : "(";
      for (std::size_t i = 0; i < sets[s].size(); ++i) {
        if (i) group += ", ";
        group += name(sets[s][i]);
      }
      group += ")";
    }
    group += ")";
  }
  return {select + " FROM " + from + group, params.Take()};
}

}  // namespace privet::engine
