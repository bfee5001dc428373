#include "engine/table/marginals.h"

#include <algorithm>
#include <array>
#include <string>
#include <thread>

#include "privacy/errors.h"

namespace privet::engine {
namespace {

constexpr std::size_t kBlockRows = 8192;
constexpr std::size_t kParallelMinRows = std::size_t{1} << 17;

void ValidateAttributes(const EncodedTable& table, std::span<const std::size_t> attributes) {
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    if (attributes[i] >= table.num_columns()) {
      throw InputError("marginal: attribute index " + std::to_string(attributes[i]) +
                       " out of range (table has " + std::to_string(table.num_columns()) +
                       " columns)");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (attributes[j] == attributes[i]) {
        throw InputError("marginal: attribute '" + table.column(attributes[i]).name() +
                         "' listed twice");
      }
    }
  }
}

// Counts rows [begin, end) into counts (already sized).
void CountRange(const EncodedTable& table, std::span<const std::size_t> attributes,
                std::size_t begin, std::size_t end, std::vector<std::uint64_t>& counts) {
  if (attributes.empty()) {
    counts[0] += end - begin;
    return;
  }
  if (attributes.size() == 1) {
    table.column(attributes[0]).Visit([&](const auto& codes) {
      for (std::size_t r = begin; r < end; ++r) ++counts[codes[r]];
    });
    return;
  }
  std::array<std::uint32_t, kBlockRows> index;
  for (std::size_t block = begin; block < end; block += kBlockRows) {
    const std::size_t rows = std::min(kBlockRows, end - block);
    table.column(attributes[0]).Visit([&](const auto& codes) {
      for (std::size_t r = 0; r < rows; ++r) index[r] = codes[block + r];
    });
    for (std::size_t a = 1; a < attributes.size(); ++a) {
      const EncodedColumn& column = table.column(attributes[a]);
      const std::uint32_t radix = column.domain_size();
      column.Visit([&](const auto& codes) {
        for (std::size_t r = 0; r < rows; ++r) index[r] = index[r] * radix + codes[block + r];
      });
    }
    for (std::size_t r = 0; r < rows; ++r) ++counts[index[r]];
  }
}

}  // namespace

std::size_t Marginal::CellIndex(std::span<const std::uint32_t> codes) const {
  std::size_t index = 0;
  for (std::size_t i = 0; i < codes.size(); ++i) index = index * domain_sizes[i] + codes[i];
  return index;
}

std::vector<std::uint32_t> Marginal::CellCodes(std::size_t index) const {
  std::vector<std::uint32_t> codes(domain_sizes.size());
  for (std::size_t i = domain_sizes.size(); i-- > 0;) {
    codes[i] = static_cast<std::uint32_t>(index % domain_sizes[i]);
    index /= domain_sizes[i];
  }
  return codes;
}

std::uint64_t Marginal::Total() const {
  std::uint64_t total = 0;
  for (std::uint64_t c : counts) total += c;
  return total;
}

std::uint64_t NumCells(const EncodedTable& table, std::span<const std::size_t> attributes) {
  ValidateAttributes(table, attributes);
  std::uint64_t cells = 1;
  for (std::size_t a : attributes) {
    cells *= table.column(a).domain_size();
    if (cells > kMaxMarginalCells) {
      throw InputError("marginal over " + std::to_string(attributes.size()) +
                       " attributes has more than 2^31 cells; choose fewer or coarser attributes");
    }
  }
  return cells;
}

