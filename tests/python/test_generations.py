"""Generations of key (docs/authenticator.md "Generations"): a 2.1-PRE key as python-fido2's
old-client paths meet it, credentialMgmtPreview (command 0x41) with the token of getPinToken and
PIN/UV auth protocol 1; a CTAP 2.1 key, which knows no 0x41; and a CTAP 2.0 key, with its
getInfo, clientPIN, options and error codes, driven by python-fido2's Ctap2, ClientPin on
protocol 1 and Fido2Client."""

from __future__ import annotations

import pytest
from fido2.ctap import CtapError
from fido2.ctap2.credman import CredentialManagement
from fido2.ctap2.pin import ClientPin, PinProtocolV1
from fido2.server import Fido2Server
from fido2.webauthn import UserVerificationRequirement as UV

from softfido_support import DEFAULT_PIN, RP, RP_ID_HASH, make_credential, pin_token, user_entity

ERR = CtapError.ERR
RESULT = CredentialManagement.RESULT
PREVIEW = 'profile = "security-key"\ngeneration = "2.1-pre"\n'
CREDENTIAL_MANAGEMENT_PREVIEW = 0x41


@pytest.fixture
def preview(start_daemon, tmp_path):
    config = tmp_path / "preview.toml"
    config.write_text(PREVIEW)
    return start_daemon("security-key", config=config)


def test_a_preview_key_reports_the_preview(preview):
    """CTAP 2.1 §6.4 as the preview had it: FIDO_2_1_PRE, credentialMgmtPreview, protocol 1, no
    pinUvAuthToken; python-fido2 then speaks to it as an old client does."""
    info = preview.ctap2().info
    assert info.versions == ["U2F_V2", "FIDO_2_0", "FIDO_2_1_PRE"]
    assert info.options.get("credentialMgmtPreview") is True
    assert "credMgmt" not in info.options and "pinUvAuthToken" not in info.options
    assert info.pin_uv_protocols == [1]
    assert CredentialManagement.is_supported(info)
    assert not CredentialManagement.is_update_supported(info)
    assert not ClientPin.is_token_supported(info)


def test_python_fido2_manages_a_preview_keys_credentials(preview):
    """python-fido2's CredentialManagement sends 0x41 to a preview key, with the token of
    getPinToken (it asks for no permissions where pinUvAuthToken is absent)."""
    ctap = preview.ctap2()
    for name in ("ann", "ben"):
        # A fresh getPinToken token per request, as a platform gets one.
        token = pin_token(ctap, DEFAULT_PIN, None, None, PinProtocolV1())
        make_credential(ctap, rk=True, user=user_entity(name), token=token)
    client_pin = ClientPin(ctap)
    assert client_pin.protocol.VERSION == 1
    cm = CredentialManagement(ctap, client_pin.protocol, client_pin.get_pin_token(DEFAULT_PIN))
    assert cm.get_metadata()[RESULT.EXISTING_CRED_COUNT] == 2
    assert [rp[RESULT.RP]["id"] for rp in cm.enumerate_rps()] == [RP["id"]]
    listed = cm.enumerate_creds(RP_ID_HASH)
    cm.delete_cred(listed[0][RESULT.CREDENTIAL_ID])
    assert cm.get_metadata()[RESULT.EXISTING_CRED_COUNT] == 1
    with pytest.raises(CtapError) as final_command:
        ctap.send_cbor(0x0A, {1: 1})
    assert final_command.value.code == ERR.INVALID_COMMAND


def test_a_preview_key_registers_and_signs_in_through_fido2client(preview, metadata):
    """A whole ceremony through python-fido2's client on PIN/UV auth protocol 1."""
    server = Fido2Server(RP)
    client = preview.client()
    options, state = server.register_begin(user_entity("cy"), user_verification=UV.REQUIRED)
    registration = client.make_credential(options.public_key)
    credential = server.register_complete(state, registration).credential_data
    options, state = server.authenticate_begin([credential], user_verification=UV.REQUIRED)
    assertion = client.get_assertion(options.public_key).get_response(0)
    server.authenticate_complete(state, [credential], assertion)


def test_a_ctap21_key_knows_no_preview_command(daemon):
    ctap = daemon.ctap2()
    assert "FIDO_2_1" in ctap.info.versions and ctap.info.options.get("credMgmt") is True
    with pytest.raises(CtapError) as preview_command:
        ctap.send_cbor(CREDENTIAL_MANAGEMENT_PREVIEW, {1: 1})
    assert preview_command.value.code == ERR.INVALID_COMMAND


# A CTAP 2.0 key (FIDO_2_0, the Proposed Standard of 2019-01-30).

CTAP20 = 'profile = "security-key"\ngeneration = "2.0"\n'


@pytest.fixture
def ctap20(start_daemon, tmp_path):
    config = tmp_path / "ctap20.toml"
    config.write_text(CTAP20)
    return start_daemon("security-key", config=config)


