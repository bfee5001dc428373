#!/usr/bin/env bash
# clients/python/privet_client.py against a real `privet serve`: builds a deployment in a scratch
# folder, starts the service on a kernel-chosen loopback port, runs the client's unittest suite,
# and stops the service (always, via the trap).
#   python_client_test.sh PRIVET_BINARY SOURCE_DIR
set -euo pipefail
privet="$1"
source_dir="$2"
command -v python3 > /dev/null || { echo "python3 missing: skipped"; exit 77; }
# shellcheck source=tests/e2e/serve_support.sh
source "$source_dir/tests/e2e/serve_support.sh"
serve_scratch_deployment "$privet" "$source_dir"

PRIVET_URL="https://127.0.0.1:$serve_port" PRIVET_DEPLOYMENT="$dep" PRIVET_BINARY="$privet" \
  python3 "$source_dir/clients/python/test_privet_client.py"
