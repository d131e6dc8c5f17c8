//! Values the provider hands to the browser and takes back unchanged: serialised to JSON, then
//! authenticated with HMAC-SHA-256 (RFC 2104) under a key that lives as long as the process.
//!
//! An authorization request waiting for the user to sign in travels this way
//! (`/signin?request=…` → `/authorize/continue?request=…`), so waiting requests cost the server
//! no memory at all: a flood of unauthenticated `/authorize` requests fills no table and cannot
//! crowd legitimate sign-ins out. The browser sees nothing it did not already carry (the client
//! sent every parameter through it); the MAC stops it from changing any of them.

use base64ct::{Base64UrlUnpadded, Encoding};
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;

/// Seals and opens values with one random key.
pub struct Sealer {
    /// HMAC-SHA-256 keyed once (RFC 2104: the key's inner and outer pads are hashed at
    /// construction); each seal or open continues from a copy.
    keyed: Hmac<Sha256>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer").finish_non_exhaustive()
    }
}

impl Default for Sealer {
    fn default() -> Self {
        Self::new()
    }
}

impl Sealer {
    /// A sealer with a fresh random key: what it sealed opens only in this process.
    pub fn new() -> Self {
        let key: [u8; 32] = rand::random();
        // HMAC takes a key of any length.
        let keyed = <Hmac<Sha256> as KeyInit>::new_from_slice(&key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts 32-byte keys"));
        Self { keyed }
    }

    /// `base64url(JSON) "." base64url(HMAC-SHA-256(key, JSON))`.
    pub fn seal<T: Serialize>(&self, value: &T) -> String {
        // Serialising plain data structures cannot fail; an empty payload would not open.
        let payload = serde_json::to_vec(value).unwrap_or_default();
        let tag = self.mac(&payload).finalize().into_bytes();
        format!("{}.{}", Base64UrlUnpadded::encode_string(&payload), Base64UrlUnpadded::encode_string(&tag))
    }

    /// The value, if `sealed` is exactly what [`Sealer::seal`] made (checked in constant time).
    pub fn open<T: DeserializeOwned>(&self, sealed: &str) -> Option<T> {
        let (payload, tag) = sealed.split_once('.')?;
        let payload = Base64UrlUnpadded::decode_vec(payload).ok()?;
        let tag = Base64UrlUnpadded::decode_vec(tag).ok()?;
        self.mac(&payload).verify_slice(&tag).ok()?;
        serde_json::from_slice(&payload).ok()
    }

    fn mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = self.keyed.clone();
        mac.update(payload);
        mac
    }
}

#[cfg(test)]
mod tests;
