//! Credential IDs that carry their own private key, sealed under the device master key.
//!
//! A credential ID is `version (1) || nonce (12) || AES-256-GCM(master key, nonce,
//! aad = rpIdHash, plaintext = CBOR secret)`. Binding the rpIdHash as associated data means an
//! ID presented for another RP fails to open, exactly as if it belonged to another device; a
//! reset replaces the master key and so orphans every ID issued before it.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use ciborium::Value;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::Algorithm;
use crate::keys::PrivateKey;
use crate::proto::StatusCode;
use crate::proto::cbor::{self, MapBuilder, ValueExt};

const VERSION: u8 = 0x01;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// Longest credential ID this authenticator issues; longer ones cannot be ours.
pub const MAX_CREDENTIAL_ID_LENGTH: usize = 256;

/// credProtect policy (CTAP 2.1 §12.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CredProtect {
    /// userVerificationOptional.
    UvOptional = 1,
    /// userVerificationOptionalWithCredentialIDList.
    UvOptionalWithCredentialIdList = 2,
    /// userVerificationRequired.
    UvRequired = 3,
}

impl CredProtect {
    /// The policy for an extension input value, if valid.
    pub fn from_level(level: i64) -> Option<Self> {
        match level {
            1 => Some(Self::UvOptional),
            2 => Some(Self::UvOptionalWithCredentialIdList),
            3 => Some(Self::UvRequired),
            _ => None,
        }
    }
}

/// What a credential ID carries.
#[derive(Clone, Debug)]
pub struct CredentialSecret {
    /// The credential's private key.
    pub key: PrivateKey,
    /// Its credProtect policy.
    pub cred_protect: CredProtect,
    /// Whether it is also kept in the store as a discoverable credential.
    pub discoverable: bool,
    /// Whether hmac-secret was requested at creation.
    pub hmac_secret: bool,
    /// The credBlob stored at creation (CTAP 2.1 §12.2).
    pub cred_blob: Option<Vec<u8>>,
}

impl CredentialSecret {
    fn to_cbor(&self) -> Vec<u8> {
        let map = MapBuilder::new()
            .insert(1, self.key.algorithm().cose_id())
            .insert(2, Value::Bytes(self.key.to_bytes()))
            .insert(3, self.cred_protect as i64)
            .insert(4, self.discoverable)
            .insert(5, self.hmac_secret)
            .insert_opt(6, self.cred_blob.clone().map(Value::Bytes));
        cbor::encode(&map.build())
    }

    fn from_cbor(bytes: &[u8]) -> Result<Self, StatusCode> {
        let mut map = cbor::decode_strict(bytes)?.map_value()?;
        let algorithm =
            Algorithm::from_cose_id(map.required(1)?.int_value()?).ok_or(StatusCode::InvalidCredential)?;
        let key = PrivateKey::from_bytes(algorithm, &map.required(2)?.bytes_value()?)?;
        let cred_protect =
            CredProtect::from_level(map.required(3)?.int_value()?).ok_or(StatusCode::InvalidCredential)?;
        let discoverable = map.required(4)?.bool_value()?;
        let hmac_secret = map.required(5)?.bool_value()?;
        let cred_blob = map.take(6).map(ValueExt::bytes_value).transpose()?;
        Ok(Self { key, cred_protect, discoverable, hmac_secret, cred_blob })
    }

    /// Seals this secret into a credential ID bound to `rp_id_hash`.
    pub fn seal(&self, master_key: &[u8; 32], rp_id_hash: &[u8; 32]) -> Vec<u8> {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let cipher = Aes256Gcm::new(&(*master_key).into());
        let plaintext = self.to_cbor();
        // AES-GCM encryption of a short buffer cannot fail.
        let sealed = cipher
            .encrypt(&Nonce::from(nonce), Payload { msg: &plaintext, aad: rp_id_hash })
            .unwrap_or_default();
        let mut id = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        id.push(VERSION);
        id.extend_from_slice(&nonce);
        id.extend_from_slice(&sealed);
        id
    }

    /// Opens a credential ID, or `None` when it was not issued by this device for this RP.
    pub fn open(id: &[u8], master_key: &[u8; 32], rp_id_hash: &[u8; 32]) -> Option<Self> {
        if id.len() > MAX_CREDENTIAL_ID_LENGTH || id.len() < 1 + NONCE_LEN + TAG_LEN || id[0] != VERSION {
            return None;
        }
        let nonce: [u8; NONCE_LEN] = id[1..1 + NONCE_LEN].try_into().ok()?;
        let cipher = Aes256Gcm::new(&(*master_key).into());
        let plaintext = cipher
            .decrypt(&Nonce::from(nonce), Payload { msg: &id[1 + NONCE_LEN..], aad: rp_id_hash })
            .ok()?;
        Self::from_cbor(&plaintext).ok()
    }
}

/// The per-credential secret of hmac-secret (CTAP 2.1 §12.5: CredRandomWithUV and
/// CredRandomWithoutUV), derived from the master key and the credential ID so it needs no storage.
pub fn cred_random(master_key: &[u8; 32], credential_id: &[u8], with_uv: bool) -> [u8; 32] {
    // HMAC accepts keys of any length.
    let Ok(mut mac) = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(master_key) else { return [0; 32] };
    mac.update(if with_uv { b"softfido hmac-secret with uv" } else { b"softfido hmac-secret no uv.." });
    mac.update(credential_id);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests;
