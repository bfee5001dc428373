// The report page's disclosure section and leakage warning (html_report_internal.h).
#include <string>

#include "engine/quality/html_report.h"
#include "engine/quality/html_report_internal.h"

namespace privet::engine::quality::html_internal {

// The figures a privacy officer reads for copying and membership, each with one sentence that
// says what it means. Not DP (the section says so): they read the real rows.
std::string DisclosureSection(const QualityReport& report) {
  if (!report.disclosure) return "";
  const DisclosureReport& d = *report.disclosure;
  const bool withheld = d.holdout_kind == HoldoutKind::kWithheld;
  const RealSplit& split = report.split;
  const bool by_unit = !withheld && !split.unit_column.empty();
  const std::string unit = EscapeHtml(split.unit_column);
  std::string reference;
  std::string holdout;
  // Why the holdout is a fair baseline, which depends on how it was drawn: true of withheld
  // rows by the officer's choice, of a unit split by construction, and of a row split only as
  // far as the config's "each row is its own unit" is (a repeated person would be on both
  // sides, as on nhanes before the split went by unit).
  std::string why;
  if (withheld) {
    reference =
        "the real table the release was made from (" + std::to_string(d.reference_rows) + " rows)";
    holdout = std::to_string(d.holdout_rows) + " real rows withheld from the release";
    why = "rows the release never saw show what chance alone gives at this size and width";
  } else if (by_unit) {
    reference = "the rows of 80% of the " + unit + " values (" + std::to_string(split.train_units) +
                " units, " + std::to_string(d.reference_rows) + " rows)";
    holdout = "the rows of the other 20% (" + std::to_string(split.test_units) + " units, " +
              std::to_string(d.holdout_rows) + " rows)";
    why = "the split keeps every row of one " + unit +
          " on the same side, so holdout rows come from other units than the reference rows "
          "and show what chance alone gives at this size and width";
  } else {
    reference = "80% of the real table (" + std::to_string(d.reference_rows) + " rows)";
    holdout = "the other 20% of the real rows (" + std::to_string(d.holdout_rows) + ")";
    why =
        "the config names no privacy unit, so each row is its own unit and the split is by "
        "row: holdout rows show what chance alone gives at this size and width, as long as "
        "no person has several rows";
  }
  std::string out =
      "<section id=\"disclosure\"><h2>Disclosure: do synthetic rows copy real ones?</h2>\n";
  out +=
      "<p class=\"explain\"><b>These figures are not differentially private</b>: they compare "
      "the synthetic rows with the real ones, row by row, and stay with this report. Rows are "
      "compared on the config's categories and bins (" +
      std::to_string(d.dimension) +
      " attributes); the <i>distance</i> between two rows is the number of attributes on "
      "which they differ. Each figure is set beside the same figure for " +
      holdout + ", measured against " + reference + ": " + why + ".</p>\n";
  out +=
      "<table class=\"numbers\" id=\"disclosure-figures\"><tr><th>figure</th><th>synthetic "
      "rows</th><th>expected (holdout rows)</th><th>what it means</th></tr>\n";
  const auto row = [](const std::string& name, const std::string& synthetic,
                      const std::string& expected, const std::string& meaning) {
    return "<tr><td>" + name + "</td><td>" + synthetic + "</td><td>" + expected +
           "</td><td class=\"meaning\">" + meaning + "</td></tr>\n";
  };
  out += row("exact copies", Percent(d.exact_copy_share), Percent(d.expected_exact_copy_share),
             "The share of rows identical, in every attribute, to some real row; a share no "
             "higher than the holdout's means copies are what coincidence gives for a table of "
             "this size and width, not memorised patients.");
  out += row("median distance to the closest real record", Fixed(d.synthetic_dcr.median, 0),
             Fixed(d.holdout_dcr.median, 0),
             "How many attributes a typical row must change to match its nearest real row; "
             "synthetic rows as far away as the holdout rows are no closer to real patients "
             "than unrelated patients are.");
  out += row("mean distance to the closest real record", Fixed(d.synthetic_dcr.mean, 2),
             Fixed(d.holdout_dcr.mean, 2),
             "The same, averaged over the rows measured (" + std::to_string(d.synthetic_dcr.rows) +
                 " synthetic, " + std::to_string(d.holdout_dcr.rows) + " holdout).");
  out += "</table>\n";
  if (d.attack) {
    const MembershipAttack& a = *d.attack;
    out +=
        "<p class=\"explain\" id=\"membership-attack\"><b>Membership attack.</b> An attacker "
        "who holds a patient's record guesses that the patient was in the release's input "
        "when the record lies within " +
        std::to_string(a.threshold) +
        " attributes of some synthetic row (the best such cut, chosen in hindsight). It "
        "recognises " +
        Percent(a.true_positive_rate) + " of the " + std::to_string(a.member_rows) +
        " input rows tried and wrongly accuses " + Percent(a.false_positive_rate) + " of the " +
        std::to_string(a.non_member_rows) + " withheld ones: an <b>advantage of " +
        Fixed(a.advantage, 3) +
        "</b> (true minus false positive rate). 0 means the synthetic table tells members "
        "and non-members apart no better than a coin; 1 means it gives every member away. "
        "With these sample sizes chance alone reaches " +
        Fixed(a.chance_level_95, 3) + " (95%).</p>\n";
  } else {
    out +=
        "<p class=\"explain\" id=\"membership-attack\"><b>Membership attack: not "
        "measured.</b> It needs real rows the release never saw, and this release was made "
        "from every real row. To measure it, synthesize from part of the rows and pass the "
        "rest with <code>--holdout</code>.</p>\n";
  }
  if (report.release) {
    out +=
        "<p class=\"explain\" id=\"dp-bound\"><b>The guarantee.</b> Whatever the attack, the "
        "release's differential privacy (epsilon " +
        Fixed(report.release->epsilon, 3) +
        ") limits anyone's advantage in telling whether one given patient was in the input "
        "to at most <b>" +
        Fixed(MembershipAdvantageBound(report.release->epsilon, report.release->delta), 3) +
        "</b>; this bound is public, the figures above are not.</p>\n";
  }
  out += "</section>\n";
  return out;
}

// Attributes that are nearly a copy of the target: a model that uses them measures the copy.
std::string LeakageWarning(const QualityReport& report) {
  if (!report.leakage || report.leakage->flagged.empty()) return "";
  std::string out =
      "<div class=\"leakage\" id=\"leakage-warning\" role=\"note\"><b>Leakage warning.</b> On "
      "the real table, these attributes almost determine <b>" +
      EscapeHtml(report.classifier->target) +
      "</b> on their own, so the accuracies below mostly measure them, not the relationships "
      "the synthetic table kept. Consider leaving them out of the target's model, or checking "
      "that they are not the target written twice.<ul>\n";
  for (const AttributeLeakage& leak : report.leakage->flagged) {
    out += "<li>" + EscapeHtml(report.attributes.at(leak.column).name) + ": predicts it alone " +
           Percent(leak.single_attribute_accuracy) + " of the time (majority class " +
           Percent(report.leakage->majority_accuracy) + "), " +
           Percent(leak.mutual_information_share) + " of its information</li>\n";
  }
  out += "</ul></div>\n";
  return out;
}

}  // namespace privet::engine::quality::html_internal
