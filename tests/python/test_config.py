"""authenticatorConfig (CTAP 2.1 §6.11) through python-fido2's Config: toggleAlwaysUv,
setMinPINLength (forcePINChange, minPinLengthRPIDs) and the minPinLength extension (§12.4)."""

from __future__ import annotations

import pytest
from fido2.ctap import CtapError
from fido2.ctap2 import Ctap2
from fido2.ctap2.config import Config
from fido2.ctap2.pin import ClientPin, PinProtocolV1, PinProtocolV2
from fido2.server import Fido2Server
from fido2.webauthn import UserVerificationRequirement as UV

from softfido_support import (
    DEFAULT_PIN,
    OTHER_RP,
    PERM,
    PROTOCOLS,
    PROTOCOL_IDS,
    RP,
    RP_ID,
    AutoUser,
    ctap_error,
    get_assertion,
    make_credential,
    pin_token,
    user_entity,
)

ERR = CtapError.ERR


def config(ctap: Ctap2, protocol=None, pin: str = DEFAULT_PIN) -> Config:
    """Config with a fresh token (permission acfg, no RP ID)."""
    token = pin_token(ctap, pin, PERM.AUTHENTICATOR_CFG, None, (protocol or PinProtocolV2)())
    return Config(ctap, token.protocol, token.token)


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=PROTOCOL_IDS)
def test_toggle_always_uv(daemon, protocol):
    """toggleAlwaysUv (§6.11.2): getInfo alwaysUv becomes true; then even a non-discoverable
    credential or an assertion needs a token (CTAP2_ERR_PUAT_REQUIRED, §6.1.2 step 6 /
    §6.2.2 step 6); toggling again undoes it."""
    ctap = daemon.ctap2()
    cred = make_credential(ctap).auth_data.credential_data
    config(ctap, protocol).toggle_always_uv()
    info = ctap.get_info()
    assert info.options["alwaysUv"] is True

    assert ctap_error(make_credential, ctap) == ERR.PUAT_REQUIRED
    assert ctap_error(get_assertion, ctap, allow=[cred.credential_id]) == ERR.PUAT_REQUIRED
    assert make_credential(ctap, pin=DEFAULT_PIN).auth_data.is_user_verified()
    token = pin_token(ctap, DEFAULT_PIN, PERM.GET_ASSERTION)
    assert get_assertion(ctap, allow=[cred.credential_id], token=token).auth_data.is_user_verified()

    config(ctap, protocol).toggle_always_uv()
    info = ctap.get_info()
    assert info.options["alwaysUv"] is False
    assert info.options["makeCredUvNotRqd"] is True
    assert not make_credential(ctap).auth_data.is_user_verified()


def test_always_uv_turns_make_cred_uv_not_rqd_off(daemon):
    """CTAP 2.1 §6.4 (option alwaysUv): "If the alwaysUv option ID is present and true the
    authenticator MUST set the value of makeCredUvNotRqd to false." After toggleAlwaysUv softfido
    reports alwaysUv=true but still makeCredUvNotRqd=true (its makeCredential does require the
    token, see test_toggle_always_uv: only getInfo is wrong). A platform that trusts getInfo
    (python-fido2's _should_use_uv looks at alwaysUv first, so it is not misled) could skip UV."""
    ctap = daemon.ctap2()
    config(ctap).toggle_always_uv()
    options = ctap.get_info().options
    assert options["alwaysUv"] is True
    assert options.get("makeCredUvNotRqd", False) is False


def test_config_token_requirements(daemon):
    """§6.11: on a PIN-protected device no pinUvAuthParam → CTAP2_ERR_PUAT_REQUIRED; a token
    without acfg → CTAP2_ERR_PIN_AUTH_INVALID. Nothing changes."""
    ctap = daemon.ctap2()
    assert ctap_error(Config(ctap).toggle_always_uv) == ERR.PUAT_REQUIRED
    token = pin_token(ctap, DEFAULT_PIN, PERM.CREDENTIAL_MGMT, None)
    assert ctap_error(Config(ctap, token.protocol, token.token).toggle_always_uv) == ERR.PIN_AUTH_INVALID
    assert ctap_error(Config(ctap, token.protocol, token.token).set_min_pin_length, 8) == ERR.PIN_AUTH_INVALID
    info = ctap.get_info()
    assert info.options["alwaysUv"] is False
    assert info.min_pin_length == 4


