//! CTAPHID, the USB HID framing of CTAP (CTAP 2.1 §11.2), as a pure state machine.
//!
//! [`CtapHid`] turns 64-byte reports into [`Output`]s: reports to send back, requests to hand to
//! the authenticator ([`Output::Dispatch`]), cancellations and winks. It does no I/O, starts no
//! thread and never reads the clock: the caller passes the current [`Instant`] in, so tests can
//! drive timeouts deterministically. A transport (see [`crate::transport::udp`]) owns the wire,
//! runs dispatched requests on the authenticator and feeds the answers back through
//! [`CtapHid::complete`].
//!
//! The device is a single-transaction device, as the specification models it (CTAP 2.1
//! §11.2.5.1): while one channel is sending a message or waiting for an answer, other channels
//! get ERR_CHANNEL_BUSY.

mod assembler;
mod channels;
mod commands;
mod packet;
mod receive;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use self::assembler::Partial;
use self::channels::ChannelTable;
use crate::signals::KeepaliveStatus;

/// Length of a HID report on the FIDO interface (CTAP 2.1 §11.2.8.1: 64-byte reports).
pub const REPORT_LEN: usize = 64;

/// One HID report, without a report-ID byte.
pub type Report = [u8; REPORT_LEN];

/// The longest message a packet train can carry: 57 bytes in the initialization packet plus 128
/// continuation packets of 59 bytes (CTAP 2.1 §11.2.4).
pub const MAX_MESSAGE_LEN: usize = packet::INIT_DATA_LEN + 128 * packet::CONT_DATA_LEN;

/// The broadcast channel, used only by CTAPHID_INIT to allocate a channel (CTAP 2.1 §11.2.3).
pub const BROADCAST_CID: u32 = 0xffff_ffff;

/// The reserved channel 0, never allocated and never valid (CTAP 2.1 §11.2.3).
pub const RESERVED_CID: u32 = 0;

/// CTAPHID protocol version reported by CTAPHID_INIT (CTAP 2.1 §11.2.9.1.3).
pub const PROTOCOL_VERSION: u8 = 2;

/// CTAPHID_INIT capability: the device implements CTAPHID_WINK (CTAP 2.1 §11.2.9.1.3).
pub const CAPABILITY_WINK: u8 = 0x01;
/// CTAPHID_INIT capability: the device implements CTAPHID_CBOR (CTAP 2.1 §11.2.9.1.3).
pub const CAPABILITY_CBOR: u8 = 0x04;
/// CTAPHID_INIT capability: the device does *not* implement CTAPHID_MSG (CTAP 2.1 §11.2.9.1.3).
pub const CAPABILITY_NMSG: u8 = 0x08;

/// The longest CTAPHID_LOCK a channel may ask for, in seconds (CTAP 2.1 §11.2.9.2.2).
pub const MAX_LOCK_SECONDS: u8 = 10;

/// CTAPHID command codes (CTAP 2.1 §11.2.9). On the wire, an initialization packet carries the
/// code with bit 7 set (CTAPHID_ERROR is 0xbf).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum HidCommand {
    /// CTAPHID_PING: echo (§11.2.9.1.4).
    Ping = 0x01,
    /// CTAPHID_MSG: a CTAP1/U2F APDU (§11.2.9.1.1).
    Msg = 0x03,
    /// CTAPHID_LOCK: exclusive access for a few seconds (§11.2.9.2.2).
    Lock = 0x04,
    /// CTAPHID_INIT: channel allocation and resynchronisation (§11.2.9.1.3).
    Init = 0x06,
    /// CTAPHID_WINK: identify the device to the user (§11.2.9.2.1).
    Wink = 0x08,
    /// CTAPHID_CBOR: a CTAP2 request (§11.2.9.1.2).
    Cbor = 0x10,
    /// CTAPHID_CANCEL: abort the pending CBOR request (§11.2.9.1.5).
    Cancel = 0x11,
    /// CTAPHID_KEEPALIVE: sent by the device while a request is processed (§11.2.9.1.7).
    Keepalive = 0x3b,
    /// CTAPHID_ERROR: sent by the device when a transaction fails (§11.2.9.1.6).
    Error = 0x3f,
}

