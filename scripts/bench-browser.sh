#!/usr/bin/env bash
# create()+get() per second in one headless Chromium page: softfido through the bridge against
# Chromium's CDP virtual authenticator and Playwright's context.credentials, measured in one run
# (interleaved rounds), with a release build of softfido. Writes the table to target/bench-browser.md.
# scripts/bench-peers.sh measures these and the peers outside the browser.
#
#   scripts/bench-browser.sh [SECONDS_PER_ROUND] [ROUNDS]     # defaults: 5 s, 5 rounds
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/browser-setup.sh
cargo build --release --locked -p softfido-harness
SOFTFIDO_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/softfido" node tests/browser/bench-authenticators.mjs \
  --peers page --seconds "${1:-5}" --rounds "${2:-5}" --markdown target/bench-browser.md \
  --command "scripts/bench-browser.sh ${1:-5} ${2:-5}"
