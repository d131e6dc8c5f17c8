"""authenticatorClientPIN (CTAP 2.1 §6.5) through python-fido2's own ClientPin, PinProtocolV1
and PinProtocolV2: setting and changing the PIN, pinUvAuthTokens and their permissions, the
retry counters and power-cycle blocking, and built-in UV tokens."""

from __future__ import annotations

import time

import pytest
from fido2.ctap import CtapError
from fido2.ctap2 import Ctap2
from fido2.ctap2.pin import ClientPin, PinProtocolV1, PinProtocolV2
from fido2.utils import sha256

from softfido_support import (
    DEFAULT_PIN,
    OTHER_RP,
    PERM,
    PROTOCOLS,
    PROTOCOL_IDS,
    RP_ID,
    PinUvToken,
    connection_of,
    ctap_error,
    get_assertion,
    make_credential,
    pin_token,
    random_cdh,
    user_entity,
)

ERR = CtapError.ERR


def fresh_info(ctap: Ctap2):
    """getInfo now (python-fido2's Ctap2.info is the one read when it was created)."""
    return ctap.get_info()


def pad(pin: bytes) -> bytes:
    """paddedNewPin (CTAP 2.1 §6.5.5.5) without python-fido2's own length checks."""
    return pin.ljust(64, b"\0")


def raw_set_pin(ctap: Ctap2, protocol, padded: bytes) -> None:
    """setPIN (0x03) with an arbitrary paddedNewPin: python-fido2's set_pin refuses short PINs
    itself, before the authenticator can."""
    key_agreement, shared = ClientPin(ctap, protocol)._get_shared_secret()
    new_pin_enc = protocol.encrypt(shared, padded)
    ctap.client_pin(
        protocol.VERSION,
        ClientPin.CMD.SET_PIN,
        key_agreement=key_agreement,
        new_pin_enc=new_pin_enc,
        pin_uv_param=protocol.authenticate(shared, new_pin_enc),
    )


def raw_change_pin(ctap: Ctap2, protocol, old_pin: str, padded: bytes) -> None:
    key_agreement, shared = ClientPin(ctap, protocol)._get_shared_secret()
    pin_hash_enc = protocol.encrypt(shared, sha256(old_pin.encode())[:16])
    new_pin_enc = protocol.encrypt(shared, padded)
    ctap.client_pin(
        protocol.VERSION,
        ClientPin.CMD.CHANGE_PIN,
        key_agreement=key_agreement,
        pin_hash_enc=pin_hash_enc,
        new_pin_enc=new_pin_enc,
        pin_uv_param=protocol.authenticate(shared, new_pin_enc + pin_hash_enc),
    )


def pin_token_of(protocol, token: bytes) -> PinUvToken:
    """A token python-fido2's ClientPin returned, with the protocol class it used."""
    return PinUvToken(protocol(), token)


def key_agreement(ctap: Ctap2) -> dict:
    return dict(ctap.client_pin(2, ClientPin.CMD.GET_KEY_AGREEMENT)[ClientPin.RESULT.KEY_AGREEMENT])


# -- setting and changing the PIN ---------------------------------------------------------------


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=PROTOCOL_IDS)
def test_set_and_change_pin(start_daemon, protocol):
    daemon = start_daemon("security-key", no_pin=True)
    ctap = daemon.ctap2()
    client_pin = ClientPin(ctap, protocol())
    assert ctap.info.options["clientPin"] is False
    assert client_pin.get_pin_retries()[0] == 8

    client_pin.set_pin("4321")
    assert fresh_info(ctap).options["clientPin"] is True
    client_pin.get_pin_token("4321", PERM.GET_ASSERTION, RP_ID)
    ctap_error(client_pin.set_pin, "5555")  # a PIN is set: refused (which code: see below)

    # changePIN with a wrong current PIN: PIN_INVALID, one retry gone, the PIN unchanged.
    assert ctap_error(client_pin.change_pin, "0000", "87654321") == ERR.PIN_INVALID
    assert client_pin.get_pin_retries()[0] == 7
    client_pin.change_pin("4321", "87654321")
    assert client_pin.get_pin_retries()[0] == 8  # the right current PIN restores the retries
    assert ctap_error(client_pin.get_pin_token, "4321", PERM.GET_ASSERTION, RP_ID) == ERR.PIN_INVALID
    token = client_pin.get_pin_token("87654321", PERM.MAKE_CREDENTIAL, RP_ID)
    assert len(token) == 32
    att = make_credential(ctap, rk=True, token=pin_token_of(protocol, token))
    assert att.auth_data.is_user_verified()


