//! ID tokens (OIDC Core §2) signed with ES256, and the JWKS that publishes the key (RFC 7517).

use base64ct::{Base64UrlUnpadded, Encoding};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::policy::{Acr, Amr, AuthContext};

/// The claims of an ID token (OIDC Core §2), amr and acr included.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IdTokenClaims {
    /// Issuer.
    pub iss: String,
    /// Subject.
    pub sub: String,
    /// Audience: the client_id.
    pub aud: String,
    /// Expiry (seconds since the epoch).
    pub exp: u64,
    /// Issued at.
    pub iat: u64,
    /// When the user authenticated.
    pub auth_time: u64,
    /// The nonce of the authorization request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The achieved acr (absent for a password-only sign-in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acr: Option<Acr>,
    /// The amr values (RFC 8176), sorted; the claim is left out when there are none (only a
    /// profile of another IdP, `keycloak-default`, gives none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<Amr>,
}

impl IdTokenClaims {
    /// Claims for a subject authenticated with `context`, valid for `lifetime_seconds` from `now`.
    pub fn new(
        issuer: &str,
        subject: &str,
        client_id: &str,
        context: &AuthContext,
        times: TokenTimes,
        nonce: Option<String>,
    ) -> Self {
        Self {
            iss: issuer.to_owned(),
            sub: subject.to_owned(),
            aud: client_id.to_owned(),
            exp: times.now + times.lifetime_seconds,
            iat: times.now,
            auth_time: times.auth_time,
            nonce,
            acr: context.acr,
            amr: context.amr.clone(),
        }
    }
}

/// The times an ID token states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenTimes {
    /// Now, in seconds since the epoch.
    pub now: u64,
    /// When the user authenticated.
    pub auth_time: u64,
    /// How long the token is valid.
    pub lifetime_seconds: u64,
}

/// Why a token could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum IdTokenError {
    /// The claims could not be encoded as JSON.
    #[error("encoding the claims: {0}")]
    Claims(#[from] serde_json::Error),
}

/// The provider's ES256 signing key, its key ID, its public JWK, and the encoded JWS header.
///
/// The JWS is assembled here (RFC 7515 §7.1 compact serialization, RFC 7518 §3.4 ES256) rather
/// than by `jsonwebtoken::encode`, which re-parses the PKCS#8 key and derives the public key on
/// every call: signing directly is about six times faster, and the matrix issues tens of
/// thousands of tokens. `jsonwebtoken` still verifies them in the tests, and `openidconnect`
/// in the end-to-end tests and the matrix.
pub struct SigningKeys {
    kid: String,
    key: SigningKey,
    jwk: Value,
    header: String,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl SigningKeys {
    /// Keys from a P-256 signing key.
    pub fn new(key: &SigningKey) -> Result<Self, IdTokenError> {
        let point = key.verifying_key().to_sec1_point(false);
        let coordinate = |c: Option<&[u8]>| Base64UrlUnpadded::encode_string(c.unwrap_or_default());
        let x = coordinate(point.x().map(|x| x.as_slice()));
        let y = coordinate(point.y().map(|y| y.as_slice()));
        // RFC 7638: the thumbprint hashes the required members in lexicographic order.
        let thumbprint_input = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
        let kid = Base64UrlUnpadded::encode_string(&Sha256::digest(thumbprint_input.as_bytes()));
        let jwk =
            json!({ "kty": "EC", "crv": "P-256", "x": x, "y": y, "use": "sig", "alg": "ES256", "kid": kid });
        let header = json!({ "alg": "ES256", "typ": "JWT", "kid": kid });
        let header = Base64UrlUnpadded::encode_string(&serde_json::to_vec(&header)?);
        Ok(Self { kid, key: key.clone(), jwk, header })
    }

    /// The key ID (its RFC 7638 thumbprint).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The JWK Set document served at the jwks_uri.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.jwk] })
    }

    /// Signs ID token claims as a compact JWS with ES256.
    pub fn sign(&self, claims: &IdTokenClaims) -> Result<String, IdTokenError> {
        let payload = Base64UrlUnpadded::encode_string(&serde_json::to_vec(claims)?);
        let signing_input = format!("{}.{payload}", self.header);
        // ES256: ECDSA P-256 over SHA-256 of the signing input, R || S (RFC 7518 §3.4).
        let signature: Signature = self.key.sign(signing_input.as_bytes());
        Ok(format!("{signing_input}.{}", Base64UrlUnpadded::encode_string(&signature.to_bytes())))
    }
}

#[cfg(test)]
mod tests;
