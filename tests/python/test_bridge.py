"""`softfido bridge` (docs/bridge.md) checked by an independent relying party: python-fido2's
`Fido2Server` begins each ceremony, its options go to the bridge as the JSON a page passes to
`navigator.credentials`, and the credential JSON the bridge answers goes back to `Fido2Server`
(signature, rpIdHash, origin, challenge, type, UP/UV) and python-fido2's attestation verifiers.
Flags, counters, attestation conveyance and the DOMException names of refusals are checked
against WebAuthn L3 and CTAP 2.1 for every named profile and for configurations derived from them.

One bridge serves the whole module (`--stop-on-stdin-eof`, stdin a pipe); every test hosts its
own authenticators and removes them at the end. At teardown the bridge must stop by itself within
5 s of its stdin closing, with exit code 0 (it is killed otherwise, and the test fails).
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_der_public_key
from fido2.attestation import AttestationType, NoneAttestation, PackedAttestation
from fido2.mds3 import MdsAttestationVerifier
from fido2.server import Fido2Server
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import (
    Aaguid,
    AuthenticationResponse,
    AuthenticatorData,
    CollectedClientData,
    PublicKeyCredentialDescriptor,
    RegistrationResponse,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from softfido_support import EDDSA, ES256, ORIGIN, PROFILE_NAMES, PROFILES, RP, RP_ID, RP_ID_HASH, RS256

UV = UserVerificationRequirement
RK = ResidentKeyRequirement

#: Seconds an HTTP call to the bridge may take (a ceremony included).
HTTP_TIMEOUT = 15.0


# -- the bridge ---------------------------------------------------------------------------------


class Bridge:
    """One `softfido bridge` process and its loopback HTTP API."""

    def __init__(self, binary, log_path):
        self.log_path = log_path
        self.log = open(log_path, "wb")
        env = dict(os.environ, NO_COLOR="1")
        env.setdefault("RUST_LOG", "info")
        self.proc = subprocess.Popen(
            [str(binary), "bridge", "--addr", "127.0.0.1:0", "--stop-on-stdin-eof"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=env,
        )
        self.url = self._read_url(startup_timeout=20.0)

    def _read_url(self, startup_timeout: float) -> str:
        found: list[str] = []

        def read():
            assert self.proc.stdout is not None
            line = self.proc.stdout.readline().decode(errors="replace")
            found.append(line)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(startup_timeout)
        line = found[0] if found else ""
        match = re.fullmatch(r"softfido bridge listening on (http://127\.0\.0\.1:\d+)\s*", line)
        if not match:
            self.kill()
            raise RuntimeError(f"the bridge printed {line!r}, not its URL\n{self.log_tail()}")
        return match.group(1)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        return status, (json.loads(raw) if raw else None)

    def stop(self, timeout: float = 5.0) -> int:
        """Closes stdin (`--stop-on-stdin-eof`) and waits; kills and raises on a hang."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the bridge did not stop within {timeout}s of stdin's end\n{self.log_tail()}")
        self.close_files()
        return self.proc.returncode

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.close_files()

    def close_files(self) -> None:
        for stream in (self.proc.stdin, self.proc.stdout, self.log):
            if stream is not None and not stream.closed:
                stream.close()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


@pytest.fixture(scope="module")
def bridge(softfido_bin, tmp_path_factory):
    """One bridge for the module, on a free loopback port; stopped (killed on a hang) at the end."""
    bridge = Bridge(softfido_bin, tmp_path_factory.mktemp("bridge") / "softfido-bridge.log")
    try:
        status, body = bridge.call("GET", "/health")
        assert (status, body) == (200, {"status": "ok"})
        yield bridge
    finally:
        if bridge.proc.poll() is None:
            rc = bridge.stop()
            assert rc == 0, f"the bridge exited with {rc}\n{bridge.log_tail()}"
        else:
            rc = bridge.proc.returncode
            bridge.kill()
            raise AssertionError(f"the bridge died on its own with {rc}\n{bridge.log_tail()}")


class DomError(Exception):
    """A ceremony the bridge answered with `{"domException": ...}`."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name = name


@dataclass
class Hosted:
    """One authenticator the bridge hosts."""

    bridge: Bridge
    id: str
    config: dict[str, Any]
    attachment: str

    def ceremony(self, call: str, options: dict[str, Any], origin: str = ORIGIN, top_origin: str | None = None):
        body = {"options": options, "origin": origin, "topOrigin": top_origin, "mediation": "optional"}
        status, answer = self.bridge.call("POST", f"/authenticators/{self.id}/{call}", body)
        assert status == 200, f"{call}: HTTP {status} {answer}"
        if "domException" in answer:
            assert set(answer) == {"domException"}, answer
            raise DomError(answer["domException"]["name"], answer["domException"]["message"])
        assert set(answer) == {"credential"}, answer
        return answer["credential"]

    def create(self, options, **kwargs) -> dict[str, Any]:
        return self.ceremony("create", options, **kwargs)

    def get(self, options, **kwargs) -> dict[str, Any]:
        return self.ceremony("get", options, **kwargs)

    def next(self, **answers) -> None:
        status, body = self.bridge.call("POST", f"/authenticators/{self.id}/next", answers)
        assert status == 204, f"next: HTTP {status} {body}"

    def credentials(self) -> list[dict[str, Any]]:
        status, body = self.bridge.call("GET", f"/authenticators/{self.id}/credentials")
        assert status == 200, body
        return body


@pytest.fixture
def host(bridge):
    """Factory: host(profile) or host(config=CONFIG) -> Hosted; every one is removed at the end."""
    hosted: list[Hosted] = []

    def add(profile: str | None = None, config: dict[str, Any] | None = None) -> Hosted:
        body = {"config": config} if config is not None else {"profile": profile}
        status, answer = bridge.call("POST", "/authenticators", body)
        assert status == 201, f"POST /authenticators {body}: HTTP {status} {answer}"
        item = Hosted(bridge, answer["id"], answer["config"], answer.get("attachment"))
        hosted.append(item)
        return item

    yield add
    for item in hosted:
        status, _ = bridge.call("DELETE", f"/authenticators/{item.id}")
        assert status == 204


def profile_config(host, profile: str, **changes) -> dict[str, Any]:
    """A profile's full configuration as `POST /authenticators` answers it, with `changes`."""
    config = copy.deepcopy(host(profile).config)
    config.update(changes)
    return config


