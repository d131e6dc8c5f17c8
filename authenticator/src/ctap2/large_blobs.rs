//! authenticatorLargeBlobs (CTAP 2.1 §6.10): the serialized large-blob array, read in fragments
//! by anyone and replaced whole by a write sent in fragments, under a token with the `lbw`
//! permission when the device is protected by user verification; and the per-credential
//! largeBlobKey of the `largeBlobKey` extension (§12.3).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::Authenticator;
use super::get_info::MAX_MSG_SIZE;
use crate::config::Generation;
use crate::pin::token::Permissions;
use crate::proto::StatusCode;
use crate::proto::large_blobs::{LargeBlobFragment, LargeBlobsRequest};
use crate::proto::response::Response;

/// maxSerializedLargeBlobArray (CTAP 2.1 §6.4 member 0x0B: at least 1024).
pub const MAX_SERIALIZED_LARGE_BLOB_ARRAY: usize = 16 * 1024;
const _: () = assert!(MAX_SERIALIZED_LARGE_BLOB_ARRAY >= 1024, "CTAP 2.1 §6.4: at least 1024");

/// maxFragmentLength = maxMsgSize − 64 (CTAP 2.1 §6.10.2).
pub const MAX_FRAGMENT_LENGTH: usize = MAX_MSG_SIZE as usize - 64;

/// The trailing LEFT(SHA-256(array), 16) of a serialized large-blob array (§6.10.3).
const CHECK_LENGTH: usize = 16;

/// A write in progress (CTAP 2.1 §6.10.2 expectedLength and expectedNextOffset): power-on
/// state, lost with a power cycle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PendingWrite {
    /// expectedLength: the whole new array's length.
    expected_length: usize,
    /// The fragments received so far; expectedNextOffset is its length.
    buffer: Vec<u8>,
}

impl Authenticator {
    /// Whether this generation of key has authenticatorLargeBlobs (CTAP 2.1 §6.10 came with
    /// the final 2.1 standard).
    pub(super) fn supports_large_blobs(&self) -> bool {
        self.config.generation == Generation::Ctap21
    }

    /// authenticatorLargeBlobs (CTAP 2.1 §6.10.2).
    pub(super) fn large_blobs(&mut self, request: LargeBlobsRequest) -> Result<Response, StatusCode> {
        if !self.supports_large_blobs() {
            return Err(StatusCode::InvalidCommand);
        }
        match request {
            LargeBlobsRequest::Get { count, offset } => self.read_large_blobs(count, offset),
            LargeBlobsRequest::Set(fragment) => {
                self.write_large_blobs(fragment)?;
                Ok(Response::Empty)
            }
        }
    }

    /// The `largeBlobKey` extension input (CTAP 2.1 §12.3): whether the key is wanted. Only
    /// `true` is a valid value, and at makeCredential only for a discoverable credential
    /// (`for_credential` false): otherwise `CTAP2_ERR_INVALID_OPTION`. A key without large
    /// blobs ignores the extension, as any unsupported one.
    pub(super) fn wants_large_blob_key(&self, input: Option<bool>, rk: bool) -> Result<bool, StatusCode> {
        match input {
            _ if !self.supports_large_blobs() => Ok(false),
            None => Ok(false),
            Some(true) if rk => Ok(true),
            Some(_) => Err(StatusCode::InvalidOption),
        }
    }

    /// §6.10.2 step 3: up to `count` bytes of the array from `offset`.
    fn read_large_blobs(&self, count: u64, offset: u64) -> Result<Response, StatusCode> {
        let count = usize::try_from(count).unwrap_or(usize::MAX);
        if count > MAX_FRAGMENT_LENGTH {
            return Err(StatusCode::InvalidLength);
        }
        let array = &self.state.large_blob_array;
        let start = usize::try_from(offset).ok().filter(|&start| start <= array.len());
        let start = start.ok_or(StatusCode::InvalidParameter)?;
        let end = start.saturating_add(count).min(array.len());
        Ok(Response::LargeBlobs(array[start..end].to_vec()))
    }

    /// §6.10.2 step 4: one fragment of a new array; the last one checks the whole array's hash
    /// and commits it.
    fn write_large_blobs(&mut self, fragment: LargeBlobFragment) -> Result<(), StatusCode> {
        if fragment.data.len() > MAX_FRAGMENT_LENGTH {
            return Err(StatusCode::InvalidLength);
        }
        let offset = usize::try_from(fragment.offset).unwrap_or(usize::MAX);
        if offset == 0 {
            // Step 4.2: the first fragment announces the whole length.
            let length = fragment.length.ok_or(StatusCode::InvalidParameter)?;
            let length = usize::try_from(length).unwrap_or(usize::MAX);
            if length > MAX_SERIALIZED_LARGE_BLOB_ARRAY {
                return Err(StatusCode::LargeBlobStorageFull);
            }
            if length < 1 + CHECK_LENGTH {
                return Err(StatusCode::InvalidParameter);
            }
            self.volatile.large_blob_write =
                Some(PendingWrite { expected_length: length, buffer: Vec::new() });
        } else if fragment.length.is_some() {
            // Step 4.3: later fragments carry no length.
            return Err(StatusCode::InvalidParameter);
        }
        // Step 4.4: fragments arrive in order.
        let expected_next = self.volatile.large_blob_write.as_ref().map_or(0, |write| write.buffer.len());
        if offset != expected_next {
            return Err(StatusCode::InvalidSeq);
        }
        // Step 4.5: a device protected by user verification (or with alwaysUv) wants a token
        // with the lbw permission over 32×0xff ‖ 0x0c 0x00 ‖ uint32LE(offset) ‖ SHA-256(set).
        if self.uv_configured() || self.state.always_uv {
            self.authorize(&fragment.auth, &[], Permissions::LARGE_BLOB_WRITE)?;
        }
        let Some(write) = self.volatile.large_blob_write.as_mut() else {
            return Err(StatusCode::InvalidSeq);
        };
        // Step 4.6: nothing past the announced length.
        if offset.saturating_add(fragment.data.len()) > write.expected_length {
            return Err(StatusCode::InvalidParameter);
        }
        // Steps 4.7-4.9: append; expectedNextOffset moves on.
        write.buffer.extend_from_slice(&fragment.data);
        if write.buffer.len() < write.expected_length {
            return Ok(());
        }
        // Step 4.10: the whole array is in: its trailing 16 bytes must be the hash of the rest.
        let array = std::mem::take(&mut write.buffer);
        self.volatile.large_blob_write = None;
        if !integrity_holds(&array) {
            return Err(StatusCode::IntegrityFailure);
        }
        self.commit(|state| state.large_blob_array = array)?;
        tracing::info!(length = self.state.large_blob_array.len(), "large-blob array written");
        Ok(())
    }
}

/// Whether a serialized large-blob array ends with LEFT(SHA-256(the rest), 16) (§6.10.3).
pub fn integrity_holds(array: &[u8]) -> bool {
    let Some(split) = array.len().checked_sub(CHECK_LENGTH) else { return false };
    let (contents, check) = array.split_at(split);
    Sha256::digest(contents)[..CHECK_LENGTH] == *check
}

/// A credential's largeBlobKey (CTAP 2.1 §12.3), 32 bytes derived from the master key and the
/// credential ID so that it needs no storage and dies with the master key at reset.
pub fn large_blob_key(master_key: &[u8; 32], credential_id: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length.
    let Ok(mut mac) = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(master_key) else { return [0; 32] };
    mac.update(b"softfido largeBlobKey");
    mac.update(credential_id);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests;
