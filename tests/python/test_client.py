"""Whole WebAuthn ceremonies: python-fido2's Fido2Client (the browser) against the daemon, and
python-fido2's Fido2Server (the relying party) checking the results, for every profile."""

from __future__ import annotations

import os

import pytest
from fido2.attestation import AttestationType, NoneAttestation, PackedAttestation
from fido2.client import ClientError
from fido2.ctap import CtapError
from fido2.ctap2.pin import ClientPin
from fido2.mds3 import MdsAttestationVerifier
from fido2.server import Fido2Server
from fido2.webauthn import (
    AuthenticationResponse,
    CollectedClientData,
    RegistrationResponse,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from softfido_support import ORIGIN, PROFILES, RP, RP_ID, RP_ID_HASH, AutoUser

UV = UserVerificationRequirement


def attestation_checker(profile, metadata):
    """What an RP that wants attestation does for this profile's format."""
    kind = PROFILES[profile].attestation
    if kind == "basic":
        return MdsAttestationVerifier(metadata.blob())

    def verify(attestation_object, client_data_hash):
        if kind == "self":
            result = PackedAttestation().verify(
                attestation_object.att_stmt, attestation_object.auth_data, client_data_hash
            )
            assert result.attestation_type == AttestationType.SELF
        else:
            assert attestation_object.fmt == "none"
            NoneAttestation().verify(attestation_object.att_stmt, attestation_object.auth_data, client_data_hash)

    return verify


def server_for(profile, metadata):
    return Fido2Server(RP, attestation="direct", verify_attestation=attestation_checker(profile, metadata))


def register(client, server, uv, resident_key=None, user_name="alice", exclude=None):
    user = {"id": os.urandom(16), "name": user_name, "displayName": user_name.title()}
    options, state = server.register_begin(
        user, credentials=exclude, user_verification=uv, resident_key_requirement=resident_key
    )
    response = client.make_credential(options.public_key)
    assert isinstance(response, RegistrationResponse)
    # The JSON a browser would post round-trips through python-fido2's own parser.
    response = RegistrationResponse.from_dict(dict(response))
    auth_data = server.register_complete(state, response)
    return user, auth_data, response


def authenticate(client, server, uv, credentials, allow=True):
    options, state = server.authenticate_begin(credentials if allow else None, user_verification=uv)
    selection = client.get_assertion(options.public_key)
    response = selection.get_response(0)
    assert isinstance(response, AuthenticationResponse)
    response = AuthenticationResponse.from_dict(dict(response))
    used = server.authenticate_complete(state, credentials, response)
    return used, response


CEREMONIES = [
    ("security-key", UV.REQUIRED),
    ("security-key", UV.PREFERRED),
    ("security-key", UV.DISCOURAGED),
    ("platform", UV.REQUIRED),
    ("platform", UV.PREFERRED),
    ("platform", UV.DISCOURAGED),
    ("synced-passkey", UV.REQUIRED),
    ("synced-passkey", UV.PREFERRED),
    ("software-token", UV.DISCOURAGED),
    ("software-token", UV.PREFERRED),
]


@pytest.mark.parametrize("profile,uv", CEREMONIES, ids=[f"{p}-{u.value}" for p, u in CEREMONIES])
def test_register_and_authenticate(start_daemon, metadata, profile, uv):
    spec = PROFILES[profile]
    daemon = start_daemon(profile)
    user_at_keyboard = AutoUser(daemon.pin)
    client = daemon.client(user=user_at_keyboard)
    server = server_for(profile, metadata)

    user, reg_auth_data, reg = register(client, server, uv)
    credential = reg_auth_data.credential_data
    assert reg.raw_id == credential.credential_id
    assert reg.response.client_data.origin == ORIGIN
    assert reg.response.client_data.type == CollectedClientData.TYPE.CREATE
    assert reg_auth_data.rp_id_hash == RP_ID_HASH
    assert str(credential.aaguid) == metadata.for_profile(profile)["aaguid"]

    # UV happens exactly when the RP asks for it (required, or preferred on a device that can:
    # built-in UV, or the security key's PIN).
    can_uv = spec.builtin_uv or daemon.pin is not None
    expect_uv = uv == UV.REQUIRED or (uv == UV.PREFERRED and can_uv)
    # The PIN is asked for once per ceremony that verifies the user with it.
    pin_asked = expect_uv and not spec.builtin_uv
    assert len(user_at_keyboard.pin_requests) == int(pin_asked)
    assert reg_auth_data.is_user_present()
    assert reg_auth_data.is_user_verified() == expect_uv
    assert reg_auth_data.is_backup_eligible() == spec.backup
    assert reg_auth_data.is_backed_up() == spec.backup

    used, auth = authenticate(client, server, uv, [credential])
    assert used.credential_id == credential.credential_id
    assert len(user_at_keyboard.pin_requests) == 2 * int(pin_asked)
    auth_data = auth.response.authenticator_data
    assert auth_data.is_user_present()
    assert auth_data.is_user_verified() == expect_uv
    assert auth_data.is_backup_eligible() == spec.backup
    assert auth_data.is_backed_up() == spec.backup
    if spec.counter == "zero":
        assert auth_data.counter == 0
    else:
        assert auth_data.counter > reg_auth_data.counter
    # Independent of Fido2Server: the signature over authData || SHA-256(clientDataJSON).
    credential.public_key.verify(bytes(auth_data) + auth.response.client_data.hash, auth.response.signature)


@pytest.mark.parametrize(
    "profile,uv",
    [
        ("security-key", UV.DISCOURAGED),
        ("platform", UV.REQUIRED),
        ("synced-passkey", UV.REQUIRED),
        ("software-token", UV.DISCOURAGED),
    ],
    ids=["security-key", "platform", "synced-passkey", "software-token"],
)
def test_passkey_discoverable_sign_in(start_daemon, metadata, profile, uv):
    """On the security key (PIN 1234) a discoverable credential needs UV (CTAP2_ERR_PUAT_REQUIRED
    without, makeCredUvNotRqd semantics): python-fido2 retries with the PIN, UV=1."""
    daemon = start_daemon(profile)
    client = daemon.client()
    server = server_for(profile, metadata)
    user, reg_auth_data, _ = register(client, server, uv, resident_key=ResidentKeyRequirement.REQUIRED)
    credential = reg_auth_data.credential_data
    if profile == "security-key":
        assert reg_auth_data.is_user_verified()

    used, auth = authenticate(client, server, uv, [credential], allow=False)
    assert used.credential_id == credential.credential_id
    assert auth.response.user_handle == user["id"]
    assert auth.raw_id == credential.credential_id


def test_platform_resident_key_with_uv_discouraged_gets_uv(start_daemon, metadata):
    """A UV-capable device refuses rk without UV (CTAP2_ERR_PUAT_REQUIRED, makeCredUvNotRqd
    semantics); python-fido2 then retries with UV: the credential is created with UV=1."""
    daemon = start_daemon("platform")
    client = daemon.client()
    server = server_for("platform", metadata)
    _, auth_data, _ = register(client, server, UV.DISCOURAGED, resident_key=ResidentKeyRequirement.REQUIRED)
    assert auth_data.is_user_verified()


def test_excluded_credential_through_the_client(start_daemon, metadata):
    daemon = start_daemon("software-token")
    client = daemon.client()
    server = server_for("software-token", metadata)
    _, auth_data, _ = register(client, server, UV.DISCOURAGED)
    with pytest.raises(ClientError) as err:
        register(client, server, UV.DISCOURAGED, exclude=[auth_data.credential_data])
    assert err.value.code == ClientError.ERR.DEVICE_INELIGIBLE
    assert isinstance(err.value.cause, CtapError)
    assert err.value.cause.code == CtapError.ERR.CREDENTIAL_EXCLUDED


def test_unknown_credential_through_the_client(start_daemon, metadata):
    daemon = start_daemon("software-token")
    client = daemon.client()
    server = server_for("software-token", metadata)
    _, auth_data, _ = register(client, server, UV.DISCOURAGED)
    stranger = daemon.client(daemon.device())  # a second client of the same device
    other = start_daemon("software-token")  # another device makes the foreign credential
    _, foreign, _ = register(other.client(), server, UV.DISCOURAGED)
    with pytest.raises(ClientError) as err:
        authenticate(stranger, server, UV.DISCOURAGED, [foreign.credential_data])
    assert err.value.code == ClientError.ERR.DEVICE_INELIGIBLE
    assert err.value.cause.code == CtapError.ERR.NO_CREDENTIALS
    # The known one still works.
    authenticate(client, server, UV.DISCOURAGED, [auth_data.credential_data])


def test_security_key_required_uv_asks_for_the_pin_once(start_daemon):
    """userVerification=required on the security key: python-fido2 asks the user for the PIN
    once per ceremony, gets a pinUvAuthToken (permissions mc / ga, rpId example.com) and the
    authenticator reports UV=1."""
    daemon = start_daemon("security-key")
    user_at_keyboard = AutoUser("1234")
    client = daemon.client(user=user_at_keyboard)
    server = Fido2Server(RP)
    _, auth_data, _ = register(client, server, UV.REQUIRED)
    assert auth_data.is_user_verified()
    assert user_at_keyboard.pin_requests == [(ClientPin.PERMISSION.MAKE_CREDENTIAL, RP_ID)]

    _, auth = authenticate(client, server, UV.REQUIRED, [auth_data.credential_data])
    assert auth.response.authenticator_data.is_user_verified()
    assert user_at_keyboard.pin_requests[1:] == [(ClientPin.PERMISSION.GET_ASSERTION, RP_ID)]


def test_security_key_wrong_pin_through_the_client(start_daemon):
    """The user types a wrong PIN: python-fido2 surfaces CTAP2_ERR_PIN_INVALID (as a ClientError
    with the CtapError as cause) and one retry is gone."""
    daemon = start_daemon("security-key")
    client = daemon.client(user=AutoUser("9999"))
    server = Fido2Server(RP)
    with pytest.raises(ClientError) as err:
        register(client, server, UV.REQUIRED)
    assert err.value.code == ClientError.ERR.BAD_REQUEST
    assert err.value.cause.code == CtapError.ERR.PIN_INVALID
    retries, _ = ClientPin(daemon.ctap2()).get_pin_retries()
    assert retries == 7


def test_security_key_without_pin_preferred_uv_is_refused_by_python_fido2(start_daemon):
    """python-fido2 behaviour, documented: with --no-pin the security key lists clientPin=false
    (PIN capability, no PIN set), which python-fido2 reads as 'UV supported but not configured'
    and so refuses userVerification=preferred/required before talking to the device."""
    client = start_daemon("security-key", no_pin=True).client()
    server = Fido2Server(RP)
    for uv in (UV.PREFERRED, UV.REQUIRED):
        options, _ = server.register_begin({"id": b"u", "name": "u"}, user_verification=uv)
        with pytest.raises(ClientError) as err:
            client.make_credential(options.public_key)
        assert err.value.code == ClientError.ERR.CONFIGURATION_UNSUPPORTED


def test_security_key_without_pin_discoverable_needs_no_uv(start_daemon, metadata):
    """--no-pin: nothing protects the device, so a discoverable credential is made without UV
    (CTAP 2.1 §6.1.2 step 6 only asks for a token on a device protected by UV)."""
    daemon = start_daemon("security-key", no_pin=True)
    client = daemon.client()
    server = server_for("security-key", metadata)
    user, auth_data, _ = register(client, server, UV.DISCOURAGED, resident_key=ResidentKeyRequirement.REQUIRED)
    assert not auth_data.is_user_verified()
    used, auth = authenticate(client, server, UV.DISCOURAGED, [auth_data.credential_data], allow=False)
    assert auth.response.user_handle == user["id"]


def test_rp_id_is_example_com(start_daemon):
    """The client's RP ID check and the authenticator's rpIdHash agree."""
    client = start_daemon("software-token").client()
    server = Fido2Server(RP)
    assert server.rp.id == RP_ID
    options, state = server.register_begin({"id": b"u", "name": "u"})
    server.register_complete(state, client.make_credential(options.public_key))


def test_discoverable_sign_in_with_several_passkeys(start_daemon, metadata):
    """Two passkeys for example.com: the client gets both assertions (numberOfCredentials,
    getNextAssertion) and the RP verifies each one."""
    daemon = start_daemon("platform")
    client = daemon.client()
    server = server_for("platform", metadata)
    registered = {}
    for name in ("first", "second"):
        user, auth_data, _ = register(client, server, UV.REQUIRED, resident_key=ResidentKeyRequirement.REQUIRED, user_name=name)
        registered[auth_data.credential_data.credential_id] = (user, auth_data.credential_data)
    credentials = [c for _, c in registered.values()]

    options, state = server.authenticate_begin(None, user_verification=UV.REQUIRED)
    selection = client.get_assertion(options.public_key)
    assertions = selection.get_assertions()
    assert len(assertions) == 2
    assert assertions[0].number_of_credentials == 2
    seen = set()
    for index in range(2):
        response = selection.get_response(index)
        used = server.authenticate_complete(state, credentials, response)
        user, _ = registered[used.credential_id]
        assert response.response.user_handle == user["id"]
        seen.add(used.credential_id)
    assert seen == set(registered)