def test_set_pin_when_a_pin_is_set(daemon):
    """CTAP 2.1 §6.5.5.5 (setPIN): "If a PIN has already been set, return
    CTAP2_ERR_PIN_AUTH_INVALID." softfido answers CTAP2_ERR_NOT_ALLOWED (0x30)."""
    client_pin = ClientPin(daemon.ctap2(), PinProtocolV2())
    assert ctap_error(client_pin.set_pin, "5555") == ERR.PIN_AUTH_INVALID  # 0x33
    client_pin.get_pin_token(DEFAULT_PIN, PERM.GET_ASSERTION, RP_ID)  # unchanged


def test_pin_length_rules(start_daemon):
    """CTAP 2.1 §6.5.5.5 / §6.5.5.6: the new PIN has at least minPINLength (4) Unicode code
    points and at most 63 bytes of UTF-8, else CTAP2_ERR_PIN_POLICY_VIOLATION."""
    daemon = start_daemon("security-key", no_pin=True)
    ctap = daemon.ctap2()
    protocol = PinProtocolV2()
    assert ctap_error(raw_set_pin, ctap, protocol, pad(b"123")) == ERR.PIN_POLICY_VIOLATION
    # Three code points in six bytes: too short (the minimum counts code points, not bytes).
    assert ctap_error(raw_set_pin, ctap, protocol, pad("ééé".encode())) == ERR.PIN_POLICY_VIOLATION
    # 64 bytes with no terminating zero: longer than 63 bytes.
    assert ctap_error(raw_set_pin, ctap, protocol, b"7" * 64) == ERR.PIN_POLICY_VIOLATION
    assert fresh_info(ctap).options["clientPin"] is False

    raw_set_pin(ctap, protocol, pad("éééé".encode()))  # four code points
    ClientPin(ctap, protocol).get_pin_token("éééé", PERM.GET_ASSERTION, RP_ID)
    assert ctap_error(raw_change_pin, ctap, protocol, "éééé", pad(b"123")) == ERR.PIN_POLICY_VIOLATION
    longest = "8" * 63
    raw_change_pin(ctap, protocol, "éééé", pad(longest.encode()))
    ClientPin(ctap, protocol).get_pin_token(longest, PERM.GET_ASSERTION, RP_ID)


def test_no_pin_set(start_daemon):
    """--no-pin: a token request or changePIN is CTAP2_ERR_PIN_NOT_SET (CTAP 2.1 §6.5.5.6,
    §6.5.5.7.2); getPINRetries still answers 8."""
    ctap = start_daemon("security-key", no_pin=True).ctap2()
    client_pin = ClientPin(ctap, PinProtocolV2())
    assert ctap_error(client_pin.get_pin_token, DEFAULT_PIN, PERM.MAKE_CREDENTIAL, RP_ID) == ERR.PIN_NOT_SET
    assert ctap_error(client_pin.get_pin_token, DEFAULT_PIN) == ERR.PIN_NOT_SET  # legacy getPinToken
    assert ctap_error(client_pin.change_pin, DEFAULT_PIN, "5678") == ERR.PIN_NOT_SET
    assert client_pin.get_pin_retries()[0] == 8


def _pin_is_provisioned(daemon, pin):
    ctap = daemon.ctap2()
    assert ctap.info.options["clientPin"] is True
    ClientPin(ctap, PinProtocolV2()).get_pin_token(pin, PERM.MAKE_CREDENTIAL, RP_ID)
    assert ctap_error(ClientPin(ctap, PinProtocolV2()).get_pin_token, DEFAULT_PIN) == ERR.PIN_INVALID


def test_pin_from_a_file_or_the_environment_stays_off_the_command_line(start_daemon, tmp_path):
    """The PIN to provision can stay off the command line: --pin-file FILE (its first line) or
    the SOFTFIDO_PIN environment variable; --pin still works but logs a warning."""
    pin_file = tmp_path / "pin"
    pin_file.write_text("4321\n")
    from_file = start_daemon("security-key", pin_file=pin_file)
    assert "4321" not in " ".join(from_file.proc.args)
    _pin_is_provisioned(from_file, "4321")

    from_env = start_daemon("security-key", pin_env="8642")
    assert "8642" not in " ".join(from_env.proc.args)
    _pin_is_provisioned(from_env, "8642")

    from_argument = start_daemon("security-key", pin="9753")
    _pin_is_provisioned(from_argument, "9753")
    assert "visible in the process list" in from_argument.log_path.read_text()