def test_config_without_pin_needs_no_token(start_daemon):
    """--no-pin: nothing protects the device, so authenticatorConfig takes no token (§6.11)."""
    ctap = start_daemon("security-key", no_pin=True).ctap2()
    Config(ctap).set_min_pin_length(6)
    assert ctap.get_info().min_pin_length == 6
    client_pin = ClientPin(ctap)
    with pytest.raises(CtapError) as err:
        client_pin.set_pin("12345")
    assert err.value.code == ERR.PIN_POLICY_VIOLATION
    client_pin.set_pin("123456")


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=PROTOCOL_IDS)
def test_set_min_pin_length_forces_a_pin_change(daemon, protocol):
    """setMinPINLength 6 (§6.11.4) with the 4-digit PIN set: forcePINChange becomes true, a
    token request with the right PIN is CTAP2_ERR_PIN_POLICY_VIOLATION (§6.5.5.7.2), a new PIN
    shorter than 6 too; changePIN to a 6-digit PIN clears forcePINChange."""
    ctap = daemon.ctap2()
    config(ctap, protocol).set_min_pin_length(6)
    info = ctap.get_info()
    assert info.min_pin_length == 6
    assert info.force_pin_change is True

    client_pin = ClientPin(ctap, protocol())
    code = ctap_error(client_pin.get_pin_token, DEFAULT_PIN, PERM.GET_ASSERTION, RP_ID)
    assert code == ERR.PIN_POLICY_VIOLATION
    assert client_pin.get_pin_retries()[0] == 8  # the PIN was right
    assert ctap_error(client_pin.change_pin, DEFAULT_PIN, "12345") == ERR.PIN_POLICY_VIOLATION
    client_pin.change_pin(DEFAULT_PIN, "123456")
    info = ctap.get_info()
    assert info.force_pin_change is False
    assert info.min_pin_length == 6
    token = pin_token(ctap, "123456", PERM.MAKE_CREDENTIAL, RP_ID, protocol())
    assert make_credential(ctap, rk=True, token=token).auth_data.is_user_verified()


def test_min_pin_length_cannot_decrease(daemon):
    """§6.11.4: a newMinPINLength below the current one is CTAP2_ERR_PIN_POLICY_VIOLATION."""
    ctap = daemon.ctap2()
    config(ctap).set_min_pin_length(5)
    ClientPin(ctap).change_pin(DEFAULT_PIN, "13579")
    assert ctap_error(config(ctap, pin="13579").set_min_pin_length, 4) == ERR.PIN_POLICY_VIOLATION
    assert ctap.get_info().min_pin_length == 5


def test_force_change_pin_alone(daemon):
    """forceChangePin without a new length: forcePINChange true, tokens refused until the PIN
    is changed; the new PIN may not be the current one (§6.5.5.6)."""
    ctap = daemon.ctap2()
    config(ctap).set_min_pin_length(force_change_pin=True)
    info = ctap.get_info()
    assert info.force_pin_change is True and info.min_pin_length == 4
    client_pin = ClientPin(ctap)
    assert ctap_error(client_pin.get_pin_token, DEFAULT_PIN, PERM.GET_ASSERTION, RP_ID) == ERR.PIN_POLICY_VIOLATION
    assert ctap_error(client_pin.change_pin, DEFAULT_PIN, DEFAULT_PIN) == ERR.PIN_POLICY_VIOLATION
    client_pin.change_pin(DEFAULT_PIN, "4321")
    assert ctap.get_info().force_pin_change is False
    client_pin.get_pin_token("4321", PERM.GET_ASSERTION, RP_ID)


def test_min_pin_length_extension(daemon):
    """minPinLength extension (§12.4): the current minimum is returned only to RPs listed in
    minPinLengthRPIDs; for the others the output is absent."""
    ctap = daemon.ctap2()
    ext = {"minPinLength": True}
    # Nobody is listed yet.
    assert "minPinLength" not in (make_credential(ctap, extensions=ext).auth_data.extensions or {})

    config(ctap).set_min_pin_length(6, rp_ids=[RP_ID])
    # (A non-discoverable credential needs no token, so the forced PIN change does not matter.)
    listed = make_credential(ctap, extensions=ext).auth_data.extensions
    assert listed == {"minPinLength": 6}
    other = make_credential(ctap, rp=OTHER_RP, extensions=ext).auth_data.extensions
    assert "minPinLength" not in (other or {})
    # Not asked for, not returned.
    assert "minPinLength" not in (make_credential(ctap).auth_data.extensions or {})


@pytest.mark.parametrize("profile", ["platform", "synced-passkey"])
def test_toggle_always_uv_with_a_uv_token(start_daemon, profile):
    """Built-in UV profiles: authnrCfg with an acfg token from built-in UV."""
    ctap = start_daemon(profile).ctap2()
    protocol = PinProtocolV2()
    token = ClientPin(ctap, protocol).get_uv_token(PERM.AUTHENTICATOR_CFG)
    Config(ctap, protocol, token).toggle_always_uv()
    assert ctap.get_info().options["alwaysUv"] is True
    assert ctap_error(make_credential, ctap) == ERR.PUAT_REQUIRED
    assert make_credential(ctap, uv=True).auth_data.is_user_verified()


def test_always_uv_through_the_client(daemon):
    """python-fido2 reads alwaysUv from getInfo: with it on, even userVerification=discouraged
    makes the client ask for the PIN, and the credential and assertion have UV=1."""
    ctap = daemon.ctap2()
    config(ctap).toggle_always_uv()
    user_at_keyboard = AutoUser(DEFAULT_PIN)
    client = daemon.client(user=user_at_keyboard)
    server = Fido2Server(RP)
    options, state = server.register_begin(user_entity("al"), user_verification=UV.DISCOURAGED)
    auth_data = server.register_complete(state, client.make_credential(options.public_key))
    assert auth_data.is_user_verified()
    options, state = server.authenticate_begin([auth_data.credential_data], user_verification=UV.DISCOURAGED)
    response = client.get_assertion(options.public_key).get_response(0)
    server.authenticate_complete(state, [auth_data.credential_data], response)
    assert response.response.authenticator_data.is_user_verified()
    assert len(user_at_keyboard.pin_requests) == 2
