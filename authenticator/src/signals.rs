//! Signals shared between a transport and a command in progress.
//!
//! CTAPHID lets the platform cancel a pending request (CTAPHID_CANCEL) and expects keepalives
//! saying whether the authenticator is processing or waiting for the user (CTAPHID_KEEPALIVE).
//! The authenticator runs a command on one thread while the transport watches the wire on
//! another; these two flags are all they share.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

/// What a keepalive reports (CTAP 2.1 §11.2.9.1.7, CTAPHID_KEEPALIVE).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum KeepaliveStatus {
    /// STATUS_PROCESSING: the authenticator is still working.
    Processing = 1,
    /// STATUS_UPNEEDED: the authenticator waits for user presence.
    UpNeeded = 2,
}

/// Cancellation and status flags for one request. Cheap to clone; clones share state.
#[derive(Clone, Debug, Default)]
pub struct Signals {
    cancelled: Arc<AtomicBool>,
    waiting_for_user: Arc<AtomicU8>,
}

impl Signals {
    /// Fresh signals: not cancelled, processing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the command in progress to stop (it answers CTAP2_ERR_KEEPALIVE_CANCEL).
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    /// Whether cancellation was requested.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// Records what keepalives should report from now on.
    pub fn set_status(&self, status: KeepaliveStatus) {
        self.waiting_for_user.store(status as u8, Ordering::SeqCst);
    }

    /// What keepalives should report now.
    pub fn status(&self) -> KeepaliveStatus {
        match self.waiting_for_user.load(Ordering::SeqCst) {
            2 => KeepaliveStatus::UpNeeded,
            _ => KeepaliveStatus::Processing,
        }
    }
}