# -- tokens ---------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=PROTOCOL_IDS)
def test_pin_token_make_credential_and_get_assertion(daemon, protocol):
    """A token with mc, then one with ga (each protocol): UV=1 in both; with UV the assertion of a
    discoverable credential returns the whole user entity (CTAP 2.1 §6.2.2)."""
    ctap = daemon.ctap2()
    user = user_entity("pat")
    token = pin_token(ctap, DEFAULT_PIN, PERM.MAKE_CREDENTIAL, RP_ID, protocol())
    att = make_credential(ctap, rk=True, user=user, token=token)
    assert att.auth_data.is_user_verified() and att.auth_data.is_user_present()
    cred = att.auth_data.credential_data

    token = pin_token(ctap, DEFAULT_PIN, PERM.GET_ASSERTION, RP_ID, protocol())
    cdh = random_cdh()
    assertion = get_assertion(ctap, cdh=cdh, token=token)
    assert assertion.auth_data.is_user_verified() and assertion.auth_data.is_user_present()
    assert assertion.credential["id"] == cred.credential_id
    assert assertion.user == user
    assertion.verify(cdh, cred.public_key)
    # Without a token the same sign-in has UV=0 (and only the user id).
    plain = get_assertion(ctap)
    assert not plain.auth_data.is_user_verified()


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=PROTOCOL_IDS)
def test_legacy_get_pin_token(daemon, protocol):
    """getPinToken (0x05, CTAP 2.1 §6.5.5.7.1): a token with the default permissions mc and ga,
    bound to the first RP it is used with."""
    ctap = daemon.ctap2()
    client_pin = ClientPin(ctap, protocol())
    token = pin_token(ctap, DEFAULT_PIN, permissions=None, protocol=protocol())
    assert make_credential(ctap, rk=True, token=token).auth_data.is_user_verified()
    token = pin_token(ctap, DEFAULT_PIN, permissions=None, protocol=protocol())
    assert get_assertion(ctap, token=token, up=False).auth_data.is_user_verified()
    # Bound to example.com by that first use (an up=false request spends nothing).
    code = ctap_error(get_assertion, ctap, rp_id=OTHER_RP["id"], token=token, up=False)
    assert code == ERR.PIN_AUTH_INVALID
    assert get_assertion(ctap, token=token).auth_data.is_user_verified()
    assert client_pin.get_pin_retries()[0] == 8


def test_make_credential_spends_the_token(daemon):
    """CTAP 2.1 §6.1.2 step 14: after a makeCredential the token's permissions are cleared."""
    ctap = daemon.ctap2()
    token = pin_token(ctap, DEFAULT_PIN, PERM.MAKE_CREDENTIAL | PERM.GET_ASSERTION)
    make_credential(ctap, rk=True, token=token)
    assert ctap_error(make_credential, ctap, rk=True, token=token) == ERR.PIN_AUTH_INVALID
    assert ctap_error(get_assertion, ctap, token=token) == ERR.PIN_AUTH_INVALID


def test_up_false_preflight_keeps_the_token(daemon):
    """What python-fido2 does with an allow list: an up=false getAssertion with the token (the
    pre-flight), then the real one with the same token. The pre-flight spends nothing."""
    ctap = daemon.ctap2()
    cred = make_credential(ctap).auth_data.credential_data
    token = pin_token(ctap, DEFAULT_PIN, PERM.GET_ASSERTION)
    for _ in range(2):
        preflight = get_assertion(ctap, allow=[cred.credential_id], token=token, up=False)
        assert not preflight.auth_data.is_user_present()
        assert preflight.auth_data.is_user_verified()
    final = get_assertion(ctap, allow=[cred.credential_id], token=token)
    assert final.auth_data.is_user_present() and final.auth_data.is_user_verified()


