"""Large blobs (CTAP 2.1 §6.10 authenticatorLargeBlobs, §12.3 largeBlobKey) through python-fido2:
`fido2.ctap2.blob.LargeBlobs` over raw CTAP2, and the client's `largeBlob` WebAuthn extension."""

from __future__ import annotations

import hashlib
import os

import pytest
from fido2.ctap import CtapError
from fido2.ctap2.blob import LargeBlobs
from fido2.server import Fido2Server
from fido2.webauthn import ResidentKeyRequirement, UserVerificationRequirement

from softfido_support import (
    DEFAULT_PIN,
    PERM,
    RP,
    ctap_error,
    get_assertion,
    make_credential,
    pin_token,
    user_entity,
)

ERR = CtapError.ERR
#: The initial serialized large-blob array (CTAP 2.1 §6.10.3): 0x80 ‖ LEFT(SHA-256(0x80), 16).
EMPTY_ARRAY = b"\x80" + hashlib.sha256(b"\x80").digest()[:16]


def lbw_token(ctap):
    """A pinUvAuthToken with only the lbw permission (no rpId needed)."""
    return pin_token(ctap, DEFAULT_PIN, PERM.LARGE_BLOB_WRITE, rp_id=None)


def blobs(ctap, token=None) -> LargeBlobs:
    return LargeBlobs(ctap, token.protocol, token.token) if token else LargeBlobs(ctap)


def credential_with_key(ctap, name: str = "alice") -> tuple[bytes, bytes]:
    """A discoverable credential made with largeBlobKey: its ID and largeBlobKey."""
    att = make_credential(
        ctap, rk=True, user=user_entity(name), extensions={"largeBlobKey": True}, pin=DEFAULT_PIN
    )
    key = att.large_blob_key
    assert key is not None and len(key) == 32
    return att.auth_data.credential_data.credential_id, key


def whole_array(ctap) -> bytes:
    """The serialized large-blob array, read raw in fragments of maxFragmentLength."""
    step = ctap.info.max_msg_size - 64
    data = b""
    while True:
        fragment = ctap.large_blobs(len(data), get=step)[1]
        data += fragment
        if len(fragment) < step:
            return data


def test_a_new_device_holds_the_empty_array(daemon):
    ctap = daemon.ctap2()
    assert ctap.info.options.get("largeBlobs") is True
    assert ctap.info.max_large_blob >= 1024
    assert "largeBlobKey" in ctap.info.extensions
    assert ctap.large_blobs(0, get=1024)[1] == EMPTY_ARRAY
    assert blobs(ctap).read_blob_array() == []


def test_read_limits(daemon):
    """§6.10.2: a count over maxFragmentLength is INVALID_LENGTH, an offset past the end
    INVALID_PARAMETER, an offset at the end reads nothing."""
    ctap = daemon.ctap2()
    step = ctap.info.max_msg_size - 64
    assert ctap_error(ctap.large_blobs, 0, get=step + 1) == ERR.INVALID_LENGTH
    assert ctap_error(ctap.large_blobs, len(EMPTY_ARRAY) + 1, get=1) == ERR.INVALID_PARAMETER
    assert ctap.large_blobs(len(EMPTY_ARRAY), get=1)[1] == b""
    assert ctap.large_blobs(3, get=4)[1] == EMPTY_ARRAY[3:7]


def test_large_blob_key_is_stable_per_credential(daemon):
    ctap = daemon.ctap2()
    first_id, first_key = credential_with_key(ctap, "alice")
    _, second_key = credential_with_key(ctap, "bob")
    assert first_key != second_key
    assertion = get_assertion(
        ctap, allow=[first_id], extensions={"largeBlobKey": True}, token=pin_token(ctap, DEFAULT_PIN)
    )
    assert assertion.large_blob_key == first_key
    assert get_assertion(ctap, allow=[first_id], token=pin_token(ctap, DEFAULT_PIN)).large_blob_key is None
    # §12.3: only for a discoverable credential.
    code = ctap_error(make_credential, ctap, extensions={"largeBlobKey": True}, pin=DEFAULT_PIN)
    assert code == ERR.INVALID_OPTION


def test_write_read_and_delete_blobs(daemon):
    ctap = daemon.ctap2()
    _, alice = credential_with_key(ctap, "alice")
    _, bob = credential_with_key(ctap, "bob")
    writer = blobs(ctap, lbw_token(ctap))
    writer.put_blob(alice, b"alice's certificate")
    writer.put_blob(bob, b"bob's")
    reader = blobs(ctap)
    assert reader.get_blob(alice) == b"alice's certificate"
    assert reader.get_blob(bob) == b"bob's"
    assert len(reader.read_blob_array()) == 2
    writer.delete_blob(alice)
    assert reader.get_blob(alice) is None
    assert reader.get_blob(bob) == b"bob's"
    writer.delete_blob(bob)
    assert reader.read_blob_array() == []
    assert whole_array(ctap) == EMPTY_ARRAY


