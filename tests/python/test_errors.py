"""CTAP status codes as python-fido2 surfaces them (CtapError.code)."""

from __future__ import annotations

import os

import pytest
from fido2.ctap import CtapError
from fido2.ctap2 import Ctap2
from fido2.ctap2.pin import ClientPin

from softfido_support import (
    EDDSA,
    ES256,
    RP,
    RS256,
    ctap_error,
    get_assertion,
    key_params,
    make_credential,
    random_cdh,
    user_entity,
)

ERR = CtapError.ERR




@pytest.mark.parametrize("rk", [False, True], ids=["non-resident", "resident"])
def test_excluded_credential(daemon, rk):
    """(Discoverable credentials on the PIN-protected security key are made with a fresh PIN
    token each time: a makeCredential spends its token.)"""
    ctap = daemon.ctap2()
    pin = daemon.pin if rk else None
    cred = make_credential(ctap, rk=rk, pin=pin).auth_data.credential_data
    unrelated = os.urandom(len(cred.credential_id))
    code = ctap_error(make_credential, ctap, rk=rk, exclude=[unrelated, cred.credential_id], pin=pin)
    assert code == ERR.CREDENTIAL_EXCLUDED  # 0x19
    # A list without a credential of this device does not exclude.
    make_credential(ctap, rk=rk, exclude=[unrelated], pin=pin)


def test_exclude_list_is_per_rp(daemon):
    """A credential of another RP in the exclude list does not match (rpIdHash binding)."""
    ctap = daemon.ctap2()
    foreign = make_credential(ctap, rp={"id": "other.example", "name": "O"}).auth_data.credential_data
    make_credential(ctap, exclude=[foreign.credential_id])


def test_unsupported_algorithm(daemon):
    ctap = daemon.ctap2()
    code = ctap_error(ctap.make_credential, random_cdh(), RP, user_entity(), key_params(RS256))
    assert code == ERR.UNSUPPORTED_ALGORITHM  # 0x26
    # Entries of an unknown type are skipped (CTAP 2.1 §6.1.2 step 3), not chosen.
    params = [{"type": "x-unknown", "alg": ES256}, {"type": "public-key", "alg": RS256}]
    assert ctap_error(ctap.make_credential, random_cdh(), RP, user_entity(), params) == ERR.UNSUPPORTED_ALGORITHM
    params = [{"type": "x-unknown", "alg": ES256}, {"type": "public-key", "alg": EDDSA}]
    att = ctap.make_credential(random_cdh(), RP, user_entity(), params)
    assert att.auth_data.credential_data.public_key[3] == EDDSA


