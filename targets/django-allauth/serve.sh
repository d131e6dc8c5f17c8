#!/usr/bin/env bash
# Serves django-allauth's OpenID provider (tests/allauth/project) on http://localhost:PORT for
# `softfido matrix --target targets/django-allauth/target.toml`, which runs it as
# [server].command and kills it at the end.
#
#   targets/django-allauth/serve.sh PORT
#
# A throwaway site directory (database, signing key) is made with mktemp; the client of
# target.toml's [client] table is registered in it (site_setup.py); then the shell becomes
# `manage.py runserver --noreload` (exec), so the harness's signal reaches the server itself. A
# detached watcher removes the directory once the server is gone, however it ends.
#
# The Python is $ALLAUTH_PYTHON, else the repository's venv (scripts/allauth-setup.sh installs
# tests/allauth/requirements.txt into it and prints its python; quick once installed).
set -euo pipefail

port="${1:?usage: serve.sh PORT}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${ALLAUTH_PYTHON:-$("$root/scripts/allauth-setup.sh")}"

site_dir="$(mktemp -d "${TMPDIR:-/tmp}/softfido-allauth-target.XXXXXX")"
setsid -f sh -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; rm -rf "$2"' \
    sh "$$" "$site_dir" </dev/null >/dev/null 2>&1

export ALLAUTH_SITE_DIR="$site_dir"
# One userVerification for every ceremony: target.toml's [idp] user_verification.
export ALLAUTH_WEBAUTHN_USER_VERIFICATION=required
# A signup per scenario from one address: past allauth's 20 signups a minute per IP.
export ALLAUTH_RATE_LIMITS=off
export PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1

"$python" "$here/site_setup.py" "$port"
exec "$python" "$root/tests/allauth/project/manage.py" runserver --noreload "127.0.0.1:$port"
