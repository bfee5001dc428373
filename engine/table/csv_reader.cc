#include "engine/table/csv_reader.h"

#include <algorithm>
#include <cstdio>

#include "privacy/errors.h"

namespace privet::engine {
namespace {

constexpr std::size_t kBlockBytes = std::size_t{1} << 20;

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is invalid (RFC 3629:
// no overlongs, no surrogates, nothing above U+10FFFF).
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  const auto continuation = [&](std::size_t k) { return k < s.size() && (byte(k) & 0xC0) == 0x80; };
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(i + 1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (!continuation(i + 1) || !continuation(i + 2)) return 0;
    const unsigned char second = byte(i + 1);
    if (lead == 0xE0 && second < 0xA0) return 0;  // overlong
    if (lead == 0xED && second > 0x9F) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (!continuation(i + 1) || !continuation(i + 2) || !continuation(i + 3)) return 0;
    const unsigned char second = byte(i + 1);
    if (lead == 0xF0 && second < 0x90) return 0;  // overlong
    if (lead == 0xF4 && second > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

CsvReader::CsvReader(std::istream& in, std::string display_name, CsvOptions options)
    : in_(&in), display_name_(std::move(display_name)), options_(options), buffer_(kBlockBytes) {
  MarkSpecialBytes();
}

void CsvReader::MarkSpecialBytes() {
  special_.fill(false);
  for (char c : {options_.delimiter, '\n', '\r', '"'})
    special_[static_cast<unsigned char>(c)] = true;
}

CsvReader::CsvReader(const std::filesystem::path& path, CsvOptions options)
    : owned_stream_(std::make_unique<std::ifstream>(path, std::ios::binary)),
      in_(owned_stream_.get()),
      display_name_(path.string()),
      options_(options),
      buffer_(kBlockBytes) {
  MarkSpecialBytes();
  if (!*owned_stream_) {
    throw InputError(display_name_ +
                     ": cannot open the CSV file (check the path in the config "
                     "or --data)");
  }
}

bool CsvReader::FillBuffer() {
  if (eof_) return false;
  in_->read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  const std::streamsize got = in_->gcount();
  if (in_->bad()) throw InputError(display_name_ + ": read error");
  pos_ = 0;
  end_ = static_cast<std::size_t>(got);
  if (got == 0) {
    eof_ = true;
    return false;
  }
  return true;
}

void CsvReader::Fail(std::uint64_t line, const std::string& what) const {
  throw InputError(display_name_ + ":" + std::to_string(line) + ": " + what);
}

void CsvReader::CheckRecordSize() const {
  if (record_.size() > kMaxCsvRecordBytes) {
    Fail(record_line_, "record longer than " + std::to_string(kMaxCsvRecordBytes >> 20) +
                           " MiB: not a CSV table (a binary file or device, or an unclosed "
                           "quote?)");
  }
}

void CsvReader::ValidateUtf8() const {
  const bool ascii = std::all_of(record_.begin(), record_.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return;
  for (std::size_t f = 0; f < fields_.size(); ++f) {
    const std::string_view field = fields_[f];
    for (std::size_t i = 0; i < field.size();) {
      const std::size_t length = Utf8SequenceLength(field, i);
      if (length == 0) {
        char hex[8];
        std::snprintf(hex, sizeof(hex), "0x%02X", static_cast<unsigned char>(field[i]));
        Fail(record_line_, "field " + std::to_string(f + 1) + ": invalid UTF-8 (byte " + hex +
                               " at byte " + std::to_string(i + 1) +
                               " of the field); re-save the file as UTF-8");
      }
      i += length;
    }
  }
}

bool CsvReader::ReadRecord() {
  record_.clear();
  field_ends_.clear();
  fields_.clear();

  if (at_start_) {
    at_start_ = false;
    if (pos_ == end_) FillBuffer();
    if (end_ - pos_ >= 3 && static_cast<unsigned char>(buffer_[pos_]) == 0xEF &&
        static_cast<unsigned char>(buffer_[pos_ + 1]) == 0xBB &&
        static_cast<unsigned char>(buffer_[pos_ + 2]) == 0xBF) {
      pos_ += 3;
    }
  }

  // Skip blank lines (if asked); stop at the first character of a record or at end of input.
  for (;;) {
    if (pos_ == end_ && !FillBuffer()) return false;
    const char c = buffer_[pos_];
    if (!options_.skip_blank_lines || (c != '\n' && c != '\r')) break;
    ++pos_;
    if (c == '\r') {
      if (pos_ == end_) FillBuffer();
      if (pos_ < end_ && buffer_[pos_] == '\n') ++pos_;
    }
    ++line_;
  }

  record_line_ = line_;
  const char delimiter = options_.delimiter;
  for (;;) {  // one iteration per field
    bool quoted = false;
    if (pos_ == end_) FillBuffer();
    if (pos_ < end_ && buffer_[pos_] == '"') {
      quoted = true;
      ++pos_;
      const std::uint64_t quote_line = line_;
      for (;;) {  // inside quotes
        if (pos_ == end_ && !FillBuffer()) {
          Fail(quote_line, "field " + std::to_string(field_ends_.size() + 1) +
                               ": quote opened here is never closed");
        }
        const char* begin = buffer_.data() + pos_;
        const char* stop = buffer_.data() + end_;
        const char* quote = std::find(begin, stop, '"');
        line_ += static_cast<std::uint64_t>(std::count(begin, quote, '\n'));
        record_.append(begin, quote);
        CheckRecordSize();
        pos_ += static_cast<std::size_t>(quote - begin);
        if (quote == stop) continue;
        ++pos_;  // past the quote
        if (pos_ == end_) FillBuffer();
        if (pos_ < end_ && buffer_[pos_] == '"') {  // doubled quote: a literal one
          record_.push_back('"');
          ++pos_;
          continue;
        }
        break;  // closing quote
      }
    }
    // Unquoted text (or what follows a closing quote) up to the next delimiter or line end.
    for (;;) {
      if (pos_ == end_ && !FillBuffer()) break;
      const char* begin = buffer_.data() + pos_;
      const char* stop = buffer_.data() + end_;
      const char* special = begin;
      while (special != stop && !special_[static_cast<unsigned char>(*special)]) ++special;
      if (quoted && special != begin) {
        Fail(line_, "field " + std::to_string(field_ends_.size() + 1) +
                        ": text after a closing quote (quote the whole field and double "
                        "inner quotes)");
      }
      record_.append(begin, special);
      CheckRecordSize();
      pos_ += static_cast<std::size_t>(special - begin);
      if (special == stop) continue;
      if (*special == '"') {
        Fail(line_, "field " + std::to_string(field_ends_.size() + 1) +
                        ": quote inside an unquoted field (quote the whole field and double "
                        "inner quotes)");
      }
      break;
    }
    field_ends_.push_back(record_.size());
    if (field_ends_.size() > kMaxCsvFields) {
      Fail(record_line_, "more than " + std::to_string(kMaxCsvFields) +
                             " fields in one record: this is not a table privet can read");
    }
    if (pos_ == end_) break;  // end of input ends the record
    const char c = buffer_[pos_++];
    if (c == delimiter) continue;
    // Line end: LF, CRLF or a lone CR.
    if (c == '\r') {
      if (pos_ == end_) FillBuffer();
      if (pos_ < end_ && buffer_[pos_] == '\n') ++pos_;
    }
    ++line_;
    break;
  }

  std::size_t begin = 0;
  fields_.reserve(field_ends_.size());
  for (std::size_t end : field_ends_) {
    fields_.emplace_back(record_.data() + begin, end - begin);
    begin = end;
  }
  ValidateUtf8();
  ++records_read_;
  return true;
}

}  // namespace privet::engine
