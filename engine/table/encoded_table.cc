#include "engine/table/encoded_table.h"

#include <limits>
#include <stdexcept>

namespace privet::engine {
namespace {

EncodedColumn::Storage StorageFor(std::uint32_t domain_size) {
  if (domain_size - 1 <= std::numeric_limits<std::uint8_t>::max()) {
    return std::vector<std::uint8_t>{};
  }
  if (domain_size - 1 <= std::numeric_limits<std::uint16_t>::max()) {
    return std::vector<std::uint16_t>{};
  }
  return std::vector<std::uint32_t>{};
}

}  // namespace

EncodedColumn::EncodedColumn(std::string name, std::uint32_t domain_size)
    : name_(std::move(name)), domain_size_(domain_size), codes_(StorageFor(domain_size)) {
  if (domain_size == 0) throw std::invalid_argument("column '" + name_ + "' has an empty domain");
}

std::size_t EncodedColumn::size() const {
  return Visit([](const auto& codes) { return codes.size(); });
}

std::size_t EncodedColumn::memory_bytes() const {
  return Visit([](const auto& codes) { return codes.capacity() * sizeof(codes[0]); });
}

std::uint32_t EncodedColumn::at(std::size_t row) const {
  return Visit([row](const auto& codes) { return static_cast<std::uint32_t>(codes.at(row)); });
}

void EncodedColumn::push_back(std::uint32_t code) {
  if (code >= domain_size_) {
    // The code is derived from a private cell: name the column and its public domain size.
    throw std::out_of_range("a code outside the domain of '" + name_ + "' (size " +
                            std::to_string(domain_size_) + ")");
  }
  std::visit(
      [code](auto& codes) {
        using Code = typename std::decay_t<decltype(codes)>::value_type;
        codes.push_back(static_cast<Code>(code));
      },
      codes_);
}

void EncodedColumn::reserve(std::size_t rows) {
  std::visit([rows](auto& codes) { codes.reserve(rows); }, codes_);
}

EncodedColumn EncodedColumn::SelectRows(std::span<const std::size_t> rows) const {
  EncodedColumn selected(name_, domain_size_);
  std::visit(
      [&](auto& out) {
        const auto& in = std::get<std::decay_t<decltype(out)>>(codes_);
        out.reserve(rows.size());
        for (std::size_t row : rows) out.push_back(in.at(row));
      },
      selected.codes_);
  return selected;
}

void EncodedTable::AddColumn(EncodedColumn column) {
  if (!columns_.empty() && column.size() != num_rows()) {
    // Row counts are private: name the column, not the counts (docs/privacy.md).
    throw std::invalid_argument("column '" + column.name() +
                                "' has a different number of rows than the table");
  }
  if (IndexOf(column.name())) {
    throw std::invalid_argument("column '" + column.name() + "' is already in the table");
  }
  columns_.push_back(std::move(column));
}

std::optional<std::size_t> EncodedTable::IndexOf(const std::string& name) const {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name() == name) return i;
  }
  return std::nullopt;
}

std::size_t EncodedTable::memory_bytes() const {
  std::size_t bytes = unit_ids_.capacity() * sizeof(std::uint32_t);
  for (const auto& column : columns_) bytes += column.memory_bytes();
  return bytes;
}

void EncodedTable::set_unit_ids(std::vector<std::uint32_t> unit_ids) {
  if (!unit_ids.empty() && !columns_.empty() && unit_ids.size() != num_rows()) {
    throw std::invalid_argument("unit ids: one id per row expected");
  }
  unit_ids_ = std::move(unit_ids);
}

EncodedTable EncodedTable::SelectRows(std::span<const std::size_t> rows) const {
  EncodedTable selected;
  for (const auto& column : columns_) selected.AddColumn(column.SelectRows(rows));
  if (!unit_ids_.empty()) {
    std::vector<std::uint32_t> ids;
    ids.reserve(rows.size());
    for (std::size_t row : rows) ids.push_back(unit_ids_.at(row));
    selected.unit_ids_ = std::move(ids);
  }
  return selected;
}

}  // namespace privet::engine
