#include "server/handlers.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

#include "privacy/errors.h"
#include "privacy/ledger.h"
#include "privacy/sha256.h"
#include "release/incident_log.h"
#include "release/query_release.h"
#include "release/registration.h"
#include "release/synthesize_release.h"
#include "server/api_error.h"
#include "server/request_options.h"

namespace privet::server {
namespace {

constexpr Role kOfficer = Role::kOfficer;
constexpr Role kResearcher = Role::kResearcher;
constexpr Role kAuditor = Role::kAuditor;

Reply Json(const nlohmann::json& value, int status = 200) {
  return Reply{status, value.dump(2) + "\n", "application/json", nullptr};
}

}  // namespace

FileBody::FileBody(const std::filesystem::path& path)
    : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) {
  struct stat info {};
  if (fd_ < 0 || ::fstat(fd_, &info) != 0 || !S_ISREG(info.st_mode)) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    throw ApiError(503, "unavailable", "a deployment file cannot be read");
  }
  size_ = static_cast<std::uint64_t>(info.st_size);
}

FileBody::~FileBody() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

Reply FileReply(const std::filesystem::path& path, const std::string& content_type) {
  Reply reply;
  reply.content_type = content_type;
  reply.file = std::make_shared<FileBody>(path);
  return reply;
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

// A config the officer placed in <deployment>/configs/, named by its file name alone. The name
// is compared with the folder's own listing (regular files only, links not followed), never
// joined onto a path, so no client-supplied name reaches a file outside the folder.
std::filesystem::path DeploymentConfig(const ServiceContext& context, const std::string& name) {
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator(context.deployment.configs(), error)) {
    if (entry.path().filename().string() == name && entry.path().extension() == ".json" &&
        entry.symlink_status().type() == std::filesystem::file_type::regular) {
      return entry.path();
    }
  }
  throw ApiError(
      404, "not_found",
      "no config \"" + name + "\" in the deployment's configs/ folder (GET /v1/configs)");
}

