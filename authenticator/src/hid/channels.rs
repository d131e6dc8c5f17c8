//! The table of allocated channels: bounded, least-recently-used eviction.
//!
//! CTAP 2.1 §11.2.3: every client allocates its own channel with CTAPHID_INIT on the broadcast
//! channel, and the specification does not say when a channel ends. A device that kept every
//! channel forever could be exhausted by a client that re-initialises in a loop, so the table
//! holds a bounded number and forgets the channel used least recently.

use super::{BROADCAST_CID, HidError, RESERVED_CID};

/// One live channel and when it was last used (a logical clock, not time).
#[derive(Debug, Clone, Copy)]
struct Entry {
    cid: u32,
    last_use: u64,
}

/// Allocated channels.
#[derive(Debug)]
pub(super) struct ChannelTable {
    max: usize,
    live: Vec<Entry>,
    clock: u64,
    /// The last CID handed out; CIDs are issued in order from 1.
    issued: u32,
    /// CIDs `1..=adoptable_up_to` were issued before the last power cycle.
    adoptable_up_to: u32,
}

impl ChannelTable {
    /// An empty table holding at most `max` channels (at least one).
    pub(super) fn new(max: usize) -> Self {
        Self { max: max.max(1), live: Vec::new(), clock: 0, issued: 0, adoptable_up_to: 0 }
    }

    /// How many channels are live.
    pub(super) fn len(&self) -> usize {
        self.live.len()
    }

    /// Whether `cid` is live.
    pub(super) fn is_live(&self, cid: u32) -> bool {
        self.live.iter().any(|entry| entry.cid == cid)
    }

    /// Records a use of `cid`, adopting it if this device issued it before the last power cycle.
    ///
    /// Simulator clients keep their CID across the power-cycle packet, as a host keeps its
    /// handle across a USB re-enumeration it did not notice, so those CIDs stay usable; a CID
    /// this device never issued is ERR_INVALID_CHANNEL. `pinned` channels are never evicted.
    pub(super) fn touch(&mut self, cid: u32, pinned: &[u32]) -> Result<(), HidError> {
        self.clock += 1;
        if let Some(entry) = self.live.iter_mut().find(|entry| entry.cid == cid) {
            entry.last_use = self.clock;
            return Ok(());
        }
        if cid == RESERVED_CID || cid == BROADCAST_CID || cid > self.adoptable_up_to {
            return Err(HidError::InvalidChannel);
        }
        self.insert(cid, pinned)
    }

    /// Allocates a fresh channel, evicting the least recently used one if the table is full.
    ///
    /// CTAP 2.1 §11.2.3: CID 0 is reserved and 0xffffffff is the broadcast channel; neither is
    /// ever handed out. Fails with ERR_CHANNEL_BUSY only when every live channel is pinned.
    pub(super) fn allocate(&mut self, pinned: &[u32]) -> Result<u32, HidError> {
        let mut candidate = self.issued;
        let cid = loop {
            candidate = candidate.wrapping_add(1);
            if candidate != RESERVED_CID && candidate != BROADCAST_CID && !self.is_live(candidate) {
                break candidate;
            }
        };
        self.clock += 1;
        self.insert(cid, pinned)?;
        self.issued = cid;
        Ok(cid)
    }

    /// Forgets every live channel but remembers which CIDs were issued, so they can be adopted.
    pub(super) fn power_cycle(&mut self) {
        self.live.clear();
        self.adoptable_up_to = self.adoptable_up_to.max(self.issued);
    }

    fn insert(&mut self, cid: u32, pinned: &[u32]) -> Result<(), HidError> {
        if self.live.len() >= self.max {
            let victim = self
                .live
                .iter()
                .enumerate()
                .filter(|(_, entry)| !pinned.contains(&entry.cid))
                .min_by_key(|(_, entry)| entry.last_use)
                .map(|(index, _)| index)
                .ok_or(HidError::ChannelBusy)?;
            self.live.swap_remove(victim);
        }
        self.live.push(Entry { cid, last_use: self.clock });
        Ok(())
    }
}

#[cfg(test)]
mod tests;