def duration(seconds: float) -> dict[str, int]:
    """A `Duration` as the configuration's JSON spells it."""
    whole = int(seconds)
    return {"secs": whole, "nanos": int(round((seconds - whole) * 1e9))}


# -- the relying party ---------------------------------------------------------------------------


def server(attestation: str | None = "direct", rp: dict[str, str] = RP) -> Fido2Server:
    """python-fido2's relying party. It leaves attestation statements alone: the attestation
    tests verify them with python-fido2's verifiers, format by format."""
    return Fido2Server(rp, attestation=attestation)


def new_user(name: str = "alice") -> dict[str, Any]:
    return {"id": os.urandom(16), "name": name, "displayName": name.title()}


def options_json(options) -> dict[str, Any]:
    """The `publicKey` member a page passes, in its JSON form (base64url without padding)."""
    as_json = dict(options)["publicKey"]
    json.dumps(as_json)  # JSON-serialisable: no bytes left
    return as_json


@dataclass
class Registered:
    user: dict[str, Any]
    response: RegistrationResponse
    auth_data: AuthenticatorData
    raw: dict[str, Any]

    @property
    def credential(self):
        return self.auth_data.credential_data


def register(
    hosted: Hosted,
    rp: Fido2Server,
    uv: UV | None = None,
    resident_key: RK | None = None,
    user: dict[str, Any] | None = None,
    exclude=None,
    edit=None,
    **kwargs,
) -> Registered:
    """register_begin → POST create → register_complete (which raises on any failed check)."""
    user = user or new_user()
    options, state = rp.register_begin(
        user, credentials=exclude, user_verification=uv, resident_key_requirement=resident_key
    )
    options = options_json(options)
    if edit:
        edit(options)
    raw = hosted.create(options, **kwargs)
    response = RegistrationResponse.from_dict(raw)
    auth_data = rp.register_complete(state, response)
    check_registration_json(raw, response, auth_data, hosted)
    return Registered(user, response, auth_data, raw)


def authenticate(hosted: Hosted, rp: Fido2Server, credentials, uv: UV | None = None, allow: bool = True, **kwargs):
    """authenticate_begin → POST get → authenticate_complete (signature checked with the stored
    public key). Returns the credential used and the parsed response."""
    options, state = rp.authenticate_begin(credentials if allow else None, user_verification=uv)
    raw = hosted.get(options_json(options), **kwargs)
    response = AuthenticationResponse.from_dict(raw)
    used = rp.authenticate_complete(state, credentials, response)
    assert raw["id"] == raw["rawId"] == websafe_encode(used.credential_id)
    assert raw["type"] == "public-key"
    assert raw["authenticatorAttachment"] == hosted.attachment
    check_backup_flags(response.response.authenticator_data)
    return used, response


def check_registration_json(raw, response: RegistrationResponse, auth_data: AuthenticatorData, hosted: Hosted):
    """RegistrationResponseJSON (WebAuthn L3 §5.1, §5.2.1): the convenience members agree with
    the attestation object."""
    credential = auth_data.credential_data
    assert raw["id"] == raw["rawId"] == websafe_encode(credential.credential_id)
    assert raw["type"] == "public-key"
    # §5.4.5: how the authenticator is attached (built-in UV: platform; otherwise a roaming key).
    assert raw["authenticatorAttachment"] == hosted.attachment
    assert hosted.attachment == ("platform" if hosted.config["uv"]["kind"] == "builtin" else "cross-platform")
    check_backup_flags(auth_data)
    body = raw["response"]
    # §5.2.1 getAuthenticatorData(): the authData of the attestation object.
    assert websafe_decode(body["authenticatorData"]) == bytes(response.response.attestation_object.auth_data)
    # §5.2.1 getPublicKeyAlgorithm() and getPublicKey(): the credential key as COSE says it, and
    # as SubjectPublicKeyInfo.
    assert body["publicKeyAlgorithm"] == credential.public_key[3]
    spki = load_der_public_key(websafe_decode(body["publicKey"]))
    expected = credential.public_key.from_cryptography_key(spki)
    assert dict(expected) == dict(credential.public_key)
    assert spki.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo) == websafe_decode(body["publicKey"])
    assert isinstance(body["transports"], list) and body["transports"]
    client_data = response.response.client_data
    assert client_data.type == CollectedClientData.TYPE.CREATE


def check_backup_flags(auth_data: AuthenticatorData) -> None:
    """WebAuthn L3 §6.1.3 and §7.1 / §7.2 (the RP's BE/BS check, which Fido2Server leaves out):
    BS is never set without BE."""
    assert auth_data.is_backup_eligible() or not auth_data.is_backed_up(), "BS set without BE"


def dom_error(fn, *args, **kwargs) -> str:
    """The DOMException name `fn` gets from the bridge (fails the test when it gets a credential)."""
    with pytest.raises(DomError) as err:
        fn(*args, **kwargs)
    return err.value.name


# -- what the profiles promise (docs/authenticator.md) -----------------------------------------


