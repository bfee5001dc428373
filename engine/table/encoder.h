// Encoding: a CSV of the dataset into the columnar table of compact codes (EncodedTable) that
// everything after reading works on. Each cell is encoded once, against the PUBLIC domain of
// its attribute (engine/table/schema.h), never against anything learnt from the data.
//
// Rules, per modeled attribute:
//  - a cell equal to one of the attribute's missing tokens -> its missing code (InputError
//    naming file, line and column when the attribute is not nullable);
//  - categorical: the code of the matching value (exact, case-sensitive); any other value
//    follows the attribute's out_of_domain policy (catch-all, missing, or InputError);
//  - integer/continuous: the cell must parse as a decimal number (else InputError naming file,
//    line, column and value); it is clamped to [min, max], then binned; an integer attribute
//    rejects a fractional value ("63.0" is fine, "2.5" is not);
//  - date/datetime: parsed with the attribute's format (else InputError), clamped to
//    [min, max], then bucketed.
// Columns are matched by header NAME: the file's column order may differ from the config's,
// ignored attributes may be absent (a synthetic CSV has only modeled columns), extra columns
// not in the config are an error (a typo would silently drop a column otherwise). Without a
// header, the file's columns are the config's attributes in order.
//
// Privacy: the result holds private data. EncodingReport counts are statistics of the
// private data too: they are for the privacy officer only and are never released, logged for
// a researcher or written into a model or attestation.
#ifndef PRIVET_ENGINE_TABLE_ENCODER_H_
#define PRIVET_ENGINE_TABLE_ENCODER_H_

#include <cstdint>
#include <filesystem>
#include <istream>
#include <string>
#include <vector>

#include "engine/table/encoded_table.h"
#include "engine/table/schema.h"

namespace privet::engine {

// Per modeled column: how many cells were changed to fit the public domain. OFFICER ONLY.
struct ColumnEncodingCounts {
  std::string name;
  std::uint64_t missing = 0;              // cells equal to a missing token
  std::uint64_t clamped = 0;              // numbers / dates outside [min, max]
  std::uint64_t mapped_to_catch_all = 0;  // categories outside the domain -> catch-all
  std::uint64_t mapped_to_missing = 0;    // categories outside the domain -> missing
};

// OFFICER ONLY: never released (see the file comment).
struct EncodingReport {
  std::uint64_t rows = 0;
  std::vector<ColumnEncodingCounts> columns;  // modeled attributes, schema order
};

// What a CSV holds. The private dataset must carry its privacy unit column (when the schema
// names one), because without it every row would silently count as its own unit and every
// sensitivity would be too small. A synthetic (released) table has only the modeled columns:
// its unit column is neither required nor read, the result has no unit ids, and a header is
// expected even when the dataset has none (WriteCsv always writes one).
enum class CsvKind { kPrivateData, kSynthetic };

// Encodes the CSV at `csv` (the schema's delimiter and header settings). Result columns =
// schema.modeled_attributes() in order, named as the attributes, with their domain sizes.
// When the schema names a privacy unit column, the table's unit_ids() are dense ids in
// first-seen order (the unit column must then be present in the file, unless kind is
// kSynthetic).
// Throws InputError (file, line, column named) on any bad cell, ragged row, missing modeled
// column, unknown column, invalid UTF-8, empty file (no header / no rows), or an empty or
// missing-token unit id. A bad cell's value is quoted only for kSynthetic (public) files: a
// private cell must not reach the terminal of the researcher who ran the release.
EncodedTable EncodeCsv(const Schema& schema, const std::filesystem::path& csv,
                       EncodingReport* report = nullptr, CsvKind kind = CsvKind::kPrivateData);
// The same from a stream; display_name stands for the file in messages.
EncodedTable EncodeCsv(const Schema& schema, std::istream& csv, const std::string& display_name,
                       EncodingReport* report = nullptr, CsvKind kind = CsvKind::kPrivateData);
// EncodeCsv(schema, schema.csv_path(), report). InputError for a schema whose source is not
// csv (its rows are counted in the database, engine/source/, never read into privet).
EncodedTable EncodeDataset(const Schema& schema, EncodingReport* report = nullptr);

// Reads only the header line of `csv` and checks it against the schema exactly as EncodeCsv
// would (every modeled attribute and the privacy unit column present, no undeclared or
// duplicate column). Reads no data row, so it reveals nothing about the data. Throws
// InputError; does nothing for a schema without a header.
void CheckCsvHeader(const Schema& schema, const std::filesystem::path& csv,
                    CsvKind kind = CsvKind::kPrivateData);

// The code of one cell of attribute `attribute` (modeled). `where` prefixes error messages,
// e.g. "data.csv:12: column \"age\"". counts may be null.
std::uint32_t EncodeCell(const Attribute& attribute, std::string_view cell,
                         const std::string& where, ColumnEncodingCounts* counts = nullptr);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_TABLE_ENCODER_H_
