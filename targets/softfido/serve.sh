#!/usr/bin/env bash
# Starts `softfido serve` for the target run on 127.0.0.1:PORT: an in-memory database, the
# matrix's client registered (its configuration read through a pipe, so nothing is left on
# disk), softfido's test root trusted (loopback only), userVerification preferred.
#   SOFTFIDO_BIN=target/debug/softfido targets/softfido/serve.sh 8123
set -euo pipefail
port="${1:?usage: serve.sh PORT}"
softfido="${SOFTFIDO_BIN:-softfido}"
issuer="http://localhost:$port"
exec "$softfido" serve --addr "127.0.0.1:$port" --db :memory: --uv preferred --trust-softfido-test-root \
  --config <("$softfido" matrix --print-client-config "$issuer")
