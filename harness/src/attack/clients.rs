//! The OAuth clients the attacks use besides the matrix's: a second confidential client (codes
//! issued to one must be useless to the other) and a `private_key_jwt` client (RFC 7523) whose
//! key is derived from a public label, so a printed configuration keeps working. Never
//! register these clients with an IdP that serves real users.

use base64ct::{Base64UrlUnpadded, Encoding};
use p256::ecdsa::SigningKey;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::idp::matrix_provider_config;

/// A second `client_secret_basic` client.
pub const OTHER_CLIENT_ID: &str = "softfido-attack-other";
/// Its secret.
pub const OTHER_CLIENT_SECRET: &str = "softfido-attack-other-secret";
/// Its redirect URI.
pub const OTHER_REDIRECT_URI: &str = "https://other.attack.softfido.test/callback";
/// A `private_key_jwt` client.
pub const JWT_CLIENT_ID: &str = "softfido-attack-jwt";
/// Its redirect URI.
pub const JWT_REDIRECT_URI: &str = "https://jwt.attack.softfido.test/callback";
/// The `kid` of its key.
pub const JWT_KEY_ID: &str = "softfido-attack-1";

/// The `private_key_jwt` client's signing key: derived from a public label, so anyone can
/// compute it. It authenticates nothing but the attacks.
pub fn jwt_client_key() -> anyhow::Result<SigningKey> {
    let seed = Sha256::digest(b"softfido attack client key, public by design");
    SigningKey::from_slice(&seed).map_err(|e| anyhow::anyhow!("the attack client's key: {e}"))
}

/// The public JWK of [`jwt_client_key`].
pub fn jwt_client_jwk() -> anyhow::Result<Value> {
    let point = jwt_client_key()?.verifying_key().to_sec1_point(false);
    let coordinate =
        |c: Option<&p256::FieldBytes>| c.map(|c| Base64UrlUnpadded::encode_string(c)).unwrap_or_default();
    Ok(json!({
        "kty": "EC",
        "crv": "P-256",
        "x": coordinate(point.x()),
        "y": coordinate(point.y()),
        "use": "sig",
        "alg": "ES256",
        "kid": JWT_KEY_ID,
    }))
}

/// The attack clients' entries of a provider configuration.
pub fn attack_clients() -> anyhow::Result<Vec<Value>> {
    Ok(vec![
        json!({
            "client_id": OTHER_CLIENT_ID,
            "redirect_uris": [OTHER_REDIRECT_URI],
            "token_endpoint_auth_method": "client_secret_basic",
            "client_secret": OTHER_CLIENT_SECRET,
        }),
        json!({
            "client_id": JWT_CLIENT_ID,
            "redirect_uris": [JWT_REDIRECT_URI],
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": { "keys": [jwt_client_jwk()?] },
        }),
    ])
}

/// The provider configuration (issuer, the matrix's client and the attack clients) for
/// `softfido serve --config`, to attack it with `--rp-url`.
pub fn attack_provider_config(issuer: &str) -> anyhow::Result<Value> {
    let mut config = matrix_provider_config(issuer);
    if let Some(list) = config["clients"].as_array_mut() {
        list.extend(attack_clients()?);
    }
    Ok(config)
}
