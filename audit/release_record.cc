#include "audit/release_record.h"

#include <cmath>
#include <ctime>

#include "privacy/errors.h"
#include "privet/version.h"

namespace privet::audit {
namespace {

struct KindName {
  ReleaseKind kind;
  const char* name;
};
constexpr KindName kKindNames[] = {
    {ReleaseKind::kSyntheticTable, "synthetic-table"},
    {ReleaseKind::kModelSample, "model-sample"},
    {ReleaseKind::kNoisyMarginal, "noisy-marginal"},
    {ReleaseKind::kNoisyCorrelation, "noisy-correlation"},
    {ReleaseKind::kUnitBound, "unit-bound"},
};

constexpr char kSecureName[] = "secure";
constexpr char kSeededName[] = "seeded: not for release";

// a <= b up to floating-point composition error: the accountant's sums can differ from the
// ledger's in the last bits, never by a relative 1e-9.
bool AtMost(double a, double b) { return a <= b + 1e-9 * std::max(1.0, std::fabs(b)); }

void CheckAmount(const PrivacyAmount& amount, const std::string& name,
                 std::vector<std::string>& problems) {
  if (!std::isfinite(amount.epsilon) || amount.epsilon < 0.0) {
    problems.push_back(name + ".epsilon must be finite and >= 0");
  }
  if (!std::isfinite(amount.delta) || amount.delta < 0.0 || amount.delta >= 1.0) {
    problems.push_back(name + ".delta must be in [0, 1)");
  }
}

nlohmann::json AmountJson(const PrivacyAmount& amount) {
  return {{"epsilon", amount.epsilon}, {"delta", amount.delta}};
}

// Typed field access for ParsePredicate, naming the field's full path on error.
class Fields {
 public:
  Fields(const nlohmann::json& object, std::string path) : object_(object), path_(std::move(path)) {
    if (!object_.is_object()) throw IntegrityError(path_ + " is not a JSON object");
  }
  bool Has(const char* key) const { return object_.contains(key); }
  const nlohmann::json& Get(const char* key) const {
    const auto it = object_.find(key);
    if (it == object_.end()) throw IntegrityError(Path(key) + " is missing");
    return *it;
  }
  std::string String(const char* key) const {
    const nlohmann::json& value = Get(key);
    if (!value.is_string()) throw IntegrityError(Path(key) + " is not a string");
    return value.get<std::string>();
  }
  double Number(const char* key) const {
    const nlohmann::json& value = Get(key);
    if (!value.is_number()) throw IntegrityError(Path(key) + " is not a number");
    return value.get<double>();
  }
  std::int64_t Integer(const char* key) const {
    const nlohmann::json& value = Get(key);
    if (!value.is_number_integer()) throw IntegrityError(Path(key) + " is not an integer");
    return value.get<std::int64_t>();
  }
  Fields Object(const char* key) const { return Fields(Get(key), Path(key)); }
  PrivacyAmount Amount(const char* key) const {
    const Fields amount = Object(key);
    return {amount.Number("epsilon"), amount.Number("delta")};
  }
  std::string Path(const char* key) const { return path_ + "." + key; }

