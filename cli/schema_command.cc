// `privet schema draft DATA.csv`, `privet schema check CONFIG` and `privet schema review
// CONFIG`: write a first config from a CSV (marked as derived from private data), validate a
// config against its CSV's header, and list what in a config still looks data-derived.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "engine/table/encoder.h"
#include "engine/table/schema.h"
#include "engine/table/schema_draft.h"
#include "engine/table/schema_review.h"
#include "privacy/errors.h"

namespace privet::cli {
namespace {

namespace fs = std::filesystem;

struct DraftArgs {
  std::string csv;
  std::string out;
  std::string delimiter = ",";
  std::string id;
};

struct CheckArgs {
  std::string config;
  std::string data;
};

// Creates `path` only if it does not exist, mode 0600 (the draft discloses private data).
void WriteNewPrivateFile(const fs::path& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      throw UsageError(path.string() +
                       " already exists; privet schema draft never overwrites a "
                       "config (choose another --out or remove the file)");
    }
    throw StorageError(path.string() + ": cannot create: " + std::strerror(errno));
  }
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string reason = std::strerror(errno);
      ::close(fd);
      throw StorageError(path.string() + ": write failed: " + reason);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0)
    throw StorageError(path.string() + ": close failed: " + std::strerror(errno));
}

char ParseDelimiter(const std::string& text) {
  if (text == "\\t" || text == "tab") return '\t';
  if (text.size() != 1)
    throw UsageError("--delimiter must be one character (or \\t), not \"" + text + "\"");
  return text[0];
}

// How the draft names its CSV, which the config resolves against its own folder: a relative
// CSV stays relative (to the config's folder), unless the two share no folder below the root
// (then "../../.." up to / would be harder to read than the absolute path); an absolute CSV
// stays absolute.
std::string CsvAsWritten(const fs::path& csv, const fs::path& out) {
  const fs::path absolute_csv = fs::absolute(csv).lexically_normal();
  if (csv.is_absolute()) return absolute_csv.string();
  const fs::path out_dir = fs::absolute(out).lexically_normal().parent_path();
  const fs::path relative = absolute_csv.lexically_relative(out_dir);
  const auto first_csv = ++absolute_csv.begin();
  const auto first_out = ++out_dir.begin();
  const bool share_folder =
      first_csv != absolute_csv.end() && first_out != out_dir.end() && *first_csv == *first_out;
  if (relative.empty() || !share_folder) return absolute_csv.string();
  return relative.string();
}

void RunDraft(const DraftArgs& args) {
  engine::DraftOptions options;
  options.delimiter = ParseDelimiter(args.delimiter);
  options.dataset_id = args.id;
  const fs::path csv(args.csv);
  if (!args.out.empty()) {
    if (fs::exists(args.out)) {
      throw UsageError(args.out +
                       " already exists; privet schema draft never overwrites a "
                       "config (choose another --out or remove the file)");
    }
    options.csv_as_written = CsvAsWritten(csv, fs::path(args.out));
  } else if (csv.is_relative()) {
    options.csv_as_written = csv.lexically_normal().string();
  }
  const std::string text = engine::InReadingOrder(engine::DraftSchema(csv, options)).dump(2) + "\n";
  if (args.out.empty()) {
    std::cout << text;
  } else {
    // A missing folder of --out is created, as `privet keygen --out` and `privet report --out`
    // do, so `--out configs/mydata.json` works in a fresh folder (only once the draft is made,
    // so a CSV that cannot be drafted leaves no empty folder behind).
    const fs::path folder = fs::path(args.out).parent_path();
    if (!folder.empty()) {
      std::error_code error;
      fs::create_directories(folder, error);
      if (error) {
        throw StorageError(folder.string() + ": cannot create the folder of --out: " +
                           error.message());
      }
    }
    WriteNewPrivateFile(args.out, text);
  }
  std::cerr << "privet: WARNING: this draft is derived from the private data in " << args.csv
            << " (its categories and bounds disclose it): keep it private, replace every domain "
               "with a public one and remove \"draft\": true before any release; `privet schema "
               "review` lists what still looks data-derived\n";
  if (args.out.empty() && csv.is_relative()) {
    std::cerr << "privet: note: dataset.csv is written as given (" << csv.string()
              << "), relative to the current folder; a config reads it relative to its own "
                 "folder, so use --out to have it rewritten\n";
  }
}

