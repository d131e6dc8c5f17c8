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
    /// CIDs live before a power cycle, most recent last, adopted on their next use.
    adoptable: Vec<u32>,
}

/// How many CIDs from before power cycles stay adoptable.
const MAX_ADOPTABLE: usize = 64;

impl ChannelTable {
    /// An empty table holding at most `max` channels (at least one).
    pub(super) fn new(max: usize) -> Self {
        Self { max: max.max(1), live: Vec::new(), clock: 0, adoptable: Vec::new() }
    }

    /// How many channels are live.
    pub(super) fn len(&self) -> usize {
        self.live.len()
    }

    /// Whether `cid` is live.
    pub(super) fn is_live(&self, cid: u32) -> bool {
        self.live.iter().any(|entry| entry.cid == cid)
    }

    /// Whether `cid` is live, or adoptable after a power cycle.
    pub(super) fn knows(&self, cid: u32) -> bool {
        self.is_live(cid) || self.adoptable.contains(&cid)
    }

    /// Records a use of `cid`, adopting it if it was live before a power cycle.
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
        let Some(index) = self.adoptable.iter().position(|&known| known == cid) else {
            return Err(HidError::InvalidChannel);
        };
        self.insert(cid, pinned)?;
        self.adoptable.remove(index);
        Ok(())
    }

    /// Allocates a fresh channel, evicting the least recently used one if the table is full.
    ///
    /// CTAP 2.1 §11.2.9.1.3 leaves the choice of CID to the device: it is drawn at random, so
    /// that another client cannot guess a channel it was not given. CTAP 2.1 §11.2.3: CID 0 is
    /// reserved and 0xffffffff is the broadcast channel; neither is ever handed out, nor a CID
    /// that is live or adoptable. Fails with ERR_CHANNEL_BUSY only when every live channel is
    /// pinned.
    pub(super) fn allocate(&mut self, pinned: &[u32]) -> Result<u32, HidError> {
        let cid = loop {
            let candidate: u32 = rand::random();
            if candidate != RESERVED_CID
                && candidate != BROADCAST_CID
                && !self.is_live(candidate)
                && !self.adoptable.contains(&candidate)
            {
                break candidate;
            }
        };
        self.clock += 1;
        self.insert(cid, pinned)?;
        Ok(cid)
    }

    /// Forgets the live channel `cid` unless it is `pinned`: whether it was forgotten. Its CID
    /// is not kept for adoption: the channel is over.
    pub(super) fn release(&mut self, cid: u32, pinned: &[u32]) -> bool {
        if pinned.contains(&cid) {
            return false;
        }
        let before = self.live.len();
        self.live.retain(|entry| entry.cid != cid);
        self.live.len() < before
    }

    /// Forgets every live channel but remembers their CIDs, so their clients can go on using
    /// them.
    pub(super) fn power_cycle(&mut self) {
        let mut live: Vec<Entry> = std::mem::take(&mut self.live);
        live.sort_by_key(|entry| entry.last_use);
        self.adoptable.retain(|cid| !live.iter().any(|entry| entry.cid == *cid));
        self.adoptable.extend(live.iter().map(|entry| entry.cid));
        let excess = self.adoptable.len().saturating_sub(MAX_ADOPTABLE);
        self.adoptable.drain(..excess);
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
