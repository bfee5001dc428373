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

}  // namespace privet::engine::quality

#endif  // PRIVET_ENGINE_QUALITY_HOLDOUT_SPLIT_H_
