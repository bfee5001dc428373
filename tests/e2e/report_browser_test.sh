#!/usr/bin/env bash
# The quality report renders in a real browser: headless Chromium loads the page from a
# file:// URL with networking disabled and checks that
#   1. every chart (svg.chart) laid out with a non-zero size and has at least one visible mark
#      (a bar or heat-map cell with a non-zero bounding box),
#   2. the not-private warning is the first thing on the page, visible, at the very top,
#   3. a screenshot of the unmodified page is not blank,
#   4. no two text labels of a chart overlap (their getBoundingClientRect boxes, measured on the
#      SVG text elements), and the header, worst-pairs list and disclosure section are there,
# on the covid_testing report and on a generated 75-column table (report_wide_fixture.py, no
# private data), whose page must use the wide layout: top pairs instead of grids, log bars for
# the rare categories, and the leakage warning for its near-copy of the target.
# The page itself carries no script (and a CSP forbidding one), so check 1 runs on a copy with
# the CSP removed and a measuring script appended, whose result Chromium's --dump-dom prints.
#
# Usage: report_browser_test.sh PRIVET_BINARY SOURCE_DIR
# Exit 77 (skipped) when /usr/bin/chromium is not installed (scripts/test installs it).
set -euo pipefail
privet="$1"
source_dir="$2"
chromium=/usr/bin/chromium

if [[ ! -x "$chromium" ]]; then
  echo "SKIP: $chromium not installed (scripts/test installs Debian's chromium package)"
  exit 77
fi
# shellcheck source=report_make_synthetic.sh
source "$source_dir/tests/e2e/report_make_synthetic.sh"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

make_synthetic "$source_dir/data/covid_testing/covid_testing_deid.csv" "$work/synthetic.csv" 3 3 7
"$privet" report --config "$source_dir/configs/covid_testing.json" \
  --synthetic "$work/synthetic.csv" --out "$work/report.html" --target result > "$work/stdout"
grep -q "NOT PRIVATE" "$work/stdout" || { echo "FAIL: stdout lacks the NOT PRIVATE notice"; exit 1; }

expected_charts="$(grep -o 'class="chart"' "$work/report.html" | wc -l)"
# 14 attributes + TVD heat map + correlation difference matrix + classifier.
if [[ "$expected_charts" -ne 17 ]]; then
  echo "FAIL: expected 17 charts in the page, found $expected_charts"
  exit 1
fi

run_chromium() {
  # A fresh profile per run; every background service that could reach the network is off.
  local profile
  profile="$(mktemp -d "$work/profile.XXXXXX")"
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$profile" "$@"
}

