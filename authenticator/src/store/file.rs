//! A file store written atomically: temporary file, fsync, rename, fsync of the directory.
//!
//! The state holds the master key that wraps every credential ID and the PIN's verifier, so
//! the file and its temporary sibling are readable by their owner alone (mode 0600). The
//! temporary file has a random name and is created exclusively without following symlinks, so
//! a file or symlink planted in the directory is never written through.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use super::{CredentialStore, PersistentState, StoreError};

/// Owner read and write only: the state is a secret.
const STATE_FILE_MODE: u32 = 0o600;

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

    /// A fresh, unpredictable sibling name: `.state.json.<random>.tmp`.
    fn temp_path(&self) -> PathBuf {
        let mut name = std::ffi::OsString::from(".");
        name.push(self.path.file_name().unwrap_or_default());
        name.push(format!(".{}.tmp", hex::encode(rand::random::<[u8; 8]>())));
        self.path.with_file_name(name)
    }

    /// Creates `temp` owner-only; fails rather than open anything already there (O_EXCL) or
    /// follow a symlink (O_NOFOLLOW).
    fn create_temp(temp: &Path) -> std::io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(STATE_FILE_MODE)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(temp)
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
            let mut file = Self::create_temp(&temp)?;
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
