"""authenticatorGetInfo as python-fido2 reads it (Ctap2 re-encodes every response and rejects
non-canonical CBOR), against the profile descriptions and the metadata statements."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from fido2 import cbor
from fido2.ctap import CtapError
from fido2.ctap2 import Ctap2
from fido2.ctap2.pin import ClientPin, PinProtocolV1, PinProtocolV2
from fido2.hid import CAPABILITY
from fido2.mds3 import MetadataStatement
from fido2.webauthn import Aaguid

from softfido_support import EDDSA, ES256, PROFILE_NAMES, PROFILES


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_get_info_per_profile(start_daemon, metadata, profile):
    spec = PROFILES[profile]
    device = start_daemon(profile).device()
    assert device.capabilities & CAPABILITY.CBOR
    info = Ctap2(device).info  # strict canonical-CBOR check happens here

    assert "FIDO_2_0" in info.versions
    assert "FIDO_2_1" in info.versions

    # The AAGUID is the one of the model's metadata statement, found by its description.
    statement = metadata.for_profile(profile)
    assert info.aaguid == Aaguid.parse(statement["aaguid"])
    assert str(info.aaguid) in metadata.statements

    options = info.options
    assert options.get("rk") is True
    assert options.get("up") is True
    assert options.get("plat") is not True  # a roaming (UDP/"USB") authenticator
    if spec.uv_kind == "client_pin":
        # The profile ships with PIN 1234 set (CTAP 2.1 §6.4: clientPin true = PIN set).
        assert options.get("clientPin") is True
        assert "uv" not in options
        assert options.get("setMinPINLength") is True
        assert "minPinLength" in info.extensions
        assert info.min_pin_length == 4
        assert info.force_pin_change is False
        assert info.uv_modality == 0
    elif spec.builtin_uv:
        assert options.get("uv") is True
        assert "clientPin" not in options
        assert "setMinPINLength" not in options
        assert info.uv_modality == {"fingerprint": 0x02, "face": 0x10}[spec.uv_kind]
    else:
        assert "uv" not in options
        assert "clientPin" not in options
    if spec.builtin_uv or spec.uv_kind == "client_pin":
        # CTAP 2.1 §6.4: pinUvAuthToken is true when clientPin or uv is; credential
        # management and authenticatorConfig come with it.
        assert options.get("pinUvAuthToken") is True
        assert options.get("credMgmt") is True
        assert options.get("authnrCfg") is True
        assert options.get("alwaysUv") is False
        assert options.get("makeCredUvNotRqd") is True
    else:
        for option in ("pinUvAuthToken", "credMgmt", "authnrCfg", "alwaysUv", "setMinPINLength"):
            assert not options.get(option), option

    algs = [a["alg"] for a in info.algorithms]
    assert ES256 in algs and EDDSA in algs
    assert all(a["type"] == "public-key" for a in info.algorithms)

    for ext in ("credProtect", "hmac-secret", "credBlob"):
        assert ext in info.extensions
    assert ("uvm" in info.extensions) == spec.uvm
    assert ("minPinLength" in info.extensions) == (spec.uv_kind == "client_pin")
    assert "largeBlobKey" in info.extensions
    # CTAP 2.1 §8 canonical order (length first, then bytewise) for the array too.
    assert info.extensions == sorted(info.extensions, key=lambda name: (len(name), name.encode()))
    # CTAP 2.1 §6.4: largeBlobs true with maxSerializedLargeBlobArray (0x0B) at least 1024.
    assert options.get("largeBlobs") is True
    assert info.max_large_blob >= 1024

    # hmac-secret is on in every profile, so both PIN/UV auth protocols are offered, 2 first.
    assert list(info.pin_uv_protocols) == [2, 1]
    assert info.max_msg_size >= 1024
    assert info.max_cred_blob_length >= 32  # CTAP 2.1 §6.4: at least 32 when credBlob is listed


def test_get_info_security_key_without_pin(start_daemon):
    """--no-pin: the clientPIN capability without a PIN (CTAP 2.1 §6.4: clientPin false), the
    token and management features still offered."""
    info = start_daemon("security-key", no_pin=True).ctap2().info
    assert info.options.get("clientPin") is False
    assert info.options.get("pinUvAuthToken") is True
    assert info.options.get("credMgmt") is True
    assert info.options.get("authnrCfg") is True
    assert info.options.get("setMinPINLength") is True
    assert info.force_pin_change is False


def test_get_info_pin_option(start_daemon):
    """--pin sets another PIN at start; the default 1234 is then wrong."""
    daemon = start_daemon("security-key", pin="24680")
    ctap = daemon.ctap2()
    assert ctap.info.options.get("clientPin") is True
    ClientPin(ctap).get_pin_token("24680", ClientPin.PERMISSION.GET_ASSERTION, "example.com")
    with pytest.raises(CtapError) as err:
        ClientPin(ctap).get_pin_token("1234", ClientPin.PERMISSION.GET_ASSERTION, "example.com")
    assert err.value.code == CtapError.ERR.PIN_INVALID


def test_get_info_max_rpids_for_set_min_pin_length(start_daemon):
    """CTAP 2.1 §6.4, maxRPIDsForSetMinPINLength (0x10): "This MUST ONLY be present if, and only
    if, the authenticator supports the setMinPINLength subcommand" (0 when it cannot add RP IDs).
    The security key lists setMinPINLength=true and takes minPinLengthRPIDs (see test_config),
    so 0x10 must be present and at least 1."""
    device = start_daemon("security-key").device()
    response = device.call(0x10, bytes([Ctap2.CMD.GET_INFO]))
    assert response[0] == 0
    info = cbor.decode(response[1:])
    assert info[0x04]["setMinPINLength"] is True
    assert 0x10 in info, f"getInfo keys: {sorted(info)}"
    assert info[0x10] >= 1


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_metadata_statement_agrees_with_get_info(start_daemon, metadata, profile):
    """The statement's authenticatorGetInfo describes the model; the device's getInfo must not
    contradict it on the fields that do not depend on run-time configuration."""
    info = start_daemon(profile).ctap2().info
    statement = metadata.for_profile(profile)
    parsed = MetadataStatement.from_dict(statement)  # python-fido2's MDS3 parser accepts it
    assert parsed.aaguid == info.aaguid
    assert parsed.protocol_family == "fido2"
    assert PROFILES[profile].key_protection in parsed.key_protection

    meta_info = statement["authenticatorGetInfo"]
    assert meta_info["aaguid"] == info.aaguid.hex()  # MDS3: hex string without dashes
    assert meta_info["versions"] == list(info.versions)
    assert meta_info["algorithms"] == list(info.algorithms)
    assert meta_info.get("transports", []) == list(info.transports)
    # A profile may switch extensions off, never add one the model does not have.
    assert set(info.extensions) <= set(meta_info["extensions"])
    assert set(info.options) <= set(meta_info["options"])


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_metadata_statement_claims_no_capability_the_device_lacks(start_daemon, metadata, profile):
    """FIDO MDS3 §4 (authenticatorGetInfo: "the same reported by an authenticator when invoking
    the authenticatorGetInfo method"): every option the statement sets to true (a capability),
    its uvModality and its pinUvAuthProtocols must be what the device reports."""
    info = start_daemon(profile).ctap2().info
    meta_info = metadata.for_profile(profile)["authenticatorGetInfo"]
    problems = []
    for option, value in meta_info["options"].items():
        if value is True and option not in info.options:
            problems.append(f"statement option {option}=true, device getInfo has no {option!r}")
    if meta_info.get("uvModality", 0) != info.uv_modality:
        problems.append(f"statement uvModality={meta_info.get('uvModality')}, device uvModality={info.uv_modality or None}")
    if meta_info.get("pinUvAuthProtocols", []) != list(info.pin_uv_protocols):
        problems.append(
            f"statement pinUvAuthProtocols={meta_info.get('pinUvAuthProtocols')}, device={list(info.pin_uv_protocols)}"
        )
    assert not problems, "\n".join(problems)


def test_every_statement_parses_and_has_a_ca_root(metadata):
    """python-fido2 parses each of `softfido metadata`'s statements; each root is a CA."""
    assert len(metadata.statements) == 24  # 4 key protections x 6 UV kinds
    for statement in metadata.statements.values():
        parsed = MetadataStatement.from_dict(statement)
        assert parsed.schema == 3
        assert parsed.attestation_root_certificates
        for der in parsed.attestation_root_certificates:
            cert = x509.load_der_x509_certificate(der)
            bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
            assert bc.value.ca is True
    pem_root = x509.load_pem_x509_certificate(metadata.root_pem)
    first = next(iter(metadata.statements.values()))
    assert metadata.roots_der(first)[0] == pem_root.public_bytes(Encoding.DER)


@pytest.mark.parametrize("protocol", [PinProtocolV1, PinProtocolV2], ids=["v1", "v2"])
def test_client_pin_retries_and_key_agreement(daemon, protocol):
    """getPINRetries (8 on a fresh device, CTAP 2.1 §6.5.5.2) and getKeyAgreement (a P-256 COSE
    key for ECDH)."""
    ctap = daemon.ctap2()
    client_pin = ClientPin(ctap, protocol())
    retries, _power_cycle_state = client_pin.get_pin_retries()
    assert retries == 8
    key = ctap.client_pin(protocol.VERSION, ClientPin.CMD.GET_KEY_AGREEMENT)[ClientPin.RESULT.KEY_AGREEMENT]
    assert key[1] == 2 and key[-1] == 1  # kty EC2, crv P-256
    assert key[3] == -25  # ECDH-ES+HKDF-256, as CTAP 2.1 §6.5.6 prescribes
    _, shared = client_pin._get_shared_secret()
    assert len(shared) == (32 if protocol is PinProtocolV1 else 64)


def test_unsupported_pin_protocol(daemon):
    with pytest.raises(CtapError) as err:
        daemon.ctap2().client_pin(3, ClientPin.CMD.GET_KEY_AGREEMENT)
    assert err.value.code == CtapError.ERR.INVALID_PARAMETER


@pytest.mark.parametrize("profile", ["platform", "synced-passkey"])
def test_builtin_uv_offers_pin_uv_auth_token(start_daemon, profile):
    """CTAP 2.1 §6.4 (option pinUvAuthToken): a FIDO_2_1 authenticator "MUST include the
    pinUvAuthToken option ID with the value true ... if either the clientPin or uv option IDs have
    the value true", and then supports getPinUvAuthTokenUsingUvWithPermissions (ClientPIN
    subcommand 0x06, §6.5.5.7.3). (Fixed: it used to be absent; python-fido2 then fell back to
    CTAP 2.0-style uv=true, whose pre-flight cannot see credProtect level-3 credentials.)"""
    ctap = start_daemon(profile).ctap2()
    assert ctap.info.options.get("uv") is True
    assert ctap.info.options.get("pinUvAuthToken") is True, f"options: {dict(ctap.info.options)}"
    token = ClientPin(ctap, PinProtocolV2()).get_uv_token(ClientPin.PERMISSION.GET_ASSERTION, "example.com")
    assert len(token) == 32