def can_verify(profile: str) -> bool:
    """Built-in UV, or the security key's clientPIN (set to 1234 by the profile)."""
    spec = PROFILES[profile]
    return spec.builtin_uv or spec.uv_kind == "client_pin"


def expected_uv(profile: str, uv: UV, creating_discoverable: bool = False) -> bool:
    """WebAuthn L3 §5.8.6 (userVerification): `required` and `preferred` verify the user where
    the authenticator can; `discouraged` does not, except that a protected authenticator verifies
    for a discoverable credential (CTAP 2.1 §6.1.2 step 7, makeCredUvNotRqd)."""
    if uv == UV.DISCOURAGED:
        return creating_discoverable and can_verify(profile)
    return can_verify(profile)


# -- a registration and sign-ins per profile -----------------------------------------------------

FLAG_CASES = [
    (profile, uv)
    for profile in PROFILE_NAMES
    for uv in ([UV.REQUIRED, UV.PREFERRED, UV.DISCOURAGED] if can_verify(profile) else [UV.PREFERRED, UV.DISCOURAGED])
]


@pytest.mark.parametrize("profile,uv", FLAG_CASES, ids=[f"{p}-{u.value}" for p, u in FLAG_CASES])
def test_profile_ceremonies_pass_fido2_server(host, profile, uv):
    """A registration and two sign-ins per profile and userVerification: Fido2Server accepts
    them, and the flags and counters are the profile's."""
    spec = PROFILES[profile]
    hosted = host(profile)
    rp = server(attestation="none")
    reg = register(hosted, rp, uv=uv)

    # WebAuthn L3 §7.1 / §7.2: Fido2Server checked type, challenge, origin, rpIdHash, UP and, for
    # `required`, UV. Here the flags the profile implies, BE/BS per §6.1 (backup eligibility is
    # fixed for a credential's lifetime, so both ceremonies carry the profile's values).
    client_data = reg.response.response.client_data
    assert client_data.origin == ORIGIN and client_data.cross_origin is False
    assert reg.auth_data.rp_id_hash == RP_ID_HASH
    assert reg.auth_data.is_user_present()
    assert reg.auth_data.is_user_verified() == expected_uv(profile, uv)
    assert reg.auth_data.is_backup_eligible() == spec.backup
    assert reg.auth_data.is_backed_up() == spec.backup
    assert reg.auth_data.is_attested()
    assert reg.response.raw_id == reg.credential.credential_id

    counters = [reg.auth_data.counter]
    for _ in range(2):
        used, auth = authenticate(hosted, rp, [reg.credential], uv=uv)
        assert used.credential_id == reg.credential.credential_id
        data = auth.response.authenticator_data
        assert auth.response.client_data.type == CollectedClientData.TYPE.GET
        assert data.rp_id_hash == RP_ID_HASH
        assert data.is_user_present()
        assert data.is_user_verified() == expected_uv(profile, uv)
        assert data.is_backup_eligible() == spec.backup
        assert data.is_backed_up() == spec.backup
        assert not data.is_attested()
        counters.append(data.counter)
    check_counters(spec.counter, counters)


def check_counters(mode: str, counters: list[int]) -> None:
    """WebAuthn L3 §6.1.1: a signature counter (`per_credential`, `global`) increases with every
    signature; an authenticator without one (`zero`) reports 0 throughout (§7.2, the signCount
    check, accepts both zero)."""
    assert mode in ("per_credential", "global", "zero")
    if mode == "zero":
        assert counters == [0] * len(counters)
    else:
        assert all(b > a for a, b in zip(counters, counters[1:])), counters


# -- attestation conveyance ----------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_direct_attestation_is_the_profiles_statement(host, metadata, profile):
    """WebAuthn L3 §5.4.7 (`direct`): the authenticator's statement reaches the RP unchanged,
    and §8.2 (packed) / §8.7 (none) verify it."""
    hosted = host(profile)
    rp = server(attestation="direct")
    reg = register(hosted, rp, uv=UV.DISCOURAGED)
    attestation = reg.response.response.attestation_object
    client_data_hash = reg.response.response.client_data.hash
    statement = metadata.for_profile(profile)
    assert str(reg.credential.aaguid) == statement["aaguid"]

    kind = PROFILES[profile].attestation
    if kind == "basic":
        assert attestation.fmt == "packed"
        assert "x5c" in attestation.att_stmt
        result = PackedAttestation().verify(attestation.att_stmt, attestation.auth_data, client_data_hash)
        assert result.attestation_type == AttestationType.BASIC
        # An RP with the model's metadata entry trusts the chain (WebAuthn L3 §7.1, trustworthiness).
        verifier = MdsAttestationVerifier(metadata.blob())
        verifier.verify_attestation(attestation, client_data_hash)
        entry = verifier.find_entry(attestation, client_data_hash)
        assert entry is not None and entry.metadata_statement.description == statement["description"]
    elif kind == "self":
        assert attestation.fmt == "packed"
        assert "x5c" not in attestation.att_stmt
        result = PackedAttestation().verify(attestation.att_stmt, attestation.auth_data, client_data_hash)
        assert result.attestation_type == AttestationType.SELF
    else:
        assert attestation.fmt == "none"
        assert attestation.att_stmt == {}
        NoneAttestation().verify(attestation.att_stmt, attestation.auth_data, client_data_hash)

    # The credential signs as attested.
    authenticate(hosted, rp, [reg.credential], uv=UV.DISCOURAGED)