def test_a_blob_larger_than_one_fragment(daemon):
    """An array longer than maxFragmentLength is written and read in several fragments."""
    ctap = daemon.ctap2()
    _, key = credential_with_key(ctap)
    step = ctap.info.max_msg_size - 64
    data = os.urandom(step + 2000)  # random bytes do not compress
    blobs(ctap, lbw_token(ctap)).put_blob(key, data)
    array = whole_array(ctap)
    assert step < len(array) <= ctap.info.max_large_blob
    assert array[-16:] == hashlib.sha256(array[:-16]).digest()[:16]
    assert blobs(ctap).get_blob(key) == data


def test_storage_full(daemon):
    ctap = daemon.ctap2()
    _, key = credential_with_key(ctap)
    with pytest.raises(CtapError) as err:
        blobs(ctap, lbw_token(ctap)).put_blob(key, os.urandom(ctap.info.max_large_blob))
    assert err.value.code == ERR.LARGE_BLOB_STORAGE_FULL
    assert whole_array(ctap) == EMPTY_ARRAY


def test_writes_need_a_token_with_lbw(daemon):
    """§6.10.2 step 4.5: on a device with a PIN, no token is PUAT_REQUIRED and a token without
    lbw PIN_AUTH_INVALID."""
    ctap = daemon.ctap2()
    with pytest.raises(CtapError) as err:
        blobs(ctap).write_blob_array([])
    assert err.value.code == ERR.PUAT_REQUIRED
    cm = pin_token(ctap, DEFAULT_PIN, PERM.CREDENTIAL_MGMT, rp_id=None)
    with pytest.raises(CtapError) as err:
        blobs(ctap, cm).write_blob_array([{1: b"x", 2: b"y" * 12, 3: 1}])
    assert err.value.code == ERR.PIN_AUTH_INVALID
    assert whole_array(ctap) == EMPTY_ARRAY


def test_integrity_failure(daemon):
    """§6.10.2 step 4.10: an array whose trailing 16 bytes are not its hash is refused and the
    stored array stays."""
    ctap = daemon.ctap2()
    token = lbw_token(ctap)
    bad = b"\x81\x41\x00" + b"\x00" * 16
    message = b"\xff" * 32 + b"\x0c\x00" + (0).to_bytes(4, "little") + hashlib.sha256(bad).digest()
    code = ctap_error(ctap.large_blobs, 0, set=bad, length=len(bad), **token.param(message))
    assert code == ERR.INTEGRITY_FAILURE
    assert whole_array(ctap) == EMPTY_ARRAY


def test_blobs_persist_across_a_restart(start_daemon, tmp_path):
    daemon = start_daemon("security-key", state=tmp_path / "state.json")
    ctap = daemon.ctap2()
    cred_id, key = credential_with_key(ctap)
    blobs(ctap, lbw_token(ctap)).put_blob(key, b"kept")
    daemon.restart()
    ctap = daemon.ctap2()
    assert blobs(ctap).get_blob(key) == b"kept"
    assertion = get_assertion(
        ctap, allow=[cred_id], extensions={"largeBlobKey": True}, token=pin_token(ctap, DEFAULT_PIN)
    )
    assert assertion.large_blob_key == key


def test_reset_empties_the_array(start_daemon):
    daemon = start_daemon("security-key", reset_anytime=True)
    ctap = daemon.ctap2()
    _, key = credential_with_key(ctap)
    blobs(ctap, lbw_token(ctap)).put_blob(key, b"gone soon")
    assert whole_array(ctap) != EMPTY_ARRAY
    ctap.reset()
    assert whole_array(ctap) == EMPTY_ARRAY
    # No PIN after reset: writes need no token.
    blobs(ctap).write_blob_array([])


def test_the_client_largeblob_extension(daemon):
    """WebAuthn largeBlob through python-fido2's Fido2Client: support at registration, write
    and read at authentication (the client asks for a ga+lbw token itself)."""
    client = daemon.client()
    server = Fido2Server(RP)
    options, state = server.register_begin(
        {"id": os.urandom(8), "name": "eve"},
        user_verification=UserVerificationRequirement.DISCOURAGED,
        resident_key_requirement=ResidentKeyRequirement.REQUIRED,
        extensions={"largeBlob": {"support": "required"}},
    )
    registration = client.make_credential(options.public_key)
    assert registration.client_extension_results.large_blob.supported is True
    credentials = [server.register_complete(state, registration).credential_data]

    def authenticate(extensions):
        request, _ = server.authenticate_begin(credentials, extensions=extensions)
        return client.get_assertion(request.public_key).get_response(0).client_extension_results

    assert authenticate({"largeBlob": {"write": b"written by the client"}}).large_blob.written is True
    assert authenticate({"largeBlob": {"read": True}}).large_blob.blob == b"written by the client"
