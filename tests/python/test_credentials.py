"""makeCredential / getAssertion / getNextAssertion through python-fido2's Ctap2, with every
signature verified by python-fido2's COSE keys (cryptography underneath)."""

from __future__ import annotations

import hashlib

import pytest
from fido2.cose import CoseKey
from fido2.ctap import CtapError
from fido2.webauthn import AttestedCredentialData, AuthenticatorData

from softfido_support import (
    EDDSA,
    ES256,
    PROFILES,
    RP_ID_HASH,
    get_assertion,
    make_credential,
    random_cdh,
    user_entity,
)

ALG_NAMES = {ES256: "ES256", EDDSA: "EdDSA"}


def check_registration(att, alg, spec):
    auth_data = att.auth_data
    assert isinstance(auth_data, AuthenticatorData)
    assert auth_data.rp_id_hash == RP_ID_HASH
    assert auth_data.is_user_present()
    assert auth_data.is_attested()
    assert auth_data.is_backup_eligible() == spec.backup
    assert auth_data.is_backed_up() == spec.backup
    cred = auth_data.credential_data
    assert isinstance(cred, AttestedCredentialData)
    # Re-parse the attested credential data from its bytes: the lengths are self-consistent.
    again, rest = AttestedCredentialData.unpack_from(bytes(cred))
    assert again.credential_id == cred.credential_id and again.public_key == cred.public_key
    assert cred.public_key[3] == alg  # COSE key "alg"
    assert CoseKey.for_alg(alg) is type(cred.public_key)
    assert 16 <= len(cred.credential_id) <= 1023
    return cred


@pytest.mark.parametrize("profile", ["security-key", "software-token"])
@pytest.mark.parametrize("rk", [False, True], ids=["non-resident", "resident"])
@pytest.mark.parametrize("alg", [ES256, EDDSA], ids=ALG_NAMES.get)
def test_make_credential_and_assert(start_daemon, profile, rk, alg):
    """On the security key (PIN 1234 set) the discoverable credential is made with a PIN token
    (CTAP 2.1 §6.1.2 step 6: rk on a UV-protected device needs one), so it has UV=1."""
    spec = PROFILES[profile]
    daemon = start_daemon(profile)
    ctap = daemon.ctap2()
    user = user_entity("bob")
    pin = daemon.pin if rk else None
    att = make_credential(ctap, rk=rk, alg=alg, user=user, pin=pin)
    cred = check_registration(att, alg, spec)
    assert att.auth_data.is_user_verified() == (pin is not None)

    # Username-first: allow list with the credential.
    cdh = random_cdh()
    assertion = get_assertion(ctap, allow=[cred.credential_id], cdh=cdh)
    assert assertion.credential["id"] == cred.credential_id
    assert assertion.auth_data.rp_id_hash == RP_ID_HASH
    assert assertion.auth_data.is_user_present()
    assert not assertion.auth_data.is_user_verified()
    assert assertion.auth_data.credential_data is None  # AT only in makeCredential
    assertion.verify(cdh, cred.public_key)  # raises InvalidSignature on mismatch
    assert assertion.auth_data.counter > att.auth_data.counter or spec.counter == "zero"

    # A tampered client data hash must not verify.
    with pytest.raises(Exception):
        assertion.verify(hashlib.sha256(cdh).digest(), cred.public_key)

    # Discoverable sign-in (no allow list).
    if rk:
        cdh = random_cdh()
        found = get_assertion(ctap, cdh=cdh)
        assert found.credential["id"] == cred.credential_id
        assert found.user["id"] == user["id"]
        assert found.number_of_credentials in (None, 1)
        found.verify(cdh, cred.public_key)
    else:
        with pytest.raises(CtapError) as err:
            get_assertion(ctap)
        assert err.value.code == CtapError.ERR.NO_CREDENTIALS


@pytest.mark.parametrize("alg", [ES256, EDDSA], ids=ALG_NAMES.get)
def test_algorithm_preference_order_is_the_rps(daemon, alg):
    """CTAP 2.1 §6.1.2 step 3: the first supported entry of pubKeyCredParams is used."""
    ctap = daemon.ctap2()
    params = [{"type": "public-key", "alg": -257}, {"type": "public-key", "alg": alg}]
    params += [{"type": "public-key", "alg": a} for a in (ES256, EDDSA) if a != alg]
    att = ctap.make_credential(random_cdh(), {"id": "example.com", "name": "Example"}, user_entity(), params)
    assert att.auth_data.credential_data.public_key[3] == alg


def test_discoverable_credentials_and_get_next_assertion(start_daemon):
    ctap = start_daemon("software-token").ctap2()
    users = [user_entity(n) for n in ("ann", "ben", "cat")]
    creds = {}
    for user in users:
        att = make_credential(ctap, rk=True, user=user)
        creds[user["id"]] = att.auth_data.credential_data
    # Another RP's resident credential must not show up.
    make_credential(ctap, rk=True, rp={"id": "other.example", "name": "Other"})

    cdh = random_cdh()
    first = get_assertion(ctap, cdh=cdh)
    assert first.number_of_credentials == 3
    # CTAP 2.1 §6.2.2: credentials are returned most recently created first.
    assert first.user["id"] == users[-1]["id"]
    assertions = [first] + [ctap.get_next_assertion() for _ in range(2)]
    seen = [a.user["id"] for a in assertions]
    assert seen == [u["id"] for u in reversed(users)]
    for a in assertions:
        cred = creds[a.user["id"]]
        assert a.credential["id"] == cred.credential_id
        a.verify(cdh, cred.public_key)
    # numberOfCredentials is in the first response only (CTAP 2.1 §6.3).
    assert all(a.number_of_credentials is None for a in assertions[1:])
    with pytest.raises(CtapError) as err:
        ctap.get_next_assertion()
    assert err.value.code == CtapError.ERR.NOT_ALLOWED

    # python-fido2's convenience wrapper does the same walk.
    assert len(ctap.get_assertions("example.com", random_cdh())) == 3


