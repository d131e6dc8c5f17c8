"""Extensions through python-fido2: credProtect, hmac-secret / prf (both PIN/UV auth
protocols), credBlob, largeBlob support, and the raw uvm output (large-blob storage itself:
test_large_blobs.py)."""

from __future__ import annotations

import os

import pytest
from fido2.client import ClientError
from fido2.ctap import CtapError
from fido2.ctap2.extensions import HmacSecretExtension
from fido2.ctap2.pin import ClientPin, PinProtocolV1, PinProtocolV2
from fido2.server import Fido2Server
from fido2.webauthn import ResidentKeyRequirement, UserVerificationRequirement

from softfido_support import RP, get_assertion, make_credential

UV = UserVerificationRequirement
PROTOCOLS = {1: PinProtocolV1, 2: PinProtocolV2}


def register(client, uv=UV.DISCOURAGED, rk=None, extensions=None):
    server = Fido2Server(RP)
    options, state = server.register_begin(
        {"id": os.urandom(8), "name": "eve"},
        user_verification=uv,
        resident_key_requirement=rk,
        extensions=extensions,
    )
    response = client.make_credential(options.public_key)
    auth_data = server.register_complete(state, response)
    return server, auth_data, response


def authenticate(client, server, credentials, uv=UV.DISCOURAGED, extensions=None, allow=True):
    options, state = server.authenticate_begin(
        credentials if allow else None, user_verification=uv, extensions=extensions
    )
    selection = client.get_assertion(options.public_key)
    response = selection.get_response(0)
    server.authenticate_complete(state, credentials, response)
    return response


# -- credProtect ----------------------------------------------------------------------------


def test_cred_protect_uv_required_ctap(start_daemon):
    """credProtect level 3 (userVerificationRequired, CTAP 2.1 §12.1): invisible without UV,
    even with an allow list and in an up=false pre-flight; usable with UV."""
    ctap = start_daemon("platform").ctap2()
    att = make_credential(ctap, uv=True, extensions={"credProtect": 3})
    assert att.auth_data.extensions == {"credProtect": 3}
    cred_id = att.auth_data.credential_data.credential_id
    for kwargs in ({}, {"up": False}):
        with pytest.raises(CtapError) as err:
            get_assertion(ctap, allow=[cred_id], **kwargs)
        assert err.value.code == CtapError.ERR.NO_CREDENTIALS
    assertion = get_assertion(ctap, allow=[cred_id], uv=True)
    assert assertion.auth_data.is_user_verified()


def test_cred_protect_uv_required_through_the_client(start_daemon):
    """The same through python-fido2's client: with uv discouraged the level-3 credential stays
    hidden (NO_CREDENTIALS); with uv required python-fido2 gets a UV pinUvAuthToken
    (getPinUvAuthTokenUsingUvWithPermissions), its up=false pre-flight with that token sees the
    credential and the assertion has UV=1. (This failed while the platform profile offered no
    pinUvAuthToken: python-fido2 then fell back to uv=true, whose token-less pre-flight hid the
    credential.)"""
    client = start_daemon("platform").client()
    server, auth_data, _ = register(
        client,
        uv=UV.REQUIRED,
        extensions={"credentialProtectionPolicy": "userVerificationRequired", "enforceCredentialProtectionPolicy": True},
    )
    assert auth_data.extensions == {"credProtect": 3}
    cred = auth_data.credential_data

    with pytest.raises(ClientError) as err:
        authenticate(client, server, [cred], uv=UV.DISCOURAGED)
    assert err.value.code == ClientError.ERR.DEVICE_INELIGIBLE
    assert err.value.cause.code == CtapError.ERR.NO_CREDENTIALS

    response = authenticate(client, server, [cred], uv=UV.REQUIRED)
    assert response.response.authenticator_data.is_user_verified()


def test_cred_protect_optional_with_credential_id_list(start_daemon):
    """Level 2: usable without UV only when the RP names it in the allow list."""
    client = start_daemon("security-key").client()
    server, auth_data, _ = register(
        client,
        rk=ResidentKeyRequirement.REQUIRED,
        extensions={"credentialProtectionPolicy": "userVerificationOptionalWithCredentialIDList"},
    )
    assert auth_data.extensions == {"credProtect": 2}
    cred = auth_data.credential_data
    authenticate(client, server, [cred])  # with the allow list: fine
    with pytest.raises(ClientError) as err:
        authenticate(client, server, [cred], allow=False)  # discoverable, no UV: hidden
    assert err.value.cause.code == CtapError.ERR.NO_CREDENTIALS


