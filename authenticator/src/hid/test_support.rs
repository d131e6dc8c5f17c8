//! Fixtures for the tests of the CTAPHID state machine, which drive it through its public API
//! with hand-built reports.
//!
//! The helpers here encode and decode packets independently of `packet.rs`, so a framing bug
//! cannot cancel itself out.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

pub(super) use std::time::{Duration, Instant};

pub(super) use super::{BROADCAST_CID, CtapHid, HidConfig, Output, REPORT_LEN, Report, RequestId};

pub(super) const PING: u8 = 0x01;
pub(super) const MSG: u8 = 0x03;
pub(super) const LOCK: u8 = 0x04;
pub(super) const INIT: u8 = 0x06;
pub(super) const WINK: u8 = 0x08;
pub(super) const CBOR: u8 = 0x10;
pub(super) const CANCEL: u8 = 0x11;
pub(super) const KEEPALIVE: u8 = 0x3b;
pub(super) const ERROR: u8 = 0x3f;

pub(super) const ERR_INVALID_CMD: u8 = 0x01;
pub(super) const ERR_INVALID_PAR: u8 = 0x02;
pub(super) const ERR_INVALID_LEN: u8 = 0x03;
pub(super) const ERR_INVALID_SEQ: u8 = 0x04;
pub(super) const ERR_MSG_TIMEOUT: u8 = 0x05;
pub(super) const ERR_CHANNEL_BUSY: u8 = 0x06;
pub(super) const ERR_INVALID_CHANNEL: u8 = 0x0b;
pub(super) const ERR_OTHER: u8 = 0x7f;

pub(super) const NONCE: [u8; 8] = [1, 2, 3, 4, 5, 6, 7, 8];

/// An initialization packet: CID | CMD|0x80 | BCNT | data, zero-padded.
pub(super) fn init_packet(cid: u32, cmd: u8, bcnt: u16, data: &[u8]) -> Report {
    let mut report = [0; REPORT_LEN];
    report[..4].copy_from_slice(&cid.to_be_bytes());
    report[4] = cmd | 0x80;
    report[5..7].copy_from_slice(&bcnt.to_be_bytes());
    report[7..7 + data.len()].copy_from_slice(data);
    report
}

/// A continuation packet: CID | SEQ | data, zero-padded.
pub(super) fn cont_packet(cid: u32, seq: u8, data: &[u8]) -> Report {
    let mut report = [0; REPORT_LEN];
    report[..4].copy_from_slice(&cid.to_be_bytes());
    report[4] = seq;
    report[5..5 + data.len()].copy_from_slice(data);
    report
}

/// The packet train of a request.
pub(super) fn frames(cid: u32, cmd: u8, payload: &[u8]) -> Vec<Report> {
    let first = payload.len().min(57);
    let mut reports = vec![init_packet(cid, cmd, payload.len() as u16, &payload[..first])];
    for (seq, chunk) in payload[first..].chunks(59).enumerate() {
        reports.push(cont_packet(cid, seq as u8, chunk));
    }
    reports
}

/// A decoded answer: channel, command (bit 7 cleared) and payload.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Answer {
    pub(super) cid: u32,
    pub(super) cmd: u8,
    pub(super) payload: Vec<u8>,
}

/// Decodes a packet train sent by the device, checking its framing on the way.
pub(super) fn decode(reports: &[Report]) -> Answer {
    let (first, rest) = reports.split_first().expect("an empty train");
    let cid = u32::from_be_bytes(first[..4].try_into().unwrap());
    assert_ne!(first[4] & 0x80, 0, "the first packet must be an initialization packet");
    let len = usize::from(u16::from_be_bytes([first[5], first[6]]));
    let mut payload = first[7..].to_vec();
    for (seq, report) in rest.iter().enumerate() {
        assert_eq!(u32::from_be_bytes(report[..4].try_into().unwrap()), cid, "one channel per train");
        assert_eq!(usize::from(report[4]), seq, "continuation packets count up from 0");
        payload.extend_from_slice(&report[5..]);
    }
    assert!(payload.len() >= len, "the train is shorter than BCNT");
    assert!(payload.len() - len < 59 || rest.is_empty(), "the train has a spare packet");
    assert!(payload[len..].iter().all(|&byte| byte == 0), "padding must be zero");
    payload.truncate(len);
    Answer { cid, cmd: first[4] & 0x7f, payload }
}

/// The single answer among `outputs`, decoded.
pub(super) fn answer(outputs: &[Output]) -> Answer {
    let mut sends = outputs.iter().filter_map(|output| match output {
        Output::Send { cid, reports } => {
            let answer = decode(reports);
            assert_eq!(answer.cid, *cid, "Output::Send names the channel of its reports");
            Some(answer)
        }
        _ => None,
    });
    let answer = sends.next().expect("no answer was sent");
    assert!(sends.next().is_none(), "more than one answer: {outputs:?}");
    answer
}

/// Asserts that `outputs` is exactly one CTAPHID_ERROR to `cid` with `code`.
pub(super) fn assert_error(outputs: &[Output], cid: u32, code: u8) {
    assert_eq!(outputs.len(), 1, "{outputs:?}");
    assert_eq!(answer(outputs), Answer { cid, cmd: ERROR, payload: vec![code] });
}

/// The one dispatched request among `outputs`.
pub(super) fn dispatched(outputs: &[Output]) -> (RequestId, u32, Vec<u8>) {
    let found = outputs.iter().find_map(|output| match output {
        Output::Dispatch { request, cid, payload, .. } => Some((*request, *cid, payload.clone())),
        _ => None,
    });
    found.unwrap_or_else(|| panic!("nothing dispatched: {outputs:?}"))
}

/// A state machine with its own clock.
pub(super) struct Bench {
    pub(super) hid: CtapHid,
    pub(super) now: Instant,
}

impl Bench {
    pub(super) fn new() -> Self {
        Self::with(HidConfig::default())
    }

    pub(super) fn with(config: HidConfig) -> Self {
        Self { hid: CtapHid::new(config), now: Instant::now() }
    }

    pub(super) fn timeout(&self) -> Duration {
        self.hid.config().transaction_timeout
    }

    pub(super) fn advance(&mut self, by: Duration) {
        self.now += by;
    }

    pub(super) fn feed(&mut self, report: Report) -> Vec<Output> {
        self.hid.handle_report(&report, self.now)
    }

    pub(super) fn tick(&mut self) -> Vec<Output> {
        self.hid.tick(self.now)
    }

    /// Sends a whole request and collects every output.
    pub(super) fn request(&mut self, cid: u32, cmd: u8, payload: &[u8]) -> Vec<Output> {
        frames(cid, cmd, payload).into_iter().flat_map(|report| self.feed(report)).collect()
    }

    /// Allocates a channel with CTAPHID_INIT on the broadcast channel.
    pub(super) fn open(&mut self) -> u32 {
        let reply = answer(&self.request(BROADCAST_CID, INIT, &NONCE));
        assert_eq!((reply.cid, reply.cmd), (BROADCAST_CID, INIT));
        u32::from_be_bytes(reply.payload[8..12].try_into().unwrap())
    }

    /// Pings `cid` and returns what came back.
    pub(super) fn ping(&mut self, cid: u32) -> Vec<Output> {
        self.request(cid, PING, b"ping")
    }

    /// Whether `cid` answers a ping with its echo.
    pub(super) fn answers_ping(&mut self, cid: u32) -> bool {
        let outputs = self.ping(cid);
        outputs.len() == 1 && answer(&outputs) == Answer { cid, cmd: PING, payload: b"ping".to_vec() }
    }
}