def test_get_assertion_with_user_presence_spends_the_token(daemon):
    """CTAP 2.1 §6.2.2 step 9 (the "up" option true or absent) ends with "Call
    clearUserPresentFlag(), clearUserVerifiedFlag(), and clearPinUvAuthTokenPermissionsExceptLbw()",
    as makeCredential does (§6.1.2 step 14). The same token then fails the next request's
    pinUvAuthParam checks (uv flag false, ga/mc permission gone): CTAP2_ERR_PIN_AUTH_INVALID.
    softfido clears only the user-present flag: the token keeps signing assertions with UV=1
    and can still make a credential."""
    ctap = daemon.ctap2()
    cred = make_credential(ctap).auth_data.credential_data
    token = pin_token(ctap, DEFAULT_PIN, PERM.GET_ASSERTION | PERM.MAKE_CREDENTIAL)
    assert get_assertion(ctap, allow=[cred.credential_id], token=token).auth_data.is_user_verified()
    problems = []
    try:
        again = get_assertion(ctap, allow=[cred.credential_id], token=token)
        problems.append(f"second getAssertion with the spent token: OK, UV={again.auth_data.is_user_verified()}")
    except CtapError as e:
        if e.code != ERR.PIN_AUTH_INVALID:
            problems.append(f"second getAssertion: {e.code!r}, expected PIN_AUTH_INVALID")
    try:
        make_credential(ctap, token=token)
        problems.append("makeCredential with the spent token: OK")
    except CtapError as e:
        if e.code != ERR.PIN_AUTH_INVALID:
            problems.append(f"makeCredential: {e.code!r}, expected PIN_AUTH_INVALID")
    assert not problems, "\n".join(problems)


def test_token_without_make_credential_permission(daemon):
    """A token with ga only cannot make a credential (CTAP 2.1 §6.1.2 step 11: permission mc
    missing → CTAP2_ERR_PIN_AUTH_INVALID); one with cm only can do neither."""
    ctap = daemon.ctap2()
    make_credential(ctap, rk=True, pin=DEFAULT_PIN)
    token = pin_token(ctap, DEFAULT_PIN, PERM.GET_ASSERTION)
    assert ctap_error(make_credential, ctap, rk=True, token=token) == ERR.PIN_AUTH_INVALID
    assert ctap_error(make_credential, ctap, token=token) == ERR.PIN_AUTH_INVALID
    assert get_assertion(ctap, token=token).auth_data.is_user_verified()

    token = pin_token(ctap, DEFAULT_PIN, PERM.CREDENTIAL_MGMT, rp_id=None)
    assert ctap_error(make_credential, ctap, token=token) == ERR.PIN_AUTH_INVALID
    assert ctap_error(get_assertion, ctap, token=token, up=False) == ERR.PIN_AUTH_INVALID


def test_token_is_bound_to_its_rp(daemon):
    """A token for example.com is refused for other.example (CTAP 2.1 §6.1.2 step 11, §6.2.2
    step 6: permissions RP ID mismatch → CTAP2_ERR_PIN_AUTH_INVALID), and still fine for
    example.com."""
    ctap = daemon.ctap2()
    token = pin_token(ctap, DEFAULT_PIN, PERM.MAKE_CREDENTIAL | PERM.GET_ASSERTION, RP_ID)
    assert ctap_error(make_credential, ctap, rp=OTHER_RP, token=token) == ERR.PIN_AUTH_INVALID
    assert ctap_error(get_assertion, ctap, rp_id=OTHER_RP["id"], token=token, up=False) == ERR.PIN_AUTH_INVALID
    assert make_credential(ctap, rk=True, token=token).auth_data.is_user_verified()


def test_mc_and_ga_permissions_need_an_rp_id(daemon):
    """CTAP 2.1 §6.5.5.7.2: mc or ga without rpId is CTAP2_ERR_MISSING_PARAMETER; cm and acfg
    need none."""
    ctap = daemon.ctap2()
    client_pin = ClientPin(ctap, PinProtocolV2())
    for permission in (PERM.MAKE_CREDENTIAL, PERM.GET_ASSERTION):
        assert ctap_error(client_pin.get_pin_token, DEFAULT_PIN, permission, None) == ERR.MISSING_PARAMETER
    client_pin.get_pin_token(DEFAULT_PIN, PERM.CREDENTIAL_MGMT | PERM.AUTHENTICATOR_CFG, None)
    assert client_pin.get_pin_retries()[0] == 8


