"""Fixtures of the python-fido2 interoperability suite.

Every test starts its own `softfido authenticator --udp 127.0.0.1:PORT` on a free port, talks
to it through python-fido2 over UDP, and stops it with SIGINT at the end, asserting a clean
exit (code 0 within a few seconds).

Run from the repository root:
    scripts/python-venv.sh && .venv/bin/python -m pytest -q tests/python
SOFTFIDO_BIN selects the binary (default target/debug/softfido, built when missing).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from softfido_support import Daemon, Metadata, load_metadata, softfido_binary  # noqa: E402


@pytest.fixture(scope="session")
def softfido_bin() -> Path:
    return softfido_binary()


@pytest.fixture(scope="session")
def metadata(softfido_bin, tmp_path_factory) -> Metadata:
    return load_metadata(softfido_bin, tmp_path_factory.mktemp("metadata"))


@pytest.fixture
def start_daemon(softfido_bin, tmp_path):
    """Factory: start_daemon(profile, state=None, reset_anytime=False, pin=None, no_pin=False,
    pin_file=None, pin_env=None, config=None) -> running Daemon (`pin`: --pin PIN, `no_pin`:
    --no-pin, `pin_file`: --pin-file FILE, `pin_env`: SOFTFIDO_PIN, `config`: --config FILE in
    place of --profile, `profile` then naming the file's base; the security-key profile starts
    with PIN 1234 otherwise, and `daemon.pin` holds the PIN the tests expect).

    At teardown every daemon still running gets SIGINT and must exit 0 within 5 s.
    """
    daemons: list[Daemon] = []

    def start(
        profile: str = "security-key",
        state: Path | None = None,
        reset_anytime: bool = False,
        pin: str | None = None,
        no_pin: bool = False,
        pin_file: Path | None = None,
        pin_env: str | None = None,
        config: Path | None = None,
    ) -> Daemon:
        log = tmp_path / f"softfido-{len(daemons)}-{profile}.log"
        daemon = Daemon(
            softfido_bin,
            profile,
            log,
            state=state,
            reset_anytime=reset_anytime,
            pin=pin,
            no_pin=no_pin,
            pin_file=pin_file,
            pin_env=pin_env,
            config=config,
        )
        daemons.append(daemon)
        return daemon.start()

    yield start

    problems = []
    for daemon in daemons:
        if daemon.running():
            rc = daemon.stop()
            if rc != 0:
                problems.append(f"{daemon.profile} daemon exited with {rc}\n{daemon.log_tail()}")
        elif daemon.returncode is None and daemon.proc is not None:
            problems.append(f"{daemon.profile} daemon died on its own with {daemon.proc.returncode}\n{daemon.log_tail()}")
        else:
            daemon.close_devices()
    # Shown only when the test fails: the daemons' last log lines.
    for daemon in daemons:
        print(f"--- softfido {daemon.profile} log tail ({daemon.log_path}) ---\n{daemon.log_tail(15)}")
    assert not problems, "\n".join(problems)


@pytest.fixture
def daemon(start_daemon):
    """A running security-key daemon (the default profile, clientPIN 1234 set)."""
    return start_daemon("security-key")