impl HidCommand {
    /// The command for a code (bit 7 cleared), or `None` for an unknown or vendor code.
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0x01 => Self::Ping,
            0x03 => Self::Msg,
            0x04 => Self::Lock,
            0x06 => Self::Init,
            0x08 => Self::Wink,
            0x10 => Self::Cbor,
            0x11 => Self::Cancel,
            0x3b => Self::Keepalive,
            0x3f => Self::Error,
            _ => return None,
        })
    }

    /// The command code, bit 7 clear.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// CTAPHID_ERROR codes (CTAP 2.1 §11.2.9.1.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum HidError {
    /// ERR_INVALID_CMD: the command is unknown or not supported.
    InvalidCmd = 0x01,
    /// ERR_INVALID_PAR: a parameter is out of range.
    InvalidPar = 0x02,
    /// ERR_INVALID_LEN: the length (BCNT) is invalid for the command.
    InvalidLen = 0x03,
    /// ERR_INVALID_SEQ: a packet arrived out of sequence.
    InvalidSeq = 0x04,
    /// ERR_MSG_TIMEOUT: the message was not completed in time.
    MsgTimeout = 0x05,
    /// ERR_CHANNEL_BUSY: the device is busy with another channel.
    ChannelBusy = 0x06,
    /// ERR_LOCK_REQUIRED: the command requires a channel lock.
    LockRequired = 0x0a,
    /// ERR_INVALID_CHANNEL: the channel is not allocated, or not valid for the command.
    InvalidChannel = 0x0b,
    /// ERR_OTHER: unspecified error.
    Other = 0x7f,
}

/// The device version CTAPHID_INIT reports (vendor-defined, CTAP 2.1 §11.2.9.1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceVersion {
    /// Major device version number.
    pub major: u8,
    /// Minor device version number.
    pub minor: u8,
    /// Build device version number.
    pub build: u8,
}

impl Default for DeviceVersion {
    /// This crate's version.
    fn default() -> Self {
        let part = |text: &str| text.parse().unwrap_or(0);
        Self {
            major: part(env!("CARGO_PKG_VERSION_MAJOR")),
            minor: part(env!("CARGO_PKG_VERSION_MINOR")),
            build: part(env!("CARGO_PKG_VERSION_PATCH")),
        }
    }
}

/// How the CTAPHID layer behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HidConfig {
    /// How many channels stay allocated (at least one); allocating one more forgets the least
    /// recently used channel that is not sending, waiting for an answer or holding the lock.
    pub max_channels: usize,
    /// How long a partly received message may wait for its next packet before it is dropped
    /// with ERR_MSG_TIMEOUT (CTAP 2.1 §11.2.5.2, which fixes no value).
    pub transaction_timeout: Duration,
    /// Whether CTAPHID_MSG (CTAP1/U2F) is accepted; when not, INIT advertises NMSG and MSG gets
    /// ERR_INVALID_CMD.
    pub supports_msg: bool,
    /// Whether CTAPHID_CBOR (CTAP2) is accepted; when not (a U2F-only key), INIT leaves the CBOR
    /// capability out and CBOR gets ERR_INVALID_CMD (CTAP 2.1 §11.2.9.1.3).
    pub supports_cbor: bool,
    /// Reported by CTAPHID_INIT.
    pub version: DeviceVersion,
}

impl Default for HidConfig {
    /// 16 channels; 750 ms between packets, the value of the SoloKeys firmware whose simulator
    /// convention the UDP transport follows (solo1 `ctaphid_check_timeouts`; OpenSK uses 100 ms);
    /// CTAP2 without CTAP1.
    fn default() -> Self {
        Self {
            max_channels: 16,
            transaction_timeout: Duration::from_millis(750),
            supports_msg: false,
            supports_cbor: true,
            version: DeviceVersion::default(),
        }
    }
}

/// Identifies one dispatched request, so that its answer finds it even if the channel was
/// resynchronised or the device power-cycled (and the CID reused) in the meantime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RequestId(u64);