@pytest.mark.parametrize("permission", [PERM.BIO_ENROLL], ids=["be"])
def test_unauthorized_permission(daemon, permission):
    """be names a feature the security key lacks (it has no fingerprint sensor, so no bio
    enrollment): CTAP2_ERR_UNAUTHORIZED_PERMISSION
    (CTAP 2.1 §6.5.5.7.2), checked before the PIN, so no retry is spent."""
    ctap = daemon.ctap2()
    client_pin = ClientPin(ctap, PinProtocolV2())
    code = ctap_error(client_pin.get_pin_token, DEFAULT_PIN, permission | PERM.GET_ASSERTION, RP_ID)
    assert code == ERR.UNAUTHORIZED_PERMISSION  # 0x40
    assert client_pin.get_pin_retries()[0] == 8


def test_lbw_is_granted(daemon):
    """lbw (authenticatorLargeBlobs, CTAP 2.1 §6.10) is granted, alone or with ga, and needs no
    rpId (§6.5.5.7.2 asks one for mc and ga only)."""
    ctap = daemon.ctap2()
    client_pin = ClientPin(ctap, PinProtocolV2())
    assert len(client_pin.get_pin_token(DEFAULT_PIN, PERM.LARGE_BLOB_WRITE | PERM.GET_ASSERTION, RP_ID)) == 32
    assert len(client_pin.get_pin_token(DEFAULT_PIN, PERM.LARGE_BLOB_WRITE, None)) == 32
    assert client_pin.get_pin_retries()[0] == 8


def test_zero_permissions_is_invalid(daemon):
    """CTAP 2.1 §6.5.5.7.2: permissions 0 is CTAP1_ERR_INVALID_PARAMETER."""
    ctap = daemon.ctap2()
    protocol = PinProtocolV2()
    ka, shared = ClientPin(ctap, protocol)._get_shared_secret()
    code = ctap_error(
        ctap.client_pin,
        2,
        ClientPin.CMD.GET_TOKEN_USING_PIN,
        key_agreement=ka,
        pin_hash_enc=protocol.encrypt(shared, sha256(DEFAULT_PIN.encode())[:16]),
        permissions=0,
        permissions_rpid=RP_ID,
    )
    assert code == ERR.INVALID_PARAMETER


def test_new_token_invalidates_the_old_one(daemon):
    """CTAP 2.1 §6.5.5.7.2: each token request calls resetPinUvAuthToken(); the earlier token
    no longer authenticates."""
    ctap = daemon.ctap2()
    first = pin_token(ctap, DEFAULT_PIN, PERM.GET_ASSERTION)
    make_credential(ctap, rk=True, pin=DEFAULT_PIN)  # gets (and spends) a second token
    assert ctap_error(get_assertion, ctap, token=first, up=False) == ERR.PIN_AUTH_INVALID


def test_power_cycle_voids_tokens(daemon):
    device = daemon.device()
    ctap = Ctap2(device)
    make_credential(ctap, rk=True, pin=DEFAULT_PIN)
    token = pin_token(ctap, DEFAULT_PIN, PERM.GET_ASSERTION)
    assert get_assertion(ctap, token=token, up=False).auth_data.is_user_verified()
    connection_of(device).power_cycle()
    assert ctap_error(get_assertion, ctap, token=token, up=False) == ERR.PIN_AUTH_INVALID
    assert get_assertion(ctap, token=pin_token(ctap, DEFAULT_PIN, PERM.GET_ASSERTION)).auth_data.is_user_verified()


def test_change_pin_voids_tokens(daemon):
    """CTAP 2.1 §6.5.5.6: changePIN resets the pinUvAuthToken."""
    ctap = daemon.ctap2()
    token = pin_token(ctap, DEFAULT_PIN, PERM.MAKE_CREDENTIAL)
    ClientPin(ctap).change_pin(DEFAULT_PIN, "2468")
    assert ctap_error(make_credential, ctap, token=token) == ERR.PIN_AUTH_INVALID


# -- retries, blocking ----------------------------------------------------------------------


def test_wrong_pin(daemon):
    """CTAP 2.1 §6.5.5.7.2: a mismatch is CTAP2_ERR_PIN_INVALID, decrements the retries and
    regenerates the key agreement key; the right PIN restores 8."""
    ctap = daemon.ctap2()
    client_pin = ClientPin(ctap, PinProtocolV2())
    before = key_agreement(ctap)
    assert ctap_error(client_pin.get_pin_token, "9999", PERM.GET_ASSERTION, RP_ID) == ERR.PIN_INVALID
    assert client_pin.get_pin_retries() == (7, False)
    assert key_agreement(ctap) != before
    client_pin.get_pin_token(DEFAULT_PIN, PERM.GET_ASSERTION, RP_ID)
    assert client_pin.get_pin_retries() == (8, False)


