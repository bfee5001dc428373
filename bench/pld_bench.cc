// Time of the accountant on large event lists (issue 14: 10,000 events under 1 s). Not a test:
// prints wall times (median of 5) of ComposeEpsilon, the RDP bound and the PLD bound alone.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "privacy/accountant.h"

namespace {

using privet::privacy::PrivacyEvent;

// ComposeEpsilon keeps the last four compositions of its thread (accountant.cc): four other
// compositions before each timed run evict the list under test, so every run composes it.
void EvictCompositionCache() {
  for (int i = 1; i <= 4; ++i) {
    const std::vector<PrivacyEvent> other = {PrivacyEvent::Laplace(0.5 + 0.01 * i)};
    (void)privet::privacy::ComposeEpsilon(other, 1e-6);
  }
}

double MedianSeconds(const std::function<double()>& run, double* result) {
  std::vector<double> times;
  for (int i = 0; i < 5; ++i) {
    EvictCompositionCache();
    const auto start = std::chrono::steady_clock::now();
    *result = run();
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[2];
}

void Report(const std::string& name, const std::vector<PrivacyEvent>& events, double delta) {
  double combined = 0;
  double rdp = 0;
  const double t_all =
      MedianSeconds([&] { return privet::privacy::ComposeEpsilon(events, delta); }, &combined);
  const double t_rdp =
      MedianSeconds([&] { return privet::privacy::ComposeEpsilonRdp(events, delta); }, &rdp);
  std::printf(
      "%-44s events %6zu  epsilon %.6f (RDP %.6f)  ComposeEpsilon %.3f s  RDP alone %.3f s\n",
      name.c_str(), events.size(), combined, rdp, t_all, t_rdp);
}

// One adult-like synthesize plan (k = 14 attributes, with pairs): 14 one-way marginals,
// 13 structure selections, 13 family marginals, 91 pair marginals = 131 events.
void AppendPlan(std::vector<PrivacyEvent>& events, double scale) {
  for (int i = 0; i < 14; ++i) events.push_back(PrivacyEvent::Gaussian(60 * scale, 1));
  for (int i = 0; i < 13; ++i) events.push_back(PrivacyEvent::Exponential(0.03 / scale));
  for (int i = 0; i < 13; ++i) events.push_back(PrivacyEvent::Gaussian(20 * scale, 1));
  for (int i = 0; i < 91; ++i) events.push_back(PrivacyEvent::Gaussian(110 * scale, 1));
}

}  // namespace

int main() {
  const double delta = 1e-6;
  std::vector<PrivacyEvent> one_plan;
  AppendPlan(one_plan, 1.0);
  Report("one adult-like plan", one_plan, delta);

  Report("10,000 x gaussian(200, 1)",
         std::vector<PrivacyEvent>(10000, PrivacyEvent::Gaussian(200, 1)), delta);
  Report("10,000 x laplace(0.01)", std::vector<PrivacyEvent>(10000, PrivacyEvent::Laplace(0.01)),
         delta);

  // A busy dataset's history: 76 plans at different epsilons (228 distinct events) plus 24
  // marginal queries, 10,000 events.
  std::vector<PrivacyEvent> history;
  for (int plan = 0; plan < 76; ++plan) AppendPlan(history, 3.0 + 0.1 * plan);
  while (history.size() < 10000) history.push_back(PrivacyEvent::Gaussian(400, 1));
  Report("10,000: 76 plans + marginals (229 groups)", history, delta);

  // Worst case for grouping: every event different.
  std::vector<PrivacyEvent> distinct;
  for (int i = 0; i < 1000; ++i) distinct.push_back(PrivacyEvent::Laplace(0.001 * (1 + i * 1e-3)));
  Report("1,000 distinct laplace", distinct, delta);
  return 0;
}