/// What the transport must do after a report or a tick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Send these reports, in order, to the client that owns `cid`.
    Send {
        /// The channel the reports are addressed to (also in their first four bytes).
        cid: u32,
        /// The packet train.
        reports: Vec<Report>,
    },
    /// Run a CTAP request and pass its answer to [`CtapHid::complete`]. Until then the device is
    /// busy and the transport should send keepalives to `cid`.
    Dispatch {
        /// The handle to complete the request with.
        request: RequestId,
        /// The requesting channel.
        cid: u32,
        /// [`HidCommand::Cbor`] or [`HidCommand::Msg`].
        command: HidCommand,
        /// The CTAP request: command byte and CBOR parameters, or an APDU.
        payload: Vec<u8>,
    },
    /// Ask the request in progress to stop; its answer still goes through
    /// [`CtapHid::complete`] (CTAP 2.1 §11.2.9.1.5: CTAP2_ERR_KEEPALIVE_CANCEL is the answer to
    /// the request), unless the channel was resynchronised, in which case it is discarded.
    Cancel {
        /// The request to cancel.
        request: RequestId,
        /// Its channel.
        cid: u32,
    },
    /// Identify the device to the user (CTAP 2.1 §11.2.9.2.1); the answer is already sent.
    Wink {
        /// The requesting channel.
        cid: u32,
    },
}

/// A dispatched request awaiting its answer.
#[derive(Clone, Copy, Debug)]
struct Pending {
    request: RequestId,
    cid: u32,
    command: HidCommand,
}

/// A CTAPHID_LOCK in force.
#[derive(Clone, Copy, Debug)]
struct Lock {
    cid: u32,
    until: Instant,
}

/// The CTAPHID state machine of one device.
#[derive(Debug)]
pub struct CtapHid {
    config: HidConfig,
    channels: ChannelTable,
    /// The message being received, if any (one at a time, §11.2.5.1).
    assembly: Option<Partial>,
    /// The request being processed, if any.
    pending: Option<Pending>,
    lock: Option<Lock>,
    next_request: u64,
}

impl CtapHid {
    /// A device with no channel allocated.
    pub fn new(config: HidConfig) -> Self {
        let channels = ChannelTable::new(config.max_channels);
        Self { config, channels, assembly: None, pending: None, lock: None, next_request: 0 }
    }

    /// The configuration.
    pub fn config(&self) -> &HidConfig {
        &self.config
    }

    /// The capability flags CTAPHID_INIT reports.
    pub fn capabilities(&self) -> u8 {
        let nmsg = if self.config.supports_msg { 0 } else { CAPABILITY_NMSG };
        let cbor = if self.config.supports_cbor { CAPABILITY_CBOR } else { 0 };
        CAPABILITY_WINK | cbor | nmsg
    }

    /// How many channels are allocated.
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    /// Whether every channel is taken: the next allocation forgets one (see
    /// [`HidConfig::max_channels`]).
    pub fn is_full(&self) -> bool {
        self.channels.len() >= self.config.max_channels.max(1)
    }

    /// Forgets the allocated channel `cid`, unless it is sending, awaiting an answer or holding
    /// the lock: whether it was forgotten. A transport that knows which client owns which
    /// channel uses it to have a client that allocates in a loop recycle its own channels
    /// instead of evicting another client's (CTAP 2.1 §11.2.3).
    pub fn release(&mut self, cid: u32) -> bool {
        let pinned = self.pinned();
        self.channels.release(cid, &pinned)
    }

    /// Whether `cid` is an allocated channel.
    pub fn is_allocated(&self, cid: u32) -> bool {
        self.channels.is_live(cid)
    }

    /// Whether `cid` is a channel this device knows: allocated, or live before a power cycle
    /// and adopted on its next use (see [`CtapHid::power_cycle`]). An INIT on a known channel
    /// resynchronises it; only on any other channel (but the broadcast one) does it allocate a
    /// fresh channel (CTAP 2.1 §11.2.9.1.3). A transport that binds channels to clients must
    /// therefore keep strangers from sending INIT on a known channel.
    pub fn knows(&self, cid: u32) -> bool {
        self.channels.knows(cid)
    }

