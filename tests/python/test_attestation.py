"""Attestation statements as python-fido2's verifiers see them: packed basic (trust path to the
root of the model's metadata statement), packed self, and none."""

from __future__ import annotations

import pytest
from cryptography import x509
from fido2.attestation import (
    AttestationType,
    InvalidSignature,
    NoneAttestation,
    PackedAttestation,
    UntrustedAttestation,
    verify_x509_chain,
)
from fido2.mds3 import MdsAttestationVerifier, MetadataBlobPayload
from fido2.webauthn import AttestationObject

from softfido_support import EDDSA, ES256, make_credential, random_cdh

OID_AAGUID = x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4")


def register(daemon, alg=ES256):
    ctap = daemon.ctap2()
    cdh = random_cdh()
    att = make_credential(ctap, alg=alg, cdh=cdh)
    return att, cdh


@pytest.mark.parametrize("alg", [ES256, EDDSA], ids=["ES256", "EdDSA"])
@pytest.mark.parametrize("profile", ["security-key", "platform"])
def test_packed_basic_chains_to_the_metadata_root(start_daemon, metadata, profile, alg):
    att, cdh = register(start_daemon(profile), alg)
    assert att.fmt == "packed"
    statement = metadata.for_profile(profile)

    result = PackedAttestation().verify(att.att_stmt, att.auth_data, cdh)
    assert result.attestation_type == AttestationType.BASIC
    assert att.att_stmt["alg"] == ES256  # the batch key signs, whatever the credential's alg
    x5c = att.att_stmt["x5c"]
    assert result.trust_path == x5c

    # The trust path ends in a certificate the model's root signed.
    roots = metadata.roots_der(statement)
    verify_x509_chain(x5c + roots[:1])

    # WebAuthn §8.2.1 on the attestation certificate (python-fido2 checked most of it).
    leaf = x509.load_der_x509_certificate(x5c[0])
    assert leaf.version == x509.Version.v3
    ext = leaf.extensions.get_extension_for_oid(OID_AAGUID)
    assert not ext.critical
    assert ext.value.value[2:] == bytes(att.auth_data.credential_data.aaguid)  # OCTET STRING
    assert leaf.not_valid_after_utc > leaf.not_valid_before_utc

    # An RP with the MDS entries (python-fido2's MDS3 verifier) trusts the attestation.
    verifier = MdsAttestationVerifier(metadata.blob())
    attestation_object = AttestationObject.create(att.fmt, att.auth_data, att.att_stmt)
    verifier.verify_attestation(attestation_object, cdh)
    entry = verifier.find_entry(attestation_object, cdh)
    assert entry is not None and entry.metadata_statement.description == statement["description"]

    # A wrong client data hash breaks the signature.
    with pytest.raises(InvalidSignature):
        PackedAttestation().verify(att.att_stmt, att.auth_data, bytes(32))


def test_packed_basic_is_untrusted_without_the_root(start_daemon, metadata):
    att, cdh = register(start_daemon("security-key"))
    attestation_object = AttestationObject.create(att.fmt, att.auth_data, att.att_stmt)
    others = [
        e for e in metadata.blob().entries if str(e.aaguid) != str(att.auth_data.credential_data.aaguid)
    ]
    blob = MetadataBlobPayload(legal_header="x", no=1, next_update=metadata.blob().next_update, entries=others)
    with pytest.raises(UntrustedAttestation):
        MdsAttestationVerifier(blob).verify_attestation(attestation_object, cdh)


@pytest.mark.parametrize("alg", [ES256, EDDSA], ids=["ES256", "EdDSA"])
def test_packed_self(start_daemon, alg):
    att, cdh = register(start_daemon("software-token"), alg)
    assert att.fmt == "packed"
    assert "x5c" not in att.att_stmt
    assert att.att_stmt["alg"] == alg  # self attestation: the credential key's algorithm
    result = PackedAttestation().verify(att.att_stmt, att.auth_data, cdh)
    assert result.attestation_type == AttestationType.SELF
    assert result.trust_path == []


def test_none_attestation_for_synced_passkey(start_daemon, metadata):
    att, cdh = register(start_daemon("synced-passkey"))
    assert att.fmt == "none"
    assert att.att_stmt == {}
    result = NoneAttestation().verify(att.att_stmt, att.auth_data, cdh)
    assert result.attestation_type == AttestationType.NONE
    # The AAGUID stays in authData (docs/authenticator.md: one AAGUID per model) and names the synced model.
    assert str(att.auth_data.credential_data.aaguid) == metadata.for_profile("synced-passkey")["aaguid"]
