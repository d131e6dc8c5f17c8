//! Persistent authenticator state behind a small trait, with memory and file implementations.
//!
//! The authenticator keeps its [`PersistentState`] in memory and commits a whole new snapshot
//! after every change; it adopts the change only once the commit succeeded, so a failed write
//! loses nothing and a crash leaves the old or the new snapshot, never a mix.

mod file;
mod memory;
mod state;

pub use file::FileStore;
pub use memory::MemoryStore;
pub use state::{
    DEFAULT_MIN_PIN_LENGTH, FingerprintTemplate, MAX_PIN_RETRIES, MAX_UV_RETRIES, PersistentState,
    ResidentCredential, StoredPin, empty_large_blob_array,
};

/// Why the store could not load or save.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Reading or writing the backing file failed.
    #[error("state file {path}: {source}")]
    Io {
        /// The file concerned.
        path: std::path::PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The backing file exists but is not a valid softfido state.
    #[error("state file {path} is not a softfido state: {reason}")]
    Corrupt {
        /// The file concerned.
        path: std::path::PathBuf,
        /// What the parser said.
        reason: String,
    },
    /// A commit was refused (test stores inject this).
    #[error("commit refused: {0}")]
    Refused(&'static str),
}

/// Where the authenticator's persistent state lives.
pub trait CredentialStore: Send {
    /// The last committed state, or `None` for a factory-new device.
    fn load(&mut self) -> Result<Option<PersistentState>, StoreError>;

    /// Replaces the stored state with `state`, atomically.
    fn commit(&mut self, state: &PersistentState) -> Result<(), StoreError>;
}