def test_unknown_credential_in_allow_list(daemon):
    ctap = daemon.ctap2()
    cred = make_credential(ctap).auth_data.credential_data
    assert ctap_error(get_assertion, ctap, allow=[os.urandom(64)]) == ERR.NO_CREDENTIALS  # 0x2E
    # A credential ID with one bit flipped fails to unwrap: unknown too.
    tampered = bytearray(cred.credential_id)
    tampered[len(tampered) // 2] ^= 0x01
    assert ctap_error(get_assertion, ctap, allow=[bytes(tampered)]) == ERR.NO_CREDENTIALS
    # The real one is still fine, also among unknown ones.
    assertion = get_assertion(ctap, allow=[os.urandom(64), cred.credential_id])
    assert assertion.credential["id"] == cred.credential_id


def test_credential_of_another_rp_is_unknown(daemon):
    ctap = daemon.ctap2()
    cred = make_credential(ctap).auth_data.credential_data
    assert ctap_error(get_assertion, ctap, rp_id="other.example", allow=[cred.credential_id]) == ERR.NO_CREDENTIALS


def test_no_credentials_at_all(daemon):
    assert ctap_error(get_assertion, daemon.ctap2()) == ERR.NO_CREDENTIALS


def test_resident_key_on_uv_device_needs_uv(start_daemon):
    """makeCredUvNotRqd semantics (CTAP 2.1 §6.1.2 step 6): rk without UV on a UV-configured
    device gives CTAP2_ERR_PUAT_REQUIRED; with uv=true it works."""
    ctap = start_daemon("platform").ctap2()
    assert ctap_error(make_credential, ctap, rk=True) == ERR.PUAT_REQUIRED  # 0x36
    att = make_credential(ctap, rk=True, uv=True)
    assert att.auth_data.is_user_verified()
    # A non-resident credential needs no UV (makeCredUvNotRqd = true).
    assert not make_credential(ctap).auth_data.is_user_verified()


@pytest.mark.parametrize("profile", ["security-key", "software-token"])
def test_uv_option_without_built_in_uv(start_daemon, profile):
    """CTAP 2.1 §6.1.2 step 5 / §6.2.2 step 5: "uv": true on an authenticator without a built-in
    user verification method is CTAP2_ERR_INVALID_OPTION."""
    ctap = start_daemon(profile).ctap2()
    assert ctap_error(make_credential, ctap, uv=True) == ERR.INVALID_OPTION  # 0x2C
    cred = make_credential(ctap).auth_data.credential_data
    assert ctap_error(get_assertion, ctap, allow=[cred.credential_id], uv=True) == ERR.INVALID_OPTION


def test_zero_length_pin_uv_auth_param_without_pin(start_daemon):
    """CTAP 2.1 §6.1.2 step 1 (the platform's "touch to select" probe): a zero-length
    pinUvAuthParam on a clientPIN-capable authenticator without a PIN is CTAP2_ERR_PIN_NOT_SET."""
    ctap = start_daemon("security-key", no_pin=True).ctap2()
    code = ctap_error(ctap.make_credential, random_cdh(), RP, user_entity(), key_params(), pin_uv_param=b"", pin_uv_protocol=2)
    assert code == ERR.PIN_NOT_SET  # 0x35


def test_zero_length_pin_uv_auth_param_with_pin(daemon):
    """The same probe once a PIN is set: CTAP2_ERR_PIN_INVALID (CTAP 2.1 §6.1.2 step 1.2,
    §6.2.2 step 1.2), for makeCredential and getAssertion alike; no retry is spent."""
    ctap = daemon.ctap2()
    code = ctap_error(ctap.make_credential, random_cdh(), RP, user_entity(), key_params(), pin_uv_param=b"", pin_uv_protocol=2)
    assert code == ERR.PIN_INVALID  # 0x31
    code = ctap_error(ctap.get_assertion, "example.com", random_cdh(), pin_uv_param=b"", pin_uv_protocol=2)
    assert code == ERR.PIN_INVALID
    assert ClientPin(ctap).get_pin_retries()[0] == 8


def test_resident_key_on_pin_device_needs_a_token(start_daemon):
    """makeCredUvNotRqd semantics for the security key (CTAP 2.1 §6.1.2 step 6): with a PIN set
    a discoverable credential without pinUvAuthParam is CTAP2_ERR_PUAT_REQUIRED, a
    non-discoverable one is fine; with --no-pin nothing protects the device and rk works."""
    daemon = start_daemon("security-key")
    ctap = daemon.ctap2()
    assert ctap_error(make_credential, ctap, rk=True) == ERR.PUAT_REQUIRED  # 0x36
    assert not make_credential(ctap).auth_data.is_user_verified()
    assert make_credential(ctap, rk=True, pin=daemon.pin).auth_data.is_user_verified()

    ctap = start_daemon("security-key", no_pin=True).ctap2()
    assert not make_credential(ctap, rk=True).auth_data.is_user_verified()


def test_missing_parameters(daemon):
    ctap = daemon.ctap2()
    # makeCredential without clientDataHash (0x01).
    code = ctap_error(ctap.send_cbor, Ctap2.CMD.MAKE_CREDENTIAL, {2: RP, 3: user_entity(), 4: key_params()})
    assert code == ERR.MISSING_PARAMETER  # 0x14
    # getAssertion without rpId (0x01).
    assert ctap_error(ctap.send_cbor, Ctap2.CMD.GET_ASSERTION, {2: random_cdh()}) == ERR.MISSING_PARAMETER


def test_wrong_cbor_types(daemon):
    ctap = daemon.ctap2()
    # clientDataHash as a text string.
    code = ctap_error(ctap.send_cbor, Ctap2.CMD.GET_ASSERTION, {1: "example.com", 2: "not bytes"})
    assert code == ERR.CBOR_UNEXPECTED_TYPE  # 0x11
    # Not a map at all.
    response = daemon.device().call(0x10, bytes([Ctap2.CMD.GET_ASSERTION]) + b"\x01")
    assert response[0] in (ERR.CBOR_UNEXPECTED_TYPE, ERR.INVALID_CBOR)


def test_unknown_ctap2_command(daemon):
    response = daemon.device().call(0x10, bytes([0x3F]))
    assert response[0] == ERR.INVALID_COMMAND  # 0x01


def test_selection(daemon):
    """authenticatorSelection (CTAP 2.1 §6.9): user presence, then CTAP2_OK."""
    daemon.ctap2().selection()