@pytest.mark.parametrize("conveyance", ["none", None], ids=["none", "default"])
@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_no_attestation_is_anonymous(host, metadata, profile, conveyance):
    """WebAuthn L3 §5.1.3, attestation conveyance `none` (also the default, §5.4.7): fmt none,
    an empty attStmt and a zero AAGUID (none of the profiles self-attests with a zero AAGUID,
    the one statement kept as it is)."""
    hosted = host(profile)
    rp = server(attestation=conveyance)
    assert metadata.for_profile(profile)["aaguid"] != str(Aaguid.NONE)

    def drop_conveyance(options):
        if conveyance is None:
            options.pop("attestation", None)

    reg = register(hosted, rp, uv=UV.DISCOURAGED, edit=drop_conveyance)
    attestation = reg.response.response.attestation_object
    assert attestation.fmt == "none"
    assert attestation.att_stmt == {}
    assert reg.credential.aaguid == Aaguid.NONE
    NoneAttestation().verify(attestation.att_stmt, attestation.auth_data, reg.response.response.client_data.hash)
    # Only the AAGUID changed: the credential key still verifies the sign-in.
    authenticate(hosted, rp, [reg.credential], uv=UV.DISCOURAGED)


# -- configurations ------------------------------------------------------------------------------


def test_security_key_without_pin(host):
    """A security key with no PIN set cannot verify the user: `preferred` goes on without UV,
    `required` is NotAllowedError (WebAuthn L3 §5.1.3: no authenticator can serve), and a
    discoverable credential needs no PIN (CTAP 2.1 §6.1.2 step 7: the device is not protected by
    user verification)."""
    hosted = host(config=profile_config(host, "security-key", pin=None))
    rp = server()
    reg = register(hosted, rp, uv=UV.PREFERRED, resident_key=RK.REQUIRED)
    assert reg.auth_data.is_user_present() and not reg.auth_data.is_user_verified()
    _, auth = authenticate(hosted, rp, [reg.credential], uv=UV.PREFERRED, allow=False)
    assert not auth.response.authenticator_data.is_user_verified()

    before = hosted.credentials()
    assert dom_error(register, hosted, rp, uv=UV.REQUIRED, resident_key=RK.REQUIRED) == "NotAllowedError"
    assert dom_error(authenticate, hosted, rp, [reg.credential], uv=UV.REQUIRED) == "NotAllowedError"
    assert hosted.credentials() == before


@pytest.mark.parametrize(
    "eligible,state", [(True, False), (True, True), (False, False)], ids=["BE", "BE-BS", "none"]
)
def test_backup_flags_follow_the_configuration(host, eligible, state):
    """WebAuthn L3 §6.1 flags: BE (bit 3) and BS (bit 4) as configured, in both ceremonies."""
    hosted = host(config=profile_config(host, "software-token", backup={"eligible": eligible, "state": state}))
    rp = server()
    reg = register(hosted, rp)
    _, auth = authenticate(hosted, rp, [reg.credential])
    for data in (reg.auth_data, auth.response.authenticator_data):
        assert data.is_backup_eligible() == eligible
        assert data.is_backed_up() == state


@pytest.mark.parametrize("mode", ["per_credential", "global", "zero"])
def test_signature_counters(host, mode):
    """WebAuthn L3 §6.1.1: per-credential and global counters increase with every signature (a
    global one across credentials too); `zero` stays 0."""
    hosted = host(config=profile_config(host, "platform", counter=mode))
    rp = server()
    first = register(hosted, rp, user=new_user("alice"))
    second = register(hosted, rp, user=new_user("bob"))
    credentials = [first.credential, second.credential]
    seen: dict[bytes, list[int]] = {c.credential_id: [] for c in credentials}
    order = []
    for credential in [first.credential, second.credential, first.credential, second.credential]:
        _, auth = authenticate(hosted, rp, [credential])
        counter = auth.response.authenticator_data.counter
        seen[credential.credential_id].append(counter)
        order.append(counter)
    for counters in seen.values():
        check_counters(mode, counters)
    if mode == "global":
        check_counters(mode, order)


def test_eddsa_only_key(host):
    """An authenticator with EdDSA alone answers the RP's list (ES256 first) with an EdDSA
    credential (CTAP 2.1 §6.1.2 step 3: the first supported algorithm), whose signatures
    Fido2Server verifies; a list without EdDSA is NotSupportedError (WebAuthn L3 §5.1.3,
    CTAP2_ERR_UNSUPPORTED_ALGORITHM)."""
    hosted = host(config=profile_config(host, "software-token", algorithms=["ed_dsa"]))
    rp = server()
    reg = register(hosted, rp, resident_key=RK.REQUIRED)
    assert reg.credential.public_key[3] == EDDSA
    assert reg.raw["response"]["publicKeyAlgorithm"] == EDDSA
    authenticate(hosted, rp, [reg.credential])

    before = hosted.credentials()

    def es256_only(options):
        options["pubKeyCredParams"] = [{"type": "public-key", "alg": ES256}]

    assert dom_error(register, hosted, rp, resident_key=RK.REQUIRED, edit=es256_only) == "NotSupportedError"
    assert hosted.credentials() == before


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_unsupported_algorithm(host, profile):
    """WebAuthn L3 §5.1.3 (CTAP2_ERR_UNSUPPORTED_ALGORITHM): none of the requested
    algorithms on the key (RS256 only) is NotSupportedError, and nothing is registered."""
    hosted = host(profile)

    def rs256_only(options):
        options["pubKeyCredParams"] = [{"type": "public-key", "alg": RS256}]

    assert dom_error(register, hosted, server(), resident_key=RK.REQUIRED, edit=rs256_only) == "NotSupportedError"
    assert hosted.credentials() == []