# 1, 2 and 4: measure in the browser.
cat > "$work/measure.js" <<'JS'
<script>
(function () {
  var charts = document.querySelectorAll('svg.chart');
  var rendered = 0, failed = [];
  charts.forEach(function (svg) {
    var box = svg.getBoundingClientRect();
    var marks = svg.querySelectorAll('rect.bar, rect.cell');
    var visible = 0;
    marks.forEach(function (mark) {
      var b = mark.getBBox();
      var r = mark.getBoundingClientRect();
      if (b.width > 0 && b.height > 0 && r.width > 0 && r.height > 0) visible++;
    });
    if (box.width > 50 && box.height > 50 && visible > 0) rendered++;
    else failed.push(svg.getAttribute('data-chart'));
  });
  var warning = document.getElementById('not-private-warning');
  var w = warning ? warning.getBoundingClientRect() : null;
  var first = document.body.firstElementChild;
  var style = warning ? getComputedStyle(warning) : null;
  // Labels: every pair of text elements in one chart whose boxes intersect by more than 1 px
  // each way (a label's own tooltip <title> is not drawn and has no box).
  var overlaps = [];
  charts.forEach(function (svg) {
    var boxes = [];
    svg.querySelectorAll('text').forEach(function (t) {
      var r = t.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) boxes.push({r: r, text: t.textContent});
    });
    for (var i = 0; i < boxes.length; i++) {
      for (var j = i + 1; j < boxes.length; j++) {
        var a = boxes[i].r, b = boxes[j].r;
        var dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        var dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (dx > 1 && dy > 1) overlaps.push(svg.getAttribute('data-chart') + ':' +
            boxes[i].text.slice(0, 20) + '|' + boxes[j].text.slice(0, 20));
      }
    }
  });
  var count = function (selector) { return document.querySelectorAll(selector).length; };
  var out = document.createElement('pre');
  out.id = 'render-check';
  out.textContent = 'charts=' + charts.length + ' rendered=' + rendered +
      ' failed=' + failed.join(',') +
      ' warning_first=' + (first === warning) +
      ' warning_top=' + (w ? Math.round(w.top) : -1) +
      ' warning_height=' + (w ? Math.round(w.height) : 0) +
      ' warning_visible=' + (style ? style.display !== 'none' && style.visibility !== 'hidden' : false) +
      ' warning_says_not_private=' + (warning ? /not differentially private/.test(warning.textContent) : false) +
      ' header=' + count('#release-header') + ' worst_pairs=' + count('#worst-pairs li') +
      ' disclosure=' + count('#disclosure #disclosure-figures tr') +
      ' attack=' + count('#membership-attack') + ' leakage=' + count('#leakage-warning li') +
      ' top_pair_charts=' + count('svg[data-chart$="-top"]') +
      ' log_axes=' + Array.prototype.filter.call(document.querySelectorAll('svg .axis-label'),
          function (t) { return /log scale/.test(t.textContent); }).length +
      ' overlaps=' + overlaps.length + ' first_overlaps=' + overlaps.slice(0, 3).join(';');
  document.body.appendChild(out);
})();
</script>
JS
# measure_page PAGE: sets $result to what the measuring script printed for PAGE. The script
# goes just before </body>, after everything it measures.
measure_page() {
  local page="$1" measured="$work/measured.html"
  sed -e '/Content-Security-Policy/d' "$page" |
    awk -v script="$work/measure.js" '
      /<\/body>/ { while ((getline line < script) > 0) print line; close(script) }
      { print }' > "$measured"
  run_chromium --window-size=1280,1000 --virtual-time-budget=5000 --dump-dom \
    "file://$measured" > "$work/dom.html" 2> "$work/chromium.log" || {
    echo "FAIL: chromium --dump-dom failed:"; tail -5 "$work/chromium.log"; exit 1; }
  result="$(grep -o 'id="render-check">[^<]*' "$work/dom.html" | sed 's/.*>//' || true)"
  echo "browser measured $(basename "$page"): $result"
}
measure_page "$work/report.html"
[[ -n "$result" ]] || { echo "FAIL: the measuring script did not run"; exit 1; }
[[ "$result" == *"charts=$expected_charts rendered=$expected_charts failed= "* ]] || {
  echo "FAIL: not every chart rendered"; exit 1; }
[[ "$result" == *"warning_first=true warning_top=0 "* ]] || {
  echo "FAIL: the warning is not the first thing at the top of the page"; exit 1; }
[[ "$result" == *"warning_visible=true warning_says_not_private=true"* ]] || {
  echo "FAIL: the warning is hidden or does not say the report is not private"; exit 1; }
height="$(sed -n 's/.*warning_height=\([0-9]*\).*/\1/p' <<< "$result")"
(( height >= 40 )) || { echo "FAIL: the warning is only ${height}px tall"; exit 1; }
[[ "$result" == *" header=1 worst_pairs=10 disclosure=4 attack=1 "* ]] || {
  echo "FAIL: the release header, worst-pairs list or disclosure section is missing"; exit 1; }
[[ "$result" == *" overlaps=0 "* ]] || { echo "FAIL: chart labels overlap"; exit 1; }

