#include "engine/table/csv_reader.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "privacy/errors.h"

namespace privet::engine {
namespace {

using Records = std::vector<std::vector<std::string>>;

Records ReadAll(const std::string& text, CsvOptions options = {},
                std::vector<std::uint64_t>* lines = nullptr) {
  std::istringstream in(text);
  CsvReader reader(in, "t.csv", options);
  Records records;
  while (reader.ReadRecord()) {
    records.emplace_back(reader.fields().begin(), reader.fields().end());
    if (lines) lines->push_back(reader.line());
  }
  return records;
}

std::string ErrorOf(const std::string& text, CsvOptions options = {}) {
  try {
    ReadAll(text, options);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("CsvReader: plain records, empty fields, missing final newline") {
  CHECK(ReadAll("a,b,c\n1,,3\n,,\n4,5,6") ==
        Records{{"a", "b", "c"}, {"1", "", "3"}, {"", "", ""}, {"4", "5", "6"}});
  CHECK(ReadAll("").empty());
  CHECK(ReadAll("x") == Records{{"x"}});
}

TEST_CASE("CsvReader: RFC 4180 quoting") {
  // Doubled quotes, embedded delimiter, embedded LF and CRLF, an empty quoted field.
  const std::string text =
      "name,note\n"
      "\"Smith, J\",\"said \"\"hi\"\"\"\n"
      "\"two\nlines\",\"\"\n"
      "\"crlf\r\ninside\",x\n";
  std::vector<std::uint64_t> lines;
  CHECK(ReadAll(text, {}, &lines) == Records{{"name", "note"},
                                             {"Smith, J", "said \"hi\""},
                                             {"two\nlines", ""},
                                             {"crlf\r\ninside", "x"}});
  // Each record reports the physical line it starts on.
  CHECK(lines == std::vector<std::uint64_t>{1, 2, 3, 5});
}

TEST_CASE("CsvReader: CRLF, lone CR, BOM, blank lines") {
  CHECK(ReadAll("a,b\r\n1,2\r\n") == Records{{"a", "b"}, {"1", "2"}});
  CHECK(ReadAll("a,b\r1,2\r") == Records{{"a", "b"}, {"1", "2"}});
  CHECK(ReadAll("\xEF\xBB\xBF"
                "a,b\n1,2\n") == Records{{"a", "b"}, {"1", "2"}});
  // The BOM is only special at the very start.
  CHECK(ReadAll("a\n\xEF\xBB\xBF"
                "b\n") == Records{{"a"},
                                  {"\xEF\xBB\xBF"
                                   "b"}});
  std::vector<std::uint64_t> lines;
  CHECK(ReadAll("a,b\n\n1,2\r\n\r\n\n3,4\n\n", {}, &lines) ==
        Records{{"a", "b"}, {"1", "2"}, {"3", "4"}});
  CHECK(lines == std::vector<std::uint64_t>{1, 3, 6});
  CsvOptions keep;
  keep.skip_blank_lines = false;
  CHECK(ReadAll("a\n\nb\n", keep) == Records{{"a"}, {""}, {"b"}});
}

TEST_CASE("CsvReader: configurable delimiter") {
  CsvOptions semicolon;
  semicolon.delimiter = ';';
  CHECK(ReadAll("a;b,c;\"d;e\"\n", semicolon) == Records{{"a", "b,c", "d;e"}});
  CsvOptions tab;
  tab.delimiter = '\t';
  CHECK(ReadAll("a\tb c\t\n", tab) == Records{{"a", "b c", ""}});
}

TEST_CASE("CsvReader: valid UTF-8 passes, invalid UTF-8 names file, line and field") {
  CHECK(ReadAll("caf\xC3\xA9,\xE2\x82\xAC,\xF0\x9F\x98\x80\n") ==
        Records{{"caf\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"}});
  CHECK(ErrorOf("a,b\nok,bad\xFF\n") ==
        "t.csv:2: field 2: invalid UTF-8 (byte 0xFF at byte 4 of the field); re-save the file "
        "as UTF-8");
  // Latin-1 e-acute, an overlong encoding, a surrogate, a truncated sequence.
  CHECK(ErrorOf("caf\xE9\n").find("t.csv:1: field 1: invalid UTF-8 (byte 0xE9") == 0);
  CHECK(ErrorOf("\xC0\x80\n").find("invalid UTF-8 (byte 0xC0") != std::string::npos);
  CHECK(ErrorOf("\xED\xA0\x80\n").find("invalid UTF-8 (byte 0xED") != std::string::npos);
  CHECK(ErrorOf("x,\xE2\x82\n").find("t.csv:1: field 2: invalid UTF-8") == 0);
}

TEST_CASE("CsvReader: malformed quoting is an error, never repaired") {
  CHECK(ErrorOf("a,b\n1,\"open\n2,3\n") == "t.csv:2: field 2: quote opened here is never closed");
  CHECK(ErrorOf("a,b\n1,ab\"c\n").find("t.csv:2: field 2: quote inside an unquoted field") == 0);
  CHECK(ErrorOf("a,b\n1,\"ab\"c\n").find("t.csv:2: field 2: text after a closing quote") == 0);
}

TEST_CASE("CsvReader: records straddling the 1 MiB read blocks") {
  // Records of varying length with doubled quotes, embedded newlines and CRLF, so that every
  // kind of token lands on a block boundary somewhere across ~3 MiB.
  std::string text;
  Records expected;
  for (int i = 0; text.size() < 3u * 1024 * 1024; ++i) {
    const std::string pad(static_cast<std::size_t>(i % 97), 'x');
    const std::string field = "q\"" + pad + "\"\n" + std::to_string(i);
    expected.push_back({std::to_string(i), field, pad});
    text += std::to_string(i) + ",\"q\"\"" + pad + "\"\"\n" + std::to_string(i) + "\"," + pad +
            (i % 2 ? "\r\n" : "\n");
  }
  std::istringstream in(text);
  CsvReader reader(in, "big.csv");
  std::size_t n = 0;
  std::uint64_t line = 1;
  while (reader.ReadRecord()) {
    REQUIRE(n < expected.size());
    const std::vector<std::string> got(reader.fields().begin(), reader.fields().end());
    if (got != expected[n]) REQUIRE(got == expected[n]);  // one failure, not thousands
    if (reader.line() != line) REQUIRE(reader.line() == line);
    line += 2;  // each record spans two physical lines
    ++n;
  }
  CHECK(n == expected.size());
}

TEST_CASE("CsvReader: a file that cannot be opened is an InputError") {
  CHECK_THROWS_WITH_AS(CsvReader(std::filesystem::path("/nonexistent/x.csv")),
                       doctest::Contains("/nonexistent/x.csv: cannot open the CSV file"),
                       InputError);
}

TEST_CASE("A record is bounded: a huge field, too many fields and /dev/zero fail quickly") {
  // Issue 13: `"csv": "/dev/zero"` grew one record to 4 GB, then bad_alloc.
  const std::string huge(kMaxCsvRecordBytes + 1, 'a');
  CHECK(ErrorOf("h\n" + huge + "\n").find("t.csv:2: record longer than 16 MiB") == 0);
  CHECK(ErrorOf("h\n\"" + huge + "\"\n").find("t.csv:2: record longer than 16 MiB") == 0);
  // Exactly at the bound is still a record.
  CHECK(ReadAll(std::string(kMaxCsvRecordBytes, 'a') + "\n").at(0).at(0).size() ==
        kMaxCsvRecordBytes);
  CHECK(ErrorOf(std::string(kMaxCsvFields, ',') + "\n").find("t.csv:1: more than 1048576 fields") ==
        0);
  CHECK(ReadAll(std::string(kMaxCsvFields - 1, ',') + "\n").at(0).size() == kMaxCsvFields);
  CsvReader zero(std::filesystem::path("/dev/zero"));
  CHECK_THROWS_WITH_AS(zero.ReadRecord(), doctest::Contains("/dev/zero:1: record longer than"),
                       InputError);
}

}  // namespace
}  // namespace privet::engine