// Shortest text that reads back as the same double, without exponent for the usual bounds.
std::string Number(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

std::string DomainSummary(const engine::Attribute& a) {
  std::string text;
  switch (a.type) {
    case engine::AttributeType::kCategorical:
      text = std::to_string(a.values.size()) + " categories";
      if (a.catch_all) text += ", catch-all \"" + *a.catch_all + "\"";
      break;
    case engine::AttributeType::kInteger:
    case engine::AttributeType::kContinuous:
      text = "[" + Number(a.min) + ", " + Number(a.max) + "], ";
      text += std::to_string(a.num_value_codes()) + " bins";
      break;
    case engine::AttributeType::kDate:
    case engine::AttributeType::kDatetime: {
      const std::string first = a.Label(0);
      const std::string last = a.Label(a.num_value_codes() - 1);
      const auto dots = last.find("..");
      text = first.substr(0, first.find("..")) + " .. " +
             (dots == std::string::npos ? last : last.substr(dots + 2)) + ", " +
             std::to_string(a.num_value_codes()) + " buckets";
      break;
    }
    case engine::AttributeType::kIgnore:
      break;
  }
  if (a.nullable) text += ", + missing";
  return text;
}

void RunCheck(const CheckArgs& args) {
  std::optional<fs::path> csv_override;
  if (!args.data.empty()) csv_override = fs::path(args.data);
  const engine::Schema schema = engine::Schema::Load(args.config, csv_override);
  engine::CheckCsvHeader(schema, schema.csv_path());

  // Only the public config is summarised: no row counts or any other statistic of the data,
  // since whoever runs this would learn them without noise.
  std::cout << "config " << args.config << ": valid (schema_version " << engine::kSchemaVersion
            << ")\n";
  if (schema.is_draft()) {
    std::cout << "  DRAFT: derived from private data; a person must review every domain and "
                 "remove \"draft\": true before it can spend budget\n";
  }
  std::cout << "  dataset: " << schema.dataset_id() << "\n"
            << "  csv: " << schema.csv_path().string()
            << (schema.has_header() ? " (header matches the config)" : " (no header)") << "\n";
  if (schema.privacy_unit_column()) {
    std::cout << "  privacy unit: column " << *schema.privacy_unit_column() << ", at most "
              << schema.max_rows_per_unit() << " rows per unit\n";
  } else {
    std::cout << "  privacy unit: each row\n";
  }
  const std::size_t ignored = schema.attributes().size() - schema.modeled_attributes().size();
  std::cout << "  attributes: " << schema.modeled_attributes().size() << " modeled, " << ignored
            << " ignored\n";
  for (const auto& a : schema.modeled_attributes()) {
    std::cout << "    " << a.name << ": " << engine::AttributeTypeName(a.type) << ", "
              << a.domain_size() << " codes (" << DomainSummary(a) << ")\n";
  }
}

// The review's output width: one screen of a usual terminal.
constexpr std::size_t kReviewWidth = 100;
// A kind of finding shared by at least this many attributes is shown as one grouped line.
constexpr std::size_t kGroupFrom = 3;

// `text` wrapped at kReviewWidth on spaces, the first line after `first`, the others after
// `indent` (each followed by one space unless empty); each line ended.
std::string Wrapped(const std::string& first, const std::string& indent, const std::string& text) {
  std::string out, line = first;
  bool fresh = true;  // no word on `line` yet
  std::istringstream words(text);
  for (std::string word; words >> word;) {
    if (!fresh && line.size() + 1 + word.size() > kReviewWidth) {
      out += line + "\n";
      line = indent;
      fresh = true;
    }
    line += line.empty() ? word : " " + word;
    fresh = false;
  }
  return out + line + "\n";
}

// What a group of attributes sharing one kind of finding has in common, and what to do.
std::string GroupPhrase(engine::ReviewKind kind) {
  switch (kind) {
    case engine::ReviewKind::kDraftDescription:
      return "whose description still starts with \"draft:\" (review the domain, then rewrite "
             "it)";
    case engine::ReviewKind::kBoundsFromData:
      return "with numeric bounds equal to the data's own min and max (use the measurement's "
             "possible range)";
    case engine::ReviewKind::kMinFromData:
      return "with a min equal to the data's own min";
    case engine::ReviewKind::kMaxFromData:
      return "with a max equal to the data's own max";
    case engine::ReviewKind::kCategoriesFromData:
      return "whose categories are exactly the values seen in the data (use the code book)";
    default:
      return "";
  }
}

// "A, B, C", or "all but X, Y" when the group holds nearly every attribute.
std::string GroupNames(const std::vector<std::string>& names,
                       const std::vector<engine::Attribute>& attributes) {
  const auto join = [](const std::vector<std::string>& list) {
    std::string text;
    for (const std::string& name : list) text += (text.empty() ? "" : ", ") + name;
    return text;
  };
  std::vector<std::string> others;
  for (const engine::Attribute& a : attributes) {
    if (std::find(names.begin(), names.end(), a.name) == names.end()) others.push_back(a.name);
  }
  if (others.size() * 4 <= names.size()) {
    return others.empty() ? "every attribute" : "all but " + join(others);
  }
  return join(names);
}

void RunReview(const CheckArgs& args, bool verbose) {
  std::optional<fs::path> csv_override;
  if (!args.data.empty()) csv_override = fs::path(args.data);
  const engine::Schema schema = engine::Schema::Load(args.config, csv_override);
  const std::vector<engine::ReviewItem> all =
      engine::ReviewSchema(schema, engine::ReviewedNotes(args.config));
  // What still looks data-derived, and the domains the config marks as reviewed public.
  std::vector<engine::ReviewItem> items, reviewed;
  for (const engine::ReviewItem& item : all) {
    (item.kind == engine::ReviewKind::kReviewed ? reviewed : items).push_back(item);
  }
  std::cout << "review of " << args.config << " against " << schema.csv_path().string() << "\n"
            << "  (reads the private data: for the data holder's eyes only)\n";
  if (verbose) {
    // One line per subject (findings come grouped by subject).
    for (std::size_t i = 0; i < items.size();) {
      std::string line = items[i].subject + ": " + items[i].finding;
      std::size_t j = i + 1;
      for (; j < items.size() && items[j].subject == items[i].subject; ++j) {
        line += "; " + items[j].finding;
      }
      std::cout << Wrapped("  [ ]", "     ", line);
      i = j;
    }
    for (const engine::ReviewItem& item : reviewed) {
      std::cout << Wrapped("  [x]", "     ", item.subject + ": " + item.finding);
    }
  } else {
    // One line per config-wide finding, then per kind of attribute finding: one grouped line
    // when kGroupFrom attributes or more share it, else one line per attribute.
    using engine::ReviewKind;
    for (const engine::ReviewItem& item : items) {
      if (item.kind == ReviewKind::kDraftFlag || item.kind == ReviewKind::kUnitBound ||
          item.kind == ReviewKind::kDraftRules) {
        std::cout << Wrapped("  [ ]", "     ", item.subject + ": " + item.finding);
      }
    }
    for (const ReviewKind kind :
         {ReviewKind::kDraftDescription, ReviewKind::kBoundsFromData, ReviewKind::kMinFromData,
          ReviewKind::kMaxFromData, ReviewKind::kCategoriesFromData}) {
      std::vector<const engine::ReviewItem*> group;
      for (const engine::ReviewItem& item : items) {
        if (item.kind == kind) group.push_back(&item);
      }
      if (group.size() >= kGroupFrom) {
        std::vector<std::string> names;
        for (const auto* item : group) names.push_back(item->subject);
        std::cout << Wrapped("  [ ]", "     ",
                             std::to_string(group.size()) + " attributes " + GroupPhrase(kind) +
                                 ": " + GroupNames(names, schema.attributes()));
      } else {
        for (const auto* item : group) {
          std::cout << Wrapped("  [ ]", "     ", item->subject + ": " + item->finding);
        }
      }
    }
  }
  if (!verbose && !reviewed.empty()) {
    // The reviewed domains: each with its note when few, else one line (one screen).
    if (reviewed.size() < kGroupFrom) {
      for (const engine::ReviewItem& item : reviewed) {
        std::cout << Wrapped("  [x]", "     ", item.subject + ": " + item.finding);
      }
    } else {
      std::cout << Wrapped("  [x]", "     ",
                           std::to_string(reviewed.size()) +
                               " attributes whose domain equals the data's carry a \"reviewed\" "
                               "note naming its public source; --verbose lists each note");
    }
  }
  if (items.empty()) {
    std::cout << "  nothing obviously copied from the data remains (this does not prove the "
                 "domains public)\n";
  } else {
    std::cout << Wrapped(
        "", "",
        std::to_string(items.size()) +
            " item(s) still look data-derived: replace each domain with a public one (code "
            "book, the measurement's possible range, how the data is collected)" +
            (schema.is_draft() ? std::string(", then remove \"draft\": true") : std::string()) +
            (verbose ? std::string() : "; --verbose lists every attribute's findings") +
            // A reviewed config still draws findings where the public source agrees with the
            // data (two sexes, a survey's answer levels): say that they may stay.
            (schema.is_draft() ? std::string()
                               : std::string(". Registration does not need an empty list: a "
                                             "domain the code book gives exactly as the data "
                                             "shows it may stay once you checked it")));
  }
}

}  // namespace

