#!/usr/bin/env bash
# clients/python/privet_client.py against a real `privet serve`: builds a deployment in a scratch
# folder, starts the service on a kernel-chosen loopback port, runs the client's unittest suite,
# and stops the service (always, via the trap).
#   python_client_test.sh PRIVET_BINARY SOURCE_DIR
set -euo pipefail
privet="$1"
source_dir="$2"
command -v python3 > /dev/null || { echo "python3 missing: skipped"; exit 77; }
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
  --ledger "$dep/privet-ledger.db" --epsilon 3 --delta 1e-6 --owner office > /dev/null
openssl req -x509 -newkey ed25519 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
  -keyout "$dep/tls/key.pem" -out "$dep/tls/cert.pem" 2> /dev/null
cat > "$dep/server.json" << 'JSON'
{"port": 0, "tls_certificate": "tls/cert.pem", "tls_key": "tls/key.pem", "auto_approve_epsilon": 0.5}
JSON
"$privet" user add rita --role researcher --deployment "$dep" > "$dep/rita.token" 2> /dev/null
"$privet" user add olivia --role officer --deployment "$dep" > "$dep/olivia.token" 2> /dev/null

mkfifo "$scratch/out"
"$privet" serve --deployment "$dep" > "$scratch/out" 2> "$scratch/serve.err" &
server_pid=$!
read -r line < "$scratch/out" || { cat "$scratch/serve.err"; exit 1; }
port="$(sed -n 's|.*listening on https://127\.0\.0\.1:\([0-9]*\).*|\1|p' <<< "$line")"
[ -n "$port" ] || { echo "privet serve did not start: $line"; cat "$scratch/serve.err"; exit 1; }

PRIVET_URL="https://127.0.0.1:$port" PRIVET_DEPLOYMENT="$dep" PRIVET_BINARY="$privet" \
  python3 "$source_dir/clients/python/test_privet_client.py"
