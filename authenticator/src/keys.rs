//! Credential key pairs: generation, COSE public keys, signatures (ES256 and EdDSA).

use ciborium::Value;
use p256::ecdsa::signature::Signer;
use p256::elliptic_curve::Generate;

use crate::config::Algorithm;
use crate::proto::StatusCode;
use crate::proto::cbor::MapBuilder;

/// A credential's private key.
#[derive(Clone)]
pub enum PrivateKey {
    /// ECDSA P-256 (COSE -7).
    Es256(p256::ecdsa::SigningKey),
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
            Algorithm::Es256 => Self::Es256(p256::ecdsa::SigningKey::generate_from_rng(&mut rng)),
            Algorithm::EdDsa => Self::EdDsa(ed25519_dalek::SigningKey::generate(&mut rng)),
        }
    }

    /// Restores a key from [`PrivateKey::to_bytes`] output.
    pub fn from_bytes(algorithm: Algorithm, bytes: &[u8]) -> Result<Self, StatusCode> {
        match algorithm {
            Algorithm::Es256 => p256::ecdsa::SigningKey::from_slice(bytes)
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
            Self::Es256(key) => key.to_bytes().to_vec(),
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
            Self::Es256(key) => es256_cose_key(key.verifying_key()),
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
            Self::Es256(key) => {
                let signature: p256::ecdsa::DerSignature = key.sign(message);
                signature.to_bytes().to_vec()
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
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ed25519_dalek::Verifier as _;

    #[test]
    fn es256_signature_verifies_and_key_round_trips() {
        let key = PrivateKey::generate(Algorithm::Es256);
        let signature = key.sign(b"message");
        let PrivateKey::Es256(signing) = &key else { unreachable!() };
        let der = p256::ecdsa::DerSignature::from_bytes(&signature).unwrap();
        signing.verifying_key().verify(b"message", &der).unwrap();
        let restored = PrivateKey::from_bytes(Algorithm::Es256, &key.to_bytes()).unwrap();
        assert_eq!(restored.cose_public_key(), key.cose_public_key());
    }

    #[test]
    fn eddsa_signature_verifies() {
        let key = PrivateKey::generate(Algorithm::EdDsa);
        let signature = key.sign(b"message");
        let PrivateKey::EdDsa(signing) = &key else { unreachable!() };
        let signature = ed25519_dalek::Signature::from_slice(&signature).unwrap();
        signing.verifying_key().verify(b"message", &signature).unwrap();
    }

    #[test]
    fn malformed_key_bytes_are_an_invalid_credential() {
        assert_eq!(
            PrivateKey::from_bytes(Algorithm::Es256, &[0; 32]).unwrap_err(),
            StatusCode::InvalidCredential
        );
        assert_eq!(
            PrivateKey::from_bytes(Algorithm::EdDsa, &[1; 31]).unwrap_err(),
            StatusCode::InvalidCredential
        );
    }
}
