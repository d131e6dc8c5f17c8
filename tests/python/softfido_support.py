"""Shared helpers of the python-fido2 interoperability suite: the daemon, profiles, metadata.

Everything here is independent of softfido's Rust code: expectations come from the profile
descriptions (docs/authenticator.md, "Configuration") and from the metadata statements the binary
writes, never from the authenticator's own types.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fido2.client import DefaultClientDataCollector, Fido2Client, UserInteraction
from fido2.ctap2 import Ctap2
from fido2.ctap2.pin import ClientPin, PinProtocol, PinProtocolV1, PinProtocolV2
from fido2.ctap import CtapError
from fido2.hid import CtapHidDevice
from fido2.mds3 import MetadataBlobPayload

from udp_hid import UdpCtapHidConnection, ctaphid_init_probe, open_udp_device

REPO = Path(__file__).resolve().parents[2]

RP_ID = "example.com"
ORIGIN = "https://example.com"
RP = {"id": RP_ID, "name": "Example"}
RP_ID_HASH = hashlib.sha256(RP_ID.encode()).digest()

ES256 = -7
EDDSA = -8
RS256 = -257

#: The clientPIN the security-key profile starts with (unless --no-pin or --pin).
DEFAULT_PIN = "1234"


@dataclass(frozen=True)
class ProfileSpec:
    """What docs/authenticator.md says about a named profile."""

    name: str
    key_protection: str  # metadata name: software | hardware | tee | secure_element
    uv_kind: str  # none | client_pin | fingerprint | face | iris | voice
    attestation: str  # "basic" | "self" | "none"
    counter: str  # per_credential | global | zero
    backup: bool  # BE = BS = 1
    builtin_uv: bool  # getInfo uv = true (enrolled built-in UV)
    uvm: bool  # uvm extension advertised

    @property
    def description(self) -> str:
        """The model's metadata statement description."""
        return f"softfido {self.key_protection} key, user verification: {self.uv_kind}"


PROFILES: dict[str, ProfileSpec] = {
    p.name: p
    for p in [
        ProfileSpec("security-key", "secure_element", "client_pin", "basic", "per_credential", False, False, False),
        ProfileSpec("platform", "tee", "fingerprint", "basic", "per_credential", False, True, True),
        ProfileSpec("synced-passkey", "software", "face", "none", "zero", True, True, True),
        ProfileSpec("software-token", "software", "none", "self", "global", False, False, True),
    ]
}
PROFILE_NAMES = list(PROFILES)


