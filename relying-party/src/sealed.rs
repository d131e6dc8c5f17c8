//! Values the provider hands to the browser and takes back unchanged: serialised to JSON, then
//! authenticated with HMAC-SHA-256 (RFC 2104) under a key that lives as long as the process.
//!
//! An authorization request waiting for the user to sign in travels this way
//! (`/signin?request=…` → `/authorize/continue?request=…`), so waiting requests cost the server
//! no memory at all: a flood of unauthenticated `/authorize` requests fills no table and cannot
//! crowd legitimate sign-ins out. The browser sees nothing it did not already carry (the client
//! sent every parameter through it) but keyed digests ([`Sealer::digest`]) of values it must
//! not see in a URL, such as its HttpOnly session cookie: a digest under the same key reveals
//! nothing of the value and cannot be computed from it without the key. The MAC stops the
//! browser from changing any of it. Nothing is encrypted.

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

    /// A keyed digest naming `value` for `purpose`:
    /// `base64url(HMAC-SHA-256(key, 0x00 ‖ purpose ‖ 0x00 ‖ value))` (RFC 2104). Without the key
    /// it is neither linkable to `value` nor computable from it. The leading zero byte, which
    /// never starts a JSON text (RFC 8259 §2), keeps a digest from ever being a seal's tag.
    pub fn digest(&self, purpose: &str, value: &[u8]) -> String {
        let mut mac = self.keyed.clone();
        mac.update(&[0]);
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value);
        Base64UrlUnpadded::encode_string(&mac.finalize().into_bytes())
    }

    fn mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = self.keyed.clone();
        mac.update(payload);
        mac
    }
}

#[cfg(test)]
mod tests;
