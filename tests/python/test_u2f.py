"""CTAP1 / U2F (FIDO U2F Raw Message Formats v1.2) through python-fido2's `Ctap1` over CTAPHID_MSG:
version, registration (verified, and chained to softfido's test root), the three authentication
modes, the status words, the counter, key handles and CTAP2 credentials used through either
protocol (CTAP 2.1 §10), and a U2F-only key that python-fido2's `Fido2Client` falls back to."""

from __future__ import annotations

import hashlib
import os
import struct

import pytest
from fido2.attestation import AttestationType, FidoU2FAttestation, InvalidSignature, verify_x509_chain
from fido2.cose import ES256 as Es256Key
from fido2.ctap import CtapError
from fido2.ctap1 import APDU, ApduError, Ctap1, SignatureData
from fido2.ctap2 import Ctap2
from fido2.hid import CAPABILITY, CTAPHID
from fido2.mds3 import MdsAttestationVerifier
from fido2.server import Fido2Server
from fido2.webauthn import UserVerificationRequirement

from softfido_support import RP, RP_ID, RP_ID_HASH, descriptor, make_credential, random_cdh

#: An AppID (FIDO AppID and Facet Specification): U2F's application parameter is its SHA-256.
APP_ID = "https://example.com/u2f-appid.json"
APP_PARAM = hashlib.sha256(APP_ID.encode()).digest()

#: U2F_AUTHENTICATE's control byte "dont-enforce-user-presence-and-sign" (python-fido2's `Ctap1`
#: sends only check-only and enforce).
DONT_ENFORCE_USER_PRESENCE = 0x08

#: A U2F-only key: CTAPHID without the CBOR capability.
U2F_ONLY_CONFIG = 'profile = "software-token"\ngeneration = "u2f"\n'


def ctap1(daemon) -> Ctap1:
    return Ctap1(daemon.device())


def authenticate_without_presence(u2f: Ctap1, client_param: bytes, app_param: bytes, key_handle: bytes):
    data = client_param + app_param + struct.pack(">B", len(key_handle)) + key_handle
    response = u2f.send_apdu(ins=Ctap1.INS.AUTHENTICATE, p1=DONT_ENFORCE_USER_PRESENCE, data=data)
    return SignatureData(response)


def u2f_public_key(cose_key) -> bytes:
    """A CTAP2 ES256 COSE key as U2F's uncompressed point."""
    return b"\x04" + cose_key[-2] + cose_key[-3]


def test_version_and_get_info(daemon):
    assert ctap1(daemon).get_version() == "U2F_V2"
    device = daemon.device()
    assert not device.capabilities & CAPABILITY.NMSG
    assert device.capabilities & CAPABILITY.CBOR
    assert "U2F_V2" in Ctap2(device).get_info().versions


def test_register_verifies_and_chains_to_the_metadata_root(daemon, metadata):
    client_param = random_cdh()
    registration = ctap1(daemon).register(client_param, APP_PARAM)
    registration.verify(APP_PARAM, client_param)
    assert len(registration.public_key) == 65 and registration.public_key[0] == 0x04
    with pytest.raises(InvalidSignature):
        registration.verify(APP_PARAM, bytes(32))
    roots = metadata.roots_der(metadata.for_profile("security-key"))
    verify_x509_chain([registration.certificate] + roots[:1])


def test_authenticate_in_the_three_modes(daemon):
    u2f = ctap1(daemon)
    registration = u2f.register(random_cdh(), APP_PARAM)
    key_handle = registration.key_handle

    client_param = random_cdh()
    signed = u2f.authenticate(client_param, APP_PARAM, key_handle)
    assert signed.user_presence & 0x01
    signed.verify(APP_PARAM, client_param, registration.public_key)

    with pytest.raises(ApduError) as check_only:
        u2f.authenticate(client_param, APP_PARAM, key_handle, check_only=True)
    assert check_only.value.code == APDU.USE_NOT_SATISFIED

    unattended = authenticate_without_presence(u2f, client_param, APP_PARAM, key_handle)
    assert unattended.user_presence == 0
    unattended.verify(APP_PARAM, client_param, registration.public_key)
    assert unattended.counter == signed.counter + 1, "check-only signed nothing"


def test_another_application_or_an_unknown_handle_is_wrong_data(daemon):
    u2f = ctap1(daemon)
    key_handle = u2f.register(random_cdh(), APP_PARAM).key_handle
    other_application = hashlib.sha256(b"https://example.org").digest()
    for check_only in (True, False):
        for app_param, handle in ((other_application, key_handle), (APP_PARAM, os.urandom(len(key_handle)))):
            with pytest.raises(ApduError) as refused:
                u2f.authenticate(random_cdh(), app_param, handle, check_only=check_only)
            assert refused.value.code == APDU.WRONG_DATA
    with pytest.raises(ApduError) as refused:
        authenticate_without_presence(u2f, random_cdh(), other_application, key_handle)
    assert refused.value.code == APDU.WRONG_DATA


def test_status_words_of_malformed_requests(daemon):
    u2f = ctap1(daemon)
    for kwargs, status in (
        ({"cla": 0x80, "ins": Ctap1.INS.VERSION}, 0x6E00),
        ({"ins": 0x40}, 0x6D00),
        ({"ins": Ctap1.INS.REGISTER, "data": bytes(63)}, 0x6700),
        ({"ins": Ctap1.INS.AUTHENTICATE, "p1": 0x03, "data": bytes(64) + b"\x05" + bytes(4)}, 0x6700),
    ):
        with pytest.raises(ApduError) as refused:
            u2f.send_apdu(**kwargs)
        assert refused.value.code == status, kwargs
    # A short-length APDU (ISO 7816-4: Lc and Le of one byte) is understood too.
    assert daemon.device().call(CTAPHID.MSG, bytes([0, 3, 0, 0, 0])) == b"U2F_V2\x90\x00"