def softfido_binary() -> Path:
    """SOFTFIDO_BIN, else target/debug/softfido (built with cargo when missing)."""
    env = os.environ.get("SOFTFIDO_BIN")
    if env:
        path = Path(env)
        if not path.is_absolute() and not path.exists():
            path = REPO / path  # relative to the repository root
        path = path.resolve()
        if not path.exists():
            raise FileNotFoundError(f"SOFTFIDO_BIN={env} does not exist")
        return path
    path = REPO / "target" / "debug" / "softfido"
    if not path.exists():
        subprocess.run(["cargo", "build", "-p", "softfido-harness"], cwd=REPO, check=True)
    if not path.exists():
        raise FileNotFoundError(f"{path} missing after cargo build -p softfido-harness")
    return path


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    """One `softfido authenticator --udp` process on a free loopback port."""

    def __init__(
        self,
        binary: Path,
        profile: str,
        log_path: Path,
        state: Path | None = None,
        reset_anytime: bool = False,
        pin: str | None = None,
        no_pin: bool = False,
        pin_file: Path | None = None,
        pin_env: str | None = None,
        config: Path | None = None,
    ):
        self.binary = binary
        self.profile = profile
        self.state = state
        self.reset_anytime = reset_anytime
        self.pin_option = pin  # --pin PIN
        self.no_pin = no_pin  # --no-pin
        self.pin_file = pin_file  # --pin-file FILE
        self.pin_env = pin_env  # SOFTFIDO_PIN
        self.config = config  # --config FILE, in place of --profile (`profile` then names its base)
        #: The PIN the tests believe the device has (tests that change it update this): what
        #: `client()`'s user types when asked. The security-key profile starts with 1234.
        self.pin: str | None = None
        if not no_pin and PROFILES[profile].uv_kind == "client_pin":
            self.pin = pin or (pin_file.read_text().splitlines()[0] if pin_file else None) or pin_env or DEFAULT_PIN
        self.log_path = log_path
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self.returncode: int | None = None
        self._devices: list[CtapHidDevice] = []

    # -- life cycle -------------------------------------------------------------------------

    def start(self, startup_timeout: float = 20.0) -> "Daemon":
        last_error = ""
        for _attempt in range(5):
            port = free_udp_port()
            cmd = [str(self.binary), "authenticator", "--udp", f"127.0.0.1:{port}"]
            if self.config is not None:
                cmd += ["--config", str(self.config)]
            else:
                cmd += ["--profile", self.profile]
            if self.state is not None:
                cmd += ["--state", str(self.state)]
            if self.reset_anytime:
                cmd.append("--reset-anytime")
            if self.pin_option is not None:
                cmd += ["--pin", self.pin_option]
            if self.no_pin:
                cmd.append("--no-pin")
            if self.pin_file is not None:
                cmd += ["--pin-file", str(self.pin_file)]
            log = open(self.log_path, "ab")
            env = dict(os.environ)
            env.pop("SOFTFIDO_PIN", None)
            if self.pin_env is not None:
                env["SOFTFIDO_PIN"] = self.pin_env
            env.setdefault("RUST_LOG", "info")
            env["NO_COLOR"] = "1"
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env)
            log.close()
            deadline = time.monotonic() + startup_timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    last_error = f"exited with {self.proc.returncode} on port {port}"
                    break  # e.g. the port was taken meanwhile: try another one
                if ctaphid_init_probe(port):
                    self.port = port
                    self.returncode = None
                    return self
                time.sleep(0.02)
            else:
                self.proc.kill()
                self.proc.wait()
                raise TimeoutError(f"softfido did not answer CTAPHID_INIT within {startup_timeout}s\n{self.log_tail()}")
        raise RuntimeError(f"softfido authenticator failed to start: {last_error}\n{self.log_tail()}")

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 5.0) -> int:
        """SIGINT, then wait; returns the exit code (kills and raises on a hang)."""
        self.close_devices()
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"softfido did not stop within {timeout}s of SIGINT\n{self.log_tail()}")
        self.returncode = self.proc.returncode
        return self.returncode

    def restart(self) -> "Daemon":
        """Stops (asserting a clean exit) and starts again with the same options."""
        rc = self.stop()
        assert rc == 0, f"softfido exited with {rc}\n{self.log_tail()}"
        return self.start()

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text[-lines:])

    # -- clients ----------------------------------------------------------------------------

    def device(self) -> CtapHidDevice:
        assert self.port is not None, "daemon not started"
        dev = open_udp_device(self.port)
        self._devices.append(dev)
        return dev

    def ctap2(self) -> Ctap2:
        return Ctap2(self.device())

    def client(
        self, device: CtapHidDevice | None = None, user: "AutoUser | None" = None, **kwargs: Any
    ) -> Fido2Client:
        """python-fido2's client (the browser) with a user who types `self.pin` when asked."""
        return Fido2Client(
            device or self.device(),
            client_data_collector=DefaultClientDataCollector(ORIGIN),
            user_interaction=user or AutoUser(self.pin),
            **kwargs,
        )

    def close_devices(self) -> None:
        for dev in self._devices:
            try:
                dev.close()
            except OSError:
                pass
        self._devices.clear()


