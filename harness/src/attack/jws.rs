//! Client assertions built by hand (RFC 7515 compact serialisation), honest and forged: ES256
//! with any P-256 key, an unsecured JWS (`alg: none`, RFC 7515 §A.5) and HS256 keyed with
//! whatever bytes the forger picks (the algorithm-confusion attack, RFC 8725 §2.1).

use base64ct::{Base64UrlUnpadded, Encoding};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::clients::{JWT_CLIENT_ID, JWT_KEY_ID};

/// The `client_assertion_type` of a JWT client assertion (RFC 7523 §2.2).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn encode(value: &Value) -> String {
    Base64UrlUnpadded::encode_string(value.to_string().as_bytes())
}

/// `header.payload`, the JWS signing input (RFC 7515 §5.1 step 6).
fn signing_input(header: &Value, claims: &Value) -> String {
    format!("{}.{}", encode(header), encode(claims))
}

/// The ES256 header of the attack client's key.
pub fn es256_header() -> Value {
    json!({ "alg": "ES256", "typ": "JWT", "kid": JWT_KEY_ID })
}

/// A JWS signed with ES256 by `key` (RFC 7518 §3.4: the signature is R || S).
pub fn es256(key: &SigningKey, header: &Value, claims: &Value) -> String {
    let input = signing_input(header, claims);
    let signature: Signature = key.sign(input.as_bytes());
    format!("{input}.{}", Base64UrlUnpadded::encode_string(&signature.to_bytes()))
}

/// An unsecured JWS: `alg: none` and an empty signature (RFC 7515 Appendix A.5).
pub fn unsecured(claims: &Value) -> String {
    format!("{}.", signing_input(&json!({ "alg": "none", "typ": "JWT" }), claims))
}

/// A JWS "signed" with HS256 (RFC 7518 §3.2) under `key`.
pub fn hs256(key: &[u8], claims: &Value) -> String {
    let input = signing_input(&json!({ "alg": "HS256", "typ": "JWT", "kid": JWT_KEY_ID }), claims);
    format!("{input}.{}", Base64UrlUnpadded::encode_string(&hmac_sha256(key, input.as_bytes())))
}

/// HMAC-SHA-256 (RFC 2104).
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|k| k ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().into()
}

/// The claims of an honest assertion of the attack's `private_key_jwt` client for the IdP
/// `issuer` at `now` (RFC 7523 §3): iss and sub the client, aud the issuer, a minute to live, a
/// fresh jti.
pub fn assertion_claims(issuer: &str, now: u64) -> Value {
    json!({
        "iss": JWT_CLIENT_ID,
        "sub": JWT_CLIENT_ID,
        "aud": issuer,
        "iat": now,
        "exp": now + 60,
        "jti": format!("{:032x}", rand::random::<u128>()),
    })
}

/// Seconds since the epoch by the system clock.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests;
