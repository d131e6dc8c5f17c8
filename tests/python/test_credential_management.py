"""authenticatorCredentialManagement (CTAP 2.1 §6.8) through python-fido2's
CredentialManagement, with pinUvAuthTokens from its ClientPin (PIN/UV auth protocols 1 and 2)."""

from __future__ import annotations

import hashlib

import pytest
from fido2.cose import CoseKey
from fido2.ctap import CtapError
from fido2.ctap2 import Ctap2
from fido2.ctap2.credman import CredentialManagement
from fido2.ctap2.pin import ClientPin, PinProtocolV1, PinProtocolV2

from softfido_support import (
    DEFAULT_PIN,
    OTHER_RP,
    PERM,
    PROTOCOLS,
    PROTOCOL_IDS,
    RP_ID,
    RP_ID_HASH,
    ctap_error,
    get_assertion,
    make_credential,
    pin_token,
    random_cdh,
    user_entity,
)

ERR = CtapError.ERR
RESULT = CredentialManagement.RESULT
OTHER_RP_ID_HASH = hashlib.sha256(OTHER_RP["id"].encode()).digest()




def credman(ctap: Ctap2, protocol=None, pin: str = DEFAULT_PIN, rp_id: str | None = None) -> CredentialManagement:
    """CredentialManagement with a fresh token (permission cm, optionally bound to rp_id)."""
    token = pin_token(ctap, pin, PERM.CREDENTIAL_MGMT, rp_id, (protocol or PinProtocolV2)())
    return CredentialManagement(ctap, token.protocol, token.token)


def populate(ctap: Ctap2, pin: str = DEFAULT_PIN):
    """Two discoverable credentials for example.com, one for other.example, one
    non-discoverable (not stored, so never counted or listed)."""
    users = {"ann": user_entity("ann"), "ben": user_entity("ben"), "cy": user_entity("cy")}
    creds = {
        "ann": make_credential(ctap, rk=True, user=users["ann"], pin=pin).auth_data.credential_data,
        "ben": make_credential(ctap, rk=True, user=users["ben"], pin=pin).auth_data.credential_data,
        "cy": make_credential(ctap, rk=True, user=users["cy"], rp=OTHER_RP, pin=pin).auth_data.credential_data,
    }
    make_credential(ctap)
    return users, creds


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=PROTOCOL_IDS)
def test_metadata_and_enumeration(daemon, protocol):
    ctap = daemon.ctap2()
    users, creds = populate(ctap)
    cm = credman(ctap, protocol)

    metadata = cm.get_metadata()
    assert metadata[RESULT.EXISTING_CRED_COUNT] == 3
    assert metadata[RESULT.MAX_REMAINING_COUNT] == ctap.get_info().remaining_disc_creds == 97

    rps = cm.enumerate_rps()
    assert rps[0][RESULT.TOTAL_RPS] == 2
    assert all(RESULT.TOTAL_RPS not in rp for rp in rps[1:])  # only in the first response
    by_id = {rp[RESULT.RP]["id"]: rp for rp in rps}
    assert set(by_id) == {RP_ID, OTHER_RP["id"]}
    for rp_id, rp in by_id.items():
        assert rp[RESULT.RP_ID_HASH] == hashlib.sha256(rp_id.encode()).digest()

    listed = cm.enumerate_creds(RP_ID_HASH)
    assert len(listed) == 2 and listed[0][RESULT.TOTAL_CREDENTIALS] == 2
    assert all(RESULT.TOTAL_CREDENTIALS not in c for c in listed[1:])
    by_user = {c[RESULT.USER]["id"]: c for c in listed}
    assert set(by_user) == {users["ann"]["id"], users["ben"]["id"]}
    for name in ("ann", "ben"):
        entry = by_user[users[name]["id"]]
        assert entry[RESULT.USER] == users[name]  # the whole user entity
        assert entry[RESULT.CREDENTIAL_ID] == {"type": "public-key", "id": creds[name].credential_id}
        # The listed public key verifies an assertion of that credential.
        key = CoseKey.parse(entry[RESULT.PUBLIC_KEY])
        assert key == creds[name].public_key
        cdh = random_cdh()
        get_assertion(ctap, allow=[creds[name].credential_id], cdh=cdh).verify(cdh, key)
        assert entry.get(RESULT.CRED_PROTECT, 1) == 1  # userVerificationOptional by default

    other = cm.enumerate_creds(OTHER_RP_ID_HASH)
    assert [c[RESULT.CREDENTIAL_ID]["id"] for c in other] == [creds["cy"].credential_id]
    # An RP without discoverable credentials: CTAP2_ERR_NO_CREDENTIALS (python-fido2 gives []).
    nobody = hashlib.sha256(b"nobody.example").digest()
    assert ctap_error(cm.enumerate_creds_begin, nobody) == ERR.NO_CREDENTIALS
    assert cm.enumerate_creds(nobody) == []


