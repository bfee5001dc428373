#include "engine/quality/html_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "engine/quality/html_report_internal.h"
#include "engine/quality/svg_charts.h"

namespace privet::engine::quality {

std::string html_internal::Fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string html_internal::Percent(double share) { return Fixed(100 * share, 1) + "%"; }

namespace {

constexpr const char* kRealColour = "#1f4e79";       // dark blue
constexpr const char* kSyntheticColour = "#f28e2b";  // orange: distinct for colour-blind readers

using html_internal::DisclosureSection;
using html_internal::Fixed;
using html_internal::LeakageWarning;
using html_internal::Percent;

// Above this many attributes a k x k grid has cells too small to label: the page lists the
// top pairs instead.
constexpr std::size_t kLargestGrid = 24;
constexpr std::size_t kTopPairs = 25;

// The (i, j), i < j, pairs of a symmetric matrix with the largest values (or absolute values),
// largest first; undefined (NaN) entries are skipped.
std::vector<std::pair<std::size_t, std::size_t>> TopPairs(const Eigen::MatrixXd& matrix,
                                                          std::size_t count, bool absolute) {
  std::vector<std::pair<double, std::pair<std::size_t, std::size_t>>> entries;
  const auto n = static_cast<std::size_t>(matrix.rows());
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      const double v = matrix(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
      if (std::isfinite(v)) entries.push_back({absolute ? std::abs(v) : v, {i, j}});
    }
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t k = 0; k < entries.size() && k < count; ++k) out.push_back(entries[k].second);
  return out;
}

// Log bars when some category holds a fraction of a percent, which a linear axis draws flat.
bool HasRareCategory(const AttributeComparison& attribute) {
  for (const auto* shares : {&attribute.real_shares, &attribute.synthetic_shares}) {
    for (double share : *shares) {
      if (share > 0 && share < 0.01) return true;
    }
  }
  return false;
}

// Everything inline: a system font stack, no web font, no external stylesheet.
constexpr const char* kStyle = R"css(
body { font-family: -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif;
       color: #222; background: #fafafa; margin: 0; }
main { max-width: 1180px; margin: 0 auto; padding: 0 24px 48px; }
.warning { background: #b00020; color: #fff; padding: 18px 24px; border-bottom: 4px solid #600;
           font-size: 16px; line-height: 1.45; }
.warning strong { font-size: 20px; display: block; margin-bottom: 4px; letter-spacing: 0.02em; }
h1 { font-size: 26px; margin: 24px 0 4px; }
h2 { font-size: 20px; margin: 36px 0 6px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p.meta { color: #555; margin: 0 0 12px; font-size: 14px; }
p.explain { max-width: 860px; font-size: 14px; line-height: 1.5; color: #333; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 12px 16px;
        min-width: 150px; }
.card .value { font-size: 24px; font-weight: 600; }
.card .label { font-size: 12px; color: #555; }
table.numbers { border-collapse: collapse; background: #fff; font-size: 14px; }
table.numbers th, table.numbers td { border: 1px solid #ddd; padding: 5px 10px; text-align: right; }
table.numbers th { background: #f0f0f0; }
table.numbers td:first-child, table.numbers th:first-child { text-align: left; }
table.numbers.tvd td:nth-child(2), table.numbers.tvd th:nth-child(2) { text-align: left; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.panel { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 10px 12px;
         max-width: 100%; overflow-x: auto; box-sizing: border-box; }
svg.chart { display: block; font-size: 11px; }
svg .chart-title { font-size: 14px; font-weight: 600; fill: #222; }
svg .chart-subtitle { font-size: 12px; fill: #555; }
svg .tick { font-size: 11px; fill: #333; }
svg .tick.small { font-size: 9px; }
svg .legend { font-size: 12px; fill: #222; }
svg .axis-label { font-size: 11px; fill: #555; }
svg .note { font-size: 10px; fill: #777; font-style: italic; }
svg .cell-value { font-size: 10px; }
svg .grid { stroke: #e6e6e6; stroke-width: 1; }
svg .axis { stroke: #555; stroke-width: 1; }
svg .cell { stroke: #fff; stroke-width: 1; }
footer { margin-top: 40px; color: #777; font-size: 12px; }
table.release th { text-align: left; padding-right: 1em; }
.worst { display: flex; flex-wrap: wrap; gap: 2em; }
.leakage { background: #fff4e5; border-left: 4px solid #e07b00; padding: 8px 14px; margin: 12px 0;
           max-width: 860px; font-size: 14px; }
td.meaning { text-align: left !important; max-width: 480px; font-size: 13px; color: #333; }
)css";

std::string Card(const std::string& value, const std::string& label) {
  return "<div class=\"card\"><div class=\"value\">" + EscapeHtml(value) +
         "</div><div class=\"label\">" + EscapeHtml(label) + "</div></div>\n";
}

std::string WaySentence(const WayTvd& way) {
  if (!way.sampled) {
    return "all " + std::to_string(way.total_sets) + " sets";
  }
  return std::to_string(way.evaluated_sets) + " of " + std::to_string(way.total_sets) +
         " sets, drawn uniformly at random (fixed seed)";
}

std::string Summary(const QualityReport& report) {
  std::string out = "<div class=\"cards\">\n";
  for (const auto& way : report.marginal_tvd) {
    out += Card(Fixed(way.mean, 4),
                "mean " + std::to_string(way.way) + "-way TVD (" + WaySentence(way) + ")");
  }
  if (report.correlation && report.correlation->mean_absolute_difference) {
    out += Card(Fixed(*report.correlation->mean_absolute_difference, 4),
                "mean |correlation difference|");
  }
  if (report.classifier) {
    out += Card(Percent(report.classifier->accuracy_train_synthetic),
                "accuracy trained on synthetic (logistic regression)");
    out += Card(Percent(report.classifier->accuracy_train_real),
                "accuracy trained on real (logistic regression)");
  }
  out += "</div>\n";
  return out;
}

std::string MarginalSection(const QualityReport& report) {
  std::string out = "<h2>1. How far apart are the distributions?</h2>\n";
  out +=
      "<p class=\"explain\">The <b>total variation distance (TVD)</b> between two "
      "distributions is the share of rows that would have to change category to turn one "
      "into the other: 0 means identical, 1 means nothing in common. A <i>k</i>-way TVD "
      "compares the joint distribution of <i>k</i> attributes at a time, so 2- and 3-way "
      "TVDs show whether relationships between attributes survived, not only each attribute "
      "on its own. As a rough guide, values below 0.05 are close and above 0.2 are far. "
      "Values use the config's categories, bins and date buckets, with missing as its own "
      "category.</p>\n";
  out +=
      "<table class=\"numbers tvd\"><tr><th>marginals</th><th>sets compared</th>"
      "<th>mean TVD</th><th>largest TVD</th></tr>\n";
  for (const auto& way : report.marginal_tvd) {
    out += "<tr><td>" + std::to_string(way.way) + "-way</td><td>" + EscapeHtml(WaySentence(way)) +
           "</td><td>" + Fixed(way.mean, 4) + "</td><td>" + Fixed(way.max, 4) + "</td></tr>\n";
  }
  out += "</table>\n";

  const std::size_t n = report.attributes.size();
  if (n >= 2 && n <= kLargestGrid) {
    HeatMap map;
    map.name = "pairwise-tvd";
    map.title = "2-way TVD for every pair of attributes";
    map.subtitle =
        "darker = the pair's joint distribution is reproduced less well; "
        "diagonal = the attribute alone";
    map.legend_title = "TVD";
    for (const auto& attribute : report.attributes) {
      map.row_labels.push_back(attribute.name);
      map.column_labels.push_back(attribute.name);
    }
    map.values = report.pairwise_tvd;
    map.scale = ColourScale::kSequential;
    map.scale_min = 0;
    map.scale_max = NiceCeiling(std::max(report.pairwise_tvd.maxCoeff(), 0.05));
    map.decimals = 2;
    out += "<div class=\"charts\"><div class=\"panel\">" + RenderHeatMap(map) + "</div></div>\n";
  } else if (n > kLargestGrid) {
    // A grid of n x n cells would be too small to read: the worst pairs, as bars.
    HorizontalBarChart chart;
    chart.name = "pairwise-tvd-top";
    chart.title = "The " + std::to_string(kTopPairs) + " pairs with the largest 2-way TVD";
    chart.subtitle = std::to_string(n * (n - 1) / 2) + " pairs in all; the JSON has every one";
    for (const auto& [i, j] : TopPairs(report.pairwise_tvd, kTopPairs, false)) {
      chart.labels.push_back(report.attributes[i].name + " \u00d7 " + report.attributes[j].name);
      chart.values.push_back(
          report.pairwise_tvd(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)));
    }
    out += "<div class=\"charts\"><div class=\"panel\">" + RenderHorizontalBarChart(chart) +
           "</div></div>\n";
  }
  return out;
}

std::string CorrelationSection(const QualityReport& report) {
  std::string out = "<h2>2. Do numeric attributes move together as in the real data?</h2>\n";
  if (!report.correlation) {
    out +=
        "<p class=\"explain\">Fewer than two integer or continuous attributes in the "
        "config: no correlation matrix to compare.</p>\n";
    return out;
  }
  const auto& correlation = *report.correlation;
  out +=
      "<p class=\"explain\">Pearson correlation between each pair of integer and continuous "
      "attributes, on their values (clamped to the config's bounds), each pair using the rows "
      "where both are present. +1 (red) means they rise together, -1 (blue) that one falls "
      "as the other rises, 0 no linear relation. The chart shows the synthetic correlation "
      "minus the real one: 0 (white) means the pair's relation was kept. Mean absolute "
      "difference over the pairs: <b>" +
      (correlation.mean_absolute_difference ? Fixed(*correlation.mean_absolute_difference, 4)
                                            : std::string("n/a")) +
      "</b>. \"n/a\" marks a pair with no variation to correlate.</p>\n<div class=\"charts\">\n";
  const Eigen::MatrixXd difference = correlation.synthetic - correlation.real;
  const std::size_t k = correlation.names.size();
  if (k <= kLargestGrid) {
    HeatMap map;
    map.name = "correlation-difference";
    map.title = "Correlation difference: synthetic minus real";
    map.subtitle = "white = kept; red = stronger in the synthetic data, blue = weaker";
    map.legend_title = "difference";
    map.row_labels = correlation.names;
    map.column_labels = correlation.names;
    map.values = difference;
    double largest = 0;
    for (Eigen::Index i = 0; i < difference.rows(); ++i) {
      for (Eigen::Index j = 0; j < difference.cols(); ++j) {
        if (std::isfinite(difference(i, j)))
          largest = std::max(largest, std::abs(difference(i, j)));
      }
    }
    map.scale = ColourScale::kDiverging;
    map.scale_max = NiceCeiling(std::max(largest, 0.05));
    map.scale_min = -map.scale_max;
    map.decimals = 2;
    out += "<div class=\"panel\">" + RenderHeatMap(map) + "</div>\n";
  } else {
    HorizontalBarChart chart;
    chart.name = "correlation-difference-top";
    chart.title = "The " + std::to_string(kTopPairs) + " pairs whose correlation changed most";
    chart.subtitle = "synthetic minus real; " + std::to_string(k * (k - 1) / 2) +
                     " pairs in all, every one in the JSON";
    for (const auto& [i, j] : TopPairs(difference, kTopPairs, true)) {
      chart.labels.push_back(correlation.names[i] + " \u00d7 " + correlation.names[j]);
      chart.values.push_back(
          difference(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)));
    }
    out += "<div class=\"panel\">" + RenderHorizontalBarChart(chart) + "</div>\n";
  }
  out += "</div>\n";
  return out;
}

std::string ClassifierSection(const QualityReport& report) {
  std::string out =
      "<h2>3. Does a model trained on the synthetic data predict like one "
      "trained on the real data?</h2>\n";
  if (!report.classifier) {
    out +=
        "<p class=\"explain\">No target column was named (<code>--target COLUMN</code>), "
        "so no classifier was trained.</p>\n";
    return out;
  }
  const auto& classifier = *report.classifier;
  // With a privacy unit the split keeps each unit's rows together (quality_report.h, RealSplit).
  const std::string unit = EscapeHtml(report.split.unit_column);
  const std::string train =
      unit.empty() ? "80% of the real rows (" + std::to_string(classifier.train_rows) + ")"
                   : "the real rows of 80% of the " + unit + " values (" +
                         std::to_string(classifier.train_rows) + " rows)";
  const std::string test =
      unit.empty()
          ? "the same remaining 20% of real rows (" + std::to_string(classifier.test_rows) + ")"
          : "the same real rows of the other 20% (" + std::to_string(classifier.test_rows) +
                "), so no " + unit + " is both trained and tested on";
  out +=
      "<p class=\"explain\">Two simple classifiers, logistic regression and naive Bayes, "
      "predict <b>" +
      EscapeHtml(classifier.target) + "</b> from all other attributes. Each is trained once on " +
      train + " and once on the synthetic table (" + std::to_string(classifier.synthetic_rows) +
      " rows), and all are tested on " + test +
      ". If the synthetic data kept the relationships that matter for this prediction, the "
      "<span style=\"color:" +
      std::string(kRealColour) +
      "\"><b>real</b></span> and <span style=\"color:" + kSyntheticColour +
      "\"><b>synthetic</b></span> bars of a model are close. Always guessing the most common "
      "value gives the baseline; a useful model beats it. Read the gap between the two bars "
      "of a model more than their height.</p>\n";
  out += LeakageWarning(report);
  GroupedBarChart chart;
  chart.name = "classifier-accuracy";
  chart.title = "Accuracy predicting " + classifier.target + " on held-out real rows";
  chart.subtitle = "bars: model trained on real vs on synthetic rows";
  chart.y_label = "accuracy";
  chart.labels = {"logistic regression", "naive Bayes", "majority baseline"};
  chart.series = {
      {"trained on real",
       kRealColour,
       {classifier.accuracy_train_real, classifier.naive_bayes_accuracy_train_real,
        classifier.majority_accuracy}},
      {"trained on synthetic",
       kSyntheticColour,
       {classifier.accuracy_train_synthetic, classifier.naive_bayes_accuracy_train_synthetic,
        classifier.majority_accuracy}}};
  out += "<div class=\"charts\"><div class=\"panel\">" + RenderGroupedBarChart(chart) +
         "</div>\n<div class=\"panel\"><table class=\"numbers\"><tr><th>model</th>"
         "<th>trained on real</th><th>trained on synthetic</th></tr>\n"
         "<tr><td>logistic regression</td><td>" +
         Percent(classifier.accuracy_train_real) + "</td><td>" +
         Percent(classifier.accuracy_train_synthetic) + "</td></tr>\n<tr><td>naive Bayes</td><td>" +
         Percent(classifier.naive_bayes_accuracy_train_real) + "</td><td>" +
         Percent(classifier.naive_bayes_accuracy_train_synthetic) +
         "</td></tr>\n<tr><td>majority baseline</td><td colspan=\"2\">" +
         Percent(classifier.majority_accuracy) + "</td></tr></table></div></div>\n";
  return out;
}

std::string RuleSection(const QualityReport& report) {
  if (report.rules.empty()) return "";
  std::string out = "<h2>5. Do the synthetic rows obey the declared rules?</h2>\n";
  out +=
      "<p class=\"explain\">The config's constraints and derived columns, and the rows of "
      "each table that break them. privet never samples a row that breaks one, so the "
      "synthetic column should read 0; the real column shows whether the rule holds in the "
      "data.</p>\n<table class=\"numbers\"><tr><th>rule</th><th>real rows breaking it</th>"
      "<th>synthetic rows breaking it</th></tr>\n";
  for (const RuleCheck& rule : report.rules) {
    out += "<tr><td>" + EscapeHtml(rule.name) + "</td><td>" + std::to_string(rule.real_violations) +
           "</td><td>" + std::to_string(rule.synthetic_violations) + "</td></tr>\n";
  }
  out += "</table>\n";
  return out;
}

std::string AttributeSection(const QualityReport& report) {
  std::string out = "<h2>4. Each attribute, real vs synthetic</h2>\n";
  out +=
      "<p class=\"explain\">For every attribute, the share of rows in each category, bin or "
      "date bucket of the config: <span style=\"color:" +
      std::string(kRealColour) +
      "\"><b>real</b></span> beside <span style=\"color:" + kSyntheticColour +
      "\"><b>synthetic</b></span>. Bars of equal height mean the attribute is reproduced "
      "well on its own. Where a category holds under 1% of the rows, the axis is logarithmic "
      "(each gridline ten times the one below), so rare categories stay visible. Hover a bar "
      "for its exact share.</p>\n<div class=\"charts\">\n";
  for (const auto& attribute : report.attributes) {
    GroupedBarChart chart;
    chart.name = "attribute-" + attribute.name;
    chart.title = attribute.name;
    chart.subtitle = attribute.type + ", TVD " + Fixed(attribute.tvd, 4);
    chart.y_label = "share of rows";
    chart.labels = attribute.labels;
    chart.series = {{"real", kRealColour, attribute.real_shares},
                    {"synthetic", kSyntheticColour, attribute.synthetic_shares}};
    chart.log_axis = HasRareCategory(attribute);
    out += "<div class=\"panel\">" + RenderGroupedBarChart(chart) + "</div>\n";
  }
  out += "</div>\n";
  return out;
}

}  // namespace

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The release named by its attestation: what the officer files the report under.
std::string ReleaseHeaderSection(const QualityReport& report) {
  if (!report.release) {
    return "<p class=\"meta\" id=\"release-header\">Release: not named (pass "
           "<code>--attestation</code> to name the release this table came from)</p>\n";
  }
  const ReleaseHeader& r = *report.release;
  const auto row = [](const std::string& key, const std::string& value) {
    return "<tr><th>" + key + "</th><td>" + EscapeHtml(value) + "</td></tr>\n";
  };
  char cost[96];
  std::snprintf(cost, sizeof cost, "epsilon %.6g, delta %.6g", r.epsilon, r.delta);
  return "<table class=\"release\" id=\"release-header\">\n" + row("release", r.release_id) +
         row("dataset", r.dataset_id) + row("kind", r.kind) + row("cost", cost) +
         row("attestation sha256", r.attestation_sha256) +
         row("ledger entry hash", r.ledger_entry_hash) + row("released", r.time) + "</table>\n";
}

// The attributes and pairs whose distributions differ most, worst first.
std::string WorstSection(const QualityReport& report) {
  std::vector<std::size_t> order(report.attributes.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return report.attributes[a].tvd > report.attributes[b].tvd;
  });
  std::string out =
      "<h2>Worst first</h2>\n<p>The attributes and pairs of attributes whose synthetic "
      "distribution is furthest from the real one (total variation distance: the share of rows "
      "that would have to move to make them equal). Start reviewing here.</p>\n"
      "<div class=\"worst\"><ol id=\"worst-attributes\">\n";
  for (std::size_t k = 0; k < order.size() && k < kWorstListSize; ++k) {
    const AttributeComparison& a = report.attributes[order[k]];
    char tvd[32];
    std::snprintf(tvd, sizeof tvd, "%.3f", a.tvd);
    out += "<li>" + EscapeHtml(a.name) + ": TVD " + tvd + "</li>\n";
  }
  out += "</ol>\n<ol id=\"worst-pairs\">\n";
  struct Pair {
    std::size_t i, j;
    double tvd;
  };
  std::vector<Pair> pairs;
  const auto n = static_cast<std::size_t>(report.pairwise_tvd.rows());
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      pairs.push_back(
          {i, j, report.pairwise_tvd(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j))});
    }
  }
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const Pair& a, const Pair& b) { return a.tvd > b.tvd; });
  for (std::size_t k = 0; k < pairs.size() && k < kWorstListSize; ++k) {
    if (pairs[k].i >= report.attributes.size() || pairs[k].j >= report.attributes.size()) break;
    char tvd[32];
    std::snprintf(tvd, sizeof tvd, "%.3f", pairs[k].tvd);
    out += "<li>" + EscapeHtml(report.attributes[pairs[k].i].name) + " &times; " +
           EscapeHtml(report.attributes[pairs[k].j].name) + ": TVD " + tvd + "</li>\n";
  }
  out += "</ol></div>\n";
  return out;
}

std::string RenderHtmlReport(const QualityReport& report) {
  std::string page =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      // No network: a CSP that forbids every external load, so even a crafted label cannot
      // make the page fetch anything.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>CONFIDENTIAL quality report: " +
      EscapeHtml(report.dataset_id) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  page +=
      "<div class=\"warning\" id=\"not-private-warning\" role=\"alert\"><strong>"
      "CONFIDENTIAL &mdash; FOR THE PRIVACY OFFICER ONLY. DO NOT RELEASE.</strong>"
      "This report compares the synthetic table with the <b>real patient data</b>. Its "
      "numbers and charts are computed from the real data with no privacy protection: it "
      "is <b>not differentially private</b>. Do not release it, attach it to a release or "
      "share it with researchers. The synthetic table itself may be released; this page "
      "may not.</div>\n<main>\n";
  page += "<h1>Quality report: " + EscapeHtml(report.dataset_id) + "</h1>\n";
  page += "<p class=\"meta\">Real data: " + EscapeHtml(report.real_source) + " (" +
          std::to_string(report.real_rows) +
          " rows) &middot; Synthetic data: " + EscapeHtml(report.synthetic_source) + " (" +
          std::to_string(report.synthetic_rows) + " rows) &middot; " +
          std::to_string(report.attributes.size()) + " attributes</p>\n";
  page += ReleaseHeaderSection(report);
  page += Summary(report);
  page += WorstSection(report);
  page += DisclosureSection(report);
  page += MarginalSection(report);
  page += CorrelationSection(report);
  page += ClassifierSection(report);
  page += AttributeSection(report);
  page += RuleSection(report);
  page += "<footer>Generated by privet " + EscapeHtml(report.software_version) +
          ". Sampling seed for marginal sets: " + std::to_string(report.set_sample_seed) +
          ". The numbers are also in the JSON file written with <code>--json</code>; "
          "docs/report.md explains each chart.</footer>\n</main>\n</body>\n</html>\n";
  return page;
}

}  // namespace privet::engine::quality
