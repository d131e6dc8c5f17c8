#!/usr/bin/env bash
# create()+get() pairs per second, softfido against the software authenticators a user would
# pick instead, in one run with interleaved rounds (this machine's speed drifts between runs:
# only ratios of the same run count): Chromium's CDP virtual authenticator, Playwright's
# context.credentials and softfido through the bridge in one headless Chromium page;
# soft-webauthn verified by py_webauthn in a Python process; softfido in process
# (`softfido bench --pairs`). Writes the table to target/bench-peers.md.
#
#   scripts/bench-peers.sh [SECONDS_PER_ROUND] [ROUNDS]     # defaults: 5 s, 5 rounds
#
# Sets up what it needs (Chromium and playwright-core, the Python venv) and builds softfido in
# release mode. SOFTFIDO_BIN=path runs that binary instead, without building (CI's short pass);
# BENCH_PEERS_MARKDOWN=file writes the table there instead.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"
rounds="${2:-5}"
scripts/browser-setup.sh
venv=$(scripts/python-venv.sh)
command="scripts/bench-peers.sh $seconds $rounds"
if [[ -z "${SOFTFIDO_BIN:-}" ]]; then
  cargo build --release --locked -p softfido-harness
  SOFTFIDO_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/softfido"
else
  command="SOFTFIDO_BIN=$SOFTFIDO_BIN $command"
fi
export SOFTFIDO_BIN
markdown="${BENCH_PEERS_MARKDOWN:-target/bench-peers.md}"
mkdir -p "$(dirname "$markdown")"
node tests/browser/bench-authenticators.mjs --seconds "$seconds" --rounds "$rounds" \
  --python "$venv/bin/python" --markdown "$markdown" --command "$command"
