#include "engine/source/in_memory_marginal_source.h"

#include <algorithm>
#include <thread>
#include <utility>

#include "engine/table/unit_bounding.h"
#include "privacy/errors.h"

namespace privet::engine {

InMemoryMarginalSource::InMemoryMarginalSource(EncodedTable bounded,
                                               std::uint32_t max_rows_per_unit,
                                               unsigned num_threads)
    : InMemoryMarginalSource(std::make_shared<const EncodedTable>(std::move(bounded)),
                             max_rows_per_unit, num_threads) {}

InMemoryMarginalSource::InMemoryMarginalSource(std::shared_ptr<const EncodedTable> bounded,
                                               std::uint32_t max_rows_per_unit,
                                               unsigned num_threads)
    : table_(std::move(bounded)), max_rows_per_unit_(max_rows_per_unit), num_threads_(num_threads) {
  if (max_rows_per_unit_ == 0) throw InputError("max_rows_per_unit must be at least 1");
  for (const auto& column : table_->columns()) domain_sizes_.push_back(column.domain_size());
}

InMemoryMarginalSource InMemoryMarginalSource::Bound(const EncodedTable& table,
                                                     std::uint32_t max_rows_per_unit,
                                                     privacy::RandomSource& secure,
                                                     unsigned num_threads) {
  return InMemoryMarginalSource(BoundRowsPerUnit(table, max_rows_per_unit, secure),
                                max_rows_per_unit, num_threads);
}

InMemoryMarginalSource InMemoryMarginalSource::Borrow(const EncodedTable& bounded,
                                                      std::uint32_t max_rows_per_unit,
                                                      unsigned num_threads) {
  // An owner-less shared_ptr (the aliasing constructor): the caller keeps the table alive.
  return InMemoryMarginalSource(
      std::shared_ptr<const EncodedTable>(std::shared_ptr<const EncodedTable>(), &bounded),
      max_rows_per_unit, num_threads);
}

Marginal InMemoryMarginalSource::Count(std::span<const std::size_t> attributes) {
  CheckMarginalAttributes(domain_sizes_, attributes);
  return ComputeMarginal(*table_, attributes, num_threads_);
}

std::vector<Marginal> InMemoryMarginalSource::CountBatch(
    const std::vector<std::vector<std::size_t>>& sets) {
  for (const auto& set : sets) CheckMarginalAttributes(domain_sizes_, set);
  std::vector<Marginal> out(sets.size());
  const unsigned threads = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (std::size_t i = t; i < sets.size(); i += threads) {
        out[i] = ComputeMarginal(*table_, sets[i], 1);
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  return out;
}

std::unique_ptr<MarginalSource> InMemoryMarginalSource::View(
    std::span<const std::size_t> attributes, const std::vector<CodeMap>& maps) {
  const std::vector<std::uint32_t> sizes = CheckView(domain_sizes_, attributes, maps);
  EncodedTable out;
  for (std::size_t i = 0; i < attributes.size(); ++i) {
    const EncodedColumn& source = table_->column(attributes[i]);
    if (maps.empty()) {
      out.AddColumn(source);
      continue;
    }
    EncodedColumn column(source.name(), sizes[i]);
    column.reserve(source.size());
    const std::vector<std::uint32_t>& code_of = maps[i].code_of;
    source.Visit([&](const auto& codes) {
      for (auto code : codes) column.push_back(code_of[code]);
    });
    out.AddColumn(std::move(column));
  }
  return std::unique_ptr<MarginalSource>(
      new InMemoryMarginalSource(std::move(out), max_rows_per_unit_, num_threads_));
}

std::unique_ptr<MarginalSource> InMemoryMarginalSource::Subsample(double fraction,
                                                                  privacy::RandomSource& secure) {
  const std::uint64_t threshold = SubsampleThreshold(fraction);
  std::vector<std::size_t> rows;
  rows.reserve(static_cast<std::size_t>(static_cast<double>(table_->num_rows()) * fraction * 1.1));
  for (std::size_t r = 0; r < table_->num_rows(); ++r) {
    if ((secure() >> 11) < threshold) rows.push_back(r);
  }
  return std::unique_ptr<MarginalSource>(
      new InMemoryMarginalSource(table_->SelectRows(rows), max_rows_per_unit_, num_threads_));
}

}  // namespace privet::engine