Marginal ComputeMarginal(const EncodedTable& table, std::span<const std::size_t> attributes,
                         unsigned num_threads) {
  const std::uint64_t cells = NumCells(table, attributes);
  Marginal marginal;
  marginal.attributes.assign(attributes.begin(), attributes.end());
  for (std::size_t a : attributes) marginal.domain_sizes.push_back(table.column(a).domain_size());
  marginal.counts.assign(cells, 0);

  const std::size_t rows = table.num_rows();
  if (num_threads == 0) {
    num_threads = rows >= kParallelMinRows ? std::max(1u, std::thread::hardware_concurrency()) : 1;
  }
  // Private count vectors cost cells * 8 bytes each; not worth it when they outweigh the rows.
  if (cells > rows) num_threads = 1;
  num_threads = static_cast<unsigned>(
      std::min<std::size_t>(num_threads, std::max<std::size_t>(1, rows / kBlockRows)));
  if (num_threads <= 1) {
    CountRange(table, attributes, 0, rows, marginal.counts);
    return marginal;
  }
  std::vector<std::vector<std::uint64_t>> partial(num_threads - 1,
                                                  std::vector<std::uint64_t>(cells, 0));
  std::vector<std::thread> workers;
  const std::size_t per_thread = (rows + num_threads - 1) / num_threads;
  for (unsigned t = 1; t < num_threads; ++t) {
    const std::size_t begin = std::min(rows, t * per_thread);
    const std::size_t end = std::min(rows, begin + per_thread);
    workers.emplace_back(
        [&, t, begin, end] { CountRange(table, attributes, begin, end, partial[t - 1]); });
  }
  CountRange(table, attributes, 0, std::min(rows, per_thread), marginal.counts);
  for (std::thread& worker : workers) worker.join();
  for (const auto& part : partial) {
    for (std::size_t i = 0; i < cells; ++i) marginal.counts[i] += part[i];
  }
  return marginal;
}

Marginal ProjectMarginal(const Marginal& marginal, std::span<const std::size_t> keep) {
  std::vector<std::size_t> position;
  for (std::size_t attribute : keep) {
    auto it = std::find(marginal.attributes.begin(), marginal.attributes.end(), attribute);
    if (it == marginal.attributes.end()) {
      throw InputError("marginal projection: attribute index " + std::to_string(attribute) +
                       " is not in the marginal");
    }
    position.push_back(static_cast<std::size_t>(it - marginal.attributes.begin()));
  }
  Marginal out;
  out.attributes.assign(keep.begin(), keep.end());
  std::size_t cells = 1;
  for (std::size_t p : position) {
    out.domain_sizes.push_back(marginal.domain_sizes[p]);
    cells *= marginal.domain_sizes[p];
  }
  out.counts.assign(cells, 0);
  // Stride of each kept attribute in the source index, walked with an odometer over the source.
  const std::size_t k = marginal.domain_sizes.size();
  std::vector<std::size_t> out_stride(k, 0);
  {
    std::size_t stride = 1;
    for (std::size_t i = position.size(); i-- > 0;) {
      out_stride[position[i]] = stride;
      stride *= out.domain_sizes[i];
    }
  }
  std::vector<std::uint32_t> codes(k, 0);
  std::size_t out_index = 0;
  for (std::size_t src = 0; src < marginal.counts.size(); ++src) {
    out.counts[out_index] += marginal.counts[src];
    for (std::size_t i = k; i-- > 0;) {
      if (++codes[i] < marginal.domain_sizes[i]) {
        out_index += out_stride[i];
        break;
      }
      out_index -= out_stride[i] * (marginal.domain_sizes[i] - 1);
      codes[i] = 0;
    }
  }
  return out;
}

const Marginal& MarginalCache::Get(const std::vector<std::size_t>& attributes) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = cache_.find(attributes);
    if (it != cache_.end()) return it->second;
  }
  Marginal marginal = ComputeMarginal(table_, attributes);
  std::lock_guard<std::mutex> lock(mutex_);
  auto [it, inserted] = cache_.emplace(attributes, std::move(marginal));
  if (inserted) bytes_ += it->second.counts.size() * sizeof(std::uint64_t);
  return it->second;
}

std::size_t MarginalCache::memory_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bytes_;
}

void MarginalCache::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  cache_.clear();
  bytes_ = 0;
}

}  // namespace privet::engine
