//! Proof Key for Code Exchange (RFC 7636), S256 only: `plain` is refused, as OAuth 2.0 Security
//! BCP (RFC 9700 §2.1.1) recommends.

use base64ct::{Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Why a PKCE value is not acceptable (each maps to an OAuth `invalid_request` or
/// `invalid_grant`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PkceError {
    /// No code_challenge in the authorization request (PKCE is required).
    #[error("code_challenge is required")]
    MissingChallenge,
    /// code_challenge_method other than S256.
    #[error("code_challenge_method must be S256")]
    UnsupportedMethod,
    /// A challenge that is not 43 base64url characters (a SHA-256 digest).
    #[error("code_challenge must be the base64url SHA-256 of the verifier (43 characters)")]
    MalformedChallenge,
    /// A verifier outside RFC 7636 §4.1 (43–128 unreserved characters).
    #[error("code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]")]
    MalformedVerifier,
    /// The verifier does not hash to the challenge.
    #[error("code_verifier does not match the code_challenge")]
    Mismatch,
}

/// A checked S256 code challenge.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CodeChallenge(String);

impl CodeChallenge {
    /// RFC 7636 §4.3: the challenge and its method from the authorization request.
    pub fn from_request(challenge: Option<&str>, method: Option<&str>) -> Result<Self, PkceError> {
        let challenge = challenge.ok_or(PkceError::MissingChallenge)?;
        // §4.3: the method defaults to "plain" when absent, which this provider refuses.
        if method != Some("S256") {
            return Err(PkceError::UnsupportedMethod);
        }
        let decoded = Base64UrlUnpadded::decode_vec(challenge).map_err(|_| PkceError::MalformedChallenge)?;
        if decoded.len() != 32 {
            return Err(PkceError::MalformedChallenge);
        }
        Ok(Self(challenge.to_owned()))
    }

    /// RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge.
    pub fn verify(&self, verifier: &str) -> Result<(), PkceError> {
        let valid = (43..=128).contains(&verifier.len())
            && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
        if !valid {
            return Err(PkceError::MalformedVerifier);
        }
        let computed = Base64UrlUnpadded::encode_string(&Sha256::digest(verifier.as_bytes()));
        if bool::from(computed.as_bytes().ct_eq(self.0.as_bytes())) {
            Ok(())
        } else {
            Err(PkceError::Mismatch)
        }
    }

    /// The challenge as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests;