def test_the_counter_increases(daemon):
    u2f = ctap1(daemon)
    key_handle = u2f.register(random_cdh(), APP_PARAM).key_handle
    counters = [u2f.authenticate(random_cdh(), APP_PARAM, key_handle).counter for _ in range(3)]
    assert counters[0] >= 1
    assert counters == [counters[0], counters[0] + 1, counters[0] + 2]


def test_a_u2f_key_handle_signs_a_ctap2_assertion_with_the_app_id_as_rp_id(daemon):
    u2f = ctap1(daemon)
    registration = u2f.register(random_cdh(), APP_PARAM)
    u2f_counter = u2f.authenticate(random_cdh(), APP_PARAM, registration.key_handle).counter
    cdh = random_cdh()
    assertion = daemon.ctap2().get_assertion(APP_ID, cdh, [descriptor(registration.key_handle)])
    assertion.verify(cdh, Es256Key.from_ctap1(registration.public_key))
    assert assertion.auth_data.rp_id_hash == APP_PARAM
    assert assertion.credential["id"] == registration.key_handle
    assert assertion.auth_data.counter == u2f_counter + 1, "one counter for both protocols"
    with pytest.raises(CtapError) as other_rp:
        daemon.ctap2().get_assertion(RP_ID, cdh, [descriptor(registration.key_handle)])
    assert other_rp.value.code == CtapError.ERR.NO_CREDENTIALS


def test_a_ctap2_credential_signs_through_u2f(daemon):
    attestation = make_credential(daemon.ctap2())
    credential = attestation.auth_data.credential_data
    public_key = u2f_public_key(credential.public_key)
    u2f = ctap1(daemon)
    client_param = random_cdh()
    signed = u2f.authenticate(client_param, RP_ID_HASH, credential.credential_id)
    signed.verify(RP_ID_HASH, client_param, public_key)
    with pytest.raises(ApduError) as check_only:
        u2f.authenticate(client_param, RP_ID_HASH, credential.credential_id, check_only=True)
    assert check_only.value.code == APDU.USE_NOT_SATISFIED
    with pytest.raises(ApduError) as other_application:
        u2f.authenticate(client_param, APP_PARAM, credential.credential_id)
    assert other_application.value.code == APDU.WRONG_DATA


def test_a_refused_touch_is_conditions_not_satisfied(start_daemon, tmp_path):
    config = tmp_path / "deny.toml"
    config.write_text('profile = "software-token"\npresence = "deny"\n')
    u2f = ctap1(start_daemon("software-token", config=config))
    with pytest.raises(ApduError) as register:
        u2f.register(random_cdh(), APP_PARAM)
    assert register.value.code == APDU.USE_NOT_SATISFIED


def fido_u2f_verifier(metadata):
    """The relying party's attestation check: fido-u2f (WebAuthn L3 §8.6), the certificate
    chained to softfido's test root, and python-fido2's MDS3 verifier finding the model's U2F
    statement by the certificate's key identifier (FIDO MDS3 §3.1.1)."""
    roots = metadata.roots_der(metadata.for_profile("software-token"))
    mds = MdsAttestationVerifier(metadata.blob())
    checked = []

    def verify(attestation_object, client_data_hash):
        assert attestation_object.fmt == "fido-u2f"
        statement = attestation_object.att_stmt
        result = FidoU2FAttestation().verify(statement, attestation_object.auth_data, client_data_hash)
        assert result.attestation_type == AttestationType.BASIC
        verify_x509_chain(statement["x5c"] + roots[:1])
        entry = mds.find_entry(attestation_object, client_data_hash)
        assert entry is not None, "the U2F statement is found by the batch key identifier"
        model = metadata.for_profile("software-token")["description"]
        assert entry.metadata_statement.description == f"{model} (U2F)"
        assert entry.metadata_statement.protocol_family == "u2f"
        mds.verify_attestation(attestation_object, client_data_hash)
        checked.append(attestation_object)

    return verify, checked


def test_a_u2f_only_key_with_python_fido2s_client_and_server(start_daemon, metadata, tmp_path):
    config = tmp_path / "u2f.toml"
    config.write_text(U2F_ONLY_CONFIG)
    daemon = start_daemon("software-token", config=config)
    device = daemon.device()
    assert not device.capabilities & CAPABILITY.CBOR
    assert not device.capabilities & CAPABILITY.NMSG
    with pytest.raises(CtapError) as cbor:
        device.call(CTAPHID.CBOR, b"\x04")
    assert cbor.value.code == CtapError.ERR.INVALID_COMMAND
    with pytest.raises(ValueError):
        Ctap2(device)
    assert Ctap1(device).get_version() == "U2F_V2"

    client = daemon.client(device)
    assert client.info.versions == ["U2F_V2"], "python-fido2 fell back to U2F"
    verify, checked = fido_u2f_verifier(metadata)
    server = Fido2Server(RP, attestation="direct", verify_attestation=verify)
    user = {"id": os.urandom(16), "name": "alice", "displayName": "Alice"}
    options, state = server.register_begin(user, user_verification=UserVerificationRequirement.DISCOURAGED)
    auth_data = server.register_complete(state, client.make_credential(options.public_key))
    assert len(checked) == 1
    credential = auth_data.credential_data
    assert auth_data.flags & auth_data.FLAG.UP

    options, state = server.authenticate_begin([credential], user_verification=UserVerificationRequirement.DISCOURAGED)
    response = client.get_assertion(options.public_key).get_response(0)
    used = server.authenticate_complete(state, [credential], response)
    assert used.credential_id == credential.credential_id
    assert response.response.authenticator_data.counter >= 1
