//! Which UDP address each channel belongs to.
//!
//! CTAP 2.1 §11.2.3 has each client allocate its own channel; over USB, the host's HID stack
//! keeps clients apart, but any process can send to a UDP port. Each channel is therefore bound
//! to the address whose CTAPHID_INIT allocated it (§11.2.9.1.3), and only that address may use
//! it: anything else could resynchronise, cancel or evict another client's channel.

use std::net::SocketAddr;

use crate::hid::{BROADCAST_CID, HidCommand, Output, Report};

/// How many channel owners are remembered at most. The transport keeps only the owners of
/// channels the state machine knows (see [`ChannelOwners::retain_known`]), fewer than this with
/// the default configuration (16 live channels, 64 adoptable CIDs); this bound only caps memory.
const OWNER_BOOK_LEN: usize = 128;

/// Channel owners, most recently used first. The broadcast channel's entry is the last sender
/// of an allocation, for answers sent after its datagram (a timeout).
#[derive(Debug, Default)]
pub(super) struct ChannelOwners {
    owners: Vec<(u32, SocketAddr)>,
}

impl ChannelOwners {
    /// Records `peer` as the owner of `cid` (or the last sender on the broadcast channel). Only
    /// for a channel allocated to `peer`: a channel a client made up takes no entry.
    pub(super) fn record(&mut self, cid: u32, peer: SocketAddr) {
        self.owners.retain(|(known, _)| *known != cid);
        self.owners.insert(0, (cid, peer));
        self.owners.truncate(OWNER_BOOK_LEN);
    }

    /// The address `cid` belongs to.
    pub(super) fn owner(&self, cid: u32) -> Option<SocketAddr> {
        self.owners.iter().find(|(known, _)| *known == cid).map(|(_, peer)| *peer)
    }

    /// Whether `peer` may send `report` on `cid`: the broadcast channel is everyone's (CTAP 2.1
    /// §11.2.9.1.3: INIT on it allocates a channel); a channel with an owner only its owner's.
    /// An INIT on a channel nobody owns and the state machine does not `know` (live, or
    /// adoptable after a power cycle) allocates a channel as on the broadcast one (see
    /// `CtapHid::knows`), so it is everyone's too. Any other packet on an ownerless channel is
    /// refused, and so is an INIT on an ownerless channel the state machine knows: it would
    /// resynchronise, or adopt, a channel that is not the sender's.
    pub(super) fn may_use(&self, cid: u32, peer: SocketAddr, report: &Report, known: bool) -> bool {
        match self.owner(cid) {
            _ if cid == BROADCAST_CID => true,
            Some(owner) => owner == peer,
            None => is_init(report) && !known,
        }
    }

    /// Forgets the owners of channels the state machine no longer knows (evicted, or no longer
    /// adoptable), keeping the broadcast channel's entry. The table then holds no more entries
    /// than the state machine has channels, so a flood of allocations cannot push out the owner
    /// of a channel still in use.
    pub(super) fn retain_known(&mut self, knows: impl Fn(u32) -> bool) {
        self.owners.retain(|(cid, _)| *cid == BROADCAST_CID || knows(*cid));
    }

    /// The channels `peer` owns (not the broadcast channel), least recently used first.
    pub(super) fn channels_of(&self, peer: SocketAddr) -> Vec<u32> {
        self.owners
            .iter()
            .rev()
            .filter(|(cid, owner)| *cid != BROADCAST_CID && *owner == peer)
            .map(|(cid, _)| *cid)
            .collect()
    }

    /// Whether `peer` owns a channel (other than the broadcast channel).
    pub(super) fn owns_a_channel(&self, peer: SocketAddr) -> bool {
        self.owners.iter().any(|(cid, owner)| *cid != BROADCAST_CID && *owner == peer)
    }
}

/// Whether `report` is the initialization packet of a CTAPHID_INIT.
pub(super) fn is_init(report: &Report) -> bool {
    report[4] == HidCommand::Init.code() | 0x80
}

/// The CID a CTAPHID_INIT answer allocates, if `output` is one that names a channel other than
/// the one it is sent on: an answer on the broadcast channel, or on a channel the client made
/// up (CTAP 2.1 §11.2.9.1.3: 8-byte nonce, then the 4-byte CID, in a 17-byte answer). An
/// answer naming its own channel is a resynchronisation.
pub(super) fn allocated_cid(output: &Output) -> Option<u32> {
    let Output::Send { cid, reports } = output else { return None };
    let first = reports.first()?;
    let is_init_answer = is_init(first) && first[5..7] == [0, 17];
    let named = u32::from_be_bytes([first[15], first[16], first[17], first[18]]);
    (is_init_answer && named != *cid).then_some(named)
}

#[cfg(test)]
mod tests;