def connection_of(device: CtapHidDevice) -> UdpCtapHidConnection:
    conn = device._connection  # python-fido2 keeps it private; it is ours
    assert isinstance(conn, UdpCtapHidConnection)
    return conn


class AutoUser(UserInteraction):
    """The user at the keyboard: agrees to built-in UV, types `pin` when asked for a PIN
    (None: has no PIN to give, python-fido2 then raises PinRequiredError)."""

    def __init__(self, pin: str | None = None) -> None:
        self.pin = pin
        self.up_prompts = 0
        self.uv_requests = 0
        self.pin_requests: list[tuple[int, str | None]] = []  # (permissions, rp_id) per request

    def prompt_up(self) -> None:
        self.up_prompts += 1

    def request_pin(self, permissions, rp_id):
        self.pin_requests.append((int(permissions), rp_id))
        return self.pin

    def request_uv(self, permissions, rp_id):
        self.uv_requests += 1
        return True


# -- metadata ---------------------------------------------------------------------------------


@dataclass
class Metadata:
    directory: Path
    statements: dict[str, dict[str, Any]]  # AAGUID string (with dashes) -> statement JSON
    u2f_statements: dict[str, dict[str, Any]]  # attestation key identifier (hex) -> statement JSON
    root_pem: bytes

    def by_description(self, description: str) -> dict[str, Any]:
        found = [s for s in self.statements.values() if s["description"] == description]
        assert len(found) == 1, f"{len(found)} statements described {description!r}"
        return found[0]

    def for_profile(self, profile: str) -> dict[str, Any]:
        return self.by_description(PROFILES[profile].description)

    def roots_der(self, statement: dict[str, Any]) -> list[bytes]:
        return [base64.b64decode(c) for c in statement["attestationRootCertificates"]]

    def blob(self) -> MetadataBlobPayload:
        """An MDS3 BLOB payload holding every statement (as an RP would get from the MDS)."""
        return MetadataBlobPayload.from_dict(
            {
                "legalHeader": "softfido test metadata",
                "no": 1,
                "nextUpdate": "2099-01-01",
                "entries": [
                    {
                        "aaguid": aaguid,
                        "metadataStatement": statement,
                        "statusReports": [{"status": "NOT_FIDO_CERTIFIED", "effectiveDate": "2024-01-01"}],
                        "timeOfLastStatusChange": "2024-01-01",
                    }
                    for aaguid, statement in self.statements.items()
                ]
                + [
                    {
                        "attestationCertificateKeyIdentifiers": [identifier],
                        "metadataStatement": statement,
                        "statusReports": [{"status": "NOT_FIDO_CERTIFIED", "effectiveDate": "2024-01-01"}],
                        "timeOfLastStatusChange": "2024-01-01",
                    }
                    for identifier, statement in self.u2f_statements.items()
                ],
            }
        )


def load_metadata(binary: Path, out: Path) -> Metadata:
    subprocess.run([str(binary), "metadata", "--out", str(out)], check=True, capture_output=True)
    statements, u2f_statements = {}, {}
    for path in sorted(out.glob("*.json")):
        statement = json.loads(path.read_text())
        if path.stem.startswith("u2f-"):
            identifiers = statement["attestationCertificateKeyIdentifiers"]
            assert identifiers == [path.stem.removeprefix("u2f-")], f"{path.name} names {identifiers}"
            u2f_statements[identifiers[0]] = statement
        else:
            assert path.stem == statement["aaguid"], f"{path.name} holds AAGUID {statement['aaguid']}"
            statements[statement["aaguid"]] = statement
    root = out / "softfido-test-root.pem"
    return Metadata(out, statements, u2f_statements, root.read_bytes())


# -- CTAP helpers -----------------------------------------------------------------------------


def random_cdh() -> bytes:
    return os.urandom(32)


def user_entity(name: str = "alice", user_id: bytes | None = None) -> dict[str, Any]:
    return {"id": user_id or os.urandom(16), "name": name, "displayName": name.title()}


