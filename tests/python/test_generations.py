"""Generations of key (docs/authenticator.md "Generations"): a 2.1-PRE key as python-fido2's
old-client paths meet it, credentialMgmtPreview (command 0x41) with the token of getPinToken and
PIN/UV auth protocol 1; and a CTAP 2.1 key, which knows no 0x41."""

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
