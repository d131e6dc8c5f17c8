//! A file store written atomically: temporary file, fsync, rename, fsync of the directory.

use std::fs::{self, File};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use super::{CredentialStore, PersistentState, StoreError};

/// Persists the state as JSON in one file. A kill at any instant leaves either the previous or
/// the new file in place: the new content is written to a sibling temporary file, flushed to
/// disk, then renamed over the old one (rename is atomic within a directory on POSIX).
#[derive(Debug)]
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    /// A store backed by `path` (created on first commit).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The backing file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io_error(&self, source: std::io::Error) -> StoreError {
        StoreError::Io { path: self.path.clone(), source }
    }

    fn temp_path(&self) -> PathBuf {
        let mut name = self.path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".tmp");
        self.path.with_file_name(name)
    }
}

impl CredentialStore for FileStore {
    fn load(&mut self) -> Result<Option<PersistentState>, StoreError> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io_error(e)),
        };
        let state: PersistentState = serde_json::from_slice(&bytes)
            .map_err(|e| StoreError::Corrupt { path: self.path.clone(), reason: e.to_string() })?;
        if state.version != PersistentState::VERSION {
            return Err(StoreError::Corrupt {
                path: self.path.clone(),
                reason: format!("unsupported version {}", state.version),
            });
        }
        Ok(Some(state))
    }

    fn commit(&mut self, state: &PersistentState) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec_pretty(state)
            .map_err(|e| StoreError::Corrupt { path: self.path.clone(), reason: e.to_string() })?;
        let temp = self.temp_path();
        let write = || -> std::io::Result<()> {
            let mut file = File::create(&temp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            fs::rename(&temp, &self.path)?;
            // Make the rename itself durable.
            let dir = self.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            File::open(dir)?.sync_all()
        };
        write().map_err(|e| {
            let _ = fs::remove_file(&temp);
            self.io_error(e)
        })
    }
}

#[cfg(test)]
mod tests;