 private:
  const nlohmann::json& object_;
  std::string path_;
};

}  // namespace

bool IsSha256Hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsIso8601Utc(std::string_view text) {
  // Exactly "YYYY-MM-DDTHH:MM:SSZ"; field ranges are checked loosely (the time is recorded,
  // not computed with).
  constexpr std::string_view kPattern = "dddd-dd-ddTdd:dd:ddZ";
  if (text.size() != kPattern.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (kPattern[i] == 'd' ? !(text[i] >= '0' && text[i] <= '9') : text[i] != kPattern[i]) {
      return false;
    }
  }
  return true;
}

std::string_view ReleaseKindName(ReleaseKind kind) {
  for (const KindName& entry : kKindNames) {
    if (entry.kind == kind) return entry.name;
  }
  return "unknown";
}

ReleaseKind ParseReleaseKind(std::string_view name) {
  for (const KindName& entry : kKindNames) {
    if (name == entry.name) return entry.kind;
  }
  throw InputError("unknown release kind \"" + std::string(name) +
                   "\" (expected synthetic-table, model-sample, noisy-marginal, "
                   "noisy-correlation or unit-bound)");
}

std::string_view RandomnessModeName(RandomnessMode mode) {
  return mode == RandomnessMode::kSecure ? kSecureName : kSeededName;
}

RandomnessMode ParseRandomnessMode(std::string_view name) {
  if (name == kSecureName) return RandomnessMode::kSecure;
  if (name == kSeededName) return RandomnessMode::kSeededNotForRelease;
  throw InputError("unknown randomness mode \"" + std::string(name) + "\" (expected \"" +
                   kSecureName + "\" or \"" + kSeededName + "\")");
}

SoftwareInfo SoftwareInfo::Current() { return {"privet", kVersion, kBuildCommit}; }

bool IsTestRelease(const ReleaseRecord& record) {
  return record.randomness != RandomnessMode::kSecure || record.ledger_mode != kProductionLedger;
}

PrivacyAmount Remaining(const ReleaseRecord& record) {
  return {std::max(0.0, record.budget.epsilon - record.cumulative.epsilon),
          std::max(0.0, record.budget.delta - record.cumulative.delta)};
}

std::string UtcNowIso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  if (gmtime_r(&now, &utc) == nullptr) throw StorageError("cannot read the system clock");
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::vector<std::string> ConsistencyProblems(const ReleaseRecord& record) {
  std::vector<std::string> problems;
  const bool is_sample = record.kind == ReleaseKind::kModelSample;
  if (record.dataset_id.empty()) problems.push_back("dataset_id is empty");
  if (record.unit_column.empty()) problems.push_back("privacy_unit.column is empty");
  if (record.max_rows_per_unit < 1) problems.push_back("privacy_unit.max_rows_per_unit < 1");
  if (!IsSha256Hex(record.config_sha256)) {
    problems.push_back("config_sha256 is not 64 lowercase hex digits");
  }
  if (!record.mechanisms.is_array()) {
    problems.push_back("mechanisms is not an array");
  } else {
    for (const nlohmann::json& event : record.mechanisms) {
      if (!event.is_object()) {
        problems.push_back("a mechanism event is not a JSON object");
        break;
      }
    }
    if (!is_sample && record.mechanisms.empty()) {
      problems.push_back("a release that spends budget must list its mechanisms");
    }
  }
  CheckAmount(record.cost, "cost", problems);
  CheckAmount(record.cumulative, "cumulative_spend", problems);
  CheckAmount(record.budget, "budget", problems);
  if (!(record.budget.epsilon > 0.0)) problems.push_back("budget.epsilon must be > 0");
  if (!AtMost(record.cost.epsilon, record.budget.epsilon) ||
      !AtMost(record.cost.delta, record.budget.delta)) {
    problems.push_back("cost exceeds the budget");
  }
  if (!AtMost(record.cost.epsilon, record.cumulative.epsilon) ||
      !AtMost(record.cost.delta, record.cumulative.delta)) {
    problems.push_back("cumulative spend is less than this release's cost");
  }
  if (!AtMost(record.cumulative.epsilon, record.budget.epsilon) ||
      !AtMost(record.cumulative.delta, record.budget.delta)) {
    problems.push_back("cumulative spend exceeds the budget");
  }
  if (is_sample) {
    if (record.cost.epsilon != 0.0 || record.cost.delta != 0.0) {
      problems.push_back("a model sample is post-processing and must cost (0, 0)");
    }
    if (!record.parent) {
      problems.push_back("a model sample must name its parent model release");
    } else {
      if (record.parent->release_id.empty()) problems.push_back("parent.release_id is empty");
      if (record.parent->model_name.empty()) problems.push_back("parent.model_name is empty");
      if (!IsSha256Hex(record.parent->model_sha256)) {
        problems.push_back("parent.model_sha256 is not 64 lowercase hex digits");
      }
      if (!IsSha256Hex(record.parent->attestation_sha256)) {
        problems.push_back("parent.attestation_sha256 is not 64 lowercase hex digits");
      }
    }
  } else {
    if (!(record.cost.epsilon > 0.0)) problems.push_back("cost.epsilon must be > 0");
    if (record.parent) problems.push_back("only a model sample has a parent");
    if (!record.ledger) problems.push_back("a release that spends budget needs its ledger entry");
  }
  if (record.ledger) {
    if (record.ledger->release_id.empty()) problems.push_back("ledger.release_id is empty");
    if (!IsSha256Hex(record.ledger->entry_hash)) {
      problems.push_back("ledger.entry_hash is not 64 lowercase hex digits");
    }
    if (!IsSha256Hex(record.ledger->head_hash)) {
      problems.push_back("ledger.head_hash is not 64 lowercase hex digits");
    }
    const LedgerLink& link = *record.ledger;
    const int tree_parts = int{link.entry.has_value()} + int{link.tree_head.has_value()} +
                           int{link.inclusion_proof.has_value()};
    if (tree_parts != 0 && tree_parts != 3) {
      problems.push_back("ledger.entry, ledger.tree_head and ledger.inclusion_proof go together");
    }
    if (link.tree_head && link.inclusion_proof &&
        link.inclusion_proof->tree_size != link.tree_head->tree_size) {
      problems.push_back("ledger.inclusion_proof is for another tree size than ledger.tree_head");
    }
  }
  if (!is_sample && !record.registration_entry_id) {
    problems.push_back("a release that spends budget must name its registration entry");
  }
  if (record.registration_entry_id && *record.registration_entry_id < 1) {
    problems.push_back("registration.entry_id must be at least 1");
  }
  if (record.ledger_mode != kProductionLedger && record.ledger_mode != kTestLedger) {
    problems.push_back("ledger_mode must be \"production\" or \"test\"");
  }
  if (record.randomness != RandomnessMode::kSecure && record.ledger_mode != kTestLedger) {
    problems.push_back("seeded noise is only allowed on a test ledger");
  }
  if (record.requester.empty()) problems.push_back("requester is empty");
  if (record.software.name.empty() || record.software.version.empty() ||
      record.software.commit.empty()) {
    problems.push_back("software name, version and commit must all be set");
  }
  if (!IsIso8601Utc(record.time_utc)) {
    problems.push_back("time \"" + record.time_utc + "\" is not YYYY-MM-DDTHH:MM:SSZ");
  }
  return problems;
}

nlohmann::json ToPredicate(const ReleaseRecord& record) {
  if (const auto problems = ConsistencyProblems(record); !problems.empty()) {
    throw InputError("release record for dataset \"" + record.dataset_id +
                     "\" cannot be attested: " + problems.front());
  }
  nlohmann::json predicate = {
      {"dataset_id", record.dataset_id},
      {"privacy_unit",
       {{"column", record.unit_column}, {"max_rows_per_unit", record.max_rows_per_unit}}},
      {"neighbouring", kNeighbouringRelation},
      {"config_sha256", record.config_sha256},
      {"release_kind", ReleaseKindName(record.kind)},
      {"mechanisms", record.mechanisms},
      {"cost", AmountJson(record.cost)},
      {"cumulative_spend", AmountJson(record.cumulative)},
      {"budget", AmountJson(record.budget)},
      {"remaining", AmountJson(Remaining(record))},
      {"requester", record.requester},
      {"purpose", record.purpose},
      {"software",
       {{"name", record.software.name},
        {"version", record.software.version},
        {"commit", record.software.commit}}},
      {"time", record.time_utc},
      {"randomness", RandomnessModeName(record.randomness)},
      {"ledger_mode", record.ledger_mode},
  };
  if (record.registration_entry_id) {
    predicate["registration"] = {{"entry_id", *record.registration_entry_id}};
  }
  if (!record.accountant.empty()) predicate["accountant"] = record.accountant;
  if (record.ledger) {
    predicate["ledger"] = {{"release_id", record.ledger->release_id},
                           {"entry_hash", record.ledger->entry_hash},
                           {"head_hash", record.ledger->head_hash}};
    if (record.ledger->entry) predicate["ledger"]["entry"] = *record.ledger->entry;
    if (record.ledger->tree_head) {
      predicate["ledger"]["tree_head"] = ToJson(*record.ledger->tree_head);
    }
    if (record.ledger->inclusion_proof) {
      predicate["ledger"]["inclusion_proof"] = ToJson(*record.ledger->inclusion_proof);
    }
  }
  if (record.parent) {
    predicate["parent"] = {{"release_id", record.parent->release_id},
                           {"model_name", record.parent->model_name},
                           {"model_sha256", record.parent->model_sha256},
                           {"attestation_sha256", record.parent->attestation_sha256}};
  }
  return predicate;
}

ReleaseRecord ParsePredicate(const nlohmann::json& predicate) {
  const Fields fields(predicate, "predicate");
  ReleaseRecord record;
  record.dataset_id = fields.String("dataset_id");
  const Fields unit = fields.Object("privacy_unit");
  record.unit_column = unit.String("column");
  record.max_rows_per_unit = unit.Integer("max_rows_per_unit");
  if (fields.String("neighbouring") != kNeighbouringRelation) {
    throw IntegrityError(std::string("predicate.neighbouring is not \"") + kNeighbouringRelation +
                         "\"");
  }
  record.config_sha256 = fields.String("config_sha256");
  try {
    record.kind = ParseReleaseKind(fields.String("release_kind"));
    record.randomness = ParseRandomnessMode(fields.String("randomness"));
  } catch (const InputError& e) {
    throw IntegrityError(std::string("predicate: ") + e.what());
  }
  record.mechanisms = fields.Get("mechanisms");
  if (!record.mechanisms.is_array()) throw IntegrityError("predicate.mechanisms is not an array");
  if (fields.Has("accountant")) record.accountant = fields.String("accountant");
  record.cost = fields.Amount("cost");
  record.cumulative = fields.Amount("cumulative_spend");
  record.budget = fields.Amount("budget");
  fields.Amount("remaining");  // must be present; the verifier compares it
  if (fields.Has("ledger")) {
    const Fields ledger = fields.Object("ledger");
    record.ledger.emplace();
    record.ledger->release_id = ledger.String("release_id");
    record.ledger->entry_hash = ledger.String("entry_hash");
    record.ledger->head_hash = ledger.String("head_hash");
    // Absent in attestations older than the ledger's tree.
    if (ledger.Has("entry")) record.ledger->entry = ledger.String("entry");
    const nlohmann::json& link = fields.Get("ledger");
    try {
      if (link.contains("tree_head")) {
        record.ledger->tree_head = TreeHeadFromJson(link.at("tree_head"));
      }
      if (link.contains("inclusion_proof")) {
        record.ledger->inclusion_proof = InclusionProofFromJson(link.at("inclusion_proof"));
      }
    } catch (const IntegrityError& e) {
      throw IntegrityError(std::string("predicate.ledger: ") + e.what());
    }
  }
  if (fields.Has("ledger_mode")) record.ledger_mode = fields.String("ledger_mode");
  if (fields.Has("registration")) {
    record.registration_entry_id = fields.Object("registration").Integer("entry_id");
  }
  record.requester = fields.String("requester");
  record.purpose = fields.String("purpose");
  const Fields software = fields.Object("software");
  record.software = {software.String("name"), software.String("version"),
                     software.String("commit")};
  record.time_utc = fields.String("time");
  if (fields.Has("parent")) {
    const Fields parent = fields.Object("parent");
    record.parent =
        ParentRelease{parent.String("release_id"), parent.String("model_name"),
                      parent.String("model_sha256"), parent.String("attestation_sha256")};
  }
  return record;
}

}  // namespace privet::audit
