"""python-fido2 over UDP: the SoloKeys simulator convention softfido's daemon speaks.

Each datagram is one 64-byte CTAPHID report without a report-ID byte; the daemon answers to the
sender's address. python-fido2 plugs in at frame level: a ``CtapHidConnection`` reads and writes
single reports, and ``CtapHidDevice`` does the framing, channels and keepalives on top.
"""

from __future__ import annotations

import os
import socket
import struct

from fido2.hid import CtapHidDevice
from fido2.hid.base import CtapHidConnection, HidDescriptor

REPORT_LEN = 64

#: The datagram that simulates unplugging and plugging the device back in.
POWER_CYCLE_PACKET = bytes.fromhex(
    "ac1052ca95e569de69e02ebff333485f13f9b2da34c5a8a340526697a9ab2e0b"
    "394d8d04973c134005be1a0140bff6045bb26eb77a73eaa47813f6b49a7250dc"
)
assert len(POWER_CYCLE_PACKET) == REPORT_LEN


class UdpCtapHidConnection(CtapHidConnection):
    """One CTAPHID report per UDP datagram, with a receive timeout."""

    def __init__(self, host: str, port: int, timeout: float = 10.0):
        self.address = (host, port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        # Connected: only the daemon's datagrams are received, and an unreachable port shows
        # up as ConnectionRefusedError instead of a silent timeout.
        self.sock.connect(self.address)
        self.sock.settimeout(timeout)

    def write_packet(self, data: bytes) -> None:
        if len(data) != REPORT_LEN:
            raise ValueError(f"a CTAPHID report is {REPORT_LEN} bytes, got {len(data)}")
        sent = self.sock.send(data)
        if sent != len(data):
            raise OSError("failed to send the whole report")

    def read_packet(self) -> bytes:
        while True:
            data = self.sock.recv(2048)  # socket.timeout (TimeoutError) when nothing comes
            if len(data) == REPORT_LEN:
                return data
            # Not a report: ignore it and keep waiting, as a HID stack would never deliver it.

    def power_cycle(self) -> None:
        """Sends the power-cycle datagram (the daemon answers nothing)."""
        self.sock.send(POWER_CYCLE_PACKET)

    def drain(self) -> None:
        """Discards datagrams already queued (e.g. keepalives of a cancelled request)."""
        previous = self.sock.gettimeout()
        self.sock.settimeout(0.0)
        try:
            while True:
                try:
                    self.sock.recv(2048)
                except (BlockingIOError, TimeoutError, socket.timeout):
                    return
        finally:
            self.sock.settimeout(previous)

    def close(self) -> None:
        self.sock.close()


def descriptor(host: str, port: int) -> HidDescriptor:
    return HidDescriptor(
        path=f"udp://{host}:{port}",
        vid=0x1209,  # pid.codes, as the SoloKeys simulator uses
        pid=0x5070,
        report_size_in=REPORT_LEN,
        report_size_out=REPORT_LEN,
        product_name="softfido (UDP)",
        serial_number=None,
    )


def open_udp_device(port: int, host: str = "127.0.0.1", timeout: float = 10.0) -> CtapHidDevice:
    """A python-fido2 ``CtapHidDevice`` on the daemon at host:port (sends CTAPHID_INIT)."""
    connection = UdpCtapHidConnection(host, port, timeout)
    try:
        return CtapHidDevice(descriptor(host, port), connection)
    except BaseException:
        connection.close()
        raise


def ctaphid_init_probe(port: int, host: str = "127.0.0.1", timeout: float = 0.2) -> bool:
    """Sends one CTAPHID_INIT on the broadcast channel; True when the matching answer comes."""
    nonce = os.urandom(8)
    frame = struct.pack(">IBH", 0xFFFFFFFF, 0x80 | 0x06, len(nonce)) + nonce
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.connect((host, port))
        sock.settimeout(timeout)
        try:
            sock.send(frame.ljust(REPORT_LEN, b"\0"))
            while True:
                data = sock.recv(2048)
                if len(data) != REPORT_LEN:
                    continue
                cid, cmd, length = struct.unpack_from(">IBH", data)
                if cid == 0xFFFFFFFF and cmd == 0x86 and data[7:15] == nonce and length >= 17:
                    return True
        except (ConnectionRefusedError, TimeoutError, socket.timeout):
            return False
