//! The ID-token signing key of `softfido serve`, kept in a file so that a restart keeps the
//! tokens it issued verifiable (the JWKS publishes the same key). The file is PKCS#8 DER
//! (RFC 5958), readable by its owner only.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use p256::ecdsa::SigningKey;
use p256::elliptic_curve::Generate;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};

/// Owner read and write only.
const PRIVATE_MODE: u32 = 0o600;

/// Where the key lives by default: beside the database, none for an in-memory one.
pub fn default_path(db: &str) -> Option<PathBuf> {
    (db != ":memory:").then(|| PathBuf::from(format!("{db}.signing-key")))
}

/// The key in `path`, created there first if there is none. A symbolic link at `path` is
/// refused (`O_NOFOLLOW`), so the key is never read from or written to a file another user
/// pointed it at.
pub fn load_or_create(path: &Path) -> anyhow::Result<SigningKey> {
    match OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(path) {
        Ok(mut file) => {
            let mut der = Vec::new();
            file.read_to_end(&mut der).with_context(|| format!("reading {}", path.display()))?;
            SigningKey::from_pkcs8_der(&der)
                .map_err(|e| anyhow::anyhow!("{}: not a P-256 PKCS#8 key: {e}", path.display()))
        }
        Err(error) if error.kind() == ErrorKind::NotFound => create(path),
        Err(error) => {
            Err(error).with_context(|| format!("opening {} (a symbolic link is refused)", path.display()))
        }
    }
}

/// Writes a fresh key atomically: a new temporary file beside `path` (exclusive creation, mode
/// 0600, no symbolic link followed), written and synced, then renamed into place, and the
/// directory synced so that the rename survives a crash.
fn create(path: &Path) -> anyhow::Result<SigningKey> {
    let key = SigningKey::generate_from_rng(&mut rand::rng());
    let der = key.to_pkcs8_der().map_err(|e| anyhow::anyhow!("encoding the signing key: {e}"))?;
    let temporary = path.with_extension(format!("tmp-{:016x}", rand::random::<u64>()));
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(PRIVATE_MODE)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&temporary)
        .with_context(|| format!("creating {}", temporary.display()))?;
    let written = file.write_all(der.as_bytes()).and_then(|()| file.sync_all());
    if let Err(error) = written.and_then(|()| std::fs::rename(&temporary, path)) {
        let _ = std::fs::remove_file(&temporary);
        return Err(error).with_context(|| format!("writing {}", path.display()));
    }
    let directory = path.parent().filter(|dir| !dir.as_os_str().is_empty()).unwrap_or(Path::new("."));
    File::open(directory)
        .and_then(|dir| dir.sync_all())
        .with_context(|| format!("syncing {}", directory.display()))?;
    tracing::info!(path = %path.display(), "created a new ID-token signing key");
    Ok(key)
}

#[cfg(test)]
mod tests;
