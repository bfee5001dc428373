#!/usr/bin/env bash
# Requests per second of privet serve's status and plan endpoints (bench/serve_bench.cc) on a
# scratch deployment of covid_testing, the service on a kernel-chosen loopback port.
#   bench/serve_bench.sh BUILD_DIR [SECONDS [CLIENTS]]
set -euo pipefail
build="$1"
seconds="${2:-10}"
clients="${3:-8}"
source_dir="$(cd "$(dirname "$0")/.." && pwd)"
privet="$build/cli/privet"
# shellcheck source=tests/e2e/serve_support.sh
source "$source_dir/tests/e2e/serve_support.sh"
serve_scratch_deployment "$privet" "$source_dir" \
  '{"port": 0, "tls_certificate": "tls/cert.pem", "tls_key": "tls/key.pem", "auto_approve_epsilon": 1}'
port="$serve_port"
id="$(curl -sS --cacert "$dep/tls/cert.pem" "https://127.0.0.1:$port/v1/requests" \
  -H "Authorization: Bearer $(cat "$dep/rita.token")" \
  -d '{"dataset":"covid_testing","kind":"marginal","epsilon":0.1,"purpose":"bench","options":{"attributes":["result"]}}' |
  sed -n 's/.*"id": "\(req-[0-9a-f]*\)".*/\1/p')"
"$build/bench/serve_bench" "$port" "$dep/rita.token" "$dep/tls/cert.pem" "$id" covid_testing \
  "$seconds" "$clients"
