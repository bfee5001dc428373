// Inline SVG charts for the quality report page (html_report.h): grouped bar charts and
// annotated heat maps with a colour legend. Pure string building: no script, no external
// resource. Internal to engine/quality; the page is the public interface.
#ifndef PRIVET_ENGINE_QUALITY_SVG_CHARTS_H_
#define PRIVET_ENGINE_QUALITY_SVG_CHARTS_H_

#include <Eigen/Dense>
#include <string>
#include <vector>

namespace privet::engine::quality {

struct BarSeries {
  std::string name;            // legend text
  std::string colour;          // CSS colour
  std::vector<double> values;  // one per category, >= 0
};

// Vertical grouped bars: one group per category, one bar per series, a y axis with ticks and
// gridlines starting at 0, category labels under the groups (thinned and rotated when there
// are many), and a legend. All series have one value per label.
struct GroupedBarChart {
  std::string name;  // data-chart attribute, for tests
  std::string title;
  std::string subtitle;  // may be empty
  std::string y_label;
  std::vector<std::string> labels;
  std::vector<BarSeries> series;
  bool percent_axis = true;  // ticks as percentages (values are shares in [0, 1])
  // A log10 y axis from a power of ten below the smallest positive value to 100%, so that
  // categories of a fraction of a percent stay visible (zero values draw no bar). Only with
  // percent_axis.
  bool log_axis = false;
};
std::string RenderGroupedBarChart(const GroupedBarChart& chart);

// Horizontal bars, one row per label (worst first, as given), for lists too long for a grid:
// the top pairs of a wide table. A value may be negative (bars then grow both ways from a
// zero line); each value is also printed in a column at the right. Rows are 20 px apart
// and labels are cut to fit their band, so no two texts overlap.
struct HorizontalBarChart {
  std::string name;
  std::string title;
  std::string subtitle;
  std::vector<std::string> labels;
  std::vector<double> values;
  std::string colour = "#d95f02";           // positive values
  std::string negative_colour = "#2166ac";  // negative values
  int decimals = 3;
};
std::string RenderHorizontalBarChart(const HorizontalBarChart& chart);

enum class ColourScale {
  kSequential,  // light yellow (low) to dark red (high), for distances
  kDiverging,   // blue (min) - white (middle) - red (max), for correlations
};

// A square or rectangular grid of coloured cells with row labels on the left, column labels
// on top, an optional value in each cell, and a vertical colour legend from scale_min to
// scale_max. NaN cells are drawn grey and labelled "n/a".
struct HeatMap {
  std::string name;
  std::string title;
  std::string subtitle;
  std::string legend_title;
  std::vector<std::string> row_labels;
  std::vector<std::string> column_labels;
  Eigen::MatrixXd values;
  double scale_min = 0;
  double scale_max = 1;
  ColourScale scale = ColourScale::kSequential;
  int decimals = 2;  // of the cell annotations and legend ticks
};
std::string RenderHeatMap(const HeatMap& map);

// The colour of `value` on the scale, as "#rrggbb" (values outside are clamped).
std::string ScaleColour(ColourScale scale, double value, double scale_min, double scale_max);

// A round number >= value for an axis end (1, 2, 2.5, 5 times a power of ten).
double NiceCeiling(double value);

}  // namespace privet::engine::quality

#endif  // PRIVET_ENGINE_QUALITY_SVG_CHARTS_H_