    /// Whether `request` still awaits its answer (false once completed, or after the channel
    /// was resynchronised or the device power-cycled). Keepalives are due only while it does.
    pub fn is_pending(&self, request: RequestId) -> bool {
        self.pending.is_some_and(|pending| pending.request == request)
    }

    /// Handles one report received from a client.
    pub fn handle_report(&mut self, report: &Report, now: Instant) -> Vec<Output> {
        let mut out = self.tick(now);
        self.receive(report, now, &mut out);
        out
    }

    /// Lets time pass: a message whose sender stalled is dropped with ERR_MSG_TIMEOUT to its
    /// channel (CTAP 2.1 §11.2.5.2), and an expired lock is released (§11.2.9.2.2).
    pub fn tick(&mut self, now: Instant) -> Vec<Output> {
        let mut out = Vec::new();
        let timeout = self.config.transaction_timeout;
        if let Some(stalled) = self.assembly.take_if(|partial| partial.is_stalled(timeout, now)) {
            out.push(error(stalled.cid(), HidError::MsgTimeout));
        }
        self.lock = self.lock.filter(|lock| now < lock.until);
        out
    }

    /// When [`CtapHid::tick`] next has something to do, if ever.
    pub fn next_deadline(&self) -> Option<Instant> {
        let stall = self.assembly.as_ref().and_then(|p| p.deadline(self.config.transaction_timeout));
        let unlock = self.lock.map(|lock| lock.until);
        [stall, unlock].into_iter().flatten().min()
    }

    /// The answer to a dispatched request, as the reports to send: the same command as the
    /// request, fragmented (CTAP 2.1 §11.2.4). The device is free again afterwards.
    ///
    /// Returns nothing when the request no longer awaits an answer (see
    /// [`CtapHid::is_pending`]). An answer too long for any packet train becomes ERR_OTHER.
    pub fn complete(&mut self, request: RequestId, payload: &[u8]) -> Vec<Report> {
        let Some(pending) = self.pending.take_if(|pending| pending.request == request) else {
            return Vec::new();
        };
        packet::fragment(pending.cid, pending.command.code(), payload)
            .unwrap_or_else(|| vec![error_report(pending.cid, HidError::Other)])
    }

    /// A CTAPHID_KEEPALIVE report for `cid` (CTAP 2.1 §11.2.9.1.7).
    pub fn keepalive(&self, cid: u32, status: KeepaliveStatus) -> Report {
        packet::single(cid, HidCommand::Keepalive.code(), &[status as u8])
    }

    /// Simulates unplugging and plugging in: channels, locks, partial messages and the pending
    /// request are forgotten. A CID live before is adopted on its first use afterwards,
    /// because simulator clients keep their CID across the power-cycle packet; any other CID
    /// stays ERR_INVALID_CHANNEL. (The UDP transport lets only the CID's owner adopt it.)
    pub fn power_cycle(&mut self) {
        self.channels.power_cycle();
        self.assembly = None;
        self.pending = None;
        self.lock = None;
    }

    /// Channels that must survive eviction: the one sending, the one waiting, the lock holder.
    fn pinned(&self) -> [u32; 3] {
        [
            self.assembly.as_ref().map_or(RESERVED_CID, Partial::cid),
            self.pending.map_or(RESERVED_CID, |pending| pending.cid),
            self.lock.map_or(RESERVED_CID, |lock| lock.cid),
        ]
    }

    fn new_request(&mut self) -> RequestId {
        self.next_request += 1;
        RequestId(self.next_request)
    }
}

/// A one-report CTAPHID_ERROR (CTAP 2.1 §11.2.9.1.6).
pub(crate) fn error_report(cid: u32, error: HidError) -> Report {
    packet::single(cid, HidCommand::Error.code(), &[error as u8])
}

/// Sends a CTAPHID_ERROR to `cid`.
fn error(cid: u32, error: HidError) -> Output {
    Output::Send { cid, reports: vec![error_report(cid, error)] }
}
