// For tests that drive the ledger directly (privacy/ledger.h), without a config or data file:
// a dataset registered with a budget, as `privet dataset register` records it, and charge
// requests made against its current registration.
#ifndef PRIVET_TESTS_LEDGER_TEST_SUPPORT_H_
#define PRIVET_TESTS_LEDGER_TEST_SUPPORT_H_

#include <string>
#include <utility>
#include <vector>

#include "privacy/ledger.h"
#include "privacy/sha256.h"

namespace privet::testing {

// The config digest a test registration records for `dataset`.
inline std::string TestConfigDigest(const std::string& dataset) {
  return Sha256Hex("config of " + dataset);
}

// Sets the dataset's budget and registers it (entries "dataset_init" then "registration").
inline privacy::Registration RegisterForTest(privacy::BudgetLedger& ledger,
                                             const std::string& dataset,
                                             const privacy::Budget& budget,
                                             const std::string& officer = "officer") {
  privacy::Registration registration;
  registration.dataset_id = dataset;
  registration.config_path = "/registered/" + dataset + ".json";
  registration.config_sha256 = TestConfigDigest(dataset);
  registration.data_source = "/registered/" + dataset + ".csv";
  registration.data_commitment = Sha256Hex("commitment of " + dataset);
  registration.unit_column = "row";
  registration.registered_by = officer;
  return ledger.Register(std::move(registration), budget, officer);
}

// A charge request for the dataset's current registration (which must exist).
inline privacy::ChargeRequest RegisteredRequest(const privacy::BudgetLedger& ledger,
                                                const std::string& dataset,
                                                std::vector<privacy::PrivacyEvent> events,
                                                const std::string& kind = "marginal") {
  privacy::ChargeRequest request;
  request.dataset_id = dataset;
  request.events = std::move(events);
  request.requester = "tester";
  request.purpose = "unit test";
  request.kind = kind;
  const auto registration = ledger.CurrentRegistration(dataset);
  request.config_sha256 = registration ? registration->config_sha256 : TestConfigDigest(dataset);
  request.registration_entry_id = registration ? registration->entry_id : 0;
  return request;
}

}  // namespace privet::testing

#endif  // PRIVET_TESTS_LEDGER_TEST_SUPPORT_H_