# The wide layout: 75 columns, with a withheld holdout (so the membership attack runs) and a
# target with a near-copy (so the leakage warning shows).
/usr/bin/python3 "$source_dir/tests/e2e/report_wide_fixture.py" "$work/wide"
"$privet" report --config "$work/wide/config.json" --synthetic "$work/wide/synthetic.csv" \
  --holdout "$work/wide/holdout.csv" --target Diabetes --out "$work/wide.html" \
  --quiet > "$work/wide_stdout"
grep -q "membership attack advantage" "$work/wide_stdout" ||
  { echo "FAIL: the wide report printed no membership attack"; exit 1; }
wide_charts="$(grep -o 'class="chart"' "$work/wide.html" | wc -l)"
# 75 attributes + top TVD pairs + top correlation differences + classifier.
(( wide_charts == 78 )) || { echo "FAIL: expected 78 charts in the wide page, found $wide_charts"; exit 1; }
grep -q 'data-chart="pairwise-tvd"' "$work/wide.html" &&
  { echo "FAIL: a 75 x 75 TVD grid was drawn"; exit 1; }
measure_page "$work/wide.html"
[[ "$result" == *"charts=78 rendered=78 failed= "* ]] || {
  echo "FAIL: not every chart of the wide page rendered"; exit 1; }
[[ "$result" == *" header=1 worst_pairs=10 disclosure=4 attack=1 leakage=1 top_pair_charts=2 "* ]] || {
  echo "FAIL: the wide page lacks its header, worst pairs, disclosure, leakage warning or top pairs"
  exit 1; }
log_axes="$(sed -n 's/.*log_axes=\([0-9]*\).*/\1/p' <<< "$result")"
(( log_axes >= 1 )) || { echo "FAIL: the rare countries got no log axis"; exit 1; }
[[ "$result" == *" overlaps=0 "* ]] || { echo "FAIL: labels of the wide page overlap"; exit 1; }

# 3: a screenshot of the page exactly as written (CSP and all) is not blank.
(cd "$work" && run_chromium --window-size=1280,2400 --screenshot="$work/report.png" \
  "file://$work/report.html" > /dev/null 2>> "$work/chromium.log") || {
  echo "FAIL: chromium --screenshot failed:"; tail -5 "$work/chromium.log"; exit 1; }
size="$(stat -c %s "$work/report.png")"
# A blank 1280x2400 page compresses to a few kB; the rendered report is hundreds of kB.
(( size > 60000 )) || { echo "FAIL: the screenshot is ${size} bytes: blank page?"; exit 1; }
if /usr/bin/python3 -c 'import PIL' 2>/dev/null; then
  /usr/bin/python3 - "$work/report.png" <<'PY'
import sys
from PIL import Image
image = Image.open(sys.argv[1]).convert("RGB")
colours = image.getcolors(maxcolors=1 << 20) or []
top = image.crop((0, 0, image.width, 40)).resize((1, 1)).getpixel((0, 0))
print(f"screenshot: {image.width}x{image.height}, {len(colours)} distinct colours, "
      f"top band {top}")
# Charts in several colours, and the warning banner red at the very top.
if len(colours) < 50:
    sys.exit("FAIL: the screenshot has almost no colours: charts not drawn")
if not (top[0] > 120 and top[1] < 60 and top[2] < 60):
    sys.exit("FAIL: the top of the page is not the red warning banner")
PY
fi
# A screenshot of the wide page as written, for the record (kept only while the test runs).
(cd "$work" && run_chromium --window-size=1280,2400 --screenshot="$work/wide.png" \
  "file://$work/wide.html" > /dev/null 2>> "$work/chromium.log") || {
  echo "FAIL: chromium --screenshot of the wide page failed"; exit 1; }
wide_size="$(stat -c %s "$work/wide.png")"
(( wide_size > 60000 )) || { echo "FAIL: the wide screenshot is ${wide_size} bytes: blank?"; exit 1; }
echo "PASS: both reports rendered in headless Chromium (covid_testing $expected_charts charts, 75 columns $wide_charts), warning on top, no overlapping labels"
