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
use ciborium::Value;
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use p256::elliptic_curve::Generate;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::{PublicKey, SecretKey};
use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub use crate::proto::pin_uv_auth::PinUvAuthProtocol;

type HmacSha256 = Hmac<Sha256>;
type Aes256CbcEnc = cbc::Encryptor<Aes256>;
type Aes256CbcDec = cbc::Decryptor<Aes256>;

/// AES block length, which is also the protocol Two IV length.
const BLOCK_LEN: usize = 16;
/// Length of an HMAC-SHA-256 output, of each derived key, and of a pinUvAuthToken.
const KEY_LEN: usize = 32;

/// COSE_Key labels and values used by the key agreement key (RFC 9052/9053, CTAP 2.1 §6.5.6).
mod cose {
    pub(super) const KTY: i64 = 1;
    pub(super) const ALG: i64 = 3;
    pub(super) const CRV: i64 = -1;
    pub(super) const X: i64 = -2;
    pub(super) const Y: i64 = -3;
    /// kty: EC2.
    pub(super) const KTY_EC2: i64 = 2;
    /// crv: P-256.
    pub(super) const CRV_P256: i64 = 1;
    /// alg: ECDH-ES+HKDF-256, what getPublicKey() advertises.
    pub(super) const ALG_ECDH_ES_HKDF_256: i64 = -25;
    /// alg: ES256. Some libfido2/OpenSSH versions sent this in keyAgreement; OpenSK accepts it
    /// too (google/OpenSK#90), so we do.
    pub(super) const ALG_ES256: i64 = -7;
}

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

/// The authenticator's key agreement key: an ECDH P-256 key pair.
///
/// Create one with [`KeyAgreementKey::generate`] at power-up (the abstract `initialize()`) and
/// replace it with a fresh one wherever the spec calls `regenerate()` (§6.5.4). The same key
/// serves every `getKeyAgreement` until then, so it is a static key, not an ephemeral one.
#[derive(Clone)]
pub struct KeyAgreementKey {
    secret: SecretKey,
    /// The public key, derived once: every `getKeyAgreement` returns it.
    public: PublicKey,
}

impl fmt::Debug for KeyAgreementKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyAgreementKey").field("public", &self.public).finish_non_exhaustive()
    }
}

impl KeyAgreementKey {
    /// Generates a fresh key pair from the thread-local CSPRNG.
    #[must_use]
    pub fn generate() -> Self {
        Self::from_secret(SecretKey::generate_from_rng(&mut rand::rng()))
    }

    fn from_secret(secret: SecretKey) -> Self {
        Self { public: secret.public_key(), secret }
    }

    /// getPublicKey() (§6.5.6): the public key as the COSE_Key returned in `keyAgreement`,
    /// `{1: 2, 3: -25, -1: 1, -2: x, -3: y}`, with the labels in that order.
    #[must_use]
    pub fn cose_public_key(&self) -> Value {
        let point = self.public.as_affine();
        let int = |v: i64| Value::Integer(v.into());
        Value::Map(vec![
            (int(cose::KTY), int(cose::KTY_EC2)),
            (int(cose::ALG), int(cose::ALG_ECDH_ES_HKDF_256)),
            (int(cose::CRV), int(cose::CRV_P256)),
            (int(cose::X), Value::Bytes(point.x().to_vec())),
            (int(cose::Y), Value::Bytes(point.y().to_vec())),
        ])
    }

    /// decapsulate(peerCoseKey) / ecdh(peerCoseKey) (§6.5.6, §6.5.7): the secret shared with
    /// the platform whose `keyAgreement` is `peer_cose_key`.
    ///
    /// # Errors
    /// [`ProtocolError::InvalidKey`] if `peer_cose_key` is not an EC2 P-256 COSE_Key with
    /// 32-byte coordinates of a point on the curve.
    pub fn shared_secret(
        &self,
        protocol: PinUvAuthProtocol,
        peer_cose_key: &Value,
    ) -> Result<SharedSecret, ProtocolError> {
        // ecdh step 1: "Parse peerCoseKey ... and produce a P-256 point, Y. If unsuccessful,
        // or if the resulting point is not on the curve, return error."
        let peer = parse_peer_cose_key(peer_cose_key)?;
        // ecdh steps 2-3: "Calculate xY, the shared point. Let Z be the 32-byte, big-endian
        // encoding of the x-coordinate of the shared point."
        let shared = p256::ecdh::diffie_hellman(self.secret.to_nonzero_scalar(), peer.as_affine());
        let z = shared.raw_secret_bytes();
        // ecdh step 4: "Return kdf(Z)."
        Ok(SharedSecret::derive(protocol, z))
    }
}

/// Parses the platform's `keyAgreement` COSE_Key into a P-256 public key.
fn parse_peer_cose_key(key: &Value) -> Result<PublicKey, ProtocolError> {
    let Value::Map(entries) = key else { return Err(ProtocolError::InvalidKey) };
    let (mut kty, mut alg, mut crv, mut x, mut y) = (None, None, None, None, None);
    for (label, value) in entries {
        // Labels other than integers, and integer labels we do not use, are ignored.
        let Some(label) = label.as_integer().and_then(|i| i64::try_from(i).ok()) else { continue };
        let slot = match label {
            cose::KTY => &mut kty,
            cose::ALG => &mut alg,
            cose::CRV => &mut crv,
            cose::X => &mut x,
            cose::Y => &mut y,
            _ => continue,
        };
        // A label given twice makes the key ambiguous.
        if slot.replace(value).is_some() {
            return Err(ProtocolError::InvalidKey);
        }
    }
    let int_is = |v: Option<&Value>, want: i64| v.and_then(Value::as_integer) == Some(want.into());
    if !int_is(kty, cose::KTY_EC2) || !int_is(crv, cose::CRV_P256) {
        return Err(ProtocolError::InvalidKey);
    }
    if alg.is_some() && !int_is(alg, cose::ALG_ECDH_ES_HKDF_256) && !int_is(alg, cose::ALG_ES256) {
        return Err(ProtocolError::InvalidKey);
    }
    fn coordinate(v: Option<&Value>) -> Result<&[u8], ProtocolError> {
        match v.and_then(Value::as_bytes) {
            Some(bytes) if bytes.len() == KEY_LEN => Ok(bytes),
            _ => Err(ProtocolError::InvalidKey),
        }
    }
    let (x, y) = (coordinate(x)?, coordinate(y)?);
    let mut sec1 = [0u8; 1 + 2 * KEY_LEN];
    sec1[0] = 0x04; // SEC1 uncompressed point.
    sec1[1..=KEY_LEN].copy_from_slice(x);
    sec1[1 + KEY_LEN..].copy_from_slice(y);
    // Rejects coordinates >= p, points off the curve, and the identity.
    PublicKey::from_sec1_bytes(&sec1).map_err(|_| ProtocolError::InvalidKey)
}

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
    fn derive(protocol: PinUvAuthProtocol, z: &[u8]) -> Self {
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