def test_three_wrong_pins_need_a_power_cycle(daemon):
    device = daemon.device()
    ctap = Ctap2(device)
    client_pin = ClientPin(ctap, PinProtocolV1())

    def attempt(pin):
        return ctap_error(client_pin.get_pin_token, pin, PERM.GET_ASSERTION, RP_ID)

    assert attempt("0000") == ERR.PIN_INVALID
    assert attempt("0001") == ERR.PIN_INVALID
    assert client_pin.get_pin_retries() == (6, False)
    assert attempt("0002") == ERR.PIN_AUTH_BLOCKED  # third consecutive mismatch
    assert client_pin.get_pin_retries() == (5, True)  # powerCycleState
    # Until the power cycle even the right PIN is refused, without spending a retry.
    assert attempt(DEFAULT_PIN) == ERR.PIN_AUTH_BLOCKED
    assert ctap_error(client_pin.change_pin, DEFAULT_PIN, "5678") == ERR.PIN_AUTH_BLOCKED
    assert client_pin.get_pin_retries() == (5, True)

    connection_of(device).power_cycle()
    assert client_pin.get_pin_retries() == (5, False)
    client_pin.get_pin_token(DEFAULT_PIN, PERM.GET_ASSERTION, RP_ID)
    assert client_pin.get_pin_retries() == (8, False)


def test_power_cycle_packet_from_a_stranger_is_ignored(daemon):
    """Only a loopback sender that owns a channel may power-cycle the device: a datagram from
    another port does not reset the three-wrong-PINs-per-power-up limit (CTAP 2.1 §6.5.2.2)."""
    import socket

    from udp_hid import POWER_CYCLE_PACKET

    device = daemon.device()
    client_pin = ClientPin(Ctap2(device), PinProtocolV1())
    for pin in ("0000", "0001", "0002"):
        ctap_error(client_pin.get_pin_token, pin, PERM.GET_ASSERTION, RP_ID)
    assert client_pin.get_pin_retries() == (5, True)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as stranger:
        stranger.sendto(POWER_CYCLE_PACKET, ("127.0.0.1", daemon.port))
    time.sleep(0.2)
    assert client_pin.get_pin_retries() == (5, True), "a stranger's power cycle is ignored"
    connection_of(device).power_cycle()
    assert client_pin.get_pin_retries() == (5, False)


def test_retries_survive_a_restart(start_daemon, tmp_path):
    """The retry counter is persistent (--state); a restart is a power cycle, so the consecutive
    count starts over, but the retries are not restored."""
    daemon = start_daemon("security-key", state=tmp_path / "state.json")
    client_pin = ClientPin(daemon.ctap2())
    for pin in ("0000", "1111"):
        assert ctap_error(client_pin.get_pin_token, pin, PERM.GET_ASSERTION, RP_ID) == ERR.PIN_INVALID
    daemon.restart()
    client_pin = ClientPin(daemon.ctap2())
    assert client_pin.get_pin_retries() == (6, False)
    assert ctap_error(client_pin.get_pin_token, "2222", PERM.GET_ASSERTION, RP_ID) == ERR.PIN_INVALID
    assert client_pin.get_pin_retries() == (5, False)
    client_pin.get_pin_token(DEFAULT_PIN, PERM.GET_ASSERTION, RP_ID)
    assert client_pin.get_pin_retries() == (8, False)


