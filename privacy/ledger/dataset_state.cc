// What the ledger records about a dataset, read back from its entries (every body checked
// against its hash first).
#include <algorithm>
#include <utility>

#include "privacy/errors.h"
#include "privacy/ledger/entry_json_internal.h"
#include "privacy/ledger/impl_internal.h"

namespace privet::privacy {

using internal::BudgetFromJson;
using internal::DatasetState;
using internal::EntryHash;
using internal::kRowColumns;
using internal::LossFromJson;
using internal::ParseBody;
using internal::ReadRow;
using internal::RegistrationFromJson;
using internal::Row;
using internal::Statement;

std::vector<Row> BudgetLedger::Impl::Rows(const char* condition, const std::string& key) const {
  std::string sql = std::string("SELECT ") + kRowColumns + " FROM entries";
  if (condition != nullptr) sql += std::string(" WHERE ") + condition;
  sql += " ORDER BY entry_id";
  Statement statement(db.get(), where, sql.c_str());
  if (condition != nullptr) statement.Bind(1, key);
  std::vector<Row> rows;
  while (statement.Step()) rows.push_back(ReadRow(statement));
  return rows;
}

nlohmann::json BudgetLedger::Impl::CheckedBody(const Row& row) const {
  nlohmann::json body = ParseBody(row, where);
  if (EntryHash(body, row.previous_hash) != row.entry_hash) {
    throw IntegrityError("ledger " + where + ": entry " + std::to_string(row.entry_id) +
                         " does not match its hash (edited?); run `privet ledger verify`");
  }
  return body;
}

DatasetState BudgetLedger::Impl::LoadDataset(const std::string& dataset_id) const {
  DatasetState state;
  for (const Row& row : Rows("dataset_id = ?1", dataset_id)) {
    const nlohmann::json body = CheckedBody(row);
    try {
      if (row.type == "dataset_init") {
        state.exists = true;
        state.owner = body.at("owner").get<std::string>();
        state.created = body.at("time").get<std::string>();
        state.budget = BudgetFromJson(body.at("budget"));
      } else if (row.type == "charge") {
        ReleaseRecord release;
        release.release_id = body.at("release_id").get<std::string>();
        release.entry_id = row.entry_id;
        release.time = body.at("time").get<std::string>();
        release.requester = body.at("requester").get<std::string>();
        release.purpose = body.at("purpose").get<std::string>();
        release.kind = body.at("kind").get<std::string>();
        release.config_sha256 = body.at("config_sha256").get<std::string>();
        release.status = "charged";
        release.registration_entry_id = body.value("registration_entry_id", std::int64_t{0});
        release.seeded = body.value("randomness", std::string("secure")) != "secure";
        release.approved_by = body.value("approved_by", std::string());
        for (const auto& event : body.at("events")) {
          release.events.push_back(PrivacyEvent::FromJson(event));
        }
        release.cost = LossFromJson(body.at("cost"));
        release.cumulative = LossFromJson(body.at("cumulative"));
        state.events.insert(state.events.end(), release.events.begin(), release.events.end());
        state.releases.push_back(std::move(release));
      } else if (row.type == "registration") {
        state.registration = RegistrationFromJson(body, row.entry_id);
        ++state.registrations;
      } else if (row.type == "outcome") {
        const std::string release_id = body.at("release_id").get<std::string>();
        for (auto& release : state.releases) {
          if (release.release_id == release_id) {
            release.status = body.at("status").get<std::string>();
          }
        }
      }
    } catch (const nlohmann::json::exception& error) {
      throw IntegrityError("ledger " + where + ": entry " + std::to_string(row.entry_id) +
                           " is malformed (" + error.what() + ")");
    }
  }
  return state;
}

DatasetStatus BudgetLedger::Impl::Status(const std::string& dataset_id) const {
  DatasetState state = LoadDataset(dataset_id);
  if (!state.exists) {
    std::string known;
    for (const Row& row : Rows("type = ?1", "dataset_init")) {
      known += (known.empty() ? "" : ", ") + row.dataset_id;
    }
    throw InputError("unknown dataset " + dataset_id + " in ledger " + where +
                     (known.empty() ? " (it has no datasets yet)" : " (known: " + known + ")"));
  }
  DatasetStatus status;
  status.dataset_id = dataset_id;
  status.owner = state.owner;
  status.created = state.created;
  status.budget = state.budget;
  status.spent = MeasureLoss(state.events, state.budget.delta);
  status.remaining_epsilon = std::max(0.0, state.budget.epsilon - status.spent.epsilon);
  status.releases = std::move(state.releases);
  status.registration = std::move(state.registration);
  status.registrations = state.registrations;
  return status;
}

LedgerMode BudgetLedger::Impl::Mode() const {
  const auto rows = Rows("type = ?1 AND entry_id = 1", "ledger_init");
  if (rows.empty()) return LedgerMode::kProduction;
  const nlohmann::json body = CheckedBody(rows.front());
  return body.value("mode", std::string()) == "test" ? LedgerMode::kTest : LedgerMode::kProduction;
}

}  // namespace privet::privacy
