// The fixed-seed 80/20 split of the real table that the report's classifier is tested on.
//
// The permutation is bit-for-bit the one ../shared/tools/fidelity.py draws,
// numpy.random.RandomState(seed).permutation(n): MT19937 seeded by init_genrand(seed)
// (Matsumoto & Nishimura 1998), then a Fisher-Yates shuffle (Knuth, TAOCP vol. 2, Sec. 3.4.2,
// Algorithm P) from the last index down, each index j in [0, i] drawn by masked rejection
// (numpy's legacy random_interval). So the report and the referee train and test on the same
// rows, and their majority-class baselines agree exactly. Evaluation only, not a privacy
// mechanism: a fixed seed is the point.
#ifndef PRIVET_ENGINE_QUALITY_HOLDOUT_SPLIT_H_
#define PRIVET_ENGINE_QUALITY_HOLDOUT_SPLIT_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace privet::engine::quality {

// numpy.random.RandomState(seed).permutation(n) for seed < 2^32.
std::vector<std::size_t> NumpyLegacyPermutation(std::size_t n, std::uint32_t seed);

struct HoldoutSplit {
  std::vector<std::size_t> train_rows;  // the first floor(0.8 n) of the permutation
  std::vector<std::size_t> test_rows;   // the rest
};

// fidelity.py's split: permutation as above, cut = int(0.8 * n).
HoldoutSplit EightyTwentySplit(std::size_t n, std::uint32_t seed);

// The same cut over privacy units instead of rows, for a table whose config names a unit
// column (one patient's repeated rows): the units 0..U-1 are permuted as above with `seed`,
// the first int(0.8 U) of them train and the rest test, and each side lists its units' rows
// unit by unit in that permuted order (a unit's rows in table order). Every row of a unit is
// on one side, so a test row is never a repeat of a training row's patient, which a row split
// makes likely and which inflates every holdout baseline and test accuracy. unit_ids are
// EncodedTable::unit_ids(): dense ids, U = max + 1, every id in [0, U) used. When each row is
// its own unit (unit_ids[i] = i) the result is EightyTwentySplit(n, seed) exactly.
// std::invalid_argument if an id in [0, U) has no row (ids not dense). fidelity.py splits by
// row, so with a unit column the report's split is not its referee's.
HoldoutSplit EightyTwentyUnitSplit(std::span<const std::uint32_t> unit_ids, std::uint32_t seed);

}  // namespace privet::engine::quality

#endif  // PRIVET_ENGINE_QUALITY_HOLDOUT_SPLIT_H_
