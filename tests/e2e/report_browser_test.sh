#!/usr/bin/env bash
# The quality report renders in a real browser: headless Chromium loads the page from a
# file:// URL with networking disabled and checks that
#   1. every chart (svg.chart) laid out with a non-zero size and has at least one visible mark
#      (a bar or heat-map cell with a non-zero bounding box),
#   2. the not-private warning is the first thing on the page, visible, at the very top,
#   3. a screenshot of the unmodified page is not blank.
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
# 14 attributes + TVD heat map + 2 correlation matrices + classifier.
if [[ "$expected_charts" -ne 18 ]]; then
  echo "FAIL: expected 18 charts in the page, found $expected_charts"
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

# 1 + 2: measure in the browser.
sed -e '/Content-Security-Policy/d' "$work/report.html" > "$work/measured.html"
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
  var out = document.createElement('pre');
  out.id = 'render-check';
  out.textContent = 'charts=' + charts.length + ' rendered=' + rendered +
      ' failed=' + failed.join(',') +
      ' warning_first=' + (first === warning) +
      ' warning_top=' + (w ? Math.round(w.top) : -1) +
      ' warning_height=' + (w ? Math.round(w.height) : 0) +
      ' warning_visible=' + (style ? style.display !== 'none' && style.visibility !== 'hidden' : false) +
      ' warning_says_not_private=' + (warning ? /not differentially private/.test(warning.textContent) : false);
  document.body.appendChild(out);
})();
</script>
JS
# The script goes just before </body>, after everything it measures.
awk -v script="$work/measure.js" '
  /<\/body>/ { while ((getline line < script) > 0) print line }
  { print }' "$work/measured.html" > "$work/measured.tmp" && mv "$work/measured.tmp" "$work/measured.html"
run_chromium --window-size=1280,1000 --virtual-time-budget=5000 --dump-dom \
  "file://$work/measured.html" > "$work/dom.html" 2> "$work/chromium.log" || {
  echo "FAIL: chromium --dump-dom failed:"; tail -5 "$work/chromium.log"; exit 1; }
result="$(grep -o 'id="render-check">[^<]*' "$work/dom.html" | sed 's/.*>//' || true)"
echo "browser measured: $result"
[[ -n "$result" ]] || { echo "FAIL: the measuring script did not run"; exit 1; }
[[ "$result" == *"charts=$expected_charts rendered=$expected_charts failed= "* ]] || {
  echo "FAIL: not every chart rendered"; exit 1; }
[[ "$result" == *"warning_first=true warning_top=0 "* ]] || {
  echo "FAIL: the warning is not the first thing at the top of the page"; exit 1; }
[[ "$result" == *"warning_visible=true warning_says_not_private=true"* ]] || {
  echo "FAIL: the warning is hidden or does not say the report is not private"; exit 1; }
height="$(sed -n 's/.*warning_height=\([0-9]*\).*/\1/p' <<< "$result")"
(( height >= 40 )) || { echo "FAIL: the warning is only ${height}px tall"; exit 1; }

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
echo "PASS: the report rendered $expected_charts charts in headless Chromium, warning on top"