def test_default_algorithms_and_rp_id(host):
    """Without pubKeyCredParams the client asks for ES256 and RS256 (WebAuthn L3 §5.1.3,
    an empty pubKeyCredParams), and without rp.id / rpId the RP ID is the origin's effective
    domain (§5.1.3, §5.1.4)."""
    hosted = host("security-key")
    rp = server()

    def defaults(options):
        options["pubKeyCredParams"] = []
        del options["rp"]["id"]

    reg = register(hosted, rp, edit=defaults)
    assert reg.credential.public_key[3] == ES256
    assert reg.auth_data.rp_id_hash == RP_ID_HASH
    options, state = rp.authenticate_begin([reg.credential])
    options = options_json(options)
    del options["rpId"]
    response = AuthenticationResponse.from_dict(hosted.get(options))
    rp.authenticate_complete(state, [reg.credential], response)


# -- the user's refusals -------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_presence_denied(host, profile):
    """The user declines the touch: NotAllowedError for create and get (WebAuthn L3 §5.1.3,
    §5.1.4; CTAP2_ERR_OPERATION_DENIED); nothing is registered, and the next ceremony,
    approved, works."""
    hosted = host(profile)
    rp = server()
    hosted.next(presence="deny")
    assert dom_error(register, hosted, rp, resident_key=RK.REQUIRED) == "NotAllowedError"
    assert hosted.credentials() == []

    reg = register(hosted, rp, resident_key=RK.REQUIRED)
    assert len(hosted.credentials()) == 1
    hosted.next(presence="deny")
    assert dom_error(authenticate, hosted, rp, [reg.credential]) == "NotAllowedError"
    authenticate(hosted, rp, [reg.credential])


@pytest.mark.parametrize("profile", ["security-key", "synced-passkey"])
def test_presence_timeout(host, profile):
    """Nobody touches the key within the configured wait: NotAllowedError (WebAuthn L3 §5.1.3;
    CTAP2_ERR_USER_ACTION_TIMEOUT), after about that wait, and nothing registered."""
    hosted = host(config=profile_config(host, profile, presence_timeout=duration(0.3)))
    rp = server()
    hosted.next(presence="timeout")
    started = time.monotonic()
    assert dom_error(register, hosted, rp, resident_key=RK.REQUIRED) == "NotAllowedError"
    elapsed = time.monotonic() - started
    assert 0.25 <= elapsed < 5.0, elapsed
    assert hosted.credentials() == []

    reg = register(hosted, rp, resident_key=RK.REQUIRED)
    hosted.next(presence="timeout")
    assert dom_error(authenticate, hosted, rp, [reg.credential]) == "NotAllowedError"


def test_page_timeout_bounds_the_wait(host):
    """The options' `timeout` (WebAuthn L3 §5.1.3, the lifetime timer; the bridge takes it as
    given) ends a ceremony nobody answers with NotAllowedError long before the profile's 30 s
    presence wait."""
    hosted = host("security-key")
    hosted.next(presence="timeout")

    def short_timeout(options):
        options["timeout"] = 300

    started = time.monotonic()
    assert dom_error(register, hosted, server(), edit=short_timeout) == "NotAllowedError"
    assert time.monotonic() - started < 5.0


@pytest.mark.parametrize("profile", ["platform", "synced-passkey"])
def test_biometric_no_match(host, profile):
    """The built-in sensor does not recognise the user and UV is required: NotAllowedError
    (WebAuthn L3 §5.1.3, §5.1.4; CTAP 2.1 §6.1.2 step 11), nothing registered; a
    match in the next ceremony registers with UV."""
    hosted = host(profile)
    rp = server()
    hosted.next(biometric="no_match")
    assert dom_error(register, hosted, rp, uv=UV.REQUIRED, resident_key=RK.REQUIRED) == "NotAllowedError"
    assert hosted.credentials() == []

    reg = register(hosted, rp, uv=UV.REQUIRED, resident_key=RK.REQUIRED)
    assert reg.auth_data.is_user_verified()
    hosted.next(biometric="no_match")
    assert dom_error(authenticate, hosted, rp, [reg.credential], uv=UV.REQUIRED) == "NotAllowedError"
    hosted.next(biometric="match")
    _, auth = authenticate(hosted, rp, [reg.credential], uv=UV.REQUIRED)
    assert auth.response.authenticator_data.is_user_verified()


def test_wrong_pin(host):
    """A wrong PIN typed at the browser's prompt: NotAllowedError (CTAP2_ERR_PIN_INVALID, CTAP 2.1
    §6.5.5.7.2), nothing registered; the right PIN next time verifies the user."""
    hosted = host("security-key")
    rp = server()
    hosted.next(pin="9876")
    assert dom_error(register, hosted, rp, uv=UV.REQUIRED, resident_key=RK.REQUIRED) == "NotAllowedError"
    assert hosted.credentials() == []

    reg = register(hosted, rp, uv=UV.REQUIRED, resident_key=RK.REQUIRED)
    assert reg.auth_data.is_user_verified()
    hosted.next(pin="9876")
    assert dom_error(authenticate, hosted, rp, [reg.credential], uv=UV.REQUIRED) == "NotAllowedError"
    hosted.next(pin="1234")
    _, auth = authenticate(hosted, rp, [reg.credential], uv=UV.REQUIRED)
    assert auth.response.authenticator_data.is_user_verified()


def test_three_wrong_pins_block_until_power_cycle(host):
    """Three consecutive wrong PINs block PIN entry until the authenticator is power-cycled
    (CTAP 2.1 §6.5.2.2, CTAP2_ERR_PIN_AUTH_BLOCKED): even the right PIN is then NotAllowedError;
    after `POST .../power-cycle` it verifies the user again."""
    hosted = host("security-key")
    rp = server()
    for _ in range(3):
        hosted.next(pin="0000")
        assert dom_error(register, hosted, rp, uv=UV.REQUIRED) == "NotAllowedError"
    assert dom_error(register, hosted, rp, uv=UV.REQUIRED) == "NotAllowedError"  # the right PIN
    status, _ = hosted.bridge.call("POST", f"/authenticators/{hosted.id}/power-cycle")
    assert status == 204
    reg = register(hosted, rp, uv=UV.REQUIRED)
    assert reg.auth_data.is_user_verified()


