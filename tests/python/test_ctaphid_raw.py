"""CTAPHID error handling (CTAP 2.1 §11.2.4, §11.2.9.1.6) with hand-made frames over UDP:
what python-fido2's transport never sends, but a buggy host could."""

from __future__ import annotations

import os
import socket
import struct

import pytest

from udp_hid import REPORT_LEN

BROADCAST = 0xFFFFFFFF
INIT, PING, ERROR = 0x86, 0x81, 0xBF
CBOR, KEEPALIVE = 0x90, 0xBB
SELECTION, CTAP2_ERR_USER_ACTION_TIMEOUT = 0x0B, 0x2F
ERR_INVALID_CMD, ERR_INVALID_LEN, ERR_INVALID_SEQ = 0x01, 0x03, 0x04
ERR_CHANNEL_BUSY, ERR_INVALID_CHANNEL = 0x06, 0x0B


class Raw:
    def __init__(self, port: int):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.connect(("127.0.0.1", port))
        self.sock.settimeout(2.0)

    def send(self, frame: bytes) -> None:
        self.sock.send(frame.ljust(REPORT_LEN, b"\0"))

    def init_frame(self, cid: int, cmd: int, length: int, data: bytes = b"") -> None:
        self.send(struct.pack(">IBH", cid, cmd, length) + data)

    def cont_frame(self, cid: int, seq: int, data: bytes) -> None:
        self.send(struct.pack(">IB", cid, seq) + data)

    def recv(self) -> bytes:
        return self.sock.recv(2048)

    def nothing(self, wait: float = 0.3) -> bool:
        self.sock.settimeout(wait)
        try:
            self.sock.recv(2048)
            return False
        except (TimeoutError, socket.timeout):
            return True
        finally:
            self.sock.settimeout(2.0)

    def error(self) -> tuple[int, int]:
        frame = self.recv()
        cid, cmd, length = struct.unpack_from(">IBH", frame)
        assert cmd == ERROR and length == 1, frame[:8].hex()
        return cid, frame[7]

    def allocate(self) -> int:
        nonce = os.urandom(8)
        self.init_frame(BROADCAST, INIT, 8, nonce)
        frame = self.recv()
        cid, cmd, length = struct.unpack_from(">IBH", frame)
        assert (cid, cmd) == (BROADCAST, INIT) and frame[7:15] == nonce
        return struct.unpack_from(">I", frame, 15)[0]

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw(daemon):
    r = Raw(daemon.port)
    yield r
    r.close()


def test_channel_zero_and_unallocated_channels(raw):
    raw.init_frame(0, PING, 1, b"x")
    assert raw.error() == (0, ERR_INVALID_CHANNEL)
    cid = raw.allocate()
    stranger = (cid + 0x1000) & 0xFFFFFFFF
    raw.init_frame(stranger, PING, 1, b"x")
    assert raw.error() == (stranger, ERR_INVALID_CHANNEL)


def test_init_on_a_made_up_channel_allocates_one_while_another_is_busy(start_daemon, tmp_path):
    """CTAP 2.1 §11.2.9.1.3: an INIT on a non-broadcast channel nobody was given, sent while
    another client's request is being processed, is answered on that channel with a fresh
    random channel; the busy channel's request goes on to its own answer."""
    config = tmp_path / "slow.toml"
    config.write_text('profile = "security-key"\npresence = "timeout"\npresence_timeout_ms = 1500\n')
    daemon = start_daemon("security-key", config=config)
    busy, newcomer = Raw(daemon.port), Raw(daemon.port)
    try:
        cid = busy.allocate()
        busy.init_frame(cid, CBOR, 1, bytes([SELECTION]))  # waits for a touch that never comes
        assert struct.unpack_from(">IB", busy.recv()) == (cid, KEEPALIVE)
        invented = 0x0BADCAFE
        nonce = os.urandom(8)
        newcomer.init_frame(invented, INIT, 8, nonce)
        frame = newcomer.recv()
        assert struct.unpack_from(">IBH", frame) == (invented, INIT, 17) and frame[7:15] == nonce
        given = struct.unpack_from(">I", frame, 15)[0]
        assert given not in (invented, 0, BROADCAST)
        newcomer.init_frame(invented, PING, 1, b"x")
        assert newcomer.error() == (invented, ERR_INVALID_CHANNEL)
        while (frame := busy.recv())[4] == KEEPALIVE:
            pass
        assert struct.unpack_from(">IBHB", frame) == (cid, CBOR, 1, CTAP2_ERR_USER_ACTION_TIMEOUT)
        newcomer.init_frame(given, PING, 1, b"x")
        assert newcomer.recv()[:8] == struct.pack(">IBHB", given, PING, 1, ord("x"))
    finally:
        busy.close()
        newcomer.close()


def test_init_with_wrong_length(raw):
    raw.init_frame(BROADCAST, INIT, 7, os.urandom(7))
    assert raw.error() == (BROADCAST, ERR_INVALID_LEN)


def test_message_longer_than_max_msg_size(raw):
    cid = raw.allocate()
    raw.init_frame(cid, PING, 7610)
    assert raw.error() == (cid, ERR_INVALID_LEN)


def test_stray_continuation_is_ignored(raw):
    cid = raw.allocate()
    raw.cont_frame(cid, 0, b"stray")
    assert raw.nothing()


def test_wrong_sequence_number(raw):
    cid = raw.allocate()
    raw.init_frame(cid, PING, 100, b"a" * 57)
    raw.cont_frame(cid, 5, b"b" * 43)
    assert raw.error() == (cid, ERR_INVALID_SEQ)


def test_other_channel_while_a_transaction_is_open(raw):
    a, b = raw.allocate(), raw.allocate()
    raw.init_frame(a, PING, 100, b"a" * 57)  # a's message is incomplete
    raw.init_frame(b, PING, 1, b"b")
    assert raw.error() == (b, ERR_CHANNEL_BUSY)
    raw.cont_frame(a, 0, b"a" * 43)  # a completes undisturbed
    frame = raw.recv()
    assert struct.unpack_from(">IBH", frame) == (a, PING, 100)


def test_unknown_command(raw):
    cid = raw.allocate()
    raw.init_frame(cid, 0x80 | 0x2A, 0)
    assert raw.error() == (cid, ERR_INVALID_CMD)
