// Disclosure figures of a synthetic table for the officer's report (quality_report.h): how
// close synthetic rows come to real ones, against the baseline of real rows the comparison
// set does not contain. NOT DIFFERENTIALLY PRIVATE: every figure reads the real rows.
//
// Rows are compared on their schema codes (the config's categories, bins and date buckets;
// missing is a code), the space the generator models: two rows are an exact copy when every
// code agrees, and the distance between rows is the Hamming distance, the number of
// attributes whose codes differ (0 = copy, d = nothing in common for d attributes).
//
// The baseline follows the holdout method of Platzer & Reutterer, "Holdout-Based Empirical
// Assessment of Mixed-Type Synthetic Data" (Frontiers in Big Data, 2021), Sec. 2.3: real rows
// that are not in the reference set are draws from the same population that nobody copied, so
// their exact-copy share and their distance to the closest reference record (DCR) are what a
// synthetic table that copies nothing shows at this size and dimension. That needs the holdout
// to hold other patients than the reference set: the report's split keeps each privacy unit's
// rows on one side (holdout_split.h, EightyTwentyUnitSplit), since a patient's repeated row
// would otherwise count as a chance copy.
#ifndef PRIVET_ENGINE_QUALITY_DISCLOSURE_H_
#define PRIVET_ENGINE_QUALITY_DISCLOSURE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "engine/table/encoded_table.h"

namespace privet::engine::quality {

// Where the holdout rows come from, which decides what can be measured.
enum class HoldoutKind {
  // Rows the release never saw (privet report --holdout): the officer synthesized from the
  // reference rows only. The membership attack is measurable.
  kWithheld,
  // The 20% of the real table (of its privacy units, when the config names one) that the 80%
  // reference set lacks (holdout_split.h). The release saw these rows too, so they are a
  // baseline for copies and distances (fresh draws relative to the reference set) but not
  // non-members: no membership attack is computed.
  kSplitOfReleaseInput,
};

// Distances (in attributes) of a sample of query rows to their closest reference row.
struct DistanceSummary {
  std::size_t rows = 0;   // query rows measured
  double share_zero = 0;  // DCR 0: an exact copy of some reference row
  double median = 0;      // lower median
  double mean = 0;
  std::vector<double> cdf;  // cdf[t] = share of rows with DCR <= t, t = 0..dimension
};

// A distance-threshold membership attack (Yeom et al., "Privacy Risk in Machine Learning",
// CSF 2018, Sec. 3, with distance to the synthetic set as the score, as Stadler et al.,
// "Synthetic Data - Anonymisation Groundhog Day", USENIX Security 2022, Sec. 4): a real row
// is guessed to be a member when its distance to the closest synthetic row is <= threshold.
struct MembershipAttack {
  std::size_t member_rows = 0;      // reference rows attacked
  std::size_t non_member_rows = 0;  // withheld rows attacked
  // max over thresholds of TPR - FPR (the one-sided two-sample Kolmogorov-Smirnov statistic
  // of the two distance distributions); 0 = the attack does no better than a coin.
  double advantage = 0;
  std::size_t threshold = 0;  // distance at which it is reached
  double true_positive_rate = 0;
  double false_positive_rate = 0;
  // What chance alone reaches with these sample sizes at 95%: the asymptotic one-sided
  // Smirnov quantile sqrt(-ln(0.05) / 2 * (n + m) / (n m)) (Smirnov 1939; conservative for
  // the discrete distances here).
  double chance_level_95 = 0;
};

struct DisclosureReport {
  HoldoutKind holdout_kind = HoldoutKind::kSplitOfReleaseInput;
  std::size_t dimension = 0;  // attributes compared
  std::size_t reference_rows = 0;
  std::size_t holdout_rows = 0;
  std::size_t synthetic_rows = 0;
  // Over every row: synthetic (resp. holdout) rows whose codes equal some reference row's.
  double exact_copy_share = 0;
  double expected_exact_copy_share = 0;    // the holdout's: a table that copies nothing
  DistanceSummary synthetic_dcr;           // synthetic rows to the reference set
  DistanceSummary holdout_dcr;             // holdout rows to the reference set
  std::optional<MembershipAttack> attack;  // kWithheld only
};

struct DisclosureOptions {
  // At most this many query rows per distance sample (evenly spaced, so the result is
  // deterministic); exact-copy shares always use every row. 2,000 keeps a 75-attribute table
  // of 10,000 rows to about a second.
  std::size_t max_query_rows = 2000;
};

// All three tables have the same columns and domains (encode them with one schema) and at
// least one row; std::invalid_argument otherwise.
DisclosureReport ComputeDisclosure(const EncodedTable& reference, const EncodedTable& holdout,
                                   const EncodedTable& synthetic, HoldoutKind holdout_kind,
                                   const DisclosureOptions& options = {});

// The largest membership advantage (TPR - FPR) any attack can have against an
// (epsilon, delta)-DP release: (e^epsilon - 1 + 2 delta) / (e^epsilon + 1), capped at 1
// (Kairouz, Oh & Viswanath, "The Composition Theorem for Differential Privacy", ICML 2015,
// Thm. 2.1: the test's region; the maximum of TPR - FPR is at the corner of its two lines).
// Public: a function of the release's published cost only.
double MembershipAdvantageBound(double epsilon, double delta);

}  // namespace privet::engine::quality

#endif  // PRIVET_ENGINE_QUALITY_DISCLOSURE_H_