def test_cred_protect_default_is_optional(start_daemon):
    client = start_daemon("software-token").client()
    server, auth_data, _ = register(
        client, rk=ResidentKeyRequirement.REQUIRED, extensions={"credentialProtectionPolicy": "userVerificationOptional"}
    )
    # Level 1 may be echoed or left out (CTAP 2.1 §12.1 "authenticator extension output").
    assert auth_data.extensions in (None, {"credProtect": 1})
    authenticate(client, server, [auth_data.credential_data], allow=False)


# -- hmac-secret / prf ----------------------------------------------------------------------


@pytest.fixture(params=[2, 1], ids=["pin-protocol-2", "pin-protocol-1"])
def pin_protocol(request, monkeypatch):
    """Makes python-fido2's client negotiate only the given PIN/UV auth protocol."""
    monkeypatch.setattr(ClientPin, "PROTOCOLS", [PROTOCOLS[request.param]])
    return request.param


@pytest.mark.parametrize("profile,uv", [("platform", UV.REQUIRED), ("software-token", UV.DISCOURAGED)])
def test_prf(start_daemon, pin_protocol, profile, uv):
    client = start_daemon(profile).client()
    server, auth_data, reg = register(client, uv=uv, extensions={"prf": {}})
    assert reg.client_extension_results.prf.enabled is True
    assert auth_data.extensions.get("hmac-secret") is True
    cred = auth_data.credential_data

    def prf(first, second=None):
        values = {"first": first} if second is None else {"first": first, "second": second}
        response = authenticate(client, server, [cred], uv=uv, extensions={"prf": {"eval": values}})
        results = response.client_extension_results.prf.results
        return results.first, results.second or None

    salt_a, salt_b = os.urandom(32), os.urandom(16)
    a1, none = prf(salt_a)
    assert none is None
    a2, _ = prf(salt_a)
    b1, _ = prf(salt_b)
    assert len(a1) == 32
    assert a1 == a2, "same salt, same credential: the output must be stable"
    assert a1 != b1, "different salts must give different outputs"
    both = prf(salt_a, salt_b)
    assert both == (a1, b1)


def test_hmac_secret_same_output_under_both_protocols_and_uv_dependent(start_daemon):
    """hmac-secret directly (python-fido2 exposes it with allow_hmac_secret=True): the output
    depends on the credential, the salt and UV (CredRandomWithUV vs WithoutUV, CTAP 2.1 §12.5),
    never on the PIN/UV auth protocol that transported it."""
    daemon = start_daemon("platform")
    extensions = [HmacSecretExtension(allow_hmac_secret=True)]
    client = daemon.client(extensions=extensions)
    server, auth_data, reg = register(client, uv=UV.REQUIRED, extensions={"hmacCreateSecret": True})
    assert reg.client_extension_results.hmac_create_secret is True
    cred = auth_data.credential_data
    salt1, salt2 = os.urandom(32), os.urandom(32)

    outputs = {}
    for version, proto in PROTOCOLS.items():
        for uv in (UV.REQUIRED, UV.DISCOURAGED):
            original = ClientPin.PROTOCOLS
            ClientPin.PROTOCOLS = [proto]
            try:
                response = authenticate(
                    daemon.client(extensions=extensions), server, [cred], uv=uv,
                    extensions={"hmacGetSecret": {"salt1": salt1, "salt2": salt2}},
                )
            finally:
                ClientPin.PROTOCOLS = original
            assert response.response.authenticator_data.is_user_verified() == (uv == UV.REQUIRED)
            out = response.client_extension_results.hmac_get_secret
            assert len(out.output1) == len(out.output2) == 32
            outputs[(version, uv)] = (out.output1, out.output2)
    assert outputs[(1, UV.REQUIRED)] == outputs[(2, UV.REQUIRED)]
    assert outputs[(1, UV.DISCOURAGED)] == outputs[(2, UV.DISCOURAGED)]
    assert outputs[(2, UV.REQUIRED)][0] != outputs[(2, UV.DISCOURAGED)][0]
    assert outputs[(2, UV.REQUIRED)][0] != outputs[(2, UV.REQUIRED)][1]


