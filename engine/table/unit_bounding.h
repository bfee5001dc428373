// Bounding each privacy unit's contribution: at most max_rows_per_unit rows per unit.
//
// Privacy: neighbouring datasets differ by all rows of one unit (a patient). After bounding, a
// unit holds at most m = max_rows_per_unit rows, so it changes any histogram by at most m in
// L1 and in L2 (all m rows in one cell is the worst case for L2), and every sensitivity in the
// generator and the direct queries is scaled by m (docs/privacy.md, "Privacy unit").
// The rows kept of a unit are a uniformly random subset drawn with the caller's (secure)
// generator, independently of every other unit, so the bounding of one unit does not depend on
// any other unit's data: removing a unit removes exactly its kept rows, which is what the
// neighbouring relation after bounding needs (Wilson et al., "Differentially Private SQL with
// Bounded User Contribution", PETS 2020, Sec. 3, contribution bounding by reservoir sampling).
#ifndef PRIVET_ENGINE_TABLE_UNIT_BOUNDING_H_
#define PRIVET_ENGINE_TABLE_UNIT_BOUNDING_H_

#include <cstdint>

#include "engine/table/encoded_table.h"
#include "privacy/random_source.h"

namespace privet::engine {

// The rows of `table` with every unit cut to at most max_rows_per_unit rows (uniformly random
// subset per unit, rows kept in their original order). When table.unit_ids() is empty every
// row is its own unit and the table is returned unchanged (a copy). Throws InputError if
// max_rows_per_unit == 0 or unit_ids has a different length than the table.
EncodedTable BoundRowsPerUnit(const EncodedTable& table, std::uint32_t max_rows_per_unit,
                              privacy::RandomSource& secure);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_TABLE_UNIT_BOUNDING_H_
