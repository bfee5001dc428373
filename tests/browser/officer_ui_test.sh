#!/usr/bin/env bash
# The officer's page /ui in a real browser: Debian's chromium driven by puppeteer-core
# (tests/browser/package.json pins it; scripts/test installs it with `npm ci` into
# BUILD_DIR/browser-deps). Builds a deployment, starts `privet serve` on a loopback port, runs
# officer_ui_test.js, and stops the service (always, via the trap). The screenshot is kept in
# OUT_DIR/officer_ui.png.
#   officer_ui_test.sh PRIVET_BINARY SOURCE_DIR DEPS_DIR OUT_DIR
# Skipped (77) without node, chromium or the installed puppeteer-core.
set -euo pipefail
privet="$1"
source_dir="$2"
deps="$3"
out="$4"
chromium="${PRIVET_CHROMIUM:-/usr/bin/chromium}"
command -v node > /dev/null || { echo "node missing: skipped (scripts/test installs it)"; exit 77; }
[ -x "$chromium" ] || { echo "$chromium missing: skipped (scripts/test installs it)"; exit 77; }
[ -d "$deps/node_modules/puppeteer-core" ] ||
  { echo "puppeteer-core not installed in $deps: skipped (scripts/test runs npm ci)"; exit 77; }
# shellcheck source=tests/e2e/serve_support.sh
source "$source_dir/tests/e2e/serve_support.sh"
serve_scratch_deployment "$privet" "$source_dir"
# A real incident for the page to acknowledge: a pending request that the test turns into what a
# killed service leaves (state running), and the restart's recovery records its incident.
curl -sS --fail --cacert "$dep/tls/cert.pem" "https://127.0.0.1:$serve_port/v1/requests" \
  -H "Authorization: Bearer $(cat "$dep/rita.token")" \
  -d '{"dataset":"covid_testing","kind":"marginal","epsilon":1,"purpose":"interrupted","options":{"attributes":["gender"]}}' \
  > /dev/null
serve_stop
sqlite3 "$dep/requests.db" "UPDATE requests SET state='running' WHERE state='pending'"
serve_start "$privet" "$dep" "$scratch/serve.err"
mkdir -p "$out"
PRIVET_URL="https://127.0.0.1:$serve_port" PRIVET_CA="$dep/tls/cert.pem" \
  PRIVET_OFFICER_TOKEN="$(cat "$dep/olivia.token")" \
  PRIVET_RESEARCHER_TOKEN="$(cat "$dep/rita.token")" \
  PRIVET_NODE_MODULES="$deps/node_modules" PRIVET_CHROMIUM="$chromium" \
  PRIVET_SCREENSHOT="$out/officer_ui.png" \
  node "$source_dir/tests/browser/officer_ui_test.js"
