//! An in-memory store, for tests and the matrix.

use std::sync::{Arc, Mutex, MutexGuard};

use super::{CredentialStore, PersistentState, StoreError};

/// Keeps the committed state in memory. Clones share the same state, so a test can keep a
/// handle while the authenticator owns the store; [`MemoryStore::refuse_commits`] then makes
/// every later commit fail, to prove that a failed write changes nothing.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore(Arc<Mutex<Inner>>);

#[derive(Debug, Default)]
struct Inner {
    committed: Option<PersistentState>,
    refuse: bool,
}

impl MemoryStore {
    /// An empty store (a factory-new device).
    pub fn new() -> Self {
        Self::default()
    }

    /// A store holding `state`: a device with a past (a state exported from another).
    pub fn with_state(state: PersistentState) -> Self {
        Self(Arc::new(Mutex::new(Inner { committed: Some(state), refuse: false })))
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// From now on, every commit fails with [`StoreError::Refused`].
    pub fn refuse_commits(&self) {
        self.inner().refuse = true;
    }

    /// The last committed state.
    pub fn committed(&self) -> Option<PersistentState> {
        self.inner().committed.clone()
    }
}

impl CredentialStore for MemoryStore {
    fn load(&mut self) -> Result<Option<PersistentState>, StoreError> {
        Ok(self.inner().committed.clone())
    }

    fn commit(&mut self, state: &PersistentState) -> Result<(), StoreError> {
        let mut inner = self.inner();
        if inner.refuse {
            return Err(StoreError::Refused("memory store set to refuse commits"));
        }
        inner.committed = Some(state.clone());
        Ok(())
    }
}