def test_cancel_is_abort_error(host):
    """The page aborts a ceremony waiting for a touch: AbortError (WebAuthn L3 §5.1.3,
    the AbortSignal's default reason; CTAP2_ERR_KEEPALIVE_CANCEL), well before the wait ends,
    and nothing is registered."""
    hosted = host(config=profile_config(host, "platform", presence_timeout=duration(8.0)))
    rp = server()
    hosted.next(presence="timeout")
    outcome: list[Any] = []

    def run():
        started = time.monotonic()
        try:
            register(hosted, rp, resident_key=RK.REQUIRED)
            outcome.append(("credential", time.monotonic() - started))
        except DomError as err:
            outcome.append((err.name, time.monotonic() - started))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    time.sleep(0.4)  # the ceremony is waiting for the touch
    status, _ = hosted.bridge.call("POST", f"/authenticators/{hosted.id}/cancel")
    assert status == 204
    worker.join(HTTP_TIMEOUT)
    assert outcome and outcome[0][0] == "AbortError", outcome
    assert outcome[0][1] < 4.0, outcome
    assert hosted.credentials() == []


def test_uv_required_on_software_token(host):
    """The software token cannot verify the user: `required` is NotAllowedError for create and get
    (WebAuthn L3 §5.1.3 / §5.1.4: no authenticator can serve), and nothing is registered."""
    hosted = host("software-token")
    rp = server()
    assert dom_error(register, hosted, rp, uv=UV.REQUIRED, resident_key=RK.REQUIRED) == "NotAllowedError"
    assert hosted.credentials() == []
    reg = register(hosted, rp, uv=UV.PREFERRED, resident_key=RK.REQUIRED)
    assert not reg.auth_data.is_user_verified()
    assert dom_error(authenticate, hosted, rp, [reg.credential], uv=UV.REQUIRED) == "NotAllowedError"


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_excluded_credential(host, profile):
    """A credential of excludeCredentials on the authenticator: InvalidStateError (WebAuthn L3
    §5.1.3; CTAP2_ERR_CREDENTIAL_EXCLUDED after the user's touch, CTAP 2.1 §6.1.2 step 12),
    nothing more registered; excluding another authenticator's credential excludes nothing."""
    hosted = host(profile)
    rp = server()
    reg = register(hosted, rp, resident_key=RK.REQUIRED)
    assert len(hosted.credentials()) == 1
    name = dom_error(register, hosted, rp, resident_key=RK.REQUIRED, exclude=[reg.credential])
    assert name == "InvalidStateError"
    assert len(hosted.credentials()) == 1

    # The same user again, excluding another authenticator's credential: it replaces the first
    # (CTAP 2.1 §6.1.2: a discoverable credential of the same RP ID and user handle).
    other = host(profile)
    foreign = register(other, rp, resident_key=RK.REQUIRED)
    register(hosted, rp, resident_key=RK.REQUIRED, user=reg.user, exclude=[foreign.credential])
    assert len(hosted.credentials()) == 1


def foreign_descriptors(count: int, like: bytes) -> list[PublicKeyCredentialDescriptor]:
    """`count` credential descriptors of no authenticator, as long as `like`."""
    return [PublicKeyCredentialDescriptor(type="public-key", id=os.urandom(len(like))) for _ in range(count)]


#: Longer than the authenticator's maxCredentialCountInList (getInfo 0x07, CTAP 2.1 §6.4).
LONG_LIST = 40


@pytest.mark.parametrize("holding", [True, False], ids=["holding-one", "foreign-only"])
def test_long_exclude_list(host, holding):
    """An excludeCredentials list longer than the authenticator takes at once
    (maxCredentialCountInList) is still checked whole (WebAuthn L3 §6.3.2 step 3: every
    descriptor of the list), the client splitting it as CTAP 2.1 describes ("pre-flight": silent
    authenticatorGetAssertion probes for an excludeList): a credential of this authenticator at
    the end of the list is InvalidStateError; a list of other authenticators' credentials
    excludes nothing and the registration goes on."""
    hosted = host("software-token")
    rp = server()
    reg = register(hosted, rp, resident_key=RK.REQUIRED)
    exclude = foreign_descriptors(LONG_LIST - 1, reg.credential.credential_id)
    if holding:
        exclude.append(PublicKeyCredentialDescriptor(type="public-key", id=reg.credential.credential_id))
        name = dom_error(register, hosted, rp, resident_key=RK.REQUIRED, exclude=exclude)
        assert name == "InvalidStateError"
        assert len(hosted.credentials()) == 1
    else:
        register(hosted, rp, resident_key=RK.REQUIRED, exclude=exclude)
        assert len(hosted.credentials()) == 2


def test_long_allow_list(host):
    """An allowCredentials list longer than maxCredentialCountInList (CTAP 2.1 §6.4) finds the
    authenticator's credential wherever it stands (WebAuthn L3 §5.1.4, CTAP 2.1 "pre-flight"), and
    one without any is NotAllowedError."""
    hosted = host("security-key")
    rp = server()
    reg = register(hosted, rp)
    foreign = foreign_descriptors(LONG_LIST - 1, reg.credential.credential_id)
    mine = PublicKeyCredentialDescriptor(type="public-key", id=reg.credential.credential_id)
    for allow in (foreign + [mine], [mine] + foreign):
        options, state = rp.authenticate_begin(allow)
        response = AuthenticationResponse.from_dict(hosted.get(options_json(options)))
        used = rp.authenticate_complete(state, [reg.credential], response)
        assert used.credential_id == reg.credential.credential_id
    options, _ = rp.authenticate_begin(foreign)
    assert dom_error(hosted.get, options_json(options)) == "NotAllowedError"