@pytest.mark.parametrize("version", [2, 1])
def test_hmac_secret_bad_salt_auth_is_rejected(start_daemon, version):
    """A saltAuth that does not match saltEnc (CTAP 2.1 §12.5): CTAP2_ERR_PIN_AUTH_INVALID."""
    ctap = start_daemon("software-token").ctap2()
    cred = make_credential(ctap, extensions={"hmac-secret": True}).auth_data.credential_data
    protocol = PROTOCOLS[version]()
    key_agreement, shared = ClientPin(ctap, protocol)._get_shared_secret()
    salt_enc = protocol.encrypt(shared, os.urandom(32))
    bad_auth = bytes(len(protocol.authenticate(shared, salt_enc)))
    with pytest.raises(CtapError) as err:
        get_assertion(
            ctap,
            allow=[cred.credential_id],
            extensions={"hmac-secret": {1: key_agreement, 2: salt_enc, 3: bad_auth, 4: version}},
        )
    assert err.value.code == CtapError.ERR.PIN_AUTH_INVALID


# -- credBlob -------------------------------------------------------------------------------


def test_cred_blob(start_daemon):
    client = start_daemon("security-key").client()
    blob = b"softfido-blob-" + os.urandom(8)
    server, auth_data, _ = register(client, rk=ResidentKeyRequirement.REQUIRED, extensions={"credBlob": blob})
    assert auth_data.extensions == {"credBlob": True}
    response = authenticate(client, server, [auth_data.credential_data], extensions={"getCredBlob": True})
    assert response.response.authenticator_data.extensions == {"credBlob": blob}
    # Not asked for, not returned.
    plain = authenticate(client, server, [auth_data.credential_data])
    assert not (plain.response.authenticator_data.extensions or {}).get("credBlob")


def test_cred_blob_too_large_is_not_stored(start_daemon):
    """CTAP 2.1 §12.2: a credBlob longer than maxCredBlobLength is not stored (output false)."""
    daemon = start_daemon("security-key")
    ctap = daemon.ctap2()
    too_long = os.urandom(ctap.info.max_cred_blob_length + 1)
    att = make_credential(ctap, rk=True, extensions={"credBlob": too_long}, pin=daemon.pin)
    assert att.auth_data.extensions == {"credBlob": False}


# -- largeBlob support -------------------------------------------------------------------------


@pytest.mark.parametrize("support", ["preferred", "required"])
def test_large_blob_supported(start_daemon, support):
    """python-fido2 sends largeBlobKey=true for a discoverable credential; the authenticator
    returns the credential's largeBlobKey (CTAP 2.1 §12.3), so the client reports support."""
    client = start_daemon("security-key").client()
    _, _, reg = register(client, rk=ResidentKeyRequirement.REQUIRED, extensions={"largeBlob": {"support": support}})
    assert reg.client_extension_results.large_blob.supported is True


# -- uvm (no python-fido2 client support: raw CTAP) -------------------------------------------


def test_uvm_output_on_platform(start_daemon):
    """WebAuthn L2 §10.3: uvm = [[userVerificationMethod, keyProtectionType,
    matcherProtectionType], ...]; the platform profile verifies with its fingerprint in a TEE."""
    ctap = start_daemon("platform").ctap2()
    att = make_credential(ctap, uv=True, extensions={"uvm": True})
    uvm = att.auth_data.extensions["uvm"]
    assert 1 <= len(uvm) <= 3
    assert all(len(entry) == 3 for entry in uvm)
    methods = [entry[0] for entry in uvm]
    assert 0x00000002 in methods  # USER_VERIFY_FINGERPRINT_INTERNAL
    assert uvm[0][1] & 0x0004  # KEY_PROTECTION_TEE
    cred = att.auth_data.credential_data
    assertion = get_assertion(ctap, allow=[cred.credential_id], uv=True, extensions={"uvm": True})
    assert 0x00000002 in [entry[0] for entry in assertion.auth_data.extensions["uvm"]]
