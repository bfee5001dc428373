// Pieces of the report page (html_report.h) that live in their own files. Internal to
// engine/quality.
#ifndef PRIVET_ENGINE_QUALITY_HTML_REPORT_INTERNAL_H_
#define PRIVET_ENGINE_QUALITY_HTML_REPORT_INTERNAL_H_

#include <string>

#include "engine/quality/quality_report.h"

namespace privet::engine::quality::html_internal {

// value with `decimals` digits after the point ("%.*f").
std::string Fixed(double value, int decimals);
// A share in [0, 1] as a percentage with one decimal ("12.5%").
std::string Percent(double share);

// The disclosure section (html_disclosure.cc): exact copies, distances to the closest real
// record and the membership attack against their holdout baseline, and the DP bound when the
// release is named; "" without disclosure figures.
std::string DisclosureSection(const QualityReport& report);

// The leakage box of the classifier section; "" when no attribute is flagged.
std::string LeakageWarning(const QualityReport& report);

}  // namespace privet::engine::quality::html_internal

#endif  // PRIVET_ENGINE_QUALITY_HTML_REPORT_INTERNAL_H_
