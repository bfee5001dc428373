#include "engine/generator/sampler.h"

#include <algorithm>
#include <span>
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
        probabilities[row + i] = total > 0 ? probabilities[row + i] / total
                                           : 1.0 / static_cast<double>(width);
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

struct PreparedModel {
  std::vector<ProbabilityRows> conditionals;             // network order
  std::vector<std::vector<std::size_t>> parent_strides;  // per network entry
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
  return prepared;
}

// Samples `rows` rows into codes[a][0..rows) (original codes): attributes in network order,
// the rows of each parent configuration allocated over the attribute's groups, then the rows
// of each group allocated over its codes (AllocateRounded).
void SampleBlock(const BayesNetModel& model, const PreparedModel& prepared, std::size_t rows,
                 std::uint64_t seed, std::vector<std::vector<std::uint32_t>>& codes) {
  boost::random::mt19937_64 rng(seed);
  const std::size_t k = model.attributes().size();
  std::vector<std::vector<std::uint32_t>> groups(k, std::vector<std::uint32_t>(rows));
  std::vector<std::uint32_t> key(rows), order;
  std::vector<std::size_t> offsets;
  const auto& network = model.network();
  for (std::size_t i = 0; i < network.size(); ++i) {
    const ConditionalTable& table = network[i];
    const std::vector<std::size_t>& strides = prepared.parent_strides[i];
    const ProbabilityRows& conditional = prepared.conditionals[i];
    for (std::size_t r = 0; r < rows; ++r) {
      std::size_t parent_row = 0;
      for (std::size_t p = 0; p < table.parents.size(); ++p) {
        parent_row += groups[table.parents[p]][r] * strides[p];
      }
      key[r] = static_cast<std::uint32_t>(parent_row);
    }
    const std::size_t parent_rows = conditional.probabilities.size() / conditional.width;
    GroupByKey(key, parent_rows, order, offsets);
    for (std::size_t c = 0; c < parent_rows; ++c) {
      AllocateRounded(conditional.Row(c),
                      std::span(order).subspan(offsets[c], offsets[c + 1] - offsets[c]), rng,
                      groups[table.attribute]);
    }
  }
  std::vector<std::uint32_t> member(rows);
  for (std::size_t a = 0; a < k; ++a) {
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
  std::vector<EncodedColumn> columns;
  for (const AttributeDomain& attribute : model.attributes()) {
    columns.emplace_back(attribute.name, attribute.domain_size);
    columns.back().reserve(num_rows);
  }
  const std::size_t blocks = (num_rows + kBlockRows - 1) / kBlockRows;
  std::vector<std::uint64_t> seeds(blocks);
  for (auto& seed : seeds) seed = rng();
  const unsigned threads = std::max(1u, std::min(2u, std::thread::hardware_concurrency()));
  // Blocks in waves of `threads`, appended in block order so the output is thread-independent.
  std::vector<std::vector<std::vector<std::uint32_t>>> buffers(
      threads, std::vector<std::vector<std::uint32_t>>(k));
  for (std::size_t wave = 0; wave < blocks; wave += threads) {
    const std::size_t in_wave = std::min<std::size_t>(threads, blocks - wave);
    std::vector<std::thread> workers;
    for (std::size_t t = 1; t < in_wave; ++t) {
      const std::size_t b = wave + t;
      const std::size_t rows = std::min<std::uint64_t>(kBlockRows, num_rows - b * kBlockRows);
      workers.emplace_back(
          [&, t, b, rows] { SampleBlock(model, prepared, rows, seeds[b], buffers[t]); });
    }
    {
      const std::size_t rows = std::min<std::uint64_t>(kBlockRows, num_rows - wave * kBlockRows);
      SampleBlock(model, prepared, rows, seeds[wave], buffers[0]);
    }
    for (std::thread& worker : workers) worker.join();
    for (std::size_t t = 0; t < in_wave; ++t) {
      for (std::size_t a = 0; a < k; ++a) {
        for (std::uint32_t code : buffers[t][a]) columns[a].push_back(code);
      }
    }
  }
  EncodedTable table;
  for (EncodedColumn& column : columns) table.AddColumn(std::move(column));
  return CalibrateToPairs(model, std::move(table), rng);
}

}  // namespace privet::engine
