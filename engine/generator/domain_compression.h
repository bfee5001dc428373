// Compressing an attribute's public domain into fewer groups, from its NOISY 1-way marginal.
//
// Why: a family marginal's noise grows with its number of cells, so a 100-code attribute
// (adult's fnlwgt, capital-gain) makes every family it joins drown in noise. MST (McKenna et
// al., "Winning the NIST Contest", JPC 2021, Sec. 4.1) merges the values whose noisy count is
// below 3 sigma; privet does that for categorical attributes and, for ordered ones (numeric
// bins, date buckets), merges ADJACENT codes into bins of about equal noisy mass, which keeps
// the order that numbers carry.
//
// Privacy: the input is an already released noisy marginal, so the grouping is
// post-processing and costs nothing (Dwork & Roth 2014, Prop. 2.1).
#ifndef PRIVET_ENGINE_GENERATOR_DOMAIN_COMPRESSION_H_
#define PRIVET_ENGINE_GENERATOR_DOMAIN_COMPRESSION_H_

#include <cstdint>
#include <span>
#include <vector>

#include "engine/generator/model.h"
#include "engine/table/attribute_domain.h"
#include "engine/table/encoded_table.h"

namespace privet::engine {

// Groups for one attribute from its noisy 1-way counts (one per code, may be negative) with
// per-cell noise standard deviation noise_stddev:
//  - categorical: codes with noisy count >= 3 noise_stddev keep a group each (at most
//    max_groups - 1 of them, the largest), the others share one "rare" group;
//  - ordered: the value codes are cut into at most max_groups runs of adjacent codes of about
//    equal mass (each at least 3 noise_stddev), the missing code keeps its own group when its
//    noisy count passes 3 noise_stddev and joins the rare run otherwise. With public cut codes
//    (attribute.cut_codes, the config's "cut_points") the value codes are first split into
//    segments at the cuts and each segment is cut into runs on its own, with a share of the
//    max_groups runs by its clipped noisy mass (rounded, at least one), so no group straddles
//    a cut and the cuts may add a few groups beyond max_groups.
// code_weight is the clipped noisy count normalised within each group (uniform within a group
// whose clipped counts are all 0).
AttributeCompression CompressDomain(const AttributeDomain& attribute,
                                    std::span<const double> noisy_counts, double noise_stddev,
                                    std::uint32_t max_groups);

// Splits groups so that each lies entirely inside or outside every code set in `sets` (each
// of size domain_size): codes of one group that differ in membership go to different groups,
// numbered in order of their first code (so an ordered attribute's runs stay in order). Used
// for the declared rules (engine/table/rules.h): a constraint then tests whole groups, and the
// sampler can condition on it exactly (issue: "split groups at boundaries that matter").
// code_weight is renormalised within the new groups. Public input only: post-processing.
void RefineByCodeSets(const std::vector<std::vector<bool>>& sets,
                      AttributeCompression& compression);

// Replaces code_weight, P(code | group), by a shape that noise cannot spike. For each group g
// with codes C_g and noisy counts y_c (noise standard deviation noise_stddev per code):
//  - a baseline s: for an ordered attribute, the density of each value group (its clipped
//    noisy mass per code) placed at the group's middle code and interpolated linearly between
//    neighbouring groups' middles (constant beyond the first and last), so within a run the
//    values follow a straight line from the density of the run before to that of the run after
//    (a frequency polygon, Scott 1985); for a categorical attribute uniform within the group;
//    the missing code, when it shares a group with values, keeps its own clipped noisy count
//    max(0, y_missing) (at most M_g) and the values share the rest, so a nullable attribute
//    whose data have no missing rows gets no more missing mass than its noise (an even share
//    of a rare group gave nhanes' Race1 276 missing rows of 10,000, real 0);
//  - then s is scaled to the group's clipped noisy mass M_g and moved towards the data as far as
//    the noise allows: w = s + lambda (y - s), lambda = max(0, 1 - E / |y - s|_1) with
//    E = sqrt(2/pi) noise_stddev |C_g| the expected L1 norm of the noise (the same shrinkage as
//    the pair calibration's targets, engine/generator/pair_calibration.h); w is clipped at 0.
// Where the per-code counts are mostly noise (nhanes' Age at epsilon 1: 462 per code) the
// values follow the smooth shape, without the spikes and holes of clipped noisy counts; where
// the data depart from the shape by far more than the noise, the weights follow the data. A
// code keeps positive weight unless the data clearly say it is empty, so rare categories in a
// shared group are still drawn. Post-processing of the released noisy 1-way counts.
void SmoothCodeWeights(const AttributeDomain& attribute, std::span<const double> noisy_counts,
                       double noise_stddev, AttributeCompression& compression);

// Pair levels (engine/generator/pair_calibration.h): sets compression.pair_level_of_group and
// num_pair_levels, at most max_levels levels of the attribute's groups. A pair marginal's noise
// grows with its cells, so pairs are measured coarsely:
//  - at most max_levels groups: one level per group;
//  - ordered: adjacent value groups merged into runs of about equal clipped noisy mass
//    (group_counts, one per group), a group holding only the missing code kept apart;
//  - categorical: the max_levels - 1 groups of largest clipped noisy mass keep a level each,
//    the others share one.
// Post-processing of the released noisy 1-way counts, like the compression itself.
void AddPairLevels(const AttributeDomain& attribute, std::span<const double> group_counts,
                   std::uint32_t max_levels, AttributeCompression& compression);

// The pair level of every row of `codes` (a column in ORIGINAL codes):
// pair_level_of_group[group_of_code[code]]. Levels fit a byte (SynthesisOptions::pair_levels
// is at most 64).
std::vector<std::uint8_t> PairLevelsOf(const EncodedColumn& codes,
                                       const AttributeCompression& compression);

// The identity compression (one group per code, weight 1).
AttributeCompression IdentityCompression(std::uint32_t domain_size);

// The noisy 1-way counts summed into groups.
std::vector<double> GroupCounts(const AttributeCompression& compression,
                                std::span<const double> noisy_counts);

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_GENERATOR_DOMAIN_COMPRESSION_H_