def test_unknown_credential(host):
    """An allowCredentials list with nothing of this authenticator's: NotAllowedError (WebAuthn L3
    §5.1.4, CTAP2_ERR_NO_CREDENTIALS); likewise a discoverable sign-in with none."""
    hosted = host("security-key")
    rp = server()
    stranger = register(host("security-key"), rp)
    assert dom_error(authenticate, hosted, rp, [stranger.credential]) == "NotAllowedError"
    assert dom_error(authenticate, hosted, rp, [], allow=False) == "NotAllowedError"


ATTACHMENTS = [
    ("security-key", "cross-platform", True),
    ("security-key", "platform", False),
    ("platform", "platform", True),
    ("platform", "cross-platform", False),
]


@pytest.mark.parametrize(
    "profile,wanted,usable", ATTACHMENTS, ids=[f"{p}-wants-{w}" for p, w, _ in ATTACHMENTS]
)
def test_authenticator_attachment_is_respected(host, profile, wanted, usable):
    """authenticatorSelection.authenticatorAttachment (WebAuthn L3 §5.4.4, §5.4.5): the client
    uses only authenticators of that attachment modality (§5.1.3: "If
    options.authenticatorSelection.authenticatorAttachment is present and its value is not equal
    to authenticator's authenticator attachment modality, continue"). With the one hosted
    authenticator of the other modality nothing can create the credential: the ceremony ends with
    NotAllowedError when its lifetime timer expires, and nothing is registered."""
    hosted = host(profile)
    rp = server()

    def attachment(options):
        options["authenticatorSelection"] = {"authenticatorAttachment": wanted, "residentKey": "required"}
        options["timeout"] = 500

    if usable:
        reg = register(hosted, rp, edit=attachment)
        assert reg.raw["authenticatorAttachment"] == wanted
        assert len(hosted.credentials()) == 1
    else:
        assert dom_error(register, hosted, rp, edit=attachment) == "NotAllowedError"
        assert hosted.credentials() == []


@pytest.mark.parametrize(
    "edit",
    [
        lambda o: o["user"].update(id=""),
        lambda o: o["user"].update(id=websafe_encode(os.urandom(65))),
        lambda o: o.pop("challenge"),
    ],
    ids=["empty-user-id", "user-id-65-bytes", "no-challenge"],
)
def test_malformed_options_are_type_errors(host, edit):
    """WebAuthn L3 §5.1.3: a user.id not between 1 and 64 bytes is a TypeError, and so is a
    missing required member (the challenge; WebIDL dictionary conversion)."""
    hosted = host("software-token")
    assert dom_error(register, hosted, server(), resident_key=RK.REQUIRED, edit=edit) == "TypeError"
    assert hosted.credentials() == []


def test_client_data_json_serialization(host):
    """clientDataJSON is the JSON-compatible serialization of WebAuthn L3 §5.8.1.1, which an RP may
    check with the limited verification algorithm (§5.8.1.2): type, challenge, origin and
    crossOrigin first and in that order, topOrigin next when cross-origin."""
    hosted = host("platform")
    rp = server()
    options, state = rp.register_begin(new_user())
    options = options_json(options)
    raw = hosted.create(options)
    client_data = websafe_decode(raw["response"]["clientDataJSON"])
    expected = '{"type":"webauthn.create","challenge":"%s","origin":"%s","crossOrigin":false' % (
        options["challenge"],
        ORIGIN,
    )
    assert client_data.startswith(expected.encode()), client_data
    credential = rp.register_complete(state, raw).credential_data

    top = "https://shop.example"
    options, _ = rp.authenticate_begin([credential])
    options = options_json(options)
    raw = hosted.get(options, top_origin=top)
    client_data = websafe_decode(raw["response"]["clientDataJSON"])
    expected = '{"type":"webauthn.get","challenge":"%s","origin":"%s","crossOrigin":true,"topOrigin":"%s"' % (
        options["challenge"],
        ORIGIN,
        top,
    )
    assert client_data.startswith(expected.encode()), client_data


# -- origins and RP IDs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin,rp_id",
    [
        ("https://evil.example", RP_ID),  # another site
        ("https://example.com.evil.example", RP_ID),
        ("https://notexample.com", RP_ID),  # a suffix of the host, not at a label boundary
        ("https://login.example.com", "com"),  # a public suffix
        ("https://example.co.uk", "co.uk"),  # a public suffix of two labels
        ("https://app.github.io", "github.io"),  # a private-section public suffix
        ("http://example.com", RP_ID),  # not a secure context
        ("https://login.example.com", "shop.example.com"),  # a sibling, not a suffix
    ],
)
def test_security_error(host, origin, rp_id):
    """WebAuthn L3 §5.1.3 / §5.1.4, the origin and RP ID steps: an origin that is not a secure
    context, or an RP ID that is neither the origin's effective domain nor a registrable domain
    suffix of it (HTML §6.2, public suffixes excluded) is SecurityError, and nothing is
    registered."""
    hosted = host("platform")
    rp = server(rp={"id": rp_id, "name": "Example"})
    assert dom_error(register, hosted, rp, resident_key=RK.REQUIRED, origin=origin) == "SecurityError"
    assert hosted.credentials() == []

    home = register(hosted, server(), resident_key=RK.REQUIRED)
    options, _ = rp.authenticate_begin([home.credential])
    assert dom_error(hosted.get, options_json(options), origin=origin) == "SecurityError"