def test_no_user_identifiable_information_without_uv(start_daemon):
    """CTAP 2.1 §6.2.2 (authenticatorGetAssertion response, member user): with several
    discoverable credentials and no UV, only the user id is returned."""
    ctap = start_daemon("software-token").ctap2()
    for name in ("ann", "ben"):
        make_credential(ctap, rk=True, user=user_entity(name))
    first = get_assertion(ctap)
    assert first.number_of_credentials == 2
    for a in (first, ctap.get_next_assertion()):
        assert set(a.user) == {"id"}, f"user entity leaks {a.user}"


def test_get_next_assertion_without_get_assertion(daemon):
    ctap = daemon.ctap2()
    with pytest.raises(CtapError) as err:
        ctap.get_next_assertion()
    assert err.value.code == CtapError.ERR.NOT_ALLOWED


@pytest.mark.parametrize("profile", ["security-key", "platform", "synced-passkey", "software-token"])
def test_signature_counters(start_daemon, profile):
    spec = PROFILES[profile]
    ctap = start_daemon(profile).ctap2()
    a = make_credential(ctap).auth_data.credential_data
    b = make_credential(ctap).auth_data.credential_data

    def count(cred):
        assertion = get_assertion(ctap, allow=[cred.credential_id])
        assert assertion.auth_data.is_backup_eligible() == spec.backup
        assert assertion.auth_data.is_backed_up() == spec.backup
        return assertion.auth_data.counter

    a1 = count(a)
    a2 = count(a)
    b1 = count(b)
    b2 = count(b)
    a3 = count(a)
    if spec.counter == "zero":
        assert (a1, a2, b1, b2, a3) == (0, 0, 0, 0, 0)
    elif spec.counter == "per_credential":
        assert 0 < a1 < a2 < a3 and 0 < b1 < b2
        assert a3 - a2 == a2 - a1, "b's two uses moved a's counter"
    else:  # global: one counter shared by all credentials
        assert 0 < a1 < a2 < b1 < b2 < a3


def test_up_false_preflight_is_silent_and_unsigned_by_up(daemon):
    """The platform's pre-flight (CTAP 2.1 §6.2.2 options up=false): UP flag clear."""
    ctap = daemon.ctap2()
    cred = make_credential(ctap).auth_data.credential_data
    cdh = random_cdh()
    assertion = get_assertion(ctap, allow=[cred.credential_id], up=False, cdh=cdh)
    assert not assertion.auth_data.is_user_present()
    assertion.verify(cdh, cred.public_key)


def test_resident_credential_for_the_same_user_is_replaced(start_daemon):
    """CTAP 2.1 §6.1.2 (storing a discoverable credential): same rpId and user id overwrite the
    old credential; the slot count does not change."""
    ctap = start_daemon("software-token").ctap2()
    user = user_entity("same")
    before = ctap.get_info().remaining_disc_creds
    old = make_credential(ctap, rk=True, user=user).auth_data.credential_data
    assert ctap.get_info().remaining_disc_creds == before - 1
    new = make_credential(ctap, rk=True, user=user).auth_data.credential_data
    assert new.credential_id != old.credential_id
    assert ctap.get_info().remaining_disc_creds == before - 1
    found = get_assertion(ctap)
    assert found.number_of_credentials in (None, 1)
    assert found.credential["id"] == new.credential_id
    # The replaced credential is gone, also by its ID in an allow list.
    with pytest.raises(CtapError) as err:
        get_assertion(ctap, allow=[old.credential_id])
    assert err.value.code == CtapError.ERR.NO_CREDENTIALS


def test_allow_list_gives_one_assertion(start_daemon):
    """CTAP 2.1 §6.2.2: with a non-empty allowList one applicable credential is used, and
    numberOfCredentials is not returned; getNextAssertion then has nothing."""
    ctap = start_daemon("software-token").ctap2()
    a = make_credential(ctap, rk=True, user=user_entity("a")).auth_data.credential_data
    b = make_credential(ctap, rk=True, user=user_entity("b")).auth_data.credential_data
    cdh = random_cdh()
    assertion = get_assertion(ctap, allow=[a.credential_id, b.credential_id], cdh=cdh)
    assert assertion.number_of_credentials is None
    key = {a.credential_id: a.public_key, b.credential_id: b.public_key}[assertion.credential["id"]]
    assertion.verify(cdh, key)
    with pytest.raises(CtapError) as err:
        ctap.get_next_assertion()
    assert err.value.code == CtapError.ERR.NOT_ALLOWED


@pytest.mark.parametrize("rk", [False, True], ids=["non-resident", "resident"])
def test_credential_id_fits_get_info_limit(daemon, rk):
    ctap = daemon.ctap2()
    cred = make_credential(ctap, rk=rk, pin=daemon.pin if rk else None).auth_data.credential_data
    assert len(cred.credential_id) <= ctap.info.max_cred_id_length


def test_user_entity_round_trip_with_uv(start_daemon):
    """On a UV-capable device with UV done, the discoverable assertion returns the user entity
    as stored (id, and name/displayName if returned at all must be the registered ones)."""
    ctap = start_daemon("platform").ctap2()
    user = user_entity("dora")
    make_credential(ctap, rk=True, uv=True, user=user)
    found = get_assertion(ctap, uv=True)
    assert found.auth_data.is_user_verified()
    assert found.user["id"] == user["id"]
    for field in ("name", "displayName"):
        if field in found.user:
            assert found.user[field] == user[field]
