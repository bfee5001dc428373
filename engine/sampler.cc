#include "engine/sampler.h"

#include <algorithm>
#include <thread>

#include "privacy/errors.h"

namespace privet::engine {
namespace {

constexpr std::size_t kBlockRows = 65536;

// Cumulative distributions, one per row of a probability table, as 53-bit integer thresholds
// so a draw is one integer compare per step.
struct CumulativeTable {
  std::size_t width = 1;
  std::vector<std::uint64_t> thresholds;  // rows * width, last of each row = 2^53

  void Build(const std::vector<double>& probabilities, std::size_t row_width) {
    width = row_width;
    thresholds.resize(probabilities.size());
    constexpr double kScale = 9007199254740992.0;  // 2^53
    for (std::size_t row = 0; row < probabilities.size(); row += width) {
      double total = 0;
      std::size_t last_positive = 0;
      for (std::size_t i = 0; i < width; ++i) {
        total += probabilities[row + i];
        if (probabilities[row + i] > 0) last_positive = i;
      }
      double running = 0;
      for (std::size_t i = 0; i < width; ++i) {
        running += total > 0 ? probabilities[row + i] : 1.0;
        const double share = total > 0 ? running / total : running / static_cast<double>(width);
        thresholds[row + i] = static_cast<std::uint64_t>(std::min(1.0, share) * kScale);
      }
      // Rounding must never leave mass past the last possible entry (padding included).
      if (total <= 0) last_positive = width - 1;
      for (std::size_t i = last_positive; i < width; ++i) {
        thresholds[row + i] = std::uint64_t{1} << 53;
      }
    }
  }

  // Index within row `row` for a 53-bit uniform u (first threshold above u).
  std::uint32_t Draw(std::size_t row, std::uint64_t u) const {
    const std::uint64_t* begin = thresholds.data() + row * width;
    if (width <= 16) {
      std::uint32_t i = 0;
      while (begin[i] <= u) ++i;
      return i;
    }
    return static_cast<std::uint32_t>(std::upper_bound(begin, begin + width, u) - begin);
  }
};

struct PreparedModel {
  std::vector<CumulativeTable> conditionals;           // network order
  std::vector<std::vector<std::size_t>> parent_strides;  // per network entry
  // Decompression per attribute: codes of each group, and their cumulative weights.
  std::vector<std::vector<std::vector<std::uint32_t>>> group_codes;
  std::vector<CumulativeTable> within_group;  // one row per group, width = largest group
};

PreparedModel Prepare(const BayesNetModel& model) {
  PreparedModel prepared;
  const auto& compression = model.compression();
  for (const ConditionalTable& table : model.network()) {
    CumulativeTable cumulative;
    cumulative.Build(table.probabilities, compression[table.attribute].num_groups);
    prepared.conditionals.push_back(std::move(cumulative));
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
    CumulativeTable cumulative;
    cumulative.Build(weights, width);
    prepared.within_group.push_back(std::move(cumulative));
    prepared.group_codes.push_back(std::move(codes));
  }
  return prepared;
}

// Samples `rows` rows into codes[a][0..rows) (original codes).
void SampleBlock(const BayesNetModel& model, const PreparedModel& prepared, std::size_t rows,
                 std::uint64_t seed, std::vector<std::vector<std::uint32_t>>& codes) {
  boost::random::mt19937_64 rng(seed);
  const std::size_t k = model.attributes().size();
  std::vector<std::vector<std::uint32_t>> groups(k, std::vector<std::uint32_t>(rows));
  const auto& network = model.network();
  for (std::size_t i = 0; i < network.size(); ++i) {
    const ConditionalTable& table = network[i];
    const std::vector<std::size_t>& strides = prepared.parent_strides[i];
    std::vector<std::uint32_t>& out = groups[table.attribute];
    for (std::size_t r = 0; r < rows; ++r) {
      std::size_t parent_row = 0;
      for (std::size_t p = 0; p < table.parents.size(); ++p) {
        parent_row += groups[table.parents[p]][r] * strides[p];
      }
      out[r] = prepared.conditionals[i].Draw(parent_row, rng() >> 11);
    }
  }
  for (std::size_t a = 0; a < k; ++a) {
    codes[a].resize(rows);
    const auto& group_codes = prepared.group_codes[a];
    for (std::size_t r = 0; r < rows; ++r) {
      const std::uint32_t g = groups[a][r];
      const auto& members = group_codes[g];
      codes[a][r] = members.size() == 1
                        ? members[0]
                        : members[prepared.within_group[a].Draw(g, rng() >> 11)];
    }
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
  return table;
}

}  // namespace privet::engine
