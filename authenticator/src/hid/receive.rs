//! Routing of incoming packets: channel checks, arbitration and message reassembly.

use std::time::Instant;

use super::assembler::{Partial, Progress};
use super::packet::Packet;
use super::{BROADCAST_CID, CtapHid, HidCommand, HidError, MAX_MESSAGE_LEN, Output, RESERVED_CID, Report};

/// The only payload length CTAPHID_INIT accepts: an 8-byte nonce (CTAP 2.1 §11.2.9.1.3).
pub(super) const INIT_NONCE_LEN: usize = 8;

impl CtapHid {
    /// Feeds one report into the state machine.
    pub(super) fn receive(&mut self, report: &Report, now: Instant, out: &mut Vec<Output>) {
        match Packet::parse(report) {
            Packet::Init { cid, cmd, len, data } => self.receive_init(cid, cmd, len, data, now, out),
            Packet::Cont { cid, seq, data } => self.receive_cont(cid, seq, data, now, out),
        }
    }

    fn receive_init(
        &mut self,
        cid: u32,
        cmd: u8,
        len: usize,
        data: &[u8],
        now: Instant,
        out: &mut Vec<Output>,
    ) {
        // CTAP 2.1 §11.2.9.1.5: the device MUST NOT answer CTAPHID_CANCEL, and a CANCEL on a
        // channel with no request being processed is ignored.
        if cmd == HidCommand::Cancel.code() {
            if let Some(pending) = self.pending.filter(|pending| pending.cid == cid) {
                out.push(Output::Cancel { request: pending.request, cid });
            }
            return;
        }
        if let Err(error) = self.admit(cid, cmd, len) {
            out.push(super::error(cid, error));
            return;
        }
        match Partial::start(cid, cmd, len, data, now) {
            Progress::Partial(partial) => self.assembly = Some(partial),
            Progress::Complete(message) => self.execute(message, now, out),
        }
    }

    /// Decides whether an initialization packet may start a message, in the order a client
    /// can make sense of: channel validity, then arbitration, then length.
    fn admit(&mut self, cid: u32, cmd: u8, len: usize) -> Result<(), HidError> {
        let is_init = cmd == HidCommand::Init.code();
        // CTAP 2.1 §11.2.3: channel 0 is reserved; the broadcast channel only allocates.
        if cid == RESERVED_CID || (cid == BROADCAST_CID && !is_init) {
            return Err(HidError::InvalidChannel);
        }
        // CTAP 2.1 §11.2.9.2.2: while a channel holds the lock, every other channel is busy.
        if self.lock.is_some_and(|lock| lock.cid != cid) {
            return Err(HidError::ChannelBusy);
        }
        if cid != BROADCAST_CID {
            let pinned = self.pinned();
            match self.channels.touch(cid, &pinned) {
                // An INIT on a channel this device did not allocate allocates one (see `init`).
                Err(HidError::InvalidChannel) if is_init => {}
                touched => touched?,
            }
        }
        // CTAP 2.1 §11.2.9.1.3: INIT on an allocated channel resynchronises it; on any other
        // channel (the broadcast one, or one the client made up) it allocates a channel.
        let allocates = is_init && !self.channels.is_live(cid);
        if let Some(partial) = self.assembly.take() {
            if partial.cid() != cid {
                // CTAP 2.1 §11.2.5.1: busy receiving another channel's message, which goes on.
                self.assembly = Some(partial);
                return Err(HidError::ChannelBusy);
            }
            // CTAP 2.1 §11.2.5.3: INIT on the channel aborts its message and resynchronises;
            // any other initialization packet breaks the sequence, and the message is dropped.
            if !is_init {
                return Err(HidError::InvalidSeq);
            }
        }
        if let Some(pending) = self.pending {
            // CTAP 2.1 §11.2.5.1: busy processing a request. INIT on the requesting channel
            // resynchronises it; an allocating INIT does not disturb the request, so a second
            // client can open the device meanwhile.
            let admitted = (is_init && cid == pending.cid) || allocates;
            if !admitted {
                return Err(HidError::ChannelBusy);
            }
        }
        // CTAP 2.1 §11.2.4: no packet train carries more than 7609 bytes.
        if len > MAX_MESSAGE_LEN || (is_init && len != INIT_NONCE_LEN) {
            return Err(HidError::InvalidLen);
        }
        Ok(())
    }

    fn receive_cont(&mut self, cid: u32, seq: u8, data: &[u8], now: Instant, out: &mut Vec<Output>) {
        // CTAP 2.1 §11.2.4: a continuation packet that continues no message of its channel is
        // spurious and ignored.
        let Some(partial) = self.assembly.take_if(|partial| partial.cid() == cid) else {
            return;
        };
        let pinned = self.pinned();
        // The channel is live (its message started), so this only refreshes its last use.
        let _ = self.channels.touch(cid, &pinned);
        match partial.push(seq, data, now) {
            Ok(Progress::Partial(partial)) => self.assembly = Some(partial),
            Ok(Progress::Complete(message)) => self.execute(message, now, out),
            Err(error) => out.push(super::error(cid, error)),
        }
    }
}
