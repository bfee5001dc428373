# Shared by the shell tests and benches that run `privet serve` (source it; bash only):
#   serve_make_deployment PRIVET SOURCE_DIR DEP [SERVER_JSON]
#       a deployment folder DEP: signing key, covid_testing registered (epsilon 3, delta 1e-6)
#       with the shipped config, a self-signed loopback certificate (make_test_certificate.sh), and
#       server.json (default: any free port, the certificate, auto-approve up to 0.5)
#   serve_add_user PRIVET DEP NAME ROLE      writes NAME's token to DEP/NAME.token
#   serve_start PRIVET DEP LOG               starts the service in the background; sets
#                                            serve_pid and serve_port (returns 1 if it refused)
#   serve_stop [SIGNAL]                      stops it (default TERM) and waits
#   serve_scratch_deployment PRIVET SOURCE_DIR [SERVER_JSON]
#       all of the above in a fresh temporary folder: sets scratch (the folder) and dep
#       (scratch/dep), adds rita (researcher) and olivia (officer), starts the service, and
#       installs an EXIT trap that stops it and removes the folder
# The caller's EXIT trap should call serve_stop, so no service outlives the test.
serve_pid=""
serve_port=""
scratch=""
dep=""

serve_make_deployment() {
  local privet="$1" source_dir="$2" dep="$3"
  local config="${4:-}"
  [ -n "$config" ] || config='{"port": 0, "tls_certificate": "tls/cert.pem", "tls_key": "tls/key.pem", "auto_approve_epsilon": 0.5}'
  mkdir -p "$dep/tls"
  "$privet" keygen --out "$dep/keys" > /dev/null
  "$privet" dataset register --config "$source_dir/configs/covid_testing.json" \
    --ledger "$dep/privet-ledger.db" --epsilon 3 --delta 1e-6 --owner office > /dev/null
  bash "$source_dir/tests/e2e/make_test_certificate.sh" "$dep/tls/key.pem" "$dep/tls/cert.pem"
  printf '%s\n' "$config" > "$dep/server.json"
}

serve_add_user() {
  local privet="$1" dep="$2" name="$3" role="$4"
  "$privet" user add "$name" --role "$role" --deployment "$dep" 2> /dev/null |
    sed -n 1p > "$dep/$name.token"
}

serve_start() {
  local privet="$1" dep="$2" log="$3" fifo line
  fifo="$(mktemp -u "${TMPDIR:-/tmp}/privet-serve-XXXXXX")"
  mkfifo "$fifo"
  "$privet" serve --deployment "$dep" > "$fifo" 2>> "$log" &
  serve_pid=$!
  # The first stdout line says where it listens; EOF means it refused to start.
  read -r line < "$fifo" || line=""
  rm -f "$fifo"
  serve_port="$(sed -n 's|.*listening on https://127\.0\.0\.1:\([0-9]*\).*|\1|p' <<< "$line")"
  if [ -z "$serve_port" ]; then
    echo "privet serve did not start: $line" >&2
    cat "$log" >&2
    serve_stop
    return 1
  fi
}

serve_stop() {
  if [ -n "$serve_pid" ]; then
    kill "-${1:-TERM}" "$serve_pid" 2> /dev/null || true
    wait "$serve_pid" 2> /dev/null || true
    serve_pid=""
  fi
}

serve_scratch_cleanup() {
  serve_stop
  [ -z "$scratch" ] || rm -rf "$scratch"
}

serve_scratch_deployment() {
  local privet="$1" source_dir="$2" config="${3:-}"
  scratch="$(mktemp -d)"
  trap serve_scratch_cleanup EXIT
  dep="$scratch/dep"
  serve_make_deployment "$privet" "$source_dir" "$dep" "$config"
  serve_add_user "$privet" "$dep" rita researcher
  serve_add_user "$privet" "$dep" olivia officer
  serve_start "$privet" "$dep" "$scratch/serve.err"
}