def test_eight_wrong_pins_block_until_reset(start_daemon, tmp_path):
    """Eight mismatches (power cycles after the third and sixth): CTAP2_ERR_PIN_BLOCKED, also
    for the right PIN and after a restart with --state; only authenticatorReset clears it,
    after which a new PIN can be set (CTAP 2.1 §6.5.5.7.2, §6.6)."""
    state = tmp_path / "state.json"
    daemon = start_daemon("security-key", state=state, reset_anytime=True)
    device = daemon.device()
    ctap = Ctap2(device)
    client_pin = ClientPin(ctap, PinProtocolV2())
    make_credential(ctap, rk=True, pin=DEFAULT_PIN)

    codes = []
    for n in range(1, 9):
        codes.append(ctap_error(client_pin.get_pin_token, f"{n:04d}0", PERM.GET_ASSERTION, RP_ID))
        if n % 3 == 0:
            connection_of(device).power_cycle()
    invalid, auth_blocked, blocked = ERR.PIN_INVALID, ERR.PIN_AUTH_BLOCKED, ERR.PIN_BLOCKED
    assert codes == [invalid, invalid, auth_blocked, invalid, invalid, auth_blocked, invalid, blocked]
    assert client_pin.get_pin_retries()[0] == 0
    assert ctap_error(client_pin.get_pin_token, DEFAULT_PIN, PERM.GET_ASSERTION, RP_ID) == ERR.PIN_BLOCKED
    assert ctap_error(client_pin.change_pin, DEFAULT_PIN, "5678") == ERR.PIN_BLOCKED

    daemon.restart()
    device = daemon.device()
    ctap = Ctap2(device)
    client_pin = ClientPin(ctap, PinProtocolV2())
    assert ctap.info.options["clientPin"] is True
    assert client_pin.get_pin_retries()[0] == 0
    assert ctap_error(client_pin.get_pin_token, DEFAULT_PIN, PERM.GET_ASSERTION, RP_ID) == ERR.PIN_BLOCKED

    ctap.reset()
    assert fresh_info(ctap).options["clientPin"] is False
    assert client_pin.get_pin_retries()[0] == 8
    with pytest.raises(CtapError) as err:
        get_assertion(ctap)
    assert err.value.code == ERR.NO_CREDENTIALS
    client_pin.set_pin("97531")
    assert client_pin.get_pin_retries()[0] == 8
    token = pin_token(ctap, "97531", PERM.MAKE_CREDENTIAL)
    assert make_credential(ctap, rk=True, token=token).auth_data.is_user_verified()


# -- built-in UV ----------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=PROTOCOL_IDS)
def test_uv_token_on_platform(start_daemon, protocol):
    """getPinUvAuthTokenUsingUvWithPermissions (0x06, CTAP 2.1 §6.5.5.7.3) with python-fido2's
    get_uv_token: the token makes a discoverable credential and gets an assertion, UV=1."""
    ctap = start_daemon("platform").ctap2()
    client_pin = ClientPin(ctap, protocol())
    assert client_pin.get_uv_retries() == 5

    token = client_pin.get_uv_token(PERM.MAKE_CREDENTIAL | PERM.GET_ASSERTION, RP_ID)
    user = user_entity("uma")
    att = make_credential(ctap, rk=True, user=user, token=pin_token_of(protocol, token))
    assert att.auth_data.is_user_verified()
    cred = att.auth_data.credential_data

    token = client_pin.get_uv_token(PERM.GET_ASSERTION, RP_ID)
    cdh = random_cdh()
    assertion = get_assertion(ctap, cdh=cdh, token=pin_token_of(protocol, token))
    assert assertion.auth_data.is_user_verified()
    assert assertion.user == user
    assertion.verify(cdh, cred.public_key)
    assert client_pin.get_uv_retries() == 5


@pytest.mark.parametrize("profile", ["platform", "synced-passkey"])
def test_uv_token_scope(start_daemon, profile):
    """UV tokens follow the same rules: bound to their RP, mc needs the mc permission, lbw
    granted, mc/ga need an rpId; be is granted on the fingerprint model (bio enrollment, CTAP 2.1
    §6.7, uvBioEnroll) and refused on the face model (CTAP2_ERR_UNAUTHORIZED_PERMISSION)."""
    ctap = start_daemon(profile).ctap2()
    client_pin = ClientPin(ctap, PinProtocolV2())
    protocol = PinProtocolV2
    token = pin_token_of(protocol, client_pin.get_uv_token(PERM.GET_ASSERTION, RP_ID))
    assert ctap_error(make_credential, ctap, rk=True, token=token) == ERR.PIN_AUTH_INVALID
    token = pin_token_of(protocol, client_pin.get_uv_token(PERM.MAKE_CREDENTIAL, RP_ID))
    assert ctap_error(make_credential, ctap, rp=OTHER_RP, token=token) == ERR.PIN_AUTH_INVALID
    if profile == "platform":
        assert len(client_pin.get_uv_token(PERM.BIO_ENROLL)) == 32
    else:
        assert ctap_error(client_pin.get_uv_token, PERM.BIO_ENROLL) == ERR.UNAUTHORIZED_PERMISSION
    assert len(client_pin.get_uv_token(PERM.LARGE_BLOB_WRITE)) == 32
    assert ctap_error(client_pin.get_uv_token, PERM.MAKE_CREDENTIAL, None) == ERR.MISSING_PARAMETER
    assert client_pin.get_uv_retries() == 5
