// Decoding: codes back to values in the original space, and the synthetic CSV writer.
//
// Decoding is post-processing of an already released (noised) table, so it may use any
// randomness without privacy cost (DP post-processing theorem, Dwork & Roth 2014, Prop. 2.1);
// it takes a seedable Boost.Random engine so a synthetic file can be reproduced exactly.
// Per attribute, code -> value:
//  - categorical: its label (the config's value string);
//  - integer: a uniform integer inside its bin (within [min, max]);
//  - continuous: a uniform real inside its bin, printed in plain decimal notation with about
//    three significant digits of the bin's width (a bin 10 wide gives one decimal), and more
//    only when rounding would leave the bin;
//  - date/datetime: a uniform day (date) / second (datetime) inside the bucket intersected
//    with [min, max], formatted with the attribute's format;
//  - the missing code: the attribute's first missing token (the dataset's by default; "" when
//    none).
#ifndef PRIVET_ENGINE_TABLE_DECODER_H_
#define PRIVET_ENGINE_TABLE_DECODER_H_

#include <boost/random/mersenne_twister.hpp>
#include <cstdint>
#include <ostream>
#include <string>

#include "engine/table/encoded_table.h"
#include "engine/table/schema.h"

namespace privet::engine {

// One value for `code` of a modeled attribute. Throws std::out_of_range if code is outside
// the attribute's domain.
std::string DecodeCell(const Attribute& attribute, std::uint32_t code,
                       boost::random::mt19937_64& rng);

// Writes `table` as CSV: a header of the modeled attribute names in schema order, then one
// line per row ("\n" line ends, schema delimiter), fields quoted per RFC 4180 when they
// contain the delimiter, a quote, CR or LF, or start/end with a space. The table's columns
// must be exactly schema.modeled_attributes() (names, order, domain sizes); otherwise
// InputError. Throws StorageError when the stream fails.
// A derived "formula" column (engine/table/rules.h) is not decoded from its code: it is
// computed from the decoded values of its inputs in the same row, rounded and clamped as the
// column stores it (Formula::Finish), and a bucket or map of it from the code of that value;
// so the written file satisfies every formula exactly, and its code in `table` is ignored.
void WriteCsv(const Schema& schema, const EncodedTable& table, std::ostream& out,
              boost::random::mt19937_64& rng);

// Appends `field` to `line`, quoted per RFC 4180 if needed (see WriteCsv).
void AppendCsvField(std::string& line, std::string_view field, char delimiter = ',');

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_TABLE_DECODER_H_
