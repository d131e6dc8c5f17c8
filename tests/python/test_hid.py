"""CTAPHID framing as python-fido2's CtapHidDevice drives it over UDP."""

from __future__ import annotations

import os

import pytest
from fido2.ctap import CtapError
from fido2.hid import CAPABILITY, CTAPHID


def test_init_ping_wink(daemon):
    device = daemon.device()
    assert device.version == 2  # CTAPHID protocol version
    assert device.capabilities & CAPABILITY.CBOR
    assert device.capabilities & CAPABILITY.WINK
    # A message longer than one init + many continuation frames comes back intact.
    for size in (0, 1, 57, 58, 59, 1000, 7609):
        message = os.urandom(size)
        assert device.ping(message) == message
    device.wink()


def test_two_clients_get_their_own_channels(daemon):
    a, b = daemon.device(), daemon.device()
    assert a._channel_id != b._channel_id
    assert 0 < a._channel_id < 0xFFFFFFFF and 0 < b._channel_id < 0xFFFFFFFF
    assert a.ping(b"a") == b"a"
    assert b.ping(b"b") == b"b"


def test_unknown_command_is_invalid_cmd(daemon):
    device = daemon.device()
    with pytest.raises(CtapError) as err:
        device.call(0x30, b"")  # not a CTAPHID command
    assert err.value.code == CtapError.ERR.INVALID_COMMAND
    assert device.ping(b"still alive") == b"still alive"


def test_msg_matches_the_nmsg_capability(daemon):
    """CTAPHID_MSG is optional (capability NMSG says it is absent): either way python-fido2
    gets a well-formed answer and the channel survives."""
    device = daemon.device()
    try:
        device.call(CTAPHID.MSG, bytes.fromhex("00030000"))  # U2F_VERSION APDU
    except CtapError as e:
        assert device.capabilities & CAPABILITY.NMSG
        assert e.code == CtapError.ERR.INVALID_COMMAND
    else:
        assert not device.capabilities & CAPABILITY.NMSG
    assert device.ping(b"x") == b"x"
