//! Which UDP address each channel belongs to.
//!
//! CTAP 2.1 §11.2.3 has each client allocate its own channel; over USB, the host's HID stack
//! keeps clients apart, but any process can send to a UDP port. Each channel is therefore bound
//! to the address whose CTAPHID_INIT allocated it (§11.2.9.1.3), and only that address may use
//! it: anything else could resynchronise, cancel or evict another client's channel.

use std::net::SocketAddr;

use crate::hid::{BROADCAST_CID, HidCommand, Output};

/// How many channel owners are remembered: more than the live channels plus the CIDs adoptable
/// after power cycles, so that a channel the state machine still knows keeps its owner.
const OWNER_BOOK_LEN: usize = 128;

/// Channel owners, most recently used first. The broadcast channel's entry is the last sender
/// of an allocation, for answers sent after its datagram (a timeout).
#[derive(Debug, Default)]
pub(super) struct ChannelOwners {
    owners: Vec<(u32, SocketAddr)>,
}

impl ChannelOwners {
    /// Records `peer` as the owner of `cid` (or the last sender on the broadcast channel).
    pub(super) fn record(&mut self, cid: u32, peer: SocketAddr) {
        self.owners.retain(|(known, _)| *known != cid);
        self.owners.insert(0, (cid, peer));
        self.owners.truncate(OWNER_BOOK_LEN);
    }

    /// The address `cid` belongs to.
    pub(super) fn owner(&self, cid: u32) -> Option<SocketAddr> {
        self.owners.iter().find(|(known, _)| *known == cid).map(|(_, peer)| *peer)
    }

    /// Whether `peer` may send on `cid`: the broadcast channel is everyone's (CTAP 2.1
    /// §11.2.9.1.3: INIT on it allocates a channel); any other only its owner's.
    pub(super) fn may_use(&self, cid: u32, peer: SocketAddr) -> bool {
        cid == BROADCAST_CID || self.owner(cid) == Some(peer)
    }

    /// Whether `peer` owns a channel (other than the broadcast channel).
    pub(super) fn owns_a_channel(&self, peer: SocketAddr) -> bool {
        self.owners.iter().any(|(cid, owner)| *cid != BROADCAST_CID && *owner == peer)
    }
}

/// The CID a CTAPHID_INIT answer on the broadcast channel allocates, if `output` is one
/// (CTAP 2.1 §11.2.9.1.3: 8-byte nonce, then the 4-byte CID, in a 17-byte answer).
pub(super) fn allocated_cid(output: &Output) -> Option<u32> {
    let Output::Send { cid: BROADCAST_CID, reports } = output else { return None };
    let first = reports.first()?;
    let is_init_answer = first[4] == HidCommand::Init.code() | 0x80 && first[5..7] == [0, 17];
    is_init_answer.then(|| u32::from_be_bytes([first[15], first[16], first[17], first[18]]))
}

#[cfg(test)]
mod tests;
