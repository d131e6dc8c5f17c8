//! Reassembly of one request message from its packets.
//!
//! Each transition consumes the partial message and returns what it became, so a message that
//! failed or completed cannot be fed again by mistake.

use std::time::{Duration, Instant};

use super::HidError;

/// A fully received request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Message {
    /// Channel it arrived on.
    pub cid: u32,
    /// Command byte, TYPE_INIT bit cleared.
    pub cmd: u8,
    /// Exactly BCNT bytes of payload.
    pub payload: Vec<u8>,
}

/// A message whose initialization packet arrived but some continuation packets have not.
#[derive(Debug)]
pub(super) struct Partial {
    cid: u32,
    cmd: u8,
    len: usize,
    payload: Vec<u8>,
    next_seq: u8,
    last_packet: Instant,
}

/// What a packet turned a message into.
#[derive(Debug)]
pub(super) enum Progress {
    /// More continuation packets are expected.
    Partial(Partial),
    /// The last byte arrived.
    Complete(Message),
}

impl Partial {
    /// Starts a message from its initialization packet. `len` must already be checked against
    /// the maximum message length.
    pub(super) fn start(cid: u32, cmd: u8, len: usize, data: &[u8], now: Instant) -> Progress {
        let mut payload = Vec::with_capacity(len);
        payload.extend_from_slice(&data[..len.min(data.len())]);
        Partial { cid, cmd, len, payload, next_seq: 0, last_packet: now }.settle()
    }

    /// Adds a continuation packet.
    ///
    /// CTAP 2.1 §11.2.4: continuation packets carry SEQ 0, 1, 2, … in order; any other SEQ is
    /// ERR_INVALID_SEQ and the message is abandoned (the error carries no partial state).
    pub(super) fn push(mut self, seq: u8, data: &[u8], now: Instant) -> Result<Progress, HidError> {
        if seq != self.next_seq {
            return Err(HidError::InvalidSeq);
        }
        let missing = self.len.saturating_sub(self.payload.len());
        self.payload.extend_from_slice(&data[..missing.min(data.len())]);
        self.next_seq = self.next_seq.wrapping_add(1);
        self.last_packet = now;
        Ok(self.settle())
    }

    /// The channel this message arrives on.
    pub(super) fn cid(&self) -> u32 {
        self.cid
    }

    /// Whether the sender stalled: no packet for longer than `timeout`.
    ///
    /// CTAP 2.1 §11.2.5.2 asks for a transaction timeout without fixing its value; it is
    /// measured here from the last packet received, as real devices do, so a slow but live
    /// sender can still deliver the largest message.
    pub(super) fn is_stalled(&self, timeout: Duration, now: Instant) -> bool {
        self.deadline(timeout).is_some_and(|deadline| now >= deadline)
    }

    /// When the message stalls if no packet arrives (`None`: beyond what `Instant` can hold).
    pub(super) fn deadline(&self, timeout: Duration) -> Option<Instant> {
        self.last_packet.checked_add(timeout)
    }

    fn settle(self) -> Progress {
        if self.payload.len() >= self.len {
            Progress::Complete(Message { cid: self.cid, cmd: self.cmd, payload: self.payload })
        } else {
            Progress::Partial(self)
        }
    }
}

#[cfg(test)]
mod tests;
