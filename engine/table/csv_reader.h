// A streaming RFC 4180 CSV reader.
//
// Handles: quoted fields with doubled quotes ("a ""b"""), delimiters and newlines inside
// quotes, LF / CRLF / CR line ends, a UTF-8 byte-order mark at the start, a missing final
// newline, any single-byte delimiter. Every field is checked to be valid UTF-8.
// Strict where a lenient reader would guess: a quote inside an unquoted field, text after a
// closing quote and an unterminated quote are InputErrors naming file and line, never a
// silent repair. Blank lines (no characters at all) are skipped when skip_blank_lines is set,
// because a multi-column table cannot have a blank record; a one-column table must keep them
// (they are empty cells).
//
// Streams in 1 MiB blocks: memory is one block plus one record, whatever the file size. A
// record is bounded (kMaxCsvRecordBytes of field bytes, kMaxCsvFields fields): past either,
// ReadRecord throws InputError, so a binary file or a device such as /dev/zero fails after
// 16 MiB instead of growing one record until memory runs out.
#ifndef PRIVET_ENGINE_TABLE_CSV_READER_H_
#define PRIVET_ENGINE_TABLE_CSV_READER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace privet::engine {

// Bounds on one record (see the file comment): far above any table privet models.
inline constexpr std::size_t kMaxCsvRecordBytes = std::size_t{16} << 20;
inline constexpr std::size_t kMaxCsvFields = std::size_t{1} << 20;

struct CsvOptions {
  char delimiter = ',';
  bool skip_blank_lines = true;
};

class CsvReader {
 public:
  // Reads from `in`, which must outlive the reader. display_name names it in messages.
  CsvReader(std::istream& in, std::string display_name, CsvOptions options = {});
  // Opens `path`; InputError if it cannot be opened.
  explicit CsvReader(const std::filesystem::path& path, CsvOptions options = {});

  // Reads the next record. Returns false at end of input. Throws InputError
  // ("file:line: ...") on malformed quoting or invalid UTF-8 (naming the field number), and on
  // a record past the bounds above.
  bool ReadRecord();

  // The current record's fields, unquoted. Valid until the next ReadRecord().
  const std::vector<std::string_view>& fields() const { return fields_; }
  std::size_t num_fields() const { return fields_.size(); }
  std::string_view field(std::size_t i) const { return fields_.at(i); }
  // 1-based physical line on which the current record starts.
  std::uint64_t line() const { return record_line_; }
  // Records returned so far (the header included, if the caller reads one).
  std::uint64_t records_read() const { return records_read_; }
  const std::string& display_name() const { return display_name_; }

 private:
  bool FillBuffer();
  [[noreturn]] void Fail(std::uint64_t line, const std::string& what) const;
  void ValidateUtf8() const;
  void CheckRecordSize() const;
  void MarkSpecialBytes();

  std::unique_ptr<std::ifstream> owned_stream_;
  std::istream* in_;
  std::string display_name_;
  CsvOptions options_;

  // Bytes that end an unquoted run: the delimiter, CR, LF and the quote.
  std::array<bool, 256> special_{};
  std::vector<char> buffer_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  bool at_start_ = true;

  std::uint64_t line_ = 1;  // physical line of the next unread character
  std::uint64_t record_line_ = 0;
  std::uint64_t records_read_ = 0;
  std::string record_;                   // unquoted field bytes, concatenated
  std::vector<std::size_t> field_ends_;  // end offset of each field in record_
  std::vector<std::string_view> fields_;
};

}  // namespace privet::engine

#endif  // PRIVET_ENGINE_TABLE_CSV_READER_H_
