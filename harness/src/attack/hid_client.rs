//! A small CTAPHID client over UDP (the SoloKeys simulator convention: one 64-byte report per
//! datagram), for the attacks on `softfido authenticator`: it allocates channels, sends
//! CTAPHID_CBOR, CTAPHID_CANCEL, CTAPHID_PING and CTAPHID_INIT on any channel it likes, and
//! reads back the answer or the CTAPHID_ERROR. Each client is one socket, so one address.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use anyhow::Context as _;
use softfido_authenticator::hid::{BROADCAST_CID, HidCommand, HidError, MAX_MESSAGE_LEN, REPORT_LEN, Report};
use softfido_authenticator::transport::udp::POWER_CYCLE_PACKET;

/// Payload bytes in an initialization packet: 64 minus CID (4), CMD (1) and BCNT (2)
/// (CTAP 2.1 §11.2.4).
const INIT_DATA_LEN: usize = REPORT_LEN - 7;
/// Payload bytes in a continuation packet: 64 minus CID (4) and SEQ (1) (CTAP 2.1 §11.2.4).
const CONT_DATA_LEN: usize = REPORT_LEN - 5;
/// The nonce of a CTAPHID_INIT request (CTAP 2.1 §11.2.9.1.3).
const INIT_NONCE_LEN: usize = 8;
/// How long a client waits for the device's next report.
const READ_TIMEOUT: Duration = Duration::from_secs(3);

/// What the device sent back for a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A message of the request's command: its payload.
    Reply(Vec<u8>),
    /// A CTAPHID_ERROR with this code (CTAP 2.1 §11.2.9.1.6).
    Error(u8),
}

impl Answer {
    /// The answer as an attack's refusal: `hid:<ERROR NAME>` for a CTAPHID_ERROR,
    /// `ctap:<status name>` for a CTAP2 status.
    pub fn refusal(&self) -> String {
        match self {
            Self::Error(code) => format!("hid:{}", hid_error_name(*code)),
            Self::Reply(payload) => {
                format!("ctap:{}", crate::client::status::status_name(payload.first().copied().unwrap_or(0)))
            }
        }
    }

    /// The CTAP2 status byte of a CBOR reply, or `None` for a CTAPHID_ERROR.
    pub fn status(&self) -> Option<u8> {
        match self {
            Self::Reply(payload) => Some(payload.first().copied().unwrap_or(0)),
            Self::Error(_) => None,
        }
    }
}

/// The name CTAP 2.1 §11.2.9.1.6 gives a CTAPHID_ERROR code.
pub fn hid_error_name(code: u8) -> String {
    let known = [
        (HidError::InvalidCmd, "ERR_INVALID_CMD"),
        (HidError::InvalidPar, "ERR_INVALID_PAR"),
        (HidError::InvalidLen, "ERR_INVALID_LEN"),
        (HidError::InvalidSeq, "ERR_INVALID_SEQ"),
        (HidError::MsgTimeout, "ERR_MSG_TIMEOUT"),
        (HidError::ChannelBusy, "ERR_CHANNEL_BUSY"),
        (HidError::LockRequired, "ERR_LOCK_REQUIRED"),
        (HidError::InvalidChannel, "ERR_INVALID_CHANNEL"),
        (HidError::Other, "ERR_OTHER"),
    ];
    known
        .iter()
        .find(|(error, _)| *error as u8 == code)
        .map_or_else(|| format!("ERR_{code:#04x}"), |(_, name)| (*name).to_owned())
}

/// One message read from the device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The channel it came on.
    pub cid: u32,
    /// Its command (bit 7 clear).
    pub command: u8,
    /// Its payload.
    pub payload: Vec<u8>,
}

/// A CTAPHID client on its own UDP socket.
#[derive(Debug)]
pub struct HidClient {
    socket: UdpSocket,
    /// The channel this client allocated ([`BROADCAST_CID`] before [`HidClient::init`]).
    pub cid: u32,
}

impl HidClient {
    /// A client on a fresh loopback port, talking to the device at `device`.
    pub fn connect(device: SocketAddr) -> anyhow::Result<Self> {
        let socket = UdpSocket::bind("127.0.0.1:0").context("binding a client socket")?;
        socket.connect(device).context("connecting the client socket")?;
        socket.set_read_timeout(Some(READ_TIMEOUT))?;
        Ok(Self { socket, cid: BROADCAST_CID })
    }

    /// CTAPHID_INIT on the broadcast channel (CTAP 2.1 §11.2.9.1.3): allocates a channel,
    /// which becomes this client's.
    pub fn init(&mut self) -> anyhow::Result<u32> {
        self.cid = self.allocate()?;
        Ok(self.cid)
    }

    /// CTAPHID_INIT on the broadcast channel: the channel the device allocates, without
    /// making it this client's.
    pub fn allocate(&self) -> anyhow::Result<u32> {
        match self.init_on(BROADCAST_CID)? {
            Answer::Reply(payload) => allocated_cid(&payload),
            Answer::Error(code) => anyhow::bail!("INIT refused with {}", hid_error_name(code)),
        }
    }

    /// CTAPHID_INIT on `cid` with a fresh nonce: the answer (a resynchronisation or an
    /// allocation), or the error.
    pub fn init_on(&self, cid: u32) -> anyhow::Result<Answer> {
        let nonce: [u8; INIT_NONCE_LEN] = rand::random();
        let answer = self.transact(cid, HidCommand::Init, &nonce)?;
        if let Answer::Reply(payload) = &answer {
            anyhow::ensure!(payload.starts_with(&nonce), "the INIT answer does not echo the nonce");
        }
        Ok(answer)
    }