def test_a_ctap20_key_reports_ctap20(ctap20):
    """getInfo members 0x01 to 0x06 only: FIDO_2_0, the 2.0 options, PIN protocol 1, and
    hmac-secret; python-fido2 sees no pinUvAuthToken and no makeCredUvNotRqd."""
    ctap = ctap20.ctap2()
    raw = ctap.send_cbor(0x04)
    assert sorted(raw) == [1, 2, 3, 4, 5, 6]
    info = ctap.info
    assert info.versions == ["U2F_V2", "FIDO_2_0"]
    assert set(info.options) == {"rk", "up", "plat", "clientPin"}
    assert info.pin_uv_protocols == [1]
    assert "hmac-secret" in info.extensions and "credProtect" not in info.extensions
    assert not ClientPin.is_token_supported(info)
    for command in (0x0A, 0x0B, 0x0C, 0x0D, 0x41):
        with pytest.raises(CtapError) as unknown:
            ctap.send_cbor(command, {1: 1})
        assert unknown.value.code == ERR.INVALID_COMMAND, hex(command)


def test_a_ctap20_key_has_the_clientpin_of_ctap20(ctap20):
    """getPinToken with protocol 1 works; the 2.1 subcommands are an invalid parameter."""
    ctap = ctap20.ctap2()
    client_pin = ClientPin(ctap, PinProtocolV1())
    assert client_pin.get_pin_retries()[0] == 8
    assert len(client_pin.get_pin_token(DEFAULT_PIN)) == 32
    # python-fido2 itself falls back to getPinToken here; the 2.1 subcommands sent anyway:
    for sub_command in (0x06, 0x07, 0x09):
        with pytest.raises(CtapError) as later:
            ctap.client_pin(1, sub_command)
        assert later.value.code == ERR.INVALID_PARAMETER, hex(sub_command)


def test_a_ctap20_key_requires_the_pin_for_every_credential(ctap20):
    """CTAP 2.0 §5.1: with a PIN set, makeCredential without pinAuth is
    CTAP2_ERR_PIN_REQUIRED, discoverable or not; one pinToken serves several requests."""
    ctap = ctap20.ctap2()
    for rk in (False, True):
        with pytest.raises(CtapError) as without_pin:
            make_credential(ctap, rk=rk)
        assert without_pin.value.code == ERR.PUAT_REQUIRED
    token = pin_token(ctap, DEFAULT_PIN, None, None, PinProtocolV1())
    make_credential(ctap, rk=True, user=user_entity("dee"), token=token)
    make_credential(ctap, user=user_entity("eve"), token=token)


def test_a_ctap20_key_with_builtin_uv_and_no_pin_registers_without_uv(start_daemon, tmp_path):
    """CTAP 2.0 §5.1 requires pinAuth only when a PIN is set: a 2.0 key with an enrolled
    fingerprint and no clientPIN makes credentials, discoverable or not, without UV when the
    platform does not ask for it, and with UV when it does."""
    config = tmp_path / "ctap20-bio.toml"
    config.write_text('profile = "platform"\ngeneration = "2.0"\n')
    ctap = start_daemon("platform", config=config).ctap2()
    for rk in (False, True):
        attestation = make_credential(ctap, rk=rk, user=user_entity(f"rk-{rk}"))
        assert not attestation.auth_data.is_user_verified(), rk
    assert make_credential(ctap, uv=True, user=user_entity("uv")).auth_data.is_user_verified()


def test_a_ctap20_key_answers_2_0_option_errors(ctap20):
    """The `up` option of makeCredential and the `rk` option of getAssertion are options
    every 2.0 key knows but not valid for the command: CTAP2_ERR_INVALID_OPTION."""
    ctap = ctap20.ctap2()
    token = pin_token(ctap, DEFAULT_PIN, None, None, PinProtocolV1())
    cdh = b"\x11" * 32
    with pytest.raises(CtapError) as up_option:
        ctap.make_credential(cdh, RP, user_entity(), [{"type": "public-key", "alg": -7}], None, None,
                             {"up": True}, **token.param(cdh))
    assert up_option.value.code == ERR.INVALID_OPTION
    with pytest.raises(CtapError) as rk_option:
        ctap.get_assertion(RP["id"], cdh, None, None, {"rk": True})
    assert rk_option.value.code == ERR.INVALID_OPTION


@pytest.mark.parametrize("uv", [UV.REQUIRED, UV.DISCOURAGED])
def test_a_ctap20_key_registers_and_signs_in_through_fido2client(ctap20, metadata, uv):
    """python-fido2's client falls back to getPinToken and protocol 1 for a 2.0 key, and
    verifies the user at every registration (there is no makeCredUvNotRqd)."""
    server = Fido2Server(RP)
    client = ctap20.client()
    options, state = server.register_begin(user_entity("fay"), user_verification=uv)
    registration = client.make_credential(options.public_key)
    credential = server.register_complete(state, registration).credential_data
    options, state = server.authenticate_begin([credential], user_verification=uv)
    assertion = client.get_assertion(options.public_key).get_response(0)
    server.authenticate_complete(state, [credential], assertion)
