#!/usr/bin/env bash
# Creates (idempotently) the Python virtualenv for the python-fido2 interoperability suite
# (tests/python) and the Python peer of the benchmark (tests/bench), and installs the pinned
# requirements into it. Prints the venv path last.
#
#   scripts/python-venv.sh             # -> /work/main/.venv (the repository's .venv)
#   VENV=/some/dir scripts/python-venv.sh
#   .venv/bin/python -m pytest -q tests/python
#
# Needs only python3 with the venv module (and network access to PyPI on the first run).
# A stamp file holding the hash of the requirements files (and the interpreter) keeps reruns quick.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VENV:-$root/.venv}"
req="$root/tests/python/requirements.txt"
# Fully pinned, installed with --no-deps (see the file's header).
bench_req="$root/tests/bench/requirements.txt"
python="${PYTHON:-python3}"

if ! command -v "$python" >/dev/null 2>&1; then
    echo "python-venv.sh: $python not found" >&2
    exit 1
fi

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "python-venv.sh: python-fido2 2.x needs Python >= 3.10, $python is $("$python" -V 2>&1)" >&2
    exit 1
fi

hash_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum | cut -d' ' -f1
    else
        "$python" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())'
    fi
}

want="$( { cat "$req" "$bench_req"; "$python" -c 'import sys; print(sys.version)'; } | hash_of)"
stamp="$venv/.requirements.sha256"

if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "$venv"
    exit 0
fi

if [[ ! -x "$venv/bin/python" ]]; then
    echo "python-venv.sh: creating $venv" >&2
    if ! "$python" -m venv "$venv" >&2; then
        # Debian/Ubuntu split ensurepip into python3-venv; fall back to a venv without pip
        # and bootstrap pip from the system pip.
        rm -rf "$venv"
        "$python" -m venv --without-pip "$venv" >&2
        "$python" -m pip --python "$venv/bin/python" install -q pip >&2
    fi
fi

export PIP_DISABLE_PIP_VERSION_CHECK=1
"$venv/bin/python" -m pip install -q --no-input -r "$req" >&2
"$venv/bin/python" -m pip install -q --no-input --no-deps -r "$bench_req" >&2
"$venv/bin/python" -c 'import fido2, pytest, cryptography, soft_webauthn, webauthn, OpenSSL' >&2
echo "$want" >"$stamp"
echo "$venv"
