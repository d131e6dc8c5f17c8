"""Persistence across daemon restarts (--state), the power-cycle datagram, and
authenticatorReset."""

from __future__ import annotations

import json
import time

import pytest
from fido2.ctap import CtapError
from fido2.ctap2 import Ctap2
from fido2.ctap2.pin import ClientPin, PinProtocolV2

from softfido_support import connection_of, get_assertion, make_credential, random_cdh, user_entity

# -- persistence ------------------------------------------------------------------------------


def test_state_file_survives_restart(start_daemon, tmp_path):
    state = tmp_path / "state.json"
    daemon = start_daemon("security-key", state=state)
    ctap = daemon.ctap2()
    user = user_entity("persisted")
    cred = make_credential(ctap, rk=True, user=user, pin=daemon.pin).auth_data.credential_data
    other = make_credential(ctap).auth_data.credential_data  # non-resident, wrapped key
    counters = [get_assertion(ctap, allow=[cred.credential_id]).auth_data.counter for _ in range(2)]
    assert counters[0] < counters[1]

    rc = daemon.stop()
    assert rc == 0, daemon.log_tail()
    json.loads(state.read_text())  # valid JSON after the stop
    assert not list(tmp_path.glob("state.json.*")), "temporary files left behind"

    daemon.start()
    ctap = daemon.ctap2()
    cdh = random_cdh()
    found = get_assertion(ctap, cdh=cdh)  # discoverable sign-in after the restart
    assert found.credential["id"] == cred.credential_id
    assert found.user["id"] == user["id"]
    found.verify(cdh, cred.public_key)
    assert found.auth_data.counter > counters[1], "the per-credential counter went back"
    again = get_assertion(ctap, allow=[cred.credential_id]).auth_data.counter
    assert again > found.auth_data.counter
    # The non-resident credential's key is still unwrapped by the persisted master key.
    cdh = random_cdh()
    get_assertion(ctap, allow=[other.credential_id], cdh=cdh).verify(cdh, other.public_key)

    rc = daemon.stop()
    assert rc == 0
    json.loads(state.read_text())


def test_pin_is_persisted(start_daemon, tmp_path):
    """The clientPIN lives in --state: a changed PIN survives a restart, and a PIN in the state
    file wins over --pin / --no-pin. The profile's PIN is provisioned only into a brand-new
    state: after authenticatorReset (CTAP 2.1 §6.6: no PIN) the device stays without a PIN
    across restarts."""
    state = tmp_path / "state.json"
    daemon = start_daemon("security-key", state=state, reset_anytime=True)
    ClientPin(daemon.ctap2()).change_pin("1234", "5678")
    daemon.restart()
    ctap = daemon.ctap2()
    ClientPin(ctap).get_pin_token("5678", ClientPin.PERMISSION.GET_ASSERTION, "example.com")
    with pytest.raises(CtapError) as err:
        ClientPin(ctap).get_pin_token("1234", ClientPin.PERMISSION.GET_ASSERTION, "example.com")
    assert err.value.code == CtapError.ERR.PIN_INVALID
    assert daemon.stop() == 0

    for options in ({"pin": "9999"}, {"no_pin": True}):
        other = start_daemon("security-key", state=state, **options)
        ctap = other.ctap2()
        assert ctap.info.options["clientPin"] is True
        ClientPin(ctap).get_pin_token("5678", ClientPin.PERMISSION.GET_ASSERTION, "example.com")
        assert other.stop() == 0

    daemon.start()
    ctap = daemon.ctap2()
    ctap.reset()
    assert ctap.get_info().options["clientPin"] is False
    daemon.restart()
    ctap = daemon.ctap2()
    assert ctap.info.options["clientPin"] is False


def test_without_state_file_nothing_survives(start_daemon):
    daemon = start_daemon("software-token")
    make_credential(daemon.ctap2(), rk=True)
    daemon.restart()
    with pytest.raises(CtapError) as err:
        get_assertion(daemon.ctap2())
    assert err.value.code == CtapError.ERR.NO_CREDENTIALS


# -- power cycle ------------------------------------------------------------------------------


def key_agreement(ctap, protocol=2):
    return dict(ctap.client_pin(protocol, ClientPin.CMD.GET_KEY_AGREEMENT)[ClientPin.RESULT.KEY_AGREEMENT])


