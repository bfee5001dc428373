// Renders the officer's quality report (quality_report.h) as one self-contained HTML page:
// inline CSS and SVG only, no script, no font, image or stylesheet from anywhere else, so it
// opens offline and leaks nothing when opened. The first thing on the page is the warning
// that it compares against the real data, is not differentially private and must not be
// released or shared with researchers.
#ifndef PRIVET_ENGINE_QUALITY_HTML_REPORT_H_
#define PRIVET_ENGINE_QUALITY_HTML_REPORT_H_

#include <string>
#include <string_view>

#include "engine/quality/quality_report.h"

namespace privet::engine::quality {

// The whole page (UTF-8). Every SVG chart carries class="chart" and a data-chart name, which
// the browser test counts.
std::string RenderHtmlReport(const QualityReport& report);

// Text escaped for HTML element content and attribute values (& < > " ').
std::string EscapeHtml(std::string_view text);

}  // namespace privet::engine::quality

#endif  // PRIVET_ENGINE_QUALITY_HTML_REPORT_H_