def test_registrable_suffix_is_accepted(host):
    """A page on a subdomain may use its registrable parent as RP ID (WebAuthn L3 §5.1.3, HTML
    §6.2 "is a registrable domain suffix of"), and clientDataJSON carries the page's own origin,
    which the RP accepts for that RP ID."""
    hosted = host("security-key")
    rp = server()
    origin = "https://login.example.com"
    reg = register(hosted, rp, origin=origin)
    assert reg.response.response.client_data.origin == origin
    assert reg.auth_data.rp_id_hash == RP_ID_HASH
    _, auth = authenticate(hosted, rp, [reg.credential], origin=origin)
    assert auth.response.client_data.origin == origin


def test_cross_origin_iframe(host):
    """A call from an iframe: clientDataJSON has crossOrigin true and the top-level origin
    (WebAuthn L3 §5.8.1)."""
    hosted = host("platform")
    rp = server()
    top = "https://shop.example"
    reg = register(hosted, rp, top_origin=top)
    client_data = reg.response.response.client_data
    assert client_data.cross_origin is True
    assert json.loads(bytes(client_data))["topOrigin"] == top
    _, auth = authenticate(hosted, rp, [reg.credential], top_origin=top)
    assert auth.response.client_data.cross_origin is True
    assert json.loads(bytes(auth.response.client_data))["topOrigin"] == top


# -- discoverable credentials --------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_discoverable_sign_in(host, profile):
    """A discoverable credential (residentKey required, WebAuthn L3 §5.4.6) signs in without
    allowCredentials and the response carries its user handle (§5.2.2 userHandle, §7.2);
    `GET .../credentials` lists the discoverable credentials, and only those."""
    hosted = host(profile)
    rp = server()
    alice = register(hosted, rp, resident_key=RK.REQUIRED, user=new_user("alice"))
    register(hosted, rp, resident_key=RK.DISCOURAGED, user=new_user("bob"))  # server-side only
    listed = hosted.credentials()
    assert listed == [
        {
            "id": websafe_encode(alice.credential.credential_id),
            "rpId": RP_ID,
            "userHandle": websafe_encode(alice.user["id"]),
            "userName": "alice",
            "userDisplayName": "Alice",
        }
    ]

    used, auth = authenticate(hosted, rp, [alice.credential], uv=UV.PREFERRED, allow=False)
    assert used.credential_id == alice.credential.credential_id
    assert auth.response.user_handle == alice.user["id"]


def test_removed_and_reset_credentials_are_gone(host):
    """`DELETE .../credentials/{id}` removes one discoverable credential and `POST .../reset`
    all of them (authenticatorReset, CTAP 2.1 §6.6): a sign-in with either is then
    NotAllowedError (WebAuthn L3 §5.1.4, CTAP2_ERR_NO_CREDENTIALS)."""
    hosted = host("platform")
    rp = server()
    alice = register(hosted, rp, resident_key=RK.REQUIRED, user=new_user("alice"))
    bob = register(hosted, rp, resident_key=RK.REQUIRED, user=new_user("bob"))
    assert len(hosted.credentials()) == 2

    alice_id = websafe_encode(alice.credential.credential_id)
    status, _ = hosted.bridge.call("DELETE", f"/authenticators/{hosted.id}/credentials/{alice_id}")
    assert status == 204
    status, _ = hosted.bridge.call("DELETE", f"/authenticators/{hosted.id}/credentials/{alice_id}")
    assert status == 404
    assert [c["userName"] for c in hosted.credentials()] == ["bob"]
    assert dom_error(authenticate, hosted, rp, [alice.credential]) == "NotAllowedError"
    used, _ = authenticate(hosted, rp, [alice.credential, bob.credential], allow=False)
    assert used.credential_id == bob.credential.credential_id

    status, _ = hosted.bridge.call("POST", f"/authenticators/{hosted.id}/reset")
    assert status == 204
    assert hosted.credentials() == []
    assert dom_error(authenticate, hosted, rp, [bob.credential]) == "NotAllowedError"
    assert dom_error(authenticate, hosted, rp, [], allow=False) == "NotAllowedError"


def test_cred_props_reports_discoverability(host):
    """credProps (WebAuthn L3 §10.1.3): `rk` says whether the credential is discoverable."""
    hosted = host("security-key")
    rp = server()

    def ask_cred_props(options):
        options["extensions"] = {"credProps": True}

    discoverable = register(hosted, rp, resident_key=RK.REQUIRED, edit=ask_cred_props)
    assert discoverable.raw["clientExtensionResults"]["credProps"] == {"rk": True}
    plain = register(hosted, rp, resident_key=RK.DISCOURAGED, edit=ask_cred_props)
    assert plain.raw["clientExtensionResults"]["credProps"] == {"rk": False}


def test_added_authenticator_names_its_aaguid(bridge, metadata):
    """docs/bridge.md: `POST /authenticators` answers 201 `{"id", "aaguid": HEX, "config"}`, the
    AAGUID being the model's (the one its metadata statement and direct attestation carry)."""
    for profile in PROFILE_NAMES:
        status, answer = bridge.call("POST", "/authenticators", {"profile": profile})
        assert status == 201
        bridge.call("DELETE", f"/authenticators/{answer['id']}")
        assert re.fullmatch(r"[0-9a-f]{32}", answer["id"])
        assert "aaguid" in answer, f"{profile}: no aaguid in the answer, only {sorted(answer)}"
        assert answer["aaguid"] == metadata.for_profile(profile)["aaguid"].replace("-", ""), profile


def test_api_misuse_is_4xx(bridge):
    """API misuse is a 4xx with an error and a message, never a domException (docs/bridge.md)."""
    status, body = bridge.call("POST", "/authenticators", {"profile": "no-such-profile"})
    assert status == 400 and set(body) == {"error", "message"}
    status, body = bridge.call(
        "POST", "/authenticators/00/create", {"options": {}, "origin": ORIGIN, "topOrigin": None}
    )
    assert status == 404 and set(body) == {"error", "message"}

