// libFuzzer target: the CSV reader (engine/table/csv_reader.h) on arbitrary bytes, with the
// delimiter and blank-line option taken from the first byte. Every outcome but a record or
// an InputError is a bug: a crash, a sanitizer report, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "engine/table/csv_reader.h"
#include "privacy/errors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  privet::engine::CsvOptions options;
  static constexpr char kDelimiters[] = {',', ';', '\t', '|'};
  options.delimiter = kDelimiters[data[0] & 3];
  options.skip_blank_lines = (data[0] & 4) != 0;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  privet::engine::CsvReader reader(in, "fuzz.csv", options);
  try {
    std::size_t bytes = 0;
    while (reader.ReadRecord()) {
      for (std::string_view field : reader.fields()) bytes += field.size();
      if (reader.line() == 0 || bytes > size) __builtin_trap();  // records come from the input
    }
  } catch (const privet::InputError&) {
  }
  return 0;
}