def key_params(*algs: int) -> list[dict[str, Any]]:
    return [{"type": "public-key", "alg": a} for a in (algs or (ES256,))]


def descriptor(credential_id: bytes) -> dict[str, Any]:
    return {"type": "public-key", "id": credential_id}


PERM = ClientPin.PERMISSION


@dataclass(frozen=True)
class PinUvToken:
    """A pinUvAuthToken and the PIN/UV auth protocol it was obtained with."""

    protocol: PinProtocol
    token: bytes

    def param(self, message: bytes) -> dict[str, Any]:
        """pin_uv_param / pin_uv_protocol keyword arguments for python-fido2's Ctap2 calls."""
        return {
            "pin_uv_param": self.protocol.authenticate(self.token, message),
            "pin_uv_protocol": self.protocol.VERSION,
        }


def pin_token(
    ctap: Ctap2,
    pin: str,
    permissions: int | None = PERM.MAKE_CREDENTIAL | PERM.GET_ASSERTION,
    rp_id: str | None = RP_ID,
    protocol: PinProtocol | None = None,
) -> PinUvToken:
    """getPinUvAuthTokenUsingPinWithPermissions (getPinToken when permissions is None)."""
    protocol = protocol or PinProtocolV2()
    token = ClientPin(ctap, protocol).get_pin_token(pin, PERM(permissions) if permissions is not None else None, rp_id)
    return PinUvToken(protocol, token)


def make_credential(
    ctap: Ctap2,
    *,
    rk: bool = False,
    alg: int = ES256,
    user: dict[str, Any] | None = None,
    rp: dict[str, Any] | None = None,
    cdh: bytes | None = None,
    uv: bool = False,
    exclude: list[bytes] | None = None,
    extensions: dict[str, Any] | None = None,
    token: PinUvToken | None = None,
    pin: str | None = None,
):
    """authenticatorMakeCredential. With `token` it carries a pinUvAuthParam; with `pin` a fresh
    token (permissions mc+ga for the RP) is obtained first, as a platform does for each request."""
    options = {}
    if rk:
        options["rk"] = True
    if uv:
        options["uv"] = True
    rp = rp or RP
    cdh = cdh or random_cdh()
    if pin is not None and token is None:
        token = pin_token(ctap, pin, rp_id=rp["id"])
    return ctap.make_credential(
        cdh,
        rp,
        user or user_entity(),
        key_params(alg),
        [descriptor(c) for c in exclude] if exclude else None,
        extensions,
        options or None,
        **(token.param(cdh) if token else {}),
    )


def get_assertion(
    ctap: Ctap2,
    *,
    allow: list[bytes] | None = None,
    cdh: bytes | None = None,
    rp_id: str = RP_ID,
    uv: bool = False,
    up: bool | None = None,
    extensions: dict[str, Any] | None = None,
    token: PinUvToken | None = None,
):
    options: dict[str, bool] = {}
    if uv:
        options["uv"] = True
    if up is not None:
        options["up"] = up
    cdh = cdh or random_cdh()
    return ctap.get_assertion(
        rp_id,
        cdh,
        [descriptor(c) for c in allow] if allow else None,
        extensions,
        options or None,
        **(token.param(cdh) if token else {}),
    )


# -- shared by the clientPIN, credential management and config tests ------------------------

#: A second relying party, for RP-binding checks.
OTHER_RP = {"id": "other.example", "name": "Other"}
#: Both PIN/UV auth protocols, for parametrised tests, and their ids.
PROTOCOLS = [PinProtocolV1, PinProtocolV2]
PROTOCOL_IDS = ["v1", "v2"]


def ctap_error(fn, *args, **kwargs) -> int:
    """The CTAP status code `fn(*args, **kwargs)` raises (fails the test if it raises none)."""
    import pytest

    with pytest.raises(CtapError) as err:
        fn(*args, **kwargs)
    return err.value.code
