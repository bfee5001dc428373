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
scratch="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2> /dev/null || true; wait "$server_pid" || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
dep="$scratch/dep"
mkdir -p "$dep/tls"
"$privet" keygen --out "$dep/keys" > /dev/null
"$privet" dataset register --config "$source_dir/configs/covid_testing.json" \
  --ledger "$dep/privet-ledger.db" --epsilon 3 --delta 1e-6 --owner bench > /dev/null
openssl req -x509 -newkey ed25519 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$dep/tls/key.pem" -out "$dep/tls/cert.pem" 2> /dev/null
cat > "$dep/server.json" << 'JSON'
{"port": 0, "tls_certificate": "tls/cert.pem", "tls_key": "tls/key.pem", "auto_approve_epsilon": 1}
JSON
"$privet" user add bench --role researcher --deployment "$dep" > "$dep/bench.token" 2> /dev/null
mkfifo "$scratch/out"
"$privet" serve --deployment "$dep" > "$scratch/out" 2> "$scratch/serve.err" &
server_pid=$!
read -r line < "$scratch/out"
port="$(sed -n 's|.*listening on https://127\.0\.0\.1:\([0-9]*\).*|\1|p' <<< "$line")"
id="$(curl -sS --cacert "$dep/tls/cert.pem" "https://127.0.0.1:$port/v1/requests" \
  -H "Authorization: Bearer $(cat "$dep/bench.token")" \
  -d '{"dataset":"covid_testing","kind":"marginal","epsilon":0.1,"purpose":"bench","options":{"attributes":["result"]}}' |
  sed -n 's/.*"id": "\(req-[0-9a-f]*\)".*/\1/p')"
"$build/bench/serve_bench" "$port" "$dep/bench.token" "$dep/tls/cert.pem" "$id" covid_testing \
  "$seconds" "$clients"