def test_enumeration_of_an_empty_device(daemon):
    ctap = daemon.ctap2()
    cm = credman(ctap)
    assert cm.get_metadata()[RESULT.EXISTING_CRED_COUNT] == 0
    assert ctap_error(cm.enumerate_rps_begin) == ERR.NO_CREDENTIALS
    assert cm.enumerate_rps() == []


def test_cred_protect_level_is_listed(daemon):
    ctap = daemon.ctap2()
    make_credential(ctap, rk=True, extensions={"credProtect": 3}, pin=DEFAULT_PIN)
    (entry,) = credman(ctap).enumerate_creds(RP_ID_HASH)
    assert entry[RESULT.CRED_PROTECT] == 3


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=PROTOCOL_IDS)
def test_update_user_information(daemon, protocol):
    """updateUserInformation (CTAP 2.1 §6.8.6): name and displayName are replaced (a field left
    out is removed); a different user id is CTAP1_ERR_INVALID_PARAMETER."""
    ctap = daemon.ctap2()
    users, creds = populate(ctap)
    cm = credman(ctap, protocol)
    ann = creds["ann"].credential_id
    descriptor = {"type": "public-key", "id": ann}

    renamed = {"id": users["ann"]["id"], "name": "ann.new", "displayName": "Ann New"}
    cm.update_user_info(descriptor, renamed)
    listed = {c[RESULT.CREDENTIAL_ID]["id"]: c[RESULT.USER] for c in cm.enumerate_creds(RP_ID_HASH)}
    assert listed[ann] == renamed
    assert listed[creds["ben"].credential_id] == users["ben"]  # the other one untouched

    # With UV the discoverable sign-in returns the new user entity.
    token = pin_token(ctap, DEFAULT_PIN, PERM.GET_ASSERTION)
    first = get_assertion(ctap, token=token)
    assert first.number_of_credentials == 2
    found = {a.credential["id"]: a.user for a in (first, ctap.get_next_assertion())}
    assert found[ann] == renamed

    cm = credman(ctap, protocol)
    cm.update_user_info(descriptor, {"id": users["ann"]["id"], "name": "ann.only"})
    listed = {c[RESULT.CREDENTIAL_ID]["id"]: c[RESULT.USER] for c in cm.enumerate_creds(RP_ID_HASH)}
    assert listed[ann] == {"id": users["ann"]["id"], "name": "ann.only"}

    stranger = {"id": b"someone-else", "name": "mallory", "displayName": "Mallory"}
    assert ctap_error(cm.update_user_info, descriptor, stranger) == ERR.INVALID_PARAMETER
    listed = {c[RESULT.CREDENTIAL_ID]["id"]: c[RESULT.USER] for c in cm.enumerate_creds(RP_ID_HASH)}
    assert listed[ann]["id"] == users["ann"]["id"]


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=PROTOCOL_IDS)
def test_delete_credential(daemon, protocol):
    """deleteCredential (CTAP 2.1 §6.8.5): the credential is gone from the lists and no longer
    answers by its ID (CTAP2_ERR_NO_CREDENTIALS); an RP with no credential left disappears."""
    ctap = daemon.ctap2()
    users, creds = populate(ctap)
    cm = credman(ctap, protocol)
    before = ctap.get_info().remaining_disc_creds

    cm.delete_cred({"type": "public-key", "id": creds["ann"].credential_id})
    assert cm.get_metadata()[RESULT.EXISTING_CRED_COUNT] == 2
    assert ctap.get_info().remaining_disc_creds == before + 1
    assert [c[RESULT.USER]["id"] for c in cm.enumerate_creds(RP_ID_HASH)] == [users["ben"]["id"]]
    with pytest.raises(CtapError) as err:
        get_assertion(ctap, allow=[creds["ann"].credential_id])
    assert err.value.code == ERR.NO_CREDENTIALS
    # Discoverable sign-in finds only ben now.
    assert get_assertion(ctap).credential["id"] == creds["ben"].credential_id
    # Deleting it again: CTAP2_ERR_NO_CREDENTIALS.
    code = ctap_error(cm.delete_cred, {"type": "public-key", "id": creds["ann"].credential_id})
    assert code == ERR.NO_CREDENTIALS

    cm.delete_cred({"type": "public-key", "id": creds["cy"].credential_id})
    assert [rp[RESULT.RP]["id"] for rp in cm.enumerate_rps()] == [RP_ID]
    with pytest.raises(CtapError) as err:
        get_assertion(ctap, rp_id=OTHER_RP["id"], allow=[creds["cy"].credential_id])
    assert err.value.code == ERR.NO_CREDENTIALS