Reply ListConfigs(ServiceContext& context, const Call&) {
  nlohmann::json configs = nlohmann::json::array();
  std::error_code error;
  std::vector<std::filesystem::path> paths;
  for (const auto& entry :
       std::filesystem::directory_iterator(context.deployment.configs(), error)) {
    if (entry.path().extension() == ".json" &&
        entry.symlink_status().type() == std::filesystem::file_type::regular) {
      paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  for (const std::filesystem::path& path : paths) {
    nlohmann::json item = {{"name", path.filename().string()}};
    try {
      std::ifstream in(path);
      const nlohmann::json config = nlohmann::json::parse(in);
      item["dataset"] = config.at("dataset").at("id");
      item["sha256"] = release::ConfigDigest(path);
    } catch (const std::exception&) {
      item["dataset"] = nullptr;  // registration would name the problem
      item["sha256"] = nullptr;
    }
    configs.push_back(item);
  }
  return Json({{"configs", configs}});
}

// A budget from a body's fields, with the command line's checks (cli/number_options.h
// ParseBudget; JSON numbers are plain decimals already): epsilon finite > 0, delta in [0, 1),
// a per-release cap finite > 0 and at most the total.
privacy::Budget BudgetFromFields(const JsonFields& fields) {
  privacy::Budget budget;
  budget.epsilon = fields.RequiredNumber("epsilon");
  budget.delta = fields.RequiredNumber("delta");
  if (!std::isfinite(budget.epsilon) || budget.epsilon <= 0) {
    throw ApiError(400, "invalid_field", "field \"epsilon\" must be a finite number > 0");
  }
  if (!std::isfinite(budget.delta) || budget.delta < 0 || budget.delta >= 1) {
    throw ApiError(400, "invalid_field", "field \"delta\" must be in [0, 1)");
  }
  budget.per_release_epsilon = fields.OptionalNumber("per_release_epsilon");
  if (budget.per_release_epsilon) {
    const double cap = *budget.per_release_epsilon;
    if (!std::isfinite(cap) || cap <= 0) {
      throw ApiError(400, "invalid_field",
                     "field \"per_release_epsilon\" must be a finite number > 0");
    }
    if (cap > budget.epsilon) {
      throw ApiError(400, "invalid_field",
                     "field \"per_release_epsilon\" exceeds the total \"epsilon\"");
    }
  }
  return budget;
}

// POST /v1/datasets: `privet dataset register` over the API (release::RegisterDataset, the
// same checks: a reviewed config, data that encodes under it in full, the unit, a budget set
// once). The officer is trusted with the data, so release/'s messages (which may name a file,
// line and column) are returned as they are.
Reply RegisterDataset(ServiceContext& context, const Call& call) {
  const JsonFields fields = JsonFields::FromBody(
      call.body, {"config", "epsilon", "delta", "per_release_epsilon", "max_failures"});
  release::RegistrationRequest request;
  request.config = DeploymentConfig(context, fields.RequiredString("config"));
  const bool has_budget = fields.OptionalNumber("epsilon") || fields.OptionalNumber("delta") ||
                          fields.OptionalNumber("per_release_epsilon");
  if (has_budget) request.budget = BudgetFromFields(fields);
  if (const std::optional<std::uint64_t> max_failures = fields.OptionalCount("max_failures")) {
    if (*max_failures > 1'000'000) {
      throw ApiError(400, "invalid_field", "field \"max_failures\" must be in [1, 1000000]");
    }
    request.max_failures = static_cast<std::int64_t>(*max_failures);
  }
  request.officer = call.principal.name;
  privacy::Registration registration;
  try {
    registration = release::RegisterDataset(context.deployment.ledger(), request);
  } catch (const UsageError& error) {
    throw ApiError(400, "invalid_request", error.what());
  } catch (const InputError& error) {
    throw ApiError(400, "invalid_request", error.what());
  }
  const privacy::BudgetLedger ledger = RequireLedger(context);
  const std::vector<std::string> ids = ledger.Datasets();  // the datasets that have a budget
  const bool budgeted = std::find(ids.begin(), ids.end(), registration.dataset_id) != ids.end();
  return Json({{"registration", privacy::ToJson(registration)},
               {"dataset",
                budgeted ? DatasetJson(ledger, registration.dataset_id) : nlohmann::json(nullptr)}},
              201);
}

// PUT /v1/datasets/{id}/budget: `privet budget init` over the API. Budgets are set once
// (privacy/ledger.h InitDataset): a dataset that has one gets 409.
Reply SetBudget(ServiceContext& context, const Call& call) {
  const JsonFields fields =
      JsonFields::FromBody(call.body, {"epsilon", "delta", "per_release_epsilon"});
  const privacy::Budget budget = BudgetFromFields(fields);
  const std::string& id = call.captures.at(0);
  privacy::BudgetLedger ledger = privacy::BudgetLedger::Open(
      context.deployment.ledger(), privacy::LedgerOpenMode::kCreateIfMissing);
  const std::vector<std::string> ids = ledger.Datasets();
  if (std::find(ids.begin(), ids.end(), id) != ids.end()) {
    throw ApiError(409, "conflict",
                   "dataset " + id + " already has a budget (budgets are set once)");
  }
  try {
    ledger.InitDataset(id, budget, call.principal.name);
  } catch (const InputError& error) {
    throw ApiError(400, "invalid_request", error.what());
  }
  return Json(DatasetJson(ledger, id), 201);
}

// A request's plan from public inputs only, through the release/ previews that `privet
// synthesize --plan` and `privet query marginal|correlation --plan` print with --json
// (PreviewSynthesis, PreviewMarginal, PreviewCorrelation): free, reads no data, charges
// nothing. The budget preview is the ledger's own charge rule (release/budget_preview.h).
// release/'s refusal of an input (an attribute the config does not have, ...) is 400
// invalid_request, naming the input.
struct PlannedRequest {
  nlohmann::json plan;   // what the commands print; plan["budget"] is null without a budget
  bool refused = false;  // the budget preview's decision is "refused"
};

PlannedRequest PlanRequest(const ServiceContext& context, const std::string& kind,
                           const release::ReleaseRequest& request, const nlohmann::json& options) {
  try {
    const release::Deployment deployment = context.deployment.ForRelease();
    if (kind == "synthesize") {
      const release::SynthesisPreview preview =
          release::PreviewSynthesis(deployment, request, SynthesizeOptionsFromJson(options));
      return {preview.ToJson(), preview.refused()};
    }
    const release::QueryOptions query = QueryOptionsFromJson(options);
    const release::QueryPreview preview =
        kind == "marginal" ? release::PreviewMarginal(deployment, request, query)
                           : release::PreviewCorrelation(deployment, request, query);
    return {preview.ToJson(), preview.refused()};
  } catch (const UsageError& error) {
    throw ApiError(400, "invalid_request", error.what());
  } catch (const InputError& error) {
    throw ApiError(400, "invalid_request", error.what());
  }
}

// POST /v1/plan: the plan of a request (PlanRequest), so "plan" is the JSON the commands print
// with --json. A plan the cap or the budget would refuse is still a 200 (it is information;
// only a request is refused): plan.budget.decision is "refused" where the command exits with
// kPlanRefused.
Reply Plan(ServiceContext& context, const Call& call) {
  const JsonFields fields =
      JsonFields::FromBody(call.body, {"dataset", "kind", "epsilon", "delta", "options"});
  release::ReleaseRequest request;
  request.dataset_id = fields.RequiredString("dataset");
  const std::string kind = fields.OptionalString("kind").value_or("synthesize");
  if (!IsRequestKind(kind)) {
    throw ApiError(400, "invalid_field",
                   "field \"kind\" must be synthesize, marginal or correlation");
  }
  request.epsilon = fields.RequiredNumber("epsilon");
  request.delta = fields.OptionalNumber("delta");
  CheckEpsilonDelta(request.epsilon, request.delta);
  const nlohmann::json options = CheckOptions(kind, fields.OptionalObject("options"));
  return Json({{"dataset", request.dataset_id},
               {"kind", kind},
               {"plan", PlanRequest(context, kind, request, options).plan}});
}

// A submitted request the ledger can never charge is refused here, before it is stored:
// the per-release cap and the budget are set once, and a dataset's composed spend only grows
// (composition never lowers a total), so a request its plan refuses now would be refused
// whenever an officer approved it. The verdict is the plan's (PlanRequest), made from the
// request's public fields and the ledger's published figures alone, never from the data:
// whatever the data, the same request gets the same answer, and the answer carries exactly
// the budget preview POST /v1/plan shows the same caller. A request the plan accepts may
// still be refused at its charge if other releases are charged first (the ledger decides,
// atomically); it then fails with the same code.
void RefuseWhatCannotBeCharged(const ServiceContext& context, const StoredRequest& stored) {
  release::ReleaseRequest request;
  request.dataset_id = stored.dataset_id;
  request.epsilon = stored.epsilon;
  request.delta = stored.delta;
  const PlannedRequest planned = PlanRequest(context, stored.kind, request, stored.options);
  if (!planned.refused) return;
  const nlohmann::json& budget = planned.plan.at("budget");
  throw ApiError(
      409, "budget_exceeded",
      budget.at("reason").get<std::string>() + "; nothing was charged and no request was recorded",
      {{"refused_by", budget.at("refused_by")}, {"budget", budget}});
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
  RefuseWhatCannotBeCharged(context, request);
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
  return FileReply(context.deployment.releases() / request.id / name, ContentType(name));
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

// POST /v1/incidents/{id}/ack: the officer acknowledges the one incident they read
// (release::IncidentLog::AcknowledgeIncident, which `privet incidents ack --incident` shares),
// never incidents recorded after it. The ack record names the officer and the note; the
// route is in the access log like every other.
Reply AcknowledgeIncident(ServiceContext& context, const Call& call) {
  const JsonFields fields = JsonFields::FromBody(call.body, {"note"}, /*allow_empty=*/true);
  const std::string note = fields.OptionalString("note").value_or("");
  const std::string& id = call.captures.at(0);
  const release::IncidentLog log(release::IncidentLogPath(context.deployment.ledger()));
  const release::IncidentAck ack = log.AcknowledgeIncident(id, call.principal.name, note);
  if (ack.outcome == release::AckOutcome::kUnknown) {
    throw ApiError(404, "not_found", "no incident " + id + " (GET /v1/incidents)");
  }
  if (ack.outcome == release::AckOutcome::kAlreadyAcknowledged) {
    throw ApiError(409, "conflict", "incident " + id + " is already acknowledged");
  }
  return Json({{"incident", release::ToJson(ack.incident)}, {"open_incidents", ack.open_after}});
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

// A whole number from the query string in [min, max], or `fallback` when absent.
std::int64_t QueryNumber(const Call& call, const std::string& key, std::int64_t fallback,
                         std::int64_t min, std::int64_t max) {
  auto it = call.query.find(key);
  if (it == call.query.end()) return fallback;
  const std::string& text = it->second;
  if (text.empty() || text.size() > 18 ||
      text.find_first_not_of("0123456789") != std::string::npos || std::stoll(text) < min ||
      std::stoll(text) > max) {
    throw ApiError(400, "invalid_field",
                   "query parameter \"" + key + "\" must be a whole number in [" +
                       std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return std::stoll(text);
}

constexpr std::int64_t kAccessLogPage = 1000, kAccessLogMaxPage = 10000;

// GET /v1/access-log?after=SEQ&limit=N: the lines after sequence number SEQ (default 0), at
// most N (default 1000, at most 10000); next_after is the sequence number to ask after for
// the next page, null when this page reached the end.
Reply AccessLogLines(ServiceContext& context, const Call& call) {
  const std::int64_t after = QueryNumber(call, "after", 0, 0, std::int64_t{1} << 53);
  const std::int64_t limit = QueryNumber(call, "limit", kAccessLogPage, 1, kAccessLogMaxPage);
  const std::int64_t total = context.access_log.size();
  nlohmann::json lines = context.access_log.Page(after, limit);
  nlohmann::json next = nullptr;
  if (!lines.empty() && lines.back()["seq"].get<std::int64_t>() < total) {
    next = lines.back()["seq"];
  }
  return Json({{"lines", std::move(lines)}, {"total", total}, {"next_after", next}});
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
  return FileReply(context.deployment.releases() / request->id / request->files.back(),
                   "application/json");
}

Reply PublicKey(ServiceContext& context, const Call&) {
  return FileReply(context.deployment.public_key(), "application/x-pem-file");
}

}  // namespace

const std::vector<Route>& Routes() {
  // Request ids are "req-" + 16 hex digits; file names are matched against the release's own
  // list, so the pattern only bounds their alphabet.
  static const std::vector<Route> kRoutes = {
      {"GET", R"(/v1/datasets)", {kResearcher, kOfficer}, &ListDatasets},
      {"POST", R"(/v1/datasets)", {kOfficer}, &RegisterDataset},
      {"PUT", R"(/v1/datasets/([A-Za-z0-9_.-]{1,128})/budget)", {kOfficer}, &SetBudget},
      {"GET", R"(/v1/configs)", {kOfficer}, &ListConfigs},
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
      {"POST", R"(/v1/incidents/([A-Za-z0-9]{1,64})/ack)", {kOfficer}, &AcknowledgeIncident},
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
