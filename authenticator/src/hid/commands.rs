//! What each CTAPHID command does once its message is complete (CTAP 2.1 §11.2.9).

use std::time::{Duration, Instant};

use super::assembler::Message;
use super::receive::INIT_NONCE_LEN;
use super::{
    CtapHid, HidCommand, HidError, Lock, MAX_LOCK_SECONDS, Output, PROTOCOL_VERSION, Pending, error,
    error_report, packet,
};

impl CtapHid {
    /// Carries out a complete request message.
    pub(super) fn execute(&mut self, message: Message, now: Instant, out: &mut Vec<Output>) {
        let Message { cid, cmd, payload } = message;
        let Some(command) = HidCommand::from_code(cmd) else {
            // CTAP 2.1 §11.2.9.1.6: unknown (including vendor) commands are ERR_INVALID_CMD.
            out.push(error(cid, HidError::InvalidCmd));
            return;
        };
        match command {
            HidCommand::Init => self.init(cid, &payload, out),
            // CTAP 2.1 §11.2.9.1.4: the answer is the request's data, whatever its length.
            HidCommand::Ping => out.push(reply(cid, HidCommand::Ping, &payload)),
            // CTAP 2.1 §11.2.9.1.1: a device without CTAP1 answers MSG with ERR_INVALID_CMD.
            HidCommand::Msg if !self.config.supports_msg => out.push(error(cid, HidError::InvalidCmd)),
            // CTAP 2.1 §11.2.9.1.3: a device without the CBOR capability (U2F only) does not
            // implement CTAPHID_CBOR, and §11.2.9.1.6 answers such a command ERR_INVALID_CMD.
            HidCommand::Cbor if !self.config.supports_cbor => out.push(error(cid, HidError::InvalidCmd)),
            HidCommand::Msg | HidCommand::Cbor => self.dispatch(cid, command, payload, out),
            // CTAP 2.1 §11.2.9.2.1: an empty answer; the identification itself is the device's.
            HidCommand::Wink => {
                out.push(reply(cid, HidCommand::Wink, &[]));
                out.push(Output::Wink { cid });
            }
            HidCommand::Lock => self.lock(cid, &payload, now, out),
            // Handled before reassembly; never answered.
            HidCommand::Cancel => {}
            // Device-to-host commands only.
            HidCommand::Keepalive | HidCommand::Error => out.push(error(cid, HidError::InvalidCmd)),
        }
    }

    /// CTAP 2.1 §11.2.9.1.3: on the broadcast channel, allocate a channel; on an allocated one,
    /// resynchronise it (§11.2.5.3), abandoning its pending request. The answer echoes the nonce
    /// and carries the channel, versions and capabilities.
    ///
    /// An INIT on a channel that is neither (one the client made up, or one the device has
    /// forgotten) is answered as on the broadcast channel, on the channel it came on: the
    /// specification defines INIT only as allocation or resynchronisation, and the nonce lets
    /// the client recognise the answer. The new CID is drawn at random like any other, never
    /// the one the client chose, so that a client cannot pick the CID it is given.
    fn init(&mut self, cid: u32, nonce: &[u8], out: &mut Vec<Output>) {
        if nonce.len() != INIT_NONCE_LEN {
            out.push(error(cid, HidError::InvalidLen));
            return;
        }
        let channel = if !self.channels.is_live(cid) {
            let pinned = self.pinned();
            match self.channels.allocate(&pinned) {
                Ok(channel) => channel,
                Err(failure) => {
                    out.push(error(cid, failure));
                    return;
                }
            }
        } else {
            if let Some(pending) = self.pending.take_if(|pending| pending.cid == cid) {
                out.push(Output::Cancel { request: pending.request, cid });
            }
            cid
        };
        let version = self.config.version;
        let mut answer = Vec::with_capacity(17);
        answer.extend_from_slice(nonce);
        answer.extend_from_slice(&channel.to_be_bytes());
        answer.extend_from_slice(&[
            PROTOCOL_VERSION,
            version.major,
            version.minor,
            version.build,
            self.capabilities(),
        ]);
        out.push(reply(cid, HidCommand::Init, &answer));
    }

    /// CTAP 2.1 §11.2.9.1.1 and §11.2.9.1.2: hand the request to the authenticator; the
    /// channel waits for [`CtapHid::complete`]. An empty request has no command byte.
    fn dispatch(&mut self, cid: u32, command: HidCommand, payload: Vec<u8>, out: &mut Vec<Output>) {
        if payload.is_empty() {
            out.push(error(cid, HidError::InvalidLen));
            return;
        }
        let request = self.new_request();
        self.pending = Some(Pending { request, cid, command });
        out.push(Output::Dispatch { request, cid, command, payload });
    }

    /// CTAP 2.1 §11.2.9.2.2: lock the device to this channel for 1 to 10 seconds, or release
    /// it with 0. The answer is empty.
    fn lock(&mut self, cid: u32, payload: &[u8], now: Instant, out: &mut Vec<Output>) {
        let &[seconds] = payload else {
            out.push(error(cid, HidError::InvalidLen));
            return;
        };
        if seconds > MAX_LOCK_SECONDS {
            out.push(error(cid, HidError::InvalidPar));
            return;
        }
        // Another channel's lock was refused before reassembly, so any lock here is this one's.
        self.lock = match now.checked_add(Duration::from_secs(u64::from(seconds))) {
            Some(until) if seconds > 0 => Some(Lock { cid, until }),
            _ => None,
        };
        out.push(reply(cid, HidCommand::Lock, &[]));
    }
}

/// An answer to `cid` with `command`, fragmented. Payloads here are never longer than the
/// request they answer, so the ERR_OTHER fallback is not expected to be reached.
fn reply(cid: u32, command: HidCommand, payload: &[u8]) -> Output {
    let reports = packet::fragment(cid, command.code(), payload)
        .unwrap_or_else(|| vec![error_report(cid, HidError::Other)]);
    Output::Send { cid, reports }
}

#[cfg(test)]
mod tests;