    /// CTAPHID_CBOR on this client's channel (CTAP 2.1 §11.2.9.1.2).
    pub fn cbor(&self, request: &[u8]) -> anyhow::Result<Answer> {
        self.transact(self.cid, HidCommand::Cbor, request)
    }

    /// A CTAP2 request on this client's channel whose answer must be a CBOR reply: the
    /// status byte and body (an `exchange` for [`crate::client::pin`]); `[0x7f]` (CTAP1_ERR_OTHER)
    /// when the transport fails or refuses.
    pub fn exchange(&self, request: &[u8]) -> Vec<u8> {
        match self.cbor(request) {
            Ok(Answer::Reply(payload)) => payload,
            _ => vec![0x7f],
        }
    }

    /// CTAPHID_PING on this client's channel (CTAP 2.1 §11.2.9.1.4): whether it echoed.
    pub fn ping(&self) -> anyhow::Result<Answer> {
        self.transact(self.cid, HidCommand::Ping, b"softfido ping")
    }

    /// Sends a message and reads the answer: the next message on `cid`, keepalives skipped.
    pub fn transact(&self, cid: u32, command: HidCommand, payload: &[u8]) -> anyhow::Result<Answer> {
        self.send(cid, command, payload)?;
        let message = self.receive()?.context("the device did not answer")?;
        anyhow::ensure!(message.cid == cid, "an answer on channel {:08x}, not {cid:08x}", message.cid);
        if message.command == HidCommand::Error.code() {
            return Ok(Answer::Error(message.payload.first().copied().unwrap_or(0)));
        }
        anyhow::ensure!(message.command == command.code(), "an answer of command {:#04x}", message.command);
        Ok(Answer::Reply(message.payload))
    }

    /// Sends `payload` as a CTAPHID message of `command` on `cid`, fragmented (CTAP 2.1
    /// §11.2.4): an initialization packet, then continuation packets numbered from 0.
    pub fn send(&self, cid: u32, command: HidCommand, payload: &[u8]) -> anyhow::Result<()> {
        anyhow::ensure!(payload.len() <= MAX_MESSAGE_LEN, "a message of {} bytes", payload.len());
        let length = u16::try_from(payload.len())?;
        let mut report: Report = [0; REPORT_LEN];
        report[..4].copy_from_slice(&cid.to_be_bytes());
        report[4] = command.code() | 0x80;
        report[5..7].copy_from_slice(&length.to_be_bytes());
        let first = payload.len().min(INIT_DATA_LEN);
        report[7..7 + first].copy_from_slice(&payload[..first]);
        self.send_raw(&report)?;
        for (sequence, chunk) in payload[first..].chunks(CONT_DATA_LEN).enumerate() {
            let mut report: Report = [0; REPORT_LEN];
            report[..4].copy_from_slice(&cid.to_be_bytes());
            report[4] = u8::try_from(sequence)?;
            report[5..5 + chunk.len()].copy_from_slice(chunk);
            self.send_raw(&report)?;
        }
        Ok(())
    }

    /// Sends one datagram as it is.
    pub fn send_raw(&self, datagram: &[u8]) -> anyhow::Result<()> {
        self.socket.send(datagram).context("sending a datagram")?;
        Ok(())
    }

    /// Sends the simulator's power-cycle packet.
    pub fn power_cycle(&self) -> anyhow::Result<()> {
        self.send_raw(&POWER_CYCLE_PACKET)
    }

    /// The next message from the device, keepalives skipped; `None` when nothing came within
    /// the read timeout.
    pub fn receive(&self) -> anyhow::Result<Option<Message>> {
        let Some(first) = self.next_report()? else { return Ok(None) };
        if first[4] == HidCommand::Keepalive.code() | 0x80 {
            return self.receive();
        }
        anyhow::ensure!(first[4] & 0x80 != 0, "a continuation packet where a message should start");
        let cid = u32::from_be_bytes([first[0], first[1], first[2], first[3]]);
        let length = usize::from(u16::from_be_bytes([first[5], first[6]]));
        let mut payload = first[7..7 + length.min(INIT_DATA_LEN)].to_vec();
        while payload.len() < length {
            let report = self.next_report()?.context("the device stopped mid-message")?;
            let take = (length - payload.len()).min(CONT_DATA_LEN);
            payload.extend_from_slice(&report[5..5 + take]);
        }
        Ok(Some(Message { cid, command: first[4] & 0x7f, payload }))
    }

    /// Whether anything arrives within `wait`.
    pub fn hears_anything_within(&self, wait: Duration) -> anyhow::Result<bool> {
        self.socket.set_read_timeout(Some(wait))?;
        let heard = self.next_report()?.is_some();
        self.socket.set_read_timeout(Some(READ_TIMEOUT))?;
        Ok(heard)
    }

    fn next_report(&self) -> anyhow::Result<Option<Report>> {
        let mut buffer = [0u8; REPORT_LEN];
        match self.socket.recv(&mut buffer) {
            Ok(REPORT_LEN) => Ok(Some(buffer)),
            Ok(len) => anyhow::bail!("a datagram of {len} bytes from the device"),
            Err(error) if matches!(error.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                Ok(None)
            }
            Err(error) => Err(error).context("reading from the device"),
        }
    }
}

/// The CID in a CTAPHID_INIT answer: after the 8-byte nonce (CTAP 2.1 §11.2.9.1.3).
fn allocated_cid(payload: &[u8]) -> anyhow::Result<u32> {
    let bytes = payload.get(INIT_NONCE_LEN..INIT_NONCE_LEN + 4).context("a short INIT answer")?;
    Ok(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

#[cfg(test)]
mod tests;
