//! The cryptography of PIN/UV auth protocols One and Two (CTAP 2.1 §6.5.4, §6.5.6, §6.5.7).
//!
//! This module is pure: it knows nothing of PIN retries, token permissions or CBOR command
//! maps. It turns the platform's `keyAgreement` COSE key into a [`SharedSecret`], and that
//! secret (or a pinUvAuthToken) into the `encrypt`/`decrypt`/`authenticate`/`verify`
//! operations of the abstract protocol definition (§6.5.4).
//!
//! Every function returns a [`ProtocolError`] on bad input and never panics; the caller maps
//! the error to a CTAP status code (see [`ProtocolError`]).

use core::fmt;

use aes::Aes256;
use aes::cipher::{Block, BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

mod key_agreement;

pub use self::key_agreement::KeyAgreementKey;
pub use crate::proto::pin_uv_auth::PinUvAuthProtocol;

type HmacSha256 = Hmac<Sha256>;
type Aes256CbcEnc = cbc::Encryptor<Aes256>;
type Aes256CbcDec = cbc::Decryptor<Aes256>;

/// AES block length, which is also the protocol Two IV length.
const BLOCK_LEN: usize = 16;
/// Length of an HMAC-SHA-256 output, of each derived key, and of a pinUvAuthToken.
const KEY_LEN: usize = 32;

/// Why a PIN/UV auth protocol operation failed.
///
/// The caller maps these to status codes; the usual mapping is:
/// - [`ProtocolError::InvalidKey`] (a malformed or off-curve `keyAgreement`) to
///   `CTAP2_ERR_INVALID_PARAMETER`;
/// - [`ProtocolError::InvalidLength`] (e.g. `newPinEnc` or `saltEnc` not a whole number of
///   blocks) to `CTAP2_ERR_INVALID_PARAMETER` (or `CTAP1_ERR_INVALID_LENGTH` where a command
///   section says so);
/// - [`ProtocolError::AuthFailed`] (a `pinUvAuthParam` or `saltAuth` that does not verify) to
///   `CTAP2_ERR_PIN_AUTH_INVALID`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtocolError {
    /// An input has a length the protocol does not allow.
    InvalidLength,
    /// The peer's COSE key is malformed, of the wrong type or curve, or not on P-256.
    InvalidKey,
    /// A signature (authentication tag) did not verify.
    AuthFailed,
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InvalidLength => "invalid length for the PIN/UV auth protocol",
            Self::InvalidKey => "invalid key agreement key",
            Self::AuthFailed => "PIN/UV auth signature did not verify",
        })
    }
}

impl std::error::Error for ProtocolError {}

/// The keys derived from an ECDH exchange with the platform.
#[derive(Clone)]
enum Keys {
    /// Protocol One: SHA-256(Z), used both as the AES key and as the HMAC key.
    One([u8; KEY_LEN]),
    /// Protocol Two: the HKDF-derived HMAC key and AES key.
    Two { hmac: [u8; KEY_LEN], aes: [u8; KEY_LEN] },
}

/// A secret shared with the platform, the output of `kdf(Z)` for one protocol.
///
/// It encrypts and decrypts PINs, pinUvAuthTokens and hmac-secret salts, and authenticates
/// messages such as `pinUvAuthParam` for `setPIN`/`changePIN` and `saltAuth`.
///
/// Deliberately not `PartialEq`: compare secrets, if ever, in constant time.
#[derive(Clone)]
pub struct SharedSecret {
    keys: Keys,
}

impl fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedSecret").field("protocol", &self.protocol()).finish_non_exhaustive()
    }
}

