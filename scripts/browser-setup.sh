#!/usr/bin/env bash
# Installs what the headless Chromium tests in tests/browser/ need, on a fresh Debian machine:
# Debian's chromium (/usr/bin/chromium) and the npm packages of tests/browser/package-lock.json
# (playwright-core, which drives that chromium). Idempotent: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "installing chromium with apt-get"
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      as_root=(sudo)
    else
      echo "browser-setup: /usr/bin/chromium is missing and installing it needs root (or sudo)" >&2
      exit 1
    fi
  fi
  "${as_root[@]}" apt-get update
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "browser-setup: node and npm (Node 20 or later) are needed for tests/browser" >&2
  exit 1
fi
cd tests/browser
# npm ci when node_modules is missing, or holds another playwright-core than the pinned one.
wanted=$(node -p 'require("./package.json").devDependencies["playwright-core"]')
installed=$(node -p 'require("./node_modules/playwright-core/package.json").version' 2>/dev/null || true)
if [ "$installed" != "$wanted" ]; then
  echo "installing tests/browser npm packages (playwright-core $wanted)"
  npm ci --no-audit --no-fund
fi
