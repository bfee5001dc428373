#include "engine/generator/sampler.h"

#include <algorithm>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>

#include "engine/generator/pair_calibration.h"
#include "engine/generator/systematic_allocation.h"
#include "privacy/errors.h"

namespace privet::engine {
namespace {

constexpr std::size_t kBlockRows = 65536;

// A row-stochastic table: rows of `width` probabilities (each row normalised; a row with no
// mass becomes uniform) from which rows of the block are allocated.
struct ProbabilityRows {
  std::size_t width = 1;
  std::vector<double> probabilities;

  ProbabilityRows(const std::vector<double>& weights, std::size_t row_width)
      : width(row_width), probabilities(weights) {
    for (std::size_t row = 0; row < probabilities.size(); row += width) {
      double total = 0;
      for (std::size_t i = 0; i < width; ++i) total += probabilities[row + i];
      for (std::size_t i = 0; i < width; ++i) {
        probabilities[row + i] =
            total > 0 ? probabilities[row + i] / total : 1.0 / static_cast<double>(width);
      }
    }
  }
  std::span<const double> Row(std::size_t row) const {
    return {probabilities.data() + row * width, width};
  }
};

// Gives the r rows in `rows` values from `probabilities`: value j goes to floor(r p_j) or
// ceil(r p_j) rows, with expectation exactly r p_j (SystematicCounts), given to rows in uniformly
// random order. Unlike r independent draws, the counts within every parent configuration match
// the model's conditional within one row, so sampling adds almost no error of its own to the
// released model's marginals (private-pgm's synthetic_data rounds the same way).
void AllocateRounded(std::span<const double> probabilities, std::span<std::uint32_t> rows,
                     boost::random::mt19937_64& rng, std::vector<std::uint32_t>& out) {
  if (rows.empty()) return;
  Shuffle(rows, rng);
  const std::vector<std::size_t> counts = SystematicCounts(probabilities, rows.size(), rng);
  std::size_t next_row = 0;
  for (std::size_t j = 0; j < counts.size(); ++j) {
    for (std::size_t i = 0; i < counts[j]; ++i) {
      out[rows[next_row++]] = static_cast<std::uint32_t>(j);
    }
  }
}

// Groups the indices 0..n-1 by key (counting sort): indices of key k are
// order[offsets[k] .. offsets[k + 1]).
void GroupByKey(const std::vector<std::uint32_t>& key, std::size_t num_keys,
                std::vector<std::uint32_t>& order, std::vector<std::size_t>& offsets) {
  offsets.assign(num_keys + 1, 0);
  for (std::uint32_t k : key) ++offsets[k + 1];
  for (std::size_t k = 0; k < num_keys; ++k) offsets[k + 1] += offsets[k];
  order.resize(key.size());
  std::vector<std::size_t> next(offsets.begin(), offsets.end() - 1);
  for (std::uint32_t i = 0; i < key.size(); ++i) order[next[key[i]]++] = i;
}

// A forbidden combination (engine/table/rules.h) on group level: group_in[i][g] is true when
// some code of group g of condition i's column is in the condition's set. When the domain
// compression respects the rules (RefineByCodeSets), every group is entirely inside or outside
// each set and this is exact; otherwise "some code" errs on the side of forbidding.
struct GroupCombination {
  std::vector<std::size_t> columns;
  std::vector<std::vector<bool>> group_in;
  std::size_t last = 0;  // the condition whose column comes last in the network order
};

struct PreparedModel {
  std::vector<ProbabilityRows> conditionals;             // network order
  std::vector<std::vector<std::size_t>> parent_strides;  // per network entry
  std::vector<GroupCombination> combinations;
  // Per network entry: the combinations whose last column is that entry's attribute.
  std::vector<std::vector<std::size_t>> combinations_at;
  // Decompression per attribute: codes of each group, and P(code | group) in that order.
  std::vector<std::vector<std::vector<std::uint32_t>>> group_codes;
  std::vector<ProbabilityRows> within_group;  // one row per group, width = largest group
};

PreparedModel Prepare(const BayesNetModel& model) {
  PreparedModel prepared;
  const auto& compression = model.compression();
  for (const ConditionalTable& table : model.network()) {
    prepared.conditionals.emplace_back(table.probabilities,
                                       compression[table.attribute].num_groups);
    std::vector<std::size_t> strides(table.parents.size(), 1);
    for (std::size_t i = table.parents.size(); i-- > 1;) {
      strides[i - 1] = strides[i] * compression[table.parents[i]].num_groups;
    }
    prepared.parent_strides.push_back(std::move(strides));
  }
  for (const AttributeCompression& c : compression) {
    std::vector<std::vector<std::uint32_t>> codes(c.num_groups);
    for (std::uint32_t code = 0; code < c.group_of_code.size(); ++code) {
      codes[c.group_of_code[code]].push_back(code);
    }
    std::size_t width = 1;
    for (const auto& g : codes) width = std::max(width, g.size());
    std::vector<double> weights(c.num_groups * width, 0.0);
    for (std::uint32_t g = 0; g < c.num_groups; ++g) {
      double total = 0;
      for (std::uint32_t code : codes[g]) total += c.code_weight[code];
      for (std::size_t i = 0; i < codes[g].size(); ++i) {
        weights[g * width + i] =
            total > 0 ? c.code_weight[codes[g][i]] : 1.0 / static_cast<double>(codes[g].size());
      }
    }
    prepared.within_group.emplace_back(weights, width);
    prepared.group_codes.push_back(std::move(codes));
  }
  const auto& network = model.network();
  std::vector<std::size_t> position(compression.size(), 0);
  for (std::size_t i = 0; i < network.size(); ++i) position[network[i].attribute] = i;
  prepared.combinations_at.resize(network.size());
  for (const ForbiddenCombination& f : model.rules().OnModelledColumns()) {
    GroupCombination g;
    for (const CodeCondition& c : f.conditions) {
      const AttributeCompression& comp = compression[c.column];
      std::vector<bool> in(comp.num_groups, false);
      for (std::uint32_t code = 0; code < comp.group_of_code.size(); ++code) {
        if (c.codes[code]) in[comp.group_of_code[code]] = true;
      }
      if (position[c.column] >= position[g.columns.empty() ? c.column : g.columns[g.last]]) {
        g.last = g.columns.size();
      }
      g.columns.push_back(c.column);
      g.group_in.push_back(std::move(in));
    }
    prepared.combinations_at[position[g.columns[g.last]]].push_back(prepared.combinations.size());
    prepared.combinations.push_back(std::move(g));
  }
  return prepared;
}

// The rows of `rows` (all with parent configuration `parent_row`) for which some combination
// of `active` is active are allocated separately: each set of rows sharing the same active
// combinations gets the conditional with the forbidden groups removed and renormalised
// (conditioning the model on the rules). A row for which every group is forbidden cannot be
// completed and is marked in `invalid` (the caller drops it and samples a replacement).
void AllocateConstrained(const GroupCombination* const* combos, std::size_t num_combos,
                         std::span<const double> probabilities,
                         const std::vector<std::uint32_t>& rows,
                         const std::vector<std::string>& signature, boost::random::mt19937_64& rng,
                         std::vector<std::uint32_t>& out, std::vector<std::uint8_t>& invalid) {
  std::map<std::string, std::vector<std::uint32_t>> by_signature;
  for (std::uint32_t r : rows) by_signature[signature[r]].push_back(r);
  std::vector<double> restricted(probabilities.size());
  for (auto& [active, members] : by_signature) {
    std::vector<bool> allowed(probabilities.size(), true);
    for (std::size_t j = 0; j < num_combos; ++j) {
      if (active[j] == 0) continue;
      const GroupCombination& g = *combos[j];
      for (std::size_t group = 0; group < allowed.size(); ++group) {
        if (g.group_in[g.last][group]) allowed[group] = false;
      }
    }
    double mass = 0;
    std::size_t count = 0;
    for (std::size_t group = 0; group < allowed.size(); ++group) {
      restricted[group] = allowed[group] ? probabilities[group] : 0.0;
      mass += restricted[group];
      count += allowed[group] ? 1 : 0;
    }
    if (count == 0) {
      for (std::uint32_t r : members) invalid[r] = 1;
      continue;
    }
    for (std::size_t group = 0; group < allowed.size(); ++group) {
      // No mass left on the allowed groups: uniform over them (as a row with no mass is).
      restricted[group] = mass > 0 ? restricted[group] / mass
                                   : (allowed[group] ? 1.0 / static_cast<double>(count) : 0.0);
    }
    AllocateRounded(restricted, members, rng, out);
  }
}

// Samples `rows` rows into codes[a][0..rows) (original codes): attributes in network order,
// the rows of each parent configuration allocated over the attribute's groups, then the rows
// of each group allocated over its codes (AllocateRounded).
void SampleBlock(const BayesNetModel& model, const PreparedModel& prepared, std::size_t rows,
                 std::uint64_t seed, std::vector<std::vector<std::uint32_t>>& codes,
                 std::vector<std::uint8_t>& invalid) {
  boost::random::mt19937_64 rng(seed);
  const std::size_t k = model.attributes().size();
  std::vector<std::vector<std::uint32_t>> groups(k, std::vector<std::uint32_t>(rows, 0));
  std::vector<std::uint32_t> key(rows), order;
  std::vector<std::size_t> offsets;
  std::vector<std::string> signature(prepared.combinations.empty() ? 0 : rows);
  invalid.assign(rows, 0);
  const auto& network = model.network();
  for (std::size_t i = 0; i < network.size(); ++i) {
    const ConditionalTable& table = network[i];
    const std::vector<std::size_t>& strides = prepared.parent_strides[i];
    const ProbabilityRows& conditional = prepared.conditionals[i];
    const std::size_t parent_rows = conditional.probabilities.size() / conditional.width;
    // Rows for which a rule is active at this attribute get key parent_rows + c and are
    // allocated apart (AllocateConstrained); the others as before.
    const std::vector<std::size_t>& here = prepared.combinations_at[i];
    std::vector<const GroupCombination*> combos;
    for (std::size_t j : here) combos.push_back(&prepared.combinations[j]);
    for (std::size_t r = 0; r < rows; ++r) {
      std::size_t parent_row = 0;
      for (std::size_t p = 0; p < table.parents.size(); ++p) {
        parent_row += groups[table.parents[p]][r] * strides[p];
      }
      bool constrained = false;
      if (!combos.empty()) {
        std::string& active = signature[r];
        active.assign(combos.size(), 0);
        for (std::size_t j = 0; j < combos.size(); ++j) {
          const GroupCombination& g = *combos[j];
          bool holds = true;
          for (std::size_t c = 0; c < g.columns.size() && holds; ++c) {
            if (c != g.last) holds = g.group_in[c][groups[g.columns[c]][r]];
          }
          if (holds) active[j] = 1, constrained = true;
        }
      }
      key[r] = static_cast<std::uint32_t>(constrained ? parent_rows + parent_row : parent_row);
    }
    GroupByKey(key, combos.empty() ? parent_rows : 2 * parent_rows, order, offsets);
    for (std::size_t c = 0; c < parent_rows; ++c) {
      AllocateRounded(conditional.Row(c),
                      std::span(order).subspan(offsets[c], offsets[c + 1] - offsets[c]), rng,
                      groups[table.attribute]);
    }
    if (combos.empty()) continue;
    for (std::size_t c = 0; c < parent_rows; ++c) {
      const std::size_t begin = offsets[parent_rows + c], end = offsets[parent_rows + c + 1];
      if (begin == end) continue;
      const std::vector<std::uint32_t> members(order.begin() + begin, order.begin() + end);
      AllocateConstrained(combos.data(), combos.size(), conditional.Row(c), members, signature, rng,
                          groups[table.attribute], invalid);
    }
  }
  std::vector<std::uint32_t> member(rows);
  for (std::size_t a = 0; a < k; ++a) {
    if (model.rules().IsDerived(a)) {  // computed from its source after sampling
      codes[a].assign(rows, 0);
      continue;
    }
    const auto& group_codes = prepared.group_codes[a];
    GroupByKey(groups[a], group_codes.size(), order, offsets);
    for (std::size_t g = 0; g < group_codes.size(); ++g) {
      const std::size_t size = group_codes[g].size();
      AllocateRounded(prepared.within_group[a].Row(g).first(size),
                      std::span(order).subspan(offsets[g], offsets[g + 1] - offsets[g]), rng,
                      member);
    }
    codes[a].resize(rows);
    for (std::size_t r = 0; r < rows; ++r) codes[a][r] = group_codes[groups[a][r]][member[r]];
  }
}

}  // namespace
EncodedTable SampleRows(const BayesNetModel& model, std::uint64_t num_rows,
                        boost::random::mt19937_64& rng) {
  if (num_rows > (std::uint64_t{1} << 32)) {
    throw InputError("sample: at most 2^32 rows per request (asked for " +
                     std::to_string(num_rows) + ")");
  }
  const PreparedModel prepared = Prepare(model);
  const std::size_t k = model.attributes().size();
  // With pair marginals a larger pool, from which the calibration selects num_rows rows.
  const std::uint64_t pool_rows = CalibrationPoolRows(model, num_rows);
  std::vector<EncodedColumn> columns;
  for (const AttributeDomain& attribute : model.attributes()) {
    columns.emplace_back(attribute.name, attribute.domain_size);
    columns.back().reserve(pool_rows);
  }
  const unsigned threads = std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
  std::vector<std::vector<std::vector<std::uint32_t>>> buffers(
      threads, std::vector<std::vector<std::uint32_t>>(k));
  std::vector<std::vector<std::uint8_t>> invalid(threads);
  // Samples `count` rows and appends those that satisfy the rules, at most `limit` of them.
  // Blocks in waves of `threads`, appended in block order so the output is thread-independent.
  auto sample = [&](std::uint64_t count, std::uint64_t limit) {
    const std::size_t blocks = (count + kBlockRows - 1) / kBlockRows;
    std::vector<std::uint64_t> seeds(blocks);
    for (auto& seed : seeds) seed = rng();
    std::uint64_t appended = 0;
    for (std::size_t wave = 0; wave < blocks; wave += threads) {
      const std::size_t in_wave = std::min<std::size_t>(threads, blocks - wave);
      std::vector<std::thread> workers;
      for (std::size_t t = 1; t < in_wave; ++t) {
        const std::size_t b = wave + t;
        const std::size_t rows = std::min<std::uint64_t>(kBlockRows, count - b * kBlockRows);
        workers.emplace_back([&, t, b, rows] {
          SampleBlock(model, prepared, rows, seeds[b], buffers[t], invalid[t]);
        });
      }
      {
        const std::size_t rows = std::min<std::uint64_t>(kBlockRows, count - wave * kBlockRows);
        SampleBlock(model, prepared, rows, seeds[wave], buffers[0], invalid[0]);
      }
      for (std::thread& worker : workers) worker.join();
      for (std::size_t t = 0; t < in_wave; ++t) {
        for (std::size_t r = 0; r < invalid[t].size() && appended < limit; ++r) {
          if (invalid[t][r]) continue;
          for (std::size_t a = 0; a < k; ++a) columns[a].push_back(buffers[t][a][r]);
          ++appended;
        }
      }
    }
    return appended;
  };
  std::uint64_t have = sample(pool_rows, pool_rows);
  // Rows the rules leave no value for were dropped (rejection): sample replacements. The
  // rules are public and the model released, so this is post-processing; it conditions the
  // model's distribution on the rules holding.
  for (int attempt = 0; have < pool_rows; ++attempt) {
    if (attempt == 20) {
      throw InputError(
          "sample: the model gives almost no probability to rows that satisfy "
          "the declared constraints; check them for a contradiction");
    }
    const std::uint64_t missing = pool_rows - have;
    have += sample(std::min<std::uint64_t>(std::uint64_t{1} << 32, 2 * missing + 64), missing);
  }
  EncodedTable table;
  for (EncodedColumn& column : columns) table.AddColumn(std::move(column));
  // Calibration resamples whole rows, so the rules still hold after it; derived columns are
  // computed last, from the final source values.
  EncodedTable out =
      model.rules().ApplyDerived(CalibrateToPairs(model, std::move(table), num_rows, rng));
  if (!model.rules().forbidden().empty()) {
    for (std::size_t r = 0; r < out.num_rows(); ++r) {
      if (!model.rules().RowAllowed(out, r)) {
        throw std::logic_error("sample: a row breaks a declared rule (a sampler defect)");
      }
    }
  }
  return out;
}

}  // namespace privet::engine