void AddSchemaCommand(CLI::App& app) {
  CLI::App* schema = app.add_subcommand("schema",
                                        "Draft or check a dataset config (the public "
                                        "schema; see docs/config.md)");
  schema->require_subcommand(1);

  auto draft_args = std::make_shared<DraftArgs>();
  CLI::App* draft = schema->add_subcommand(
      "draft",
      "Infer a DRAFT config from a CSV. The draft is derived from the private data: "
      "review every domain and remove \"draft\": true before use");
  draft->add_option("DATA", draft_args->csv, "CSV file with a header")->required();
  draft->add_option("--out", draft_args->out,
                    "Write the draft here (never overwritten; mode 0600) instead of stdout");
  draft->add_option("--delimiter", draft_args->delimiter, "Field delimiter (one character or \\t)");
  draft->add_option("--id", draft_args->id, "Dataset id (default: the file name)");
  draft->callback([draft_args] { RunDraft(*draft_args); });

  auto check_args = std::make_shared<CheckArgs>();
  CLI::App* check = schema->add_subcommand(
      "check", "Validate a config and check its CSV's header (reads no data row)");
  check->add_option("CONFIG", check_args->config, "Config JSON")->required();
  check->add_option("--data", check_args->data, "CSV to check instead of the config's dataset.csv");
  check->callback([check_args] { RunCheck(*check_args); });

  auto review_args = std::make_shared<CheckArgs>();
  CLI::App* review = schema->add_subcommand(
      "review",
      "Checklist of what in a config still looks read off the data (reads the private data)");
  review->add_option("CONFIG", review_args->config, "Config JSON")->required();
  review->add_option("--data", review_args->data,
                     "CSV to compare with instead of the config's dataset.csv");
  auto verbose = std::make_shared<bool>(false);
  review->add_flag("--verbose,-v", *verbose,
                   "One line per attribute with each of its findings (default: findings that "
                   "many attributes share are grouped on one line)");
  review->callback([review_args, verbose] { RunReview(*review_args, *verbose); });
}

}  // namespace privet::cli
