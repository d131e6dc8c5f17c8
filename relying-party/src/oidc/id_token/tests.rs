use jsonwebtoken::{DecodingKey, Validation};
use p256::elliptic_curve::Generate;

use super::*;
use crate::policy::{Acr, Amr};

fn keys() -> SigningKeys {
    SigningKeys::new(&SigningKey::generate_from_rng(&mut rand::rng())).expect("keys")
}

fn claims(acr: Option<Acr>) -> IdTokenClaims {
    let context = AuthContext { amr: vec![Amr::Hwk, Amr::Mfa, Amr::Pin, Amr::Pop, Amr::User], acr };
    let times = TokenTimes { now: 4_000_000_000, auth_time: 3_999_999_990, lifetime_seconds: 300 };
    IdTokenClaims::new("http://localhost:8080", "user-1", "app", &context, times, Some("n-0S6".into()))
}

#[test]
fn a_signed_token_verifies_with_the_published_key() {
    let keys = keys();
    let token = keys.sign(&claims(Some(Acr::Phrh))).expect("signed");
    let jwk = &keys.jwks()["keys"][0];
    let decoding =
        DecodingKey::from_ec_components(jwk["x"].as_str().expect("x"), jwk["y"].as_str().expect("y"))
            .expect("key");
    let mut validation = Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_audience(&["app"]);
    validation.set_issuer(&["http://localhost:8080"]);
    let decoded = jsonwebtoken::decode::<Value>(&token, &decoding, &validation).expect("verifies");
    assert_eq!(decoded.header.kid.as_deref(), Some(keys.kid()));
    assert_eq!(decoded.header.typ.as_deref(), Some("JWT"));
    assert_eq!(decoded.claims["amr"], json!(["hwk", "mfa", "pin", "pop", "user"]));
    assert_eq!(decoded.claims["acr"], "phrh");
    assert_eq!(decoded.claims["nonce"], "n-0S6");
    assert_eq!(decoded.claims["auth_time"], 3_999_999_990u64);
}

#[test]
fn a_password_only_token_has_no_acr_claim() {
    let token = keys().sign(&claims(None)).expect("signed");
    let payload = token.split('.').nth(1).expect("payload");
    let json: Value =
        serde_json::from_slice(&Base64UrlUnpadded::decode_vec(payload).expect("b64")).expect("json");
    assert!(json.get("acr").is_none());
}

#[test]
fn the_kid_is_the_rfc_7638_thumbprint_and_stable() {
    let key = SigningKey::generate_from_rng(&mut rand::rng());
    let a = SigningKeys::new(&key).expect("keys");
    let b = SigningKeys::new(&key).expect("keys");
    assert_eq!(a.kid(), b.kid());
    assert_eq!(a.kid().len(), 43);
}
