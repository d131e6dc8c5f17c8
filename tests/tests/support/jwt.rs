//! private_key_jwt (RFC 7523 §2.2, OIDC Core §9): a client's P-256 key, its public JWK for the
//! IdP's configuration, and ES256 client assertions signed by hand (JWS compact, RFC 7515 §7.1).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64ct::{Base64UrlUnpadded, Encoding};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::Generate;
use serde_json::{Value, json};

/// The `client_assertion_type` of RFC 7523 §2.2.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A client's signing key.
pub struct ClientKey {
    key: SigningKey,
    /// The key ID, in the JWK and in each assertion's header.
    pub kid: String,
}

static JTI: AtomicU64 = AtomicU64::new(0);

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs()
}

/// A fresh, unique `jti`.
pub fn fresh_jti() -> String {
    format!("jti-{}-{}", JTI.fetch_add(1, Ordering::Relaxed), hex::encode(rand::random::<[u8; 8]>()))
}

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

impl ClientKey {
    /// A new random key.
    pub fn generate(kid: &str) -> Self {
        Self { key: SigningKey::generate_from_rng(&mut rand::rng()), kid: kid.to_owned() }
    }

    /// The public JWK (RFC 7517, RFC 7518 §6.2.1).
    pub fn public_jwk(&self) -> Value {
        let point = self.key.verifying_key().to_sec1_point(false);
        let x = b64(point.x().expect("an uncompressed point has x"));
        let y = b64(point.y().expect("an uncompressed point has y"));
        json!({ "kty": "EC", "crv": "P-256", "x": x, "y": y, "use": "sig", "alg": "ES256", "kid": self.kid })
    }

    /// A client assertion of `client_id` for `aud`, with `jti`, valid for a minute.
    pub fn assertion(&self, client_id: &str, aud: &str, jti: &str) -> String {
        let now = now();
        self.sign(&json!({
            "iss": client_id, "sub": client_id, "aud": aud, "jti": jti, "iat": now, "exp": now + 60,
        }))
    }

    /// Signs `claims` as an ES256 JWS.
    pub fn sign(&self, claims: &Value) -> String {
        let header = json!({ "alg": "ES256", "typ": "JWT", "kid": self.kid });
        let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
        let signature: Signature = self.key.sign(input.as_bytes());
        format!("{input}.{}", b64(&signature.to_bytes()))
    }
}