impl SharedSecret {
    /// kdf(Z) for `protocol`.
    pub(super) fn derive(protocol: PinUvAuthProtocol, z: &[u8]) -> Self {
        let keys = match protocol {
            // §6.5.6 kdf(Z): "Return SHA-256(Z)".
            PinUvAuthProtocol::One => Keys::One(Sha256::digest(z).into()),
            // §6.5.7 kdf(Z): HKDF-SHA-256(salt = 32 zero bytes, IKM = Z, L = 32,
            // info = "CTAP2 HMAC key") || HKDF-SHA-256(..., info = "CTAP2 AES key").
            PinUvAuthProtocol::Two => {
                let hkdf = Hkdf::<Sha256>::new(Some(&[0u8; KEY_LEN]), z);
                let mut hmac = [0u8; KEY_LEN];
                let mut aes = [0u8; KEY_LEN];
                // expand fails only above 255 * 32 bytes of output; 32 bytes cannot.
                let expanded = hkdf
                    .expand(b"CTAP2 HMAC key", &mut hmac)
                    .and_then(|()| hkdf.expand(b"CTAP2 AES key", &mut aes));
                debug_assert!(expanded.is_ok());
                Keys::Two { hmac, aes }
            }
        };
        Self { keys }
    }

    /// The protocol this secret was derived for.
    #[must_use]
    pub fn protocol(&self) -> PinUvAuthProtocol {
        match self.keys {
            Keys::One(_) => PinUvAuthProtocol::One,
            Keys::Two { .. } => PinUvAuthProtocol::Two,
        }
    }

    /// The shared secret as the spec lays it out: 32 bytes for One, HMAC key || AES key
    /// (64 bytes) for Two.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        match &self.keys {
            Keys::One(key) => key.to_vec(),
            Keys::Two { hmac, aes } => [hmac.as_slice(), aes.as_slice()].concat(),
        }
    }

    /// encrypt(key, demPlaintext).
    ///
    /// One: AES-256-CBC with an all-zero IV, no padding. Two: a random 16-byte IV followed by
    /// AES-256-CBC under the AES key, no padding.
    ///
    /// # Errors
    /// [`ProtocolError::InvalidLength`] if `plaintext` is not a whole number of 16-byte blocks.
    pub fn encrypt(&self, plaintext: &[u8]) -> Result<Vec<u8>, ProtocolError> {
        match &self.keys {
            Keys::One(key) => cbc_encrypt(key, &[0u8; BLOCK_LEN], plaintext),
            Keys::Two { .. } => {
                let mut iv = [0u8; BLOCK_LEN];
                rand::rng().fill_bytes(&mut iv);
                self.encrypt_with_iv(&iv, plaintext)
            }
        }
    }

    /// Protocol Two encryption with a chosen IV, so tests can replay vectors. One ignores `iv`.
    fn encrypt_with_iv(&self, iv: &[u8; BLOCK_LEN], plaintext: &[u8]) -> Result<Vec<u8>, ProtocolError> {
        match &self.keys {
            Keys::One(key) => cbc_encrypt(key, &[0u8; BLOCK_LEN], plaintext),
            Keys::Two { aes, .. } => Ok([iv.as_slice(), &cbc_encrypt(aes, iv, plaintext)?].concat()),
        }
    }

    /// decrypt(key, demCiphertext).
    ///
    /// # Errors
    /// [`ProtocolError::InvalidLength`] if `ciphertext` is not a whole number of blocks (One),
    /// or is shorter than the 16-byte IV or not an IV plus whole blocks (Two).
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Vec<u8>, ProtocolError> {
        match &self.keys {
            Keys::One(key) => cbc_decrypt(key, &[0u8; BLOCK_LEN], ciphertext),
            Keys::Two { aes, .. } => {
                // §6.5.7 decrypt step 1: "If demCiphertext is less than 16 bytes in length,
                // return an error." Step 2: split it into the IV and the ciphertext.
                let Some((iv, ciphertext)) = ciphertext.split_first_chunk::<BLOCK_LEN>() else {
                    return Err(ProtocolError::InvalidLength);
                };
                cbc_decrypt(aes, iv, ciphertext)
            }
        }
    }

    /// authenticate(key, message): HMAC-SHA-256 of `message`, truncated to 16 bytes for One,
    /// all 32 bytes under the HMAC key for Two.
    #[must_use]
    pub fn authenticate(&self, message: &[u8]) -> Vec<u8> {
        match &self.keys {
            Keys::One(key) => authenticate_with_key(PinUvAuthProtocol::One, key, message),
            Keys::Two { hmac, .. } => authenticate_with_key(PinUvAuthProtocol::Two, hmac, message),
        }
    }

    /// verify(key, message, signature), in constant time.
    ///
    /// # Errors
    /// [`ProtocolError::AuthFailed`] if `signature` is not exactly `authenticate(message)`
    /// (including when it has the wrong length: 16 bytes for One, 32 for Two).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), ProtocolError> {
        ct_verify(&self.authenticate(message), signature)
    }
}

