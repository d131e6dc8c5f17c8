//! Credential key pairs: generation, COSE public keys, signatures (ES256 and EdDSA).

use ciborium::Value;
use ed25519_dalek::Signer as _;
use p256::elliptic_curve::Generate;
use p256::elliptic_curve::ff::PrimeField as _;
use sha2::{Digest, Sha256};

use crate::config::Algorithm;
use crate::proto::StatusCode;
use crate::proto::cbor::MapBuilder;

/// A credential's private key.
#[derive(Clone)]
pub enum PrivateKey {
    /// ECDSA P-256 (COSE -7). Only the secret scalar is kept: signing needs nothing else, and
    /// deriving the public key (a scalar multiplication) on every credential-ID unwrap would
    /// double the cost of an assertion.
    Es256(p256::NonZeroScalar),
    /// Ed25519 (COSE -8).
    EdDsa(ed25519_dalek::SigningKey),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey({:?}, ..)", self.algorithm())
    }
}

impl PrivateKey {
    /// A fresh key for `algorithm` from the operating system's CSPRNG.
    pub fn generate(algorithm: Algorithm) -> Self {
        let mut rng = rand::rng();
        match algorithm {
            Algorithm::Es256 => Self::Es256(p256::NonZeroScalar::generate_from_rng(&mut rng)),
            Algorithm::EdDsa => Self::EdDsa(ed25519_dalek::SigningKey::generate(&mut rng)),
        }
    }

    /// Restores a key from [`PrivateKey::to_bytes`] output.
    pub fn from_bytes(algorithm: Algorithm, bytes: &[u8]) -> Result<Self, StatusCode> {
        match algorithm {
            Algorithm::Es256 => p256::NonZeroScalar::try_from(bytes)
                .map(Self::Es256)
                .map_err(|_| StatusCode::InvalidCredential),
            Algorithm::EdDsa => {
                let secret: [u8; 32] = bytes.try_into().map_err(|_| StatusCode::InvalidCredential)?;
                Ok(Self::EdDsa(ed25519_dalek::SigningKey::from_bytes(&secret)))
            }
        }
    }

    /// The 32-byte secret scalar or seed.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Self::Es256(scalar) => scalar.to_repr().to_vec(),
            Self::EdDsa(key) => key.to_bytes().to_vec(),
        }
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Self::Es256(_) => Algorithm::Es256,
            Self::EdDsa(_) => Algorithm::EdDsa,
        }
    }

    /// The public key as a COSE_Key (RFC 9053 §7.1.1 EC2, RFC 8037 §2 OKP).
    pub fn cose_public_key(&self) -> Value {
        match self {
            Self::Es256(scalar) => {
                es256_cose_key(&p256::ecdsa::VerifyingKey::from(p256::PublicKey::from_secret_scalar(scalar)))
            }
            Self::EdDsa(key) => MapBuilder::new()
                .insert(1, 1) // kty: OKP
                .insert(3, Algorithm::EdDsa.cose_id()) // alg: EdDSA
                .insert(-1, 6) // crv: Ed25519
                .insert(-2, Value::Bytes(key.verifying_key().to_bytes().to_vec()))
                .build(),
        }
    }

    /// Signs `message`: an ASN.1 DER ECDSA signature for ES256, a raw 64-byte one for EdDSA
    /// (the encodings WebAuthn L3 §6.5.5 asks for).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            Self::Es256(scalar) => {
                // ECDSA with RFC 6979 deterministic nonces over SHA-256(message) (ES256).
                let digest = Sha256::digest(message);
                let (signature, _) =
                    ecdsa::hazmat::sign_prehashed_rfc6979::<p256::NistP256, Sha256>(scalar, &digest, &[]);
                signature.to_der().to_bytes().to_vec()
            }
            Self::EdDsa(key) => {
                let signature: ed25519_dalek::Signature = key.sign(message);
                signature.to_bytes().to_vec()
            }
        }
    }
}

/// A P-256 public key as a COSE_Key with alg ES256.
pub fn es256_cose_key(key: &p256::ecdsa::VerifyingKey) -> Value {
    let point = key.to_sec1_point(false);
    let coordinate = |c: Option<&[u8]>| Value::Bytes(c.map(<[u8]>::to_vec).unwrap_or_default());
    MapBuilder::new()
        .insert(1, 2) // kty: EC2
        .insert(3, Algorithm::Es256.cose_id()) // alg: ES256
        .insert(-1, 1) // crv: P-256
        .insert(-2, coordinate(point.x().map(|x| x.as_slice())))
        .insert(-3, coordinate(point.y().map(|y| y.as_slice())))
        .build()
}

#[cfg(test)]
mod tests;