def test_token_requirements(daemon):
    """CTAP 2.1 §6.8.2: no pinUvAuthParam → CTAP2_ERR_PUAT_REQUIRED; a token without cm →
    CTAP2_ERR_PIN_AUTH_INVALID; getNext without a begin → CTAP2_ERR_NOT_ALLOWED."""
    ctap = daemon.ctap2()
    populate(ctap)
    code = ctap_error(ctap.credential_mgmt, CredentialManagement.CMD.GET_CREDS_METADATA)
    assert code == ERR.PUAT_REQUIRED
    token = pin_token(ctap, DEFAULT_PIN, PERM.MAKE_CREDENTIAL | PERM.GET_ASSERTION, RP_ID)
    cm = CredentialManagement(ctap, token.protocol, token.token)
    assert ctap_error(cm.get_metadata) == ERR.PIN_AUTH_INVALID
    assert ctap_error(cm.enumerate_rps_begin) == ERR.PIN_AUTH_INVALID

    cm = credman(ctap)
    assert ctap_error(cm.enumerate_rps_next) == ERR.NOT_ALLOWED
    assert ctap_error(cm.enumerate_creds_next) == ERR.NOT_ALLOWED


def test_token_bound_to_an_rp(daemon):
    """A cm token with a permissions RP ID (CTAP 2.1 §6.8.3 / §6.8.4): enumerating the RPs or
    another RP's credentials is CTAP2_ERR_PIN_AUTH_INVALID; its own RP's credentials list."""
    ctap = daemon.ctap2()
    _, creds = populate(ctap)
    cm = credman(ctap, rp_id=RP_ID)
    assert ctap_error(cm.enumerate_rps_begin) == ERR.PIN_AUTH_INVALID
    assert ctap_error(cm.enumerate_creds_begin, OTHER_RP_ID_HASH) == ERR.PIN_AUTH_INVALID
    assert len(cm.enumerate_creds(RP_ID_HASH)) == 2


def test_replaced_credential_no_longer_works(daemon):
    """Same RP and user id: the new discoverable credential replaces the old one, which then
    answers CTAP2_ERR_NO_CREDENTIALS by its ID and is not listed."""
    ctap = daemon.ctap2()
    user = user_entity("twice")
    old = make_credential(ctap, rk=True, user=user, pin=DEFAULT_PIN).auth_data.credential_data
    new = make_credential(ctap, rk=True, user=user, pin=DEFAULT_PIN).auth_data.credential_data
    with pytest.raises(CtapError) as err:
        get_assertion(ctap, allow=[old.credential_id])
    assert err.value.code == ERR.NO_CREDENTIALS
    listed = credman(ctap).enumerate_creds(RP_ID_HASH)
    assert [c[RESULT.CREDENTIAL_ID]["id"] for c in listed] == [new.credential_id]


@pytest.mark.parametrize("profile", ["platform", "synced-passkey"])
def test_credential_management_with_a_uv_token(start_daemon, profile):
    """Built-in UV profiles: a cm token from getPinUvAuthTokenUsingUvWithPermissions."""
    ctap = start_daemon(profile).ctap2()
    user = user_entity("val")
    cred = make_credential(ctap, rk=True, uv=True, user=user).auth_data.credential_data
    protocol = PinProtocolV2()
    token = ClientPin(ctap, protocol).get_uv_token(PERM.CREDENTIAL_MGMT)
    cm = CredentialManagement(ctap, protocol, token)
    assert cm.get_metadata()[RESULT.EXISTING_CRED_COUNT] == 1
    (entry,) = cm.enumerate_creds(RP_ID_HASH)
    assert entry[RESULT.USER] == user
    cm.delete_cred(entry[RESULT.CREDENTIAL_ID])
    with pytest.raises(CtapError) as err:
        get_assertion(ctap, allow=[cred.credential_id], uv=True)
    assert err.value.code == ERR.NO_CREDENTIALS
