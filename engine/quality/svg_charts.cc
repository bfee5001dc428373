#include "engine/quality/svg_charts.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "engine/quality/html_report.h"

namespace privet::engine::quality {
namespace {

// Width of an 11px sans-serif glyph for layout: above the average (about 6.4 px) so that a
// label of capitals still fits the room it is given.
constexpr double kCharWidth = 7.2;
constexpr std::size_t kMaxLabelChars = 22;

std::string Number(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string text = buffer;
  // "-0.00" reads as a sign that is not there.
  if (text.front() == '-' && text.find_first_not_of("-0.") == std::string::npos) text.erase(0, 1);
  return text;
}

// Decimals that show every tick of an axis from 0 in `steps` steps up to `top` exactly.
int TickDecimals(double top, int steps) {
  for (int decimals = 0; decimals < 6; ++decimals) {
    bool exact = true;
    for (int t = 0; t <= steps; ++t) {
      const double value = top * t / steps * std::pow(10.0, decimals);
      exact = exact && std::abs(value - std::round(value)) < 1e-9;
    }
    if (exact) return decimals;
  }
  return 6;
}

std::string Px(double value) { return Number(value, 1); }

// Long labels are cut with an ellipsis; the full text stays in the element's <title>.
std::string ShortLabel(const std::string& label) {
  if (label.size() <= kMaxLabelChars) return label;
  std::size_t cut = kMaxLabelChars - 1;
  while (cut > 0 && (static_cast<unsigned char>(label[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return label.substr(0, cut) + "\xE2\x80\xA6";
}

double TextWidth(const std::string& text) {
  return kCharWidth * static_cast<double>(std::min(text.size(), kMaxLabelChars));
}

struct Rgb {
  double r, g, b;
};

Rgb Parse(const char* hex) {
  unsigned int r = 0, g = 0, b = 0;
  std::sscanf(hex + 1, "%02x%02x%02x", &r, &g, &b);
  return {static_cast<double>(r), static_cast<double>(g), static_cast<double>(b)};
}

std::string Hex(const Rgb& colour) {
  char buffer[8];
  std::snprintf(
      buffer, sizeof buffer, "#%02x%02x%02x", static_cast<unsigned>(std::lround(colour.r)),
      static_cast<unsigned>(std::lround(colour.g)), static_cast<unsigned>(std::lround(colour.b)));
  return buffer;
}

// ColorBrewer YlOrRd and RdBu (Harrower & Brewer 2003), five stops each: perceptually ordered
// and readable by the common colour-vision deficiencies.
constexpr std::array<const char*, 5> kSequentialStops = {"#ffffcc", "#fed976", "#fd8d3c", "#e31a1c",
                                                         "#800026"};
constexpr std::array<const char*, 5> kDivergingStops = {"#2166ac", "#67a9cf", "#f7f7f7", "#ef8a62",
                                                        "#b2182b"};

bool IsDark(const std::string& hex) {
  const Rgb c = Parse(hex.c_str());
  return 0.299 * c.r + 0.587 * c.g + 0.114 * c.b < 140;  // ITU-R BT.601 luma
}

std::string Open(const std::string& name, double width, double height, const std::string& title) {
  return "<svg class=\"chart\" data-chart=\"" + EscapeHtml(name) +
         "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Px(width) + "\" height=\"" +
         Px(height) + "\" viewBox=\"0 0 " + Px(width) + " " + Px(height) +
         "\" role=\"img\" aria-label=\"" + EscapeHtml(title) + "\">\n";
}

std::string Text(double x, double y, const std::string& text, const std::string& attributes) {
  return "<text x=\"" + Px(x) + "\" y=\"" + Px(y) + "\" " + attributes + ">" + EscapeHtml(text) +
         "</text>\n";
}

std::string TitleBlock(const std::string& title, const std::string& subtitle) {
  std::string out = Text(0, 16, title, "class=\"chart-title\"");
  if (!subtitle.empty()) out += Text(0, 32, subtitle, "class=\"chart-subtitle\"");
  return out;
}

}  // namespace

double NiceCeiling(double value) {
  if (!(value > 0) || !std::isfinite(value)) return 1;
  const double power = std::pow(10.0, std::floor(std::log10(value)));
  for (double step : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (step * power >= value * (1 - 1e-12)) return step * power;
  }
  return 10 * power;
}

std::string ScaleColour(ColourScale scale, double value, double scale_min, double scale_max) {
  const auto& stops = scale == ColourScale::kSequential ? kSequentialStops : kDivergingStops;
  double t = scale_max > scale_min ? (value - scale_min) / (scale_max - scale_min) : 0;
  t = std::clamp(t, 0.0, 1.0);
  const double position = t * static_cast<double>(stops.size() - 1);
  const auto low = std::min(static_cast<std::size_t>(position), stops.size() - 2);
  const double f = position - static_cast<double>(low);
  const Rgb a = Parse(stops[low]);
  const Rgb b = Parse(stops[low + 1]);
  return Hex({a.r + f * (b.r - a.r), a.g + f * (b.g - a.g), a.b + f * (b.b - a.b)});
}

std::string RenderGroupedBarChart(const GroupedBarChart& chart) {
  const std::size_t n = chart.labels.size();
  if (n == 0 || chart.series.empty()) {
    throw std::invalid_argument("bar chart '" + chart.name + "': no categories or no series");
  }
  double top_value = 0;
  for (const auto& series : chart.series) {
    if (series.values.size() != n) {
      throw std::invalid_argument("bar chart '" + chart.name + "': series '" + series.name +
                                  "' has the wrong number of values");
    }
    for (double v : series.values) top_value = std::max(top_value, v);
  }
  constexpr double plot_height = 170;
  const auto plot_height_of = [](double share_of_axis) { return plot_height * share_of_axis; };
  const double y_max = chart.log_axis ? 1.0 : NiceCeiling(top_value);
  // Log axis: decades from 10^log_low to 10^0 = 100%.
  int log_low = -1;
  if (chart.log_axis) {
    double smallest = 1;
    for (const auto& series : chart.series) {
      for (double v : series.values) {
        if (v > 0) smallest = std::min(smallest, v);
      }
    }
    log_low = std::min(-1, static_cast<int>(std::floor(std::log10(smallest))));
    log_low = std::max(log_low, -6);
  }
  const auto bar_height = [&](double value) {
    if (!chart.log_axis) return plot_height_of(value / y_max);
    if (!(value > 0)) return 0.0;
    const double t = (std::log10(value) - log_low) / -log_low;
    return plot_height_of(std::clamp(t, 0.0, 1.0));
  };

  // Layout: groups are 14..44 px wide, the plot 260..880 px; labels are thinned to one per
  // 13 px so they never overlap, and rotated when they would not fit horizontally.
  const double plot_width = std::clamp(44.0 * static_cast<double>(n), 260.0, 880.0);
  const double group = plot_width / static_cast<double>(n);
  const std::size_t label_every =
      std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(16.0 / group)));
  double longest = 0;
  for (std::size_t i = 0; i < n; i += label_every) {
    longest = std::max(longest, TextWidth(ShortLabel(chart.labels[i])));
  }
  const bool rotate = longest > group * label_every - 4;
  // Rotated labels stand vertically: each takes a line's height (about 13 px) across, which the
  // thinning above keeps apart, and its length down.
  const double label_band = rotate ? longest + 16 : 20;
  // Room for a tick such as "18.75%" right of the rotated axis label.
  const double left = 72, top = chart.subtitle.empty() ? 50 : 64;
  double legend_width = 0;
  if (chart.series.size() > 1) {
    for (const auto& series : chart.series) legend_width += TextWidth(series.name) + 26;
  }
  // The legend has a row of its own (below the titles), so each needs the width alone.
  const double title_width = std::max(8.0 * static_cast<double>(chart.title.size()),
                                      6.8 * static_cast<double>(chart.subtitle.size()));
  const double width =
      std::max({left + plot_width + 16, title_width + 16, legend_width + left + 16});
  const double height = top + plot_height + label_band + 22;

  std::string svg = Open(chart.name, width, height, chart.title);
  svg += TitleBlock(chart.title, chart.subtitle);
  // Legend, top right; a single series needs none (the title names it).
  double legend_x = width - 16;
  for (auto it = chart.series.rbegin(); chart.series.size() > 1 && it != chart.series.rend();
       ++it) {
    legend_x -= TextWidth(it->name) + 26;
    svg += "<rect x=\"" + Px(legend_x) + "\" y=\"" + Px(top - 20) +
           "\" width=\"12\" height=\"12\" fill=\"" + it->colour + "\"/>\n";
    svg += Text(legend_x + 16, top - 10, it->name, "class=\"legend\"");
  }
  // Y axis: ticks, gridlines, label.
  const int ticks = chart.log_axis ? -log_low : 4;
  for (int t = 0; t <= ticks; ++t) {
    const double value = y_max * t / ticks;
    const double y = top + plot_height - plot_height * t / ticks;
    svg += "<line x1=\"" + Px(left) + "\" x2=\"" + Px(left + plot_width) + "\" y1=\"" + Px(y) +
           "\" y2=\"" + Px(y) + "\" class=\"grid\"/>\n";
    std::string tick;
    if (chart.log_axis) {
      const int power = log_low + t + 2;  // of the percentage
      tick =
          (power >= 0 ? Number(std::pow(10.0, power), 0) : Number(std::pow(10.0, power), -power)) +
          "%";
    } else {
      tick = chart.percent_axis ? Number(100 * value, TickDecimals(100 * y_max, ticks)) + "%"
                                : Number(value, TickDecimals(y_max, ticks));
    }
    svg += Text(left - 6, y + 4, tick, "class=\"tick\" text-anchor=\"end\"");
  }
  svg += "<text class=\"axis-label\" text-anchor=\"middle\" transform=\"translate(14," +
         Px(top + plot_height / 2) + ") rotate(-90)\">" +
         EscapeHtml(chart.y_label + (chart.log_axis ? " (log scale)" : "")) + "</text>\n";
  // Bars.
  const double bar_width = group * 0.8 / static_cast<double>(chart.series.size());
  for (std::size_t i = 0; i < n; ++i) {
    const double x0 = left + group * static_cast<double>(i) + group * 0.1;
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
      const double value = chart.series[s].values[i];
      const double h = bar_height(value);
      svg += "<rect class=\"bar\" x=\"" + Px(x0 + bar_width * static_cast<double>(s)) + "\" y=\"" +
             Px(top + plot_height - h) + "\" width=\"" + Px(bar_width) + "\" height=\"" + Px(h) +
             "\" fill=\"" + chart.series[s].colour + "\"><title>" +
             EscapeHtml(chart.labels[i] + " - " + chart.series[s].name + ": " +
                        Number(100 * value, 2) + "%") +
             "</title></rect>\n";
    }
    if (i % label_every == 0) {
      const double x = left + group * (static_cast<double>(i) + 0.5);
      const double y = top + plot_height + 14;
      const std::string label = ShortLabel(chart.labels[i]);
      if (rotate) {
        svg += "<text class=\"tick\" text-anchor=\"end\" transform=\"translate(" + Px(x + 4) + "," +
               Px(y - 8) + ") rotate(-90)\"><title>" + EscapeHtml(chart.labels[i]) + "</title>" +
               EscapeHtml(label) + "</text>\n";
      } else {
        svg += Text(x, y, label, "class=\"tick\" text-anchor=\"middle\"");
      }
    }
  }
  svg += "<line x1=\"" + Px(left) + "\" x2=\"" + Px(left + plot_width) + "\" y1=\"" +
         Px(top + plot_height) + "\" y2=\"" + Px(top + plot_height) + "\" class=\"axis\"/>\n";
  if (label_every > 1) {
    svg +=
        Text(left + plot_width, height - 4,
             "one label in " + std::to_string(label_every) + " shown; hover a bar for its category",
             "class=\"note\" text-anchor=\"end\"");
  }
  svg += "</svg>\n";
  return svg;
}

std::string RenderHeatMap(const HeatMap& map) {
  const auto rows = static_cast<std::size_t>(map.values.rows());
  const auto columns = static_cast<std::size_t>(map.values.cols());
  if (rows == 0 || columns == 0 || map.row_labels.size() != rows ||
      map.column_labels.size() != columns) {
    throw std::invalid_argument("heat map '" + map.name + "': labels do not match the values");
  }
  // About 700 px of grid whatever the attribute count, but never cells under 16 px, a line of
  // 11 px type, so neighbouring labels cannot overlap (the report lists the top pairs instead
  // of a grid for wide tables).
  const double cell = std::clamp(700.0 / static_cast<double>(std::max(rows, columns)), 16.0, 46.0);
  const bool annotate = cell >= 30;
  const std::string label_class = cell < 13 ? "tick small" : "tick";
  const double char_width = cell < 13 ? kCharWidth * 9 / 11 : kCharWidth;
  double row_band = 0;
  for (const auto& label : map.row_labels) {
    row_band = std::max(row_band, TextWidth(ShortLabel(label)) * char_width / kCharWidth);
  }
  double column_band = 0;
  for (const auto& label : map.column_labels) {
    column_band = std::max(column_band, TextWidth(ShortLabel(label)) * char_width / kCharWidth);
  }
  const double left = row_band + 12;
  const double top = (map.subtitle.empty() ? 44 : 58) + column_band + 10;
  const double grid_width = cell * static_cast<double>(columns);
  const double grid_height = cell * static_cast<double>(rows);
  const double legend_x = left + grid_width + 26;
  const double legend_height = std::max(grid_height, 120.0);
  const double width = std::max(legend_x + 90, 360.0);
  const double height = top + legend_height + 20;

  std::string svg = Open(map.name, width, height, map.title);
  svg += TitleBlock(map.title, map.subtitle);
  for (std::size_t j = 0; j < columns; ++j) {
    const double x = left + cell * (static_cast<double>(j) + 0.5);
    svg += "<text class=\"" + label_class + "\" transform=\"translate(" + Px(x + 4) + "," +
           Px(top - 6) + ") rotate(-90)\"><title>" + EscapeHtml(map.column_labels[j]) + "</title>" +
           EscapeHtml(ShortLabel(map.column_labels[j])) + "</text>\n";
  }
  for (std::size_t i = 0; i < rows; ++i) {
    const double y = top + cell * static_cast<double>(i);
    svg += "<text class=\"" + label_class + "\" text-anchor=\"end\" x=\"" + Px(left - 6) +
           "\" y=\"" + Px(y + cell / 2 + 3) + "\"><title>" + EscapeHtml(map.row_labels[i]) +
           "</title>" + EscapeHtml(ShortLabel(map.row_labels[i])) + "</text>\n";
    for (std::size_t j = 0; j < columns; ++j) {
      const double value = map.values(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
      const bool defined = std::isfinite(value);
      const std::string fill =
          defined ? ScaleColour(map.scale, value, map.scale_min, map.scale_max) : "#d9d9d9";
      const std::string text = defined ? Number(value, map.decimals) : "n/a";
      const double x = left + cell * static_cast<double>(j);
      svg += "<rect class=\"cell\" x=\"" + Px(x) + "\" y=\"" + Px(y) + "\" width=\"" + Px(cell) +
             "\" height=\"" + Px(cell) + "\" fill=\"" + fill + "\"><title>" +
             EscapeHtml(map.row_labels[i] + " x " + map.column_labels[j] + ": " + text) +
             "</title></rect>\n";
      if (annotate) {
        svg += Text(x + cell / 2, y + cell / 2 + 4, text,
                    std::string("class=\"cell-value\" text-anchor=\"middle\" fill=\"") +
                        (defined && IsDark(fill) ? "#ffffff" : "#222222") + "\"");
      }
    }
  }
  // Colour legend: a vertical gradient (top = scale_max) with five ticks.
  const std::string gradient_id = "scale-" + map.name;
  svg += "<defs><linearGradient id=\"" + EscapeHtml(gradient_id) +
         "\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">";
  for (int s = 0; s <= 10; ++s) {
    const double t = s / 10.0;
    svg += "<stop offset=\"" + Number(t, 2) + "\" stop-color=\"" +
           ScaleColour(map.scale, map.scale_min + t * (map.scale_max - map.scale_min),
                       map.scale_min, map.scale_max) +
           "\"/>";
  }
  svg += "</linearGradient></defs>\n";
  // Above the top tick's line (which is centred on the bar's top edge).
  svg += Text(legend_x, top - 14, map.legend_title, "class=\"legend\"");
  svg += "<rect class=\"legend-bar\" x=\"" + Px(legend_x) + "\" y=\"" + Px(top) +
         "\" width=\"14\" height=\"" + Px(legend_height) + "\" fill=\"url(#" +
         EscapeHtml(gradient_id) + ")\" stroke=\"#888\" stroke-width=\"0.5\"/>\n";
  for (int t = 0; t <= 4; ++t) {
    const double value = map.scale_min + (map.scale_max - map.scale_min) * t / 4;
    const double y = top + legend_height - legend_height * t / 4;
    svg += "<line x1=\"" + Px(legend_x + 14) + "\" x2=\"" + Px(legend_x + 18) + "\" y1=\"" + Px(y) +
           "\" y2=\"" + Px(y) + "\" class=\"axis\"/>\n";
    const int decimals = std::max(TickDecimals(map.scale_max - map.scale_min, 4),
                                  TickDecimals(std::abs(map.scale_min), 1));
    svg += Text(legend_x + 21, y + 4, Number(value, decimals), "class=\"tick\"");
  }
  svg += "</svg>\n";
  return svg;
}

std::string RenderHorizontalBarChart(const HorizontalBarChart& chart) {
  const std::size_t n = chart.labels.size();
  if (n == 0 || chart.values.size() != n) {
    throw std::invalid_argument("bar chart '" + chart.name + "': labels do not match the values");
  }
  constexpr std::size_t kMaxRowLabelChars = 48;  // a pair: two names of up to 22 and " x "
  const auto row_label = [&](const std::string& label) {
    if (label.size() <= kMaxRowLabelChars) return label;
    std::size_t cut = kMaxRowLabelChars - 1;
    while (cut > 0 && (static_cast<unsigned char>(label[cut]) & 0xC0) == 0x80) --cut;
    return label.substr(0, cut) + "\xE2\x80\xA6";
  };
  double band = 0;
  double largest = 0;
  bool negative = false;
  for (std::size_t i = 0; i < n; ++i) {
    band = std::max(band, kCharWidth * static_cast<double>(row_label(chart.labels[i]).size()));
    largest = std::max(largest, std::abs(chart.values[i]));
    negative = negative || chart.values[i] < 0;
  }
  const double axis_end = NiceCeiling(std::max(largest, 1e-9));
  constexpr double kPitch = 20, kPlotWidth = 360, kValueColumn = 64;
  const double left = band + 12;
  const double top = chart.subtitle.empty() ? 44 : 58;
  const double zero_x = negative ? left + kPlotWidth / 2 : left;
  const double scale = (negative ? kPlotWidth / 2 : kPlotWidth) / axis_end;
  const double title_width = std::max(8.0 * static_cast<double>(chart.title.size()),
                                      6.8 * static_cast<double>(chart.subtitle.size()));
  const double width = std::max(left + kPlotWidth + kValueColumn + 8, title_width + 16);
  const double height = top + kPitch * static_cast<double>(n) + 30;

  std::string svg = Open(chart.name, width, height, chart.title);
  svg += TitleBlock(chart.title, chart.subtitle);
  for (std::size_t i = 0; i < n; ++i) {
    const double y = top + kPitch * static_cast<double>(i);
    const double value = chart.values[i];
    const double length = std::abs(value) * scale;
    const double x = value < 0 ? zero_x - length : zero_x;
    svg += Text(left - 6, y + 14, row_label(chart.labels[i]), "class=\"tick\" text-anchor=\"end\"");
    svg += "<rect class=\"bar\" x=\"" + Px(x) + "\" y=\"" + Px(y + 3) + "\" width=\"" +
           Px(std::max(length, 0.5)) + "\" height=\"" + Px(kPitch - 6) + "\" fill=\"" +
           (value < 0 ? chart.negative_colour : chart.colour) + "\"><title>" +
           EscapeHtml(chart.labels[i] + ": " + Number(value, chart.decimals)) + "</title></rect>\n";
    svg += Text(left + kPlotWidth + kValueColumn, y + 14, Number(value, chart.decimals),
                "class=\"tick\" text-anchor=\"end\"");
  }
  const double axis_y = top + kPitch * static_cast<double>(n);
  svg += "<line x1=\"" + Px(zero_x) + "\" x2=\"" + Px(zero_x) + "\" y1=\"" + Px(top) + "\" y2=\"" +
         Px(axis_y) + "\" class=\"axis\"/>\n";
  // Axis ends and zero under the bars.
  svg += Text(zero_x, axis_y + 16, "0", "class=\"tick\" text-anchor=\"middle\"");
  svg += Text(zero_x + axis_end * scale, axis_y + 16, Number(axis_end, chart.decimals),
              "class=\"tick\" text-anchor=\"end\"");
  if (negative) {
    svg += Text(zero_x - axis_end * scale, axis_y + 16, Number(-axis_end, chart.decimals),
                "class=\"tick\" text-anchor=\"start\"");
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace privet::engine::quality
