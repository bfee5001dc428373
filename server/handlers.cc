#include "server/handlers.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "privacy/errors.h"
#include "privacy/ledger.h"
#include "privacy/sha256.h"
#include "release/incident_log.h"
#include "release/synthesize_release.h"
#include "server/api_error.h"
#include "server/request_options.h"

namespace privet::server {
namespace {

constexpr Role kOfficer = Role::kOfficer;
constexpr Role kResearcher = Role::kResearcher;
constexpr Role kAuditor = Role::kAuditor;

Reply Json(const nlohmann::json& value, int status = 200) {
  return Reply{status, value.dump(2) + "\n", "application/json"};
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ApiError(503, "unavailable", "a deployment file cannot be read");
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// The ledger for reading; an absent ledger is "no datasets yet".
std::optional<privacy::BudgetLedger> ReadLedger(const ServiceContext& context) {
  if (!std::filesystem::exists(context.deployment.ledger())) return std::nullopt;
  return privacy::BudgetLedger::Open(context.deployment.ledger(),
                                     privacy::LedgerOpenMode::kReadOnly);
}

privacy::BudgetLedger RequireLedger(const ServiceContext& context) {
  std::optional<privacy::BudgetLedger> ledger = ReadLedger(context);
  if (!ledger) throw ApiError(503, "unavailable", "the deployment has no ledger yet");
  return std::move(*ledger);
}

void CheckEpsilonDelta(double epsilon, const std::optional<double>& delta) {
  if (!std::isfinite(epsilon) || epsilon <= 0) {
    throw ApiError(400, "invalid_field", "field \"epsilon\" must be a finite number > 0");
  }
  if (delta && (!std::isfinite(*delta) || *delta < 0 || *delta >= 1)) {
    throw ApiError(400, "invalid_field", "field \"delta\" must be in [0, 1)");
  }
}

// A registered dataset's public status, or not_found. What it shows is public: the
// registered config is the public domain, and budgets and spends are the officer's
// published numbers (never a statistic of the data).
nlohmann::json DatasetJson(const privacy::BudgetLedger& ledger, const std::string& id) {
  const privacy::DatasetStatus status = ledger.Show(id);
  nlohmann::json domain = nullptr, unit = nullptr;
  if (status.registration) {
    try {
      std::ifstream in(status.registration->config_path);
      const nlohmann::json config = nlohmann::json::parse(in);
      domain = config.value("attributes", nlohmann::json(nullptr));
      unit = config.value("privacy_unit", nlohmann::json(nullptr));
    } catch (const nlohmann::json::exception&) {
      domain = nullptr;  // the release itself would refuse: IntegrityError at PrepareRelease
    }
  }
  return {{"id", id},
          {"registered", status.registration.has_value()},
          {"budget", privacy::ToJson(status.budget)},
          {"spent_epsilon", status.spent.epsilon},
          {"remaining_epsilon", status.remaining_epsilon},
          {"privacy_unit", unit},
          {"attributes", domain}};
}

Reply ListDatasets(ServiceContext& context, const Call&) {
  nlohmann::json datasets = nlohmann::json::array();
  if (std::optional<privacy::BudgetLedger> ledger = ReadLedger(context)) {
    for (const std::string& id : ledger->Datasets()) datasets.push_back(DatasetJson(*ledger, id));
  }
  return Json({{"datasets", datasets}});
}

Reply Plan(ServiceContext& context, const Call& call) {
  const JsonFields fields =
      JsonFields::FromBody(call.body, {"dataset", "epsilon", "delta", "options"});
  release::ReleaseRequest request;
  request.dataset_id = fields.RequiredString("dataset");
  request.epsilon = fields.RequiredNumber("epsilon");
  request.delta = fields.OptionalNumber("delta");
  CheckEpsilonDelta(request.epsilon, request.delta);
  const nlohmann::json options = CheckOptions("synthesize", fields.OptionalObject("options"));
  try {
    const engine::SynthesisPlan plan = release::PlanSynthesis(
        context.deployment.ForRelease(), request, SynthesizeOptionsFromJson(options));
    return Json({{"dataset", request.dataset_id}, {"plan", plan.ToJson()}});
  } catch (const UsageError& error) {
    throw ApiError(400, "invalid_request", error.what());
  } catch (const InputError& error) {
    throw ApiError(400, "invalid_request", error.what());
  }
}

Reply Submit(ServiceContext& context, const Call& call) {
  const JsonFields fields = JsonFields::FromBody(
      call.body, {"dataset", "kind", "epsilon", "delta", "purpose", "options"});
  StoredRequest request;
  request.requester = call.principal.name;  // the authenticated user, never a body field
  request.dataset_id = fields.RequiredString("dataset");
  request.kind = fields.RequiredString("kind");
  if (!IsRequestKind(request.kind)) {
    throw ApiError(400, "invalid_field",
                   "field \"kind\" must be synthesize, marginal or correlation");
  }
  request.epsilon = fields.RequiredNumber("epsilon");
  request.delta = fields.OptionalNumber("delta");
  CheckEpsilonDelta(request.epsilon, request.delta);
  request.purpose = fields.RequiredString("purpose");
  if (request.purpose.empty()) {
    throw ApiError(400, "invalid_field", "field \"purpose\" must say why the release is made");
  }
  request.options = CheckOptions(request.kind, fields.OptionalObject("options"));
  {
    privacy::BudgetLedger ledger = RequireLedger(context);
    const std::vector<std::string> ids = ledger.Datasets();
    if (std::find(ids.begin(), ids.end(), request.dataset_id) == ids.end() ||
        !ledger.CurrentRegistration(request.dataset_id)) {
      throw ApiError(404, "not_found", "no registered dataset \"" + request.dataset_id + "\"");
    }
  }
  const double auto_approve =
      context.requests.AutoApproveEpsilon().value_or(context.config.auto_approve_epsilon);
  const bool at_once = request.epsilon <= auto_approve;
  StoredRequest stored = context.requests.Create(
      request, at_once ? std::optional<std::string>("policy") : std::nullopt);
  if (at_once) context.workers.Notify();
  return Json(stored.ToJson(), 202);
}

// The request a call names, visible to its requester and to officers only; anyone else is
// told it does not exist (no oracle for other users' request ids).
StoredRequest VisibleRequest(ServiceContext& context, const Call& call) {
  std::optional<StoredRequest> request = context.requests.Find(call.captures.at(0));
  if (!request ||
      (call.principal.role == Role::kResearcher && request->requester != call.principal.name)) {
    throw ApiError(404, "not_found", "no request " + call.captures.at(0));
  }
  return *request;
}

const std::set<std::string> kStates = {"pending",  "approved", "running",
                                       "released", "failed",   "denied"};

Reply ListRequests(ServiceContext& context, const Call& call) {
  std::optional<std::string> state;
  if (auto it = call.query.find("state"); it != call.query.end()) {
    if (kStates.count(it->second) == 0) {
      throw ApiError(400, "invalid_field", "query parameter \"state\" is not a request state");
    }
    state = it->second;
  }
  std::optional<std::string> requester;
  if (call.principal.role == Role::kResearcher) requester = call.principal.name;
  nlohmann::json list = nlohmann::json::array();
  for (const StoredRequest& request : context.requests.List(requester, state)) {
    list.push_back(request.ToJson());
  }
  return Json({{"requests", list}});
}

Reply GetRequest(ServiceContext& context, const Call& call) {
  return Json(VisibleRequest(context, call).ToJson());
}

std::string ContentType(const std::string& name) {
  if (name.ends_with(".csv")) return "text/csv";
  if (name.ends_with(".json")) return "application/json";
  return "application/octet-stream";
}

// A released file: the name must be one the release itself listed (its subjects and the
// attestation), looked up by equality, so no client-supplied path ever reaches the disk.
Reply GetFile(ServiceContext& context, const Call& call) {
  const StoredRequest request = VisibleRequest(context, call);
  if (request.state != "released") {
    throw ApiError(
        409, "not_released",
        "request " + request.id + " is " + request.state + ": only released requests have files");
  }
  const std::string& name = call.captures.at(1);
  if (std::find(request.files.begin(), request.files.end(), name) == request.files.end()) {
    throw ApiError(404, "not_found", "request " + request.id + " released no file of that name");
  }
  return Reply{200, ReadFile(context.deployment.releases() / request.id / name), ContentType(name)};
}

Reply Decide(ServiceContext& context, const Call& call, bool approve) {
  const JsonFields fields = JsonFields::FromBody(call.body, {"note"}, /*allow_empty=*/true);
  const std::string note = fields.OptionalString("note").value_or("");
  const std::string& id = call.captures.at(0);
  if (!context.requests.Find(id)) throw ApiError(404, "not_found", "no request " + id);
  if (!context.requests.Decide(id, approve, call.principal.name, note)) {
    throw ApiError(409, "conflict", "request " + id + " is not pending");
  }
  if (approve) context.workers.Notify();
  return Json(context.requests.Find(id)->ToJson());
}

Reply Approve(ServiceContext& context, const Call& call) { return Decide(context, call, true); }
Reply Deny(ServiceContext& context, const Call& call) { return Decide(context, call, false); }

nlohmann::json PolicyJson(ServiceContext& context) {
  return {{"auto_approve_epsilon",
           context.requests.AutoApproveEpsilon().value_or(context.config.auto_approve_epsilon)}};
}

Reply GetPolicy(ServiceContext& context, const Call&) { return Json(PolicyJson(context)); }

Reply PutPolicy(ServiceContext& context, const Call& call) {
  const JsonFields fields = JsonFields::FromBody(call.body, {"auto_approve_epsilon"});
  const double epsilon = fields.RequiredNumber("auto_approve_epsilon");
  if (!std::isfinite(epsilon) || epsilon < 0) {
    throw ApiError(400, "invalid_field", "field \"auto_approve_epsilon\" must be finite and >= 0");
  }
  context.requests.SetAutoApproveEpsilon(epsilon, call.principal.name);
  return Json(PolicyJson(context));
}

Reply Incidents(ServiceContext& context, const Call&) {
  const release::IncidentLog log(release::IncidentLogPath(context.deployment.ledger()));
  nlohmann::json incidents = nlohmann::json::array();
  for (const release::Incident& incident : log.Incidents()) {
    incidents.push_back(release::ToJson(incident));
  }
  return Json({{"incidents", incidents}});
}

Reply LedgerVerify(ServiceContext& context, const Call&) {
  const privacy::VerifyResult result = RequireLedger(context).VerifyChain();
  const AccessLogCheck access = AccessLog::Verify(context.deployment.access_log());
  return Json(
      {{"ledger",
        {{"ok", result.ok},
         {"entries_checked", result.entries_checked},
         {"first_bad_entry", result.first_bad_entry ? nlohmann::json(*result.first_bad_entry)
                                                    : nlohmann::json(nullptr)},
         {"message", result.message},
         {"head_hash", result.head_hash}}},
       {"access_log",
        {{"ok", access.ok},
         {"lines", access.lines},
         {"message", access.message},
         {"head_hash", access.head_hash}}}});
}

Reply LedgerExport(ServiceContext& context, const Call&) {
  return Json(RequireLedger(context).Export());
}

Reply AccessLogLines(ServiceContext& context, const Call&) {
  return Json({{"lines", context.access_log.Lines()}});
}

Reply Attestations(ServiceContext& context, const Call&) {
  nlohmann::json list = nlohmann::json::array();
  for (const StoredRequest& request : context.requests.List(std::nullopt, "released")) {
    if (request.files.empty()) continue;
    const std::string attestation = request.files.back();
    list.push_back(
        {{"request_id", request.id},
         {"release_id", request.release_id.value_or("")},
         {"dataset", request.dataset_id},
         {"attestation", attestation},
         {"sha256", Sha256FileHex(context.deployment.releases() / request.id / attestation)}});
  }
  return Json({{"attestations", list}});
}

Reply Attestation(ServiceContext& context, const Call& call) {
  std::optional<StoredRequest> request = context.requests.Find(call.captures.at(0));
  if (!request || request->state != "released" || request->files.empty()) {
    throw ApiError(404, "not_found", "no released request " + call.captures.at(0));
  }
  return Reply{200, ReadFile(context.deployment.releases() / request->id / request->files.back()),
               "application/json"};
}

Reply PublicKey(ServiceContext& context, const Call&) {
  return Reply{200, ReadFile(context.deployment.public_key()), "application/x-pem-file"};
}

}  // namespace

const std::vector<Route>& Routes() {
  // Request ids are "req-" + 16 hex digits; file names are matched against the release's own
  // list, so the pattern only bounds their alphabet.
  static const std::vector<Route> kRoutes = {
      {"GET", R"(/v1/datasets)", {kResearcher, kOfficer}, &ListDatasets},
      {"POST", R"(/v1/plan)", {kResearcher, kOfficer}, &Plan},
      {"POST", R"(/v1/requests)", {kResearcher}, &Submit},
      {"GET", R"(/v1/requests)", {kResearcher, kOfficer}, &ListRequests},
      {"GET", R"(/v1/requests/([A-Za-z0-9-]{1,64}))", {kResearcher, kOfficer}, &GetRequest},
      {"GET",
       R"(/v1/requests/([A-Za-z0-9-]{1,64})/files/([^/]{1,255}))",
       {kResearcher, kOfficer},
       &GetFile},
      {"POST", R"(/v1/requests/([A-Za-z0-9-]{1,64})/approve)", {kOfficer}, &Approve},
      {"POST", R"(/v1/requests/([A-Za-z0-9-]{1,64})/deny)", {kOfficer}, &Deny},
      {"GET", R"(/v1/policy)", {kOfficer}, &GetPolicy},
      {"PUT", R"(/v1/policy)", {kOfficer}, &PutPolicy},
      {"GET", R"(/v1/incidents)", {kOfficer}, &Incidents},
      {"GET", R"(/v1/ledger/verify)", {kOfficer, kAuditor}, &LedgerVerify},
      {"GET", R"(/v1/ledger/export)", {kOfficer, kAuditor}, &LedgerExport},
      {"GET", R"(/v1/access-log)", {kOfficer}, &AccessLogLines},
      {"GET", R"(/v1/attestations)", {kOfficer, kAuditor}, &Attestations},
      {"GET", R"(/v1/attestations/([A-Za-z0-9-]{1,64}))", {kOfficer, kAuditor}, &Attestation},
      {"GET", R"(/v1/public-key)", {kOfficer, kResearcher, kAuditor}, &PublicKey},
  };
  return kRoutes;
}

}  // namespace privet::server
