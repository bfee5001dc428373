#!/usr/bin/env bash
# The one way the tests make the service's TLS certificate (serve_support.sh, serve_support.py,
# serve_e2e_test.cc): self-signed for loopback, valid 2 days, ECDSA P-256. Not Ed25519, which
# OpenSSL and the C++/Python clients accept but Chromium refuses (the browser test would fail).
#   make_test_certificate.sh KEY_PEM CERT_PEM
set -euo pipefail
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
  -keyout "$1" -out "$2" 2> /dev/null