/// authenticate(pinUvAuthToken, message) (§6.5.6, §6.5.7): HMAC-SHA-256 keyed with the
/// token, truncated to 16 bytes for One, all 32 bytes for Two.
#[must_use]
pub fn authenticate_with_token(protocol: PinUvAuthProtocol, token: &[u8; 32], message: &[u8]) -> Vec<u8> {
    authenticate_with_key(protocol, token, message)
}

/// verify(pinUvAuthToken, message, signature), in constant time.
///
/// Whether the token is in use and carries the needed permissions is the caller's policy; this
/// only checks the MAC.
///
/// # Errors
/// [`ProtocolError::AuthFailed`] if `signature` is not exactly
/// [`authenticate_with_token`]`(protocol, token, message)`.
pub fn verify_with_token(
    protocol: PinUvAuthProtocol,
    token: &[u8; 32],
    message: &[u8],
    signature: &[u8],
) -> Result<(), ProtocolError> {
    ct_verify(&authenticate_with_key(protocol, token, message), signature)
}

/// HMAC-SHA-256(key, message), truncated for protocol One.
fn authenticate_with_key(protocol: PinUvAuthProtocol, key: &[u8; KEY_LEN], message: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length, so this never takes the error branch.
    let Ok(mut mac) = <HmacSha256 as KeyInit>::new_from_slice(key) else { return Vec::new() };
    mac.update(message);
    let mut tag = mac.finalize().into_bytes().to_vec();
    tag.truncate(protocol.tag_len());
    tag
}

/// Constant-time equality of a computed tag and a received signature. Lengths are public.
fn ct_verify(expected: &[u8], signature: &[u8]) -> Result<(), ProtocolError> {
    // An empty `expected` (unreachable) must not turn into "anything empty verifies".
    if expected.is_empty() || expected.len() != signature.len() {
        return Err(ProtocolError::AuthFailed);
    }
    if bool::from(expected.ct_eq(signature)) { Ok(()) } else { Err(ProtocolError::AuthFailed) }
}

/// Splits `data` into AES blocks, or fails if it is not a whole number of them.
fn to_blocks(data: &[u8]) -> Result<Vec<Block<Aes256>>, ProtocolError> {
    let (blocks, rest) = data.as_chunks::<BLOCK_LEN>();
    if !rest.is_empty() {
        return Err(ProtocolError::InvalidLength);
    }
    Ok(blocks.iter().map(|block| Block::<Aes256>::from(*block)).collect())
}

/// AES-256-CBC encryption without padding.
fn cbc_encrypt(
    key: &[u8; KEY_LEN],
    iv: &[u8; BLOCK_LEN],
    plaintext: &[u8],
) -> Result<Vec<u8>, ProtocolError> {
    let mut blocks = to_blocks(plaintext)?;
    Aes256CbcEnc::new(key.into(), iv.into()).encrypt_blocks(&mut blocks);
    Ok(blocks.iter().flatten().copied().collect())
}

/// AES-256-CBC decryption without padding.
fn cbc_decrypt(
    key: &[u8; KEY_LEN],
    iv: &[u8; BLOCK_LEN],
    ciphertext: &[u8],
) -> Result<Vec<u8>, ProtocolError> {
    let mut blocks = to_blocks(ciphertext)?;
    Aes256CbcDec::new(key.into(), iv.into()).decrypt_blocks(&mut blocks);
    Ok(blocks.iter().flatten().copied().collect())
}

#[cfg(test)]
mod tests;
