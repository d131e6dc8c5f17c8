//! The key agreement key of the PIN/UV auth protocols (CTAP 2.1 §6.5.4, §6.5.6, §6.5.7):
//! `initialize()`/`regenerate()`, `getPublicKey()` and the ECDH with the platform's
//! `keyAgreement` COSE_Key.

use core::fmt;

use ciborium::Value;
use p256::elliptic_curve::Generate;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::{PublicKey, SecretKey};

use super::{KEY_LEN, PinUvAuthProtocol, ProtocolError, SharedSecret};

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

/// The authenticator's key agreement key: an ECDH P-256 key pair.
///
/// One is made with [`KeyAgreementKey::generate`] for each power-up (the abstract
/// `initialize()`; the authenticator makes it at its first use, which no client can tell apart)
/// and replaced with a fresh one wherever the spec calls `regenerate()` (§6.5.4). The same key
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

    pub(super) fn from_secret(secret: SecretKey) -> Self {
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
