// The columnar table of compact integer codes that everything after CSV reading works on.
//
// Each attribute is encoded once (engine/table/encoder.h) into codes in [0, domain_size). The
// domain is public (it comes from the config, never from the data); when the attribute may be
// missing, missing is a code of its own (the schema says which). Codes are stored in the
// smallest unsigned type that holds domain_size - 1, so the 48,842 x 14 adult table takes
// about 0.7 MB.
#ifndef PRIVET_ENGINE_TABLE_ENCODED_TABLE_H_
#define PRIVET_ENGINE_TABLE_ENCODED_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace privet::engine {

class EncodedColumn {
 public:
  using Storage = std::variant<std::vector<std::uint8_t>, std::vector<std::uint16_t>,
                               std::vector<std::uint32_t>>;

  // domain_size >= 1 is the number of distinct codes, the missing code included.
  EncodedColumn(std::string name, std::uint32_t domain_size);

  const std::string& name() const { return name_; }
  std::uint32_t domain_size() const { return domain_size_; }
  std::size_t size() const;
  // Bytes held by the codes (the capacity actually allocated).
  std::size_t memory_bytes() const;

  std::uint32_t at(std::size_t row) const;
  // Appends a code; throws std::out_of_range if code >= domain_size.
  void push_back(std::uint32_t code);
  void reserve(std::size_t rows);

  // Calls visitor(const std::vector<T>& codes) with the concrete storage, so hot loops
  // (marginal counting) run on the narrow type without a per-row dispatch.
  template <class Visitor>
  decltype(auto) Visit(Visitor&& visitor) const {
    return std::visit(std::forward<Visitor>(visitor), codes_);
  }

  // The column restricted to the given rows, in that order.
  EncodedColumn SelectRows(std::span<const std::size_t> rows) const;

 private:
  std::string name_;
  std::uint32_t domain_size_;
  Storage codes_;
};

class EncodedTable {
 public:
  EncodedTable() = default;

  // Throws std::invalid_argument if the column's length differs from the table's or the name
  // is taken.
  void AddColumn(EncodedColumn column);

  std::size_t num_rows() const { return columns_.empty() ? 0 : columns_.front().size(); }
  std::size_t num_columns() const { return columns_.size(); }
  const EncodedColumn& column(std::size_t index) const { return columns_.at(index); }
  const std::vector<EncodedColumn>& columns() const { return columns_; }
  std::optional<std::size_t> IndexOf(const std::string& name) const;
  std::size_t memory_bytes() const;

  // The privacy unit of each row as dense ids in [0, num_units): rows sharing an id belong to
  // one unit (one patient). Empty when every row is its own unit. Private: never released.
  const std::vector<std::uint32_t>& unit_ids() const { return unit_ids_; }
  void set_unit_ids(std::vector<std::uint32_t> unit_ids);

  // The table restricted to the given rows (codes and unit ids), in that order.
  EncodedTable SelectRows(std::span<const std::size_t> rows) const;

 private:
  std::vector<EncodedColumn> columns_;
  std::vector<std::uint32_t> unit_ids_;
};

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_TABLE_ENCODED_TABLE_H_
