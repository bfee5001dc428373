#include <string>

#include "privacy/ledger/entry_json_internal.h"

namespace privet::privacy::internal {

Budget BudgetFromJson(const nlohmann::json& json) {
  Budget budget;
  budget.epsilon = json.at("epsilon").get<double>();
  budget.delta = json.at("delta").get<double>();
  if (json.contains("per_release_epsilon") && !json["per_release_epsilon"].is_null()) {
    budget.per_release_epsilon = json["per_release_epsilon"].get<double>();
  }
  return budget;
}

PrivacyLoss LossFromJson(const nlohmann::json& json) {
  return PrivacyLoss{json.at("epsilon").get<double>(), json.at("delta").get<double>()};
}

nlohmann::json LossToJson(const PrivacyLoss& loss) {
  return {{"epsilon", loss.epsilon}, {"delta", loss.delta}};
}

Registration RegistrationFromJson(const nlohmann::json& body, std::int64_t entry_id) {
  Registration registration;
  registration.dataset_id = body.at("dataset_id").get<std::string>();
  registration.config_path = body.at("config_path").get<std::string>();
  registration.config_sha256 = body.at("config_sha256").get<std::string>();
  registration.data_source = body.at("data_source").get<std::string>();
  registration.data_commitment = body.at("data_commitment").get<std::string>();
  registration.unit_column = body.at("unit_column").get<std::string>();
  registration.max_rows_per_unit = body.at("max_rows_per_unit").get<std::int64_t>();
  registration.max_failures = body.at("max_failures").get<std::int64_t>();
  registration.registered_by = body.at("registered_by").get<std::string>();
  registration.entry_id = entry_id;
  registration.time = body.at("time").get<std::string>();
  return registration;
}

}  // namespace privet::privacy::internal

namespace privet::privacy {

using internal::LossToJson;

std::string LedgerModeName(LedgerMode mode) {
  return mode == LedgerMode::kTest ? "test" : "production";
}

nlohmann::json ToJson(const Registration& registration) {
  return {{"dataset_id", registration.dataset_id},
          {"config_path", registration.config_path},
          {"config_sha256", registration.config_sha256},
          {"data_source", registration.data_source},
          {"data_commitment", registration.data_commitment},
          {"unit_column", registration.unit_column},
          {"max_rows_per_unit", registration.max_rows_per_unit},
          {"max_failures", registration.max_failures},
          {"registered_by", registration.registered_by},
          {"entry_id", registration.entry_id},
          {"time", registration.time}};
}

nlohmann::json ToJson(const Budget& budget) {
  nlohmann::json json = {{"epsilon", budget.epsilon}, {"delta", budget.delta}};
  json["per_release_epsilon"] =
      budget.per_release_epsilon ? nlohmann::json(*budget.per_release_epsilon) : nullptr;
  return json;
}

nlohmann::json ToJson(const ReleaseRecord& release) {
  nlohmann::json events = nlohmann::json::array();
  for (const auto& event : release.events) events.push_back(event.ToJson());
  return {{"release_id", release.release_id},
          {"entry_id", release.entry_id},
          {"time", release.time},
          {"requester", release.requester},
          {"purpose", release.purpose},
          {"kind", release.kind},
          {"config_sha256", release.config_sha256},
          {"registration_entry_id", release.registration_entry_id},
          {"randomness", release.seeded ? "seeded" : "secure"},
          {"status", release.status},
          {"events", events},
          {"cost", LossToJson(release.cost)},
          {"cumulative", LossToJson(release.cumulative)}};
}

nlohmann::json ToJson(const DatasetStatus& status) {
  nlohmann::json releases = nlohmann::json::array();
  for (const auto& release : status.releases) releases.push_back(ToJson(release));
  return {{"dataset_id", status.dataset_id},
          {"owner", status.owner},
          {"created", status.created},
          {"budget", ToJson(status.budget)},
          {"spent", LossToJson(status.spent)},
          {"remaining_epsilon", status.remaining_epsilon},
          {"registration",
           status.registration ? ToJson(*status.registration) : nlohmann::json(nullptr)},
          {"registrations", status.registrations},
          {"releases", releases}};
}

}  // namespace privet::privacy
