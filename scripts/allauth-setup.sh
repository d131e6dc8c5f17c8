#!/usr/bin/env bash
# Installs (idempotently) django-allauth with its passkeys (tests/allauth/requirements.txt) into
# the repository's Python venv, for tests/browser/allauth.test.mjs. The venv is created first
# by scripts/python-venv.sh (python-fido2's suite shares it; the pins agree). Prints the venv's
# python last: the test's ALLAUTH_PYTHON (its default is that same path).
#
#   scripts/allauth-setup.sh
#   scripts/browser-setup.sh            # playwright-core and Chromium for tests/browser
#   node --test tests/browser/allauth.test.mjs
#
#   VENV=/some/dir scripts/allauth-setup.sh   # another venv (then ALLAUTH_PYTHON=/some/dir/bin/python)
#
# A stamp file holding the hash of the requirements (and the interpreter) keeps reruns quick.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$("$root/scripts/python-venv.sh")"
req="$root/tests/allauth/requirements.txt"
python="$venv/bin/python"

hash_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum | cut -d' ' -f1
    else
        "$python" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())'
    fi
}

want="$( { cat "$req"; "$python" -c 'import sys; print(sys.version)'; } | hash_of)"
stamp="$venv/.allauth-requirements.sha256"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "$python"
    exit 0
fi

echo "allauth-setup.sh: installing $req into $venv" >&2
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$python" -m pip install -q --no-input -r "$req" >&2
# The site's own check: settings load, the apps and allauth's system checks pass.
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the repository's tree
site_dir="$(mktemp -d)"
trap 'rm -rf "$site_dir"' EXIT
ALLAUTH_SITE_DIR="$site_dir" "$python" "$root/tests/allauth/project/manage.py" check >&2
ALLAUTH_SITE_DIR="$site_dir" ALLAUTH_PASSKEY_SIGNUP=1 "$python" "$root/tests/allauth/project/manage.py" check >&2
echo "$want" >"$stamp"
echo "$python"