@pytest.mark.parametrize("profile", ["security-key", "software-token"])
def test_power_cycle(start_daemon, profile):
    daemon = start_daemon(profile)
    device = daemon.device()
    ctap = Ctap2(device)
    creds = [
        make_credential(ctap, rk=True, user=user_entity(n), pin=daemon.pin).auth_data.credential_data for n in ("a", "b")
    ]
    ka_before = key_agreement(ctap)
    assert key_agreement(ctap) == ka_before  # stable while powered

    # Control: without a power cycle, getNextAssertion continues (a CTAPHID ping between is fine).
    assert get_assertion(ctap).number_of_credentials == 2
    assert device.ping(b"between") == b"between"
    ctap.get_next_assertion()

    assert get_assertion(ctap).number_of_credentials == 2
    cid = device._channel_id
    connection_of(device).power_cycle()

    # Volatile state is gone: getNextAssertion has nothing to continue. The answer comes on the
    # same channel, which the device adopted after the power cycle.
    with pytest.raises(CtapError) as err:
        ctap.get_next_assertion()
    assert err.value.code == CtapError.ERR.NOT_ALLOWED
    assert device._channel_id == cid
    assert device.ping(b"after power cycle") == b"after power cycle"
    assert "FIDO_2_1" in ctap.get_info().versions
    # ...and the key agreement key was regenerated (both protocols share it).
    ka_after = key_agreement(ctap)
    assert ka_after != ka_before
    assert key_agreement(ctap, 1) == ka_after

    # Persistent state is kept: both resident credentials are still there.
    cdh = random_cdh()
    assertions = ctap.get_assertions("example.com", cdh)
    assert {a.credential["id"] for a in assertions} == {c.credential_id for c in creds}


def test_power_cycle_drops_the_pin_shared_secret(start_daemon):
    """A shared secret agreed before the power cycle no longer authenticates hmac-secret salts:
    the authenticator's key agreement key is new, so the platform's saltAuth does not verify."""
    daemon = start_daemon("software-token")
    device = daemon.device()
    ctap = Ctap2(device)
    cred = make_credential(ctap, extensions={"hmac-secret": True}).auth_data.credential_data
    protocol = PinProtocolV2()
    ka, shared = ClientPin(ctap, protocol)._get_shared_secret()
    salt_enc = protocol.encrypt(shared, bytes(32))
    ext = {"hmac-secret": {1: ka, 2: salt_enc, 3: protocol.authenticate(shared, salt_enc), 4: 2}}
    assert get_assertion(ctap, allow=[cred.credential_id], extensions=ext).auth_data.extensions["hmac-secret"]

    connection_of(device).power_cycle()
    with pytest.raises(CtapError) as err:
        get_assertion(ctap, allow=[cred.credential_id], extensions=ext)
    # The platform key is fine; the ECDH result differs, so saltAuth fails (CTAP 2.1 §12.5).
    assert err.value.code == CtapError.ERR.PIN_AUTH_INVALID


# -- reset ------------------------------------------------------------------------------------


@pytest.mark.parametrize("reset_anytime", [True, False], ids=["reset-anytime", "within-10s"])
def test_reset_erases_credentials(start_daemon, reset_anytime):
    daemon = start_daemon("software-token", reset_anytime=reset_anytime)
    ctap = daemon.ctap2()
    resident = make_credential(ctap, rk=True).auth_data.credential_data
    wrapped = make_credential(ctap).auth_data.credential_data
    assert get_assertion(ctap).credential["id"] == resident.credential_id
    if reset_anytime:
        time.sleep(0.2)  # no window to respect: any time is fine
    ctap.reset()

    with pytest.raises(CtapError) as err:
        get_assertion(ctap)  # discoverable
    assert err.value.code == CtapError.ERR.NO_CREDENTIALS
    # CTAP 2.1 §6.6: reset invalidates all credentials, non-discoverable ones included.
    for cred in (resident, wrapped):
        with pytest.raises(CtapError) as err:
            get_assertion(ctap, allow=[cred.credential_id])
        assert err.value.code == CtapError.ERR.NO_CREDENTIALS
    assert ctap.get_info().remaining_disc_creds == 100


def test_reset_with_state_file_is_persisted(start_daemon, tmp_path):
    state = tmp_path / "state.json"
    daemon = start_daemon("security-key", state=state, reset_anytime=True)
    ctap = daemon.ctap2()
    make_credential(ctap, rk=True, pin=daemon.pin)
    ctap.reset()
    # CTAP 2.1 §6.6: reset also removes the PIN.
    assert Ctap2(daemon.device()).info.options["clientPin"] is False
    daemon.restart()
    with pytest.raises(CtapError) as err:
        get_assertion(daemon.ctap2())
    assert err.value.code == CtapError.ERR.NO_CREDENTIALS
