use std::sync::atomic::{AtomicU64, Ordering};

use base64ct::Base64UrlUnpadded;
use jsonwebtoken::{EncodingKey, Header};
use p256::ecdsa::SigningKey;
use p256::elliptic_curve::Generate;
use p256::pkcs8::EncodePrivateKey;
use serde_json::json;

use super::*;
use crate::oidc::clients::ProviderConfig;

const NOW: u64 = 4_000_000_000;
const ISSUER: &str = "http://localhost:8080";
const TOKEN_ENDPOINT: &str = "http://localhost:8080/token";
const PAR_ENDPOINT: &str = "http://localhost:8080/par";
const JWT_CLIENT: &str = "jwt-app";
const BASIC_CLIENT: &str = "basic app:1";
/// A secret that needs form-urlencoding.
const SECRET: &str = "s3cret: with spaces & symbols +%/é";

/// A P-256 key of a client: jsonwebtoken signs with it, the registry holds its public JWK.
struct TestKey {
    encoding: EncodingKey,
    jwk: Value,
}

impl TestKey {
    fn generate(kid: Option<&str>) -> Self {
        let signing = SigningKey::generate_from_rng(&mut rand::rng());
        let der = signing.to_pkcs8_der().expect("pkcs8");
        let point = signing.verifying_key().to_sec1_point(false);
        let x = Base64UrlUnpadded::encode_string(point.x().expect("x"));
        let y = Base64UrlUnpadded::encode_string(point.y().expect("y"));
        let mut jwk = json!({ "kty": "EC", "crv": "P-256", "x": x, "y": y, "use": "sig", "alg": "ES256" });
        if let Some(kid) = kid {
            jwk["kid"] = json!(kid);
        }
        Self { encoding: EncodingKey::from_ec_der(der.as_bytes()), jwk }
    }

    /// An ES256 JWT with the key's kid.
    fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = self.jwk["kid"].as_str().map(str::to_owned);
        jsonwebtoken::encode(&header, claims, &self.encoding).expect("sign")
    }
}

/// A registry with a private_key_jwt client and a client_secret_basic client, and a jti store.
struct Fixture {
    key: TestKey,
    registry: ClientRegistry,
    /// The jti store: (client_id, jti) → exp.
    seen: HashMap<(String, String), u64>,
}

impl Fixture {
    fn new() -> Self {
        Self::with_keys(TestKey::generate(Some("k1")), &[])
    }

    /// The jwt client registers `key` and the public JWKs `more`.
    fn with_keys(key: TestKey, more: &[Value]) -> Self {
        let mut keys = vec![key.jwk.clone()];
        keys.extend_from_slice(more);
        let config = json!({
            "issuer": ISSUER,
            "clients": [
                {
                    "client_id": JWT_CLIENT,
                    "redirect_uris": ["https://jwt.example/cb"],
                    "token_endpoint_auth_method": "private_key_jwt",
                    "jwks": { "keys": keys },
                },
                {
                    "client_id": BASIC_CLIENT,
                    "redirect_uris": ["https://basic.example/cb"],
                    "token_endpoint_auth_method": "client_secret_basic",
                    "client_secret": SECRET,
                },
            ],
        });
        let registry = ProviderConfig::from_json(&config.to_string()).expect("config").clients;
        Self { key, registry, seen: HashMap::new() }
    }

    fn authenticate(&mut self, request: &ClientCredentials) -> Result<ClientId, ClientAuthError> {
        let seen = &mut self.seen;
        authenticate(&self.registry, request, ISSUER, NOW, |client, jti, exp| {
            seen.insert((client.to_owned(), jti.to_owned()), exp).is_none()
        })
    }

    /// Signs the valid claims with `edit` applied (`null` removes a claim).
    fn assertion(&self, edit: Value) -> String {
        self.key.sign(&claims(edit))
    }
}

fn unique_jti() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("jti-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Valid assertion claims for the jwt client, with `edit` applied.
fn claims(edit: Value) -> Value {
    let mut claims = json!({
        "iss": JWT_CLIENT,
        "sub": JWT_CLIENT,
        "aud": ISSUER,
        "exp": NOW + 60,
        "iat": NOW,
        "jti": unique_jti(),
    });
    for (name, value) in edit.as_object().expect("edit is an object") {
        if value.is_null() {
            claims.as_object_mut().expect("object").remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    claims
}

fn jwt_request(assertion: &str) -> ClientCredentials {
    ClientCredentials {
        client_assertion_type: Some(JWT_BEARER_ASSERTION_TYPE.into()),
        client_assertion: Some(assertion.into()),
        ..ClientCredentials::default()
    }
}

/// `application/x-www-form-urlencoded`, as a client encodes Basic credentials.
fn form_urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => char::from(b).to_string(),
            b' ' => "+".into(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn basic_header(client_id: &str, secret: &str) -> String {
    let credentials = format!("{}:{}", form_urlencode(client_id), form_urlencode(secret));
    format!("Basic {}", Base64::encode_string(credentials.as_bytes()))
}

fn basic_request(client_id: &str, secret: &str) -> ClientCredentials {
    ClientCredentials { authorization: Some(basic_header(client_id, secret)), ..ClientCredentials::default() }
}

#[track_caller]
fn assert_refused(result: Result<ClientId, ClientAuthError>, error: &str, description_contains: &str) {
    let e = result.expect_err("must be refused");
    assert_eq!(e.error.as_str(), error, "{e}");
    assert!(
        e.description.contains(description_contains),
        "{:?} lacks {description_contains:?}",
        e.description
    );
}

// --- private_key_jwt ---

#[test]
fn a_valid_assertion_authenticates_the_client() {
    let mut fixture = Fixture::new();
    let token = fixture.assertion(json!({}));
    let id = fixture.authenticate(&jwt_request(&token)).expect("authenticated");
    assert_eq!(id.as_str(), JWT_CLIENT);
    // The jti is remembered with the client and exp.
    assert_eq!(fixture.seen.len(), 1);
    assert!(fixture.seen.iter().all(|((client, _), exp)| client == JWT_CLIENT && *exp == NOW + 60));
}

#[test]
fn the_audience_may_be_the_issuer_or_a_list_of_just_the_issuer() {
    let mut fixture = Fixture::new();
    for aud in [json!(ISSUER), json!([ISSUER])] {
        let token = fixture.assertion(json!({ "aud": aud }));
        fixture.authenticate(&jwt_request(&token)).expect("authenticated");
    }
}

/// draft-ietf-oauth-rfc7523bis and the OpenID Foundation's 2025 advisory: an endpoint URL, or
/// an array with any member besides the issuer, is not an audience of this provider.
#[test]
fn private_key_jwt_audience_other_than_the_issuer_is_refused() {
    let mut fixture = Fixture::new();
    for aud in [
        json!(TOKEN_ENDPOINT),
        json!(PAR_ENDPOINT),
        json!([TOKEN_ENDPOINT]),
        json!(["https://other.example", ISSUER]),
        json!([ISSUER, ISSUER]),
        json!([ISSUER, 1]),
        json!(format!("{ISSUER}/")),
    ] {
        let token = fixture.assertion(json!({ "aud": aud }));
        assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", "aud must name");
    }
}

#[test]
fn a_matching_form_client_id_is_accepted_and_a_different_one_refused() {
    let mut fixture = Fixture::new();
    let mut request = jwt_request(&fixture.assertion(json!({})));
    request.client_id = Some(JWT_CLIENT.into());
    fixture.authenticate(&request).expect("authenticated");
    // The form names the basic client, the assertion the jwt client.
    let mut request = jwt_request(&fixture.assertion(json!({})));
    request.client_id = Some(BASIC_CLIENT.into());
    assert_refused(fixture.authenticate(&request), "invalid_client", "registered for client_secret_basic");
}

#[test]
fn an_assertion_signed_with_another_key_is_refused() {
    let mut fixture = Fixture::new();
    let other = TestKey::generate(Some("k1"));
    let token = other.sign(&claims(json!({})));
    assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", "does not verify");
    assert!(fixture.seen.is_empty(), "a refused assertion does not use up its jti");
}

#[test]
fn the_kid_selects_the_key() {
    let second = TestKey::generate(Some("k2"));
    let mut fixture = Fixture::with_keys(TestKey::generate(Some("k1")), std::slice::from_ref(&second.jwk));
    // Either registered key works under its own kid.
    fixture.authenticate(&jwt_request(&second.sign(&claims(json!({}))))).expect("k2");
    fixture.authenticate(&jwt_request(&fixture.assertion(json!({})))).expect("k1");
    // A kid no key has.
    let stranger = TestKey::generate(Some("k3"));
    let token = stranger.sign(&claims(json!({})));
    assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", "kid \"k3\"");
    // The right key under the other key's kid.
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("k1".into());
    let token = jsonwebtoken::encode(&header, &claims(json!({})), &second.encoding).expect("sign");
    assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", "does not verify");
}

#[test]
fn without_kids_every_key_is_tried() {
    let second = TestKey::generate(None);
    let mut fixture = Fixture::with_keys(TestKey::generate(None), std::slice::from_ref(&second.jwk));
    fixture.authenticate(&jwt_request(&second.sign(&claims(json!({}))))).expect("second key");
    fixture.authenticate(&jwt_request(&fixture.assertion(json!({})))).expect("first key");
}

#[test]
fn hs256_is_refused_whatever_its_key() {
    let mut fixture = Fixture::new();
    // The classic confusion: the public key used as an HMAC secret.
    let public = fixture.key.jwk.to_string();
    let forged = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(json!({})),
        &EncodingKey::from_secret(public.as_bytes()),
    )
    .expect("sign");
    assert_refused(fixture.authenticate(&jwt_request(&forged)), "invalid_client", "ES256, not HS256");
    // client_secret_jwt with the basic client's secret is not supported either.
    let secret_jwt = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(json!({ "iss": BASIC_CLIENT, "sub": BASIC_CLIENT })),
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .expect("sign");
    assert_refused(fixture.authenticate(&jwt_request(&secret_jwt)), "invalid_client", "ES256, not HS256");
}

#[test]
fn unsigned_and_malformed_assertions_are_refused() {
    let mut fixture = Fixture::new();
    let unsigned = format!(
        "{}.{}.",
        Base64UrlUnpadded::encode_string(br#"{"alg":"none","typ":"JWT"}"#),
        Base64UrlUnpadded::encode_string(claims(json!({})).to_string().as_bytes())
    );
    for token in [unsigned.as_str(), "not a jwt", "a.b.c", "..", "e30.e30.", "e30"] {
        assert_refused(fixture.authenticate(&jwt_request(token)), "invalid_client", "not a well-formed JWT");
    }
    // A valid signature, then garbage: the signature no longer verifies.
    let token = format!("{}AA", fixture.assertion(json!({})));
    assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", "does not verify");
    let long = "a".repeat(MAX_ASSERTION_BYTES + 1);
    assert_refused(fixture.authenticate(&jwt_request(&long)), "invalid_request", "too long");
}

#[test]
fn a_critical_header_extension_is_refused() {
    let mut fixture = Fixture::new();
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("k1".into());
    header.crit = Some(vec!["exp".into()]);
    let token = jsonwebtoken::encode(&header, &claims(json!({})), &fixture.key.encoding).expect("sign");
    assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", "crit");
}

#[test]
fn iss_and_sub_must_be_the_client_id() {
    let mut fixture = Fixture::new();
    let cases = [
        (json!({ "iss": "someone-else" }), "iss must be"),
        (json!({ "iss": null }), "iss must be"),
        (json!({ "iss": 7 }), "iss must be a non-empty string"),
        (json!({ "sub": null, "iss": JWT_CLIENT }), "no sub"),
        (json!({ "sub": "nobody" }), "\"nobody\" is not a registered client"),
        (json!({ "sub": BASIC_CLIENT }), "registered for client_secret_basic"),
    ];
    for (edit, description) in cases {
        let token = fixture.assertion(edit);
        assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", description);
    }
    // With the client_id in the form, a different sub is caught after the signature check.
    let mut request = jwt_request(&fixture.assertion(json!({ "sub": "someone-else" })));
    request.client_id = Some(JWT_CLIENT.into());
    assert_refused(fixture.authenticate(&request), "invalid_client", "sub must be");
}

#[test]
fn the_audience_must_name_this_provider() {
    let mut fixture = Fixture::new();
    for aud in [json!("https://other.example/token"), json!([]), json!(["https://other.example"])] {
        let token = fixture.assertion(json!({ "aud": aud }));
        assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", "aud must name");
    }
    let token = fixture.assertion(json!({ "aud": null }));
    assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", "no aud");
    let token = fixture.assertion(json!({ "aud": 1 }));
    assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", "aud must be a string");
    // The PAR endpoint's URL is not an audience of the token endpoint.
    let token = fixture.assertion(json!({ "aud": PAR_ENDPOINT }));
    assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", "aud must name");
}

#[test]
fn an_expired_assertion_is_refused_beyond_the_leeway() {
    let mut fixture = Fixture::new();
    let token = fixture.assertion(json!({ "exp": NOW - LEEWAY_SECONDS, "iat": NOW - 120 }));
    assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", "expired");
    let token = fixture.assertion(json!({ "exp": NOW - LEEWAY_SECONDS + 1, "iat": NOW - 120 }));
    fixture.authenticate(&jwt_request(&token)).expect("within the leeway");
}

#[test]
fn exp_is_required_and_a_number() {
    let mut fixture = Fixture::new();
    let token = fixture.assertion(json!({ "exp": null }));
    assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", "no exp");
    for exp in [json!("4000000060"), json!(-1), json!(true)] {
        let token = fixture.assertion(json!({ "exp": exp }));
        assert_refused(
            fixture.authenticate(&jwt_request(&token)),
            "invalid_client",
            "exp must be a NumericDate",
        );
    }
    // RFC 7519 §2: a NumericDate may have a fraction.
    let token = fixture.assertion(json!({ "exp": (NOW + 60) as f64 + 0.5 }));
    fixture.authenticate(&jwt_request(&token)).expect("fractional exp");
}

#[test]
fn iat_and_nbf_must_not_be_in_the_future() {
    let mut fixture = Fixture::new();
    let token = fixture.assertion(json!({ "iat": NOW + LEEWAY_SECONDS + 1, "exp": NOW + 120 }));
    assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", "in the future");
    let token = fixture.assertion(json!({ "nbf": NOW + LEEWAY_SECONDS + 1 }));
    assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", "not valid before");
    let token = fixture.assertion(json!({ "iat": NOW + 30, "nbf": NOW + 30 }));
    fixture.authenticate(&jwt_request(&token)).expect("within the leeway");
    let token = fixture.assertion(json!({ "iat": null }));
    fixture.authenticate(&jwt_request(&token)).expect("iat is optional");
}

#[test]
fn a_long_lived_assertion_is_refused() {
    let mut fixture = Fixture::new();
    let token = fixture.assertion(json!({ "exp": NOW + MAX_ASSERTION_LIFETIME_SECONDS + 1 }));
    assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", "lifetime");
    // Without iat, the lifetime counts from now.
    let token = fixture.assertion(json!({ "iat": null, "exp": NOW + MAX_ASSERTION_LIFETIME_SECONDS + 1 }));
    assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", "lifetime");
    let token = fixture.assertion(json!({ "exp": NOW + MAX_ASSERTION_LIFETIME_SECONDS }));
    fixture.authenticate(&jwt_request(&token)).expect("the longest lifetime");
}

#[test]
fn jti_is_required() {
    let mut fixture = Fixture::new();
    let token = fixture.assertion(json!({ "jti": null }));
    assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", "no jti");
    let token = fixture.assertion(json!({ "jti": "" }));
    assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", "jti must be");
}

#[test]
fn a_replayed_assertion_is_refused() {
    let mut fixture = Fixture::new();
    let token = fixture.assertion(json!({}));
    fixture.authenticate(&jwt_request(&token)).expect("first use");
    assert_refused(fixture.authenticate(&jwt_request(&token)), "invalid_client", "replayed");
    // Another assertion with the same jti is a replay too.
    let jti = fixture.seen.keys().next().map(|(_, jti)| jti.clone()).expect("remembered");
    let again = fixture.assertion(json!({ "jti": jti, "exp": NOW + 90 }));
    assert_refused(fixture.authenticate(&jwt_request(&again)), "invalid_client", "replayed");
}

#[test]
fn the_assertion_type_must_be_jwt_bearer() {
    let mut fixture = Fixture::new();
    let token = fixture.assertion(json!({}));
    let mut request = jwt_request(&token);
    request.client_assertion_type = Some("urn:ietf:params:oauth:client-assertion-type:saml2-bearer".into());
    assert_refused(fixture.authenticate(&request), "invalid_client", "not supported");
    request.client_assertion_type = None;
    assert_refused(fixture.authenticate(&request), "invalid_request", "client_assertion_type is required");
    let type_only = ClientCredentials {
        client_assertion_type: Some(JWT_BEARER_ASSERTION_TYPE.into()),
        ..ClientCredentials::default()
    };
    assert_refused(fixture.authenticate(&type_only), "invalid_request", "client_assertion is required");
}

#[test]
fn jwt_failures_are_http_400_without_a_challenge() {
    let mut fixture = Fixture::new();
    let token = TestKey::generate(Some("k1")).sign(&claims(json!({})));
    let e = fixture.authenticate(&jwt_request(&token)).expect_err("wrong key");
    assert_eq!((e.status().as_u16(), e.www_authenticate()), (400, None));
}

// --- client_secret_basic ---

#[test]
fn basic_with_the_right_secret_authenticates_the_client() {
    let mut fixture = Fixture::new();
    let id = fixture.authenticate(&basic_request(BASIC_CLIENT, SECRET)).expect("authenticated");
    assert_eq!(id.as_str(), BASIC_CLIENT);
    // The scheme is case-insensitive, and the form may repeat the client_id.
    let mut request = basic_request(BASIC_CLIENT, SECRET);
    request.authorization = request.authorization.map(|h| h.replacen("Basic", "bASIC", 1));
    request.client_id = Some(BASIC_CLIENT.into());
    fixture.authenticate(&request).expect("authenticated");
}

#[test]
fn basic_with_a_wrong_secret_is_refused_with_a_challenge() {
    let mut fixture = Fixture::new();
    for secret in ["wrong", "", &SECRET[..SECRET.len() - 2], &format!("{SECRET}x")] {
        let e = fixture.authenticate(&basic_request(BASIC_CLIENT, secret)).expect_err("wrong secret");
        assert_eq!((e.error.as_str(), e.description.as_str()), ("invalid_client", "wrong client secret"));
        assert_eq!((e.status().as_u16(), e.www_authenticate()), (401, Some("Basic realm=\"softfido\"")));
    }
    // The secret not form-urlencoded by the client: '+' decodes to a space, "%/é" is malformed.
    let raw = format!("Basic {}", Base64::encode_string(format!("basic+app%3A1:{SECRET}").as_bytes()));
    let request = ClientCredentials { authorization: Some(raw), ..ClientCredentials::default() };
    assert_refused(fixture.authenticate(&request), "invalid_request", "secret is not form-urlencoded");
}

#[test]
fn basic_for_an_unknown_client_is_refused_with_a_challenge() {
    let mut fixture = Fixture::new();
    let e = fixture.authenticate(&basic_request("nobody", SECRET)).expect_err("unknown");
    assert_eq!(e.error.as_str(), "invalid_client");
    assert!(e.basic_challenge);
}

#[test]
fn basic_for_a_jwt_client_is_refused() {
    let mut fixture = Fixture::new();
    let e = fixture.authenticate(&basic_request(JWT_CLIENT, "anything")).expect_err("wrong method");
    assert_eq!(e.error.as_str(), "invalid_client");
    assert!(e.description.contains("registered for private_key_jwt, not client_secret_basic"), "{e}");
    assert_eq!(e.status().as_u16(), 401);
}

#[test]
fn a_jwt_from_a_basic_client_is_refused() {
    let mut fixture = Fixture::new();
    let token = fixture.assertion(json!({ "iss": BASIC_CLIENT, "sub": BASIC_CLIENT }));
    assert_refused(
        fixture.authenticate(&jwt_request(&token)),
        "invalid_client",
        "registered for client_secret_basic, not private_key_jwt",
    );
}

#[test]
fn basic_and_a_form_client_id_must_agree() {
    let mut fixture = Fixture::new();
    let mut request = basic_request(BASIC_CLIENT, SECRET);
    request.client_id = Some(JWT_CLIENT.into());
    assert_refused(fixture.authenticate(&request), "invalid_request", "client_id differs");
}

#[test]
fn malformed_basic_credentials_are_bad_requests() {
    let mut fixture = Fixture::new();
    let header =
        |h: &str| ClientCredentials { authorization: Some(h.into()), ..ClientCredentials::default() };
    let encoded = |s: &str| format!("Basic {}", Base64::encode_string(s.as_bytes()));
    let cases = [
        ("Basic".to_owned(), "no credentials"),
        ("Basic    ".to_owned(), "no credentials"),
        ("Basic !!!".to_owned(), "not base64"),
        (format!("Basic {}", Base64::encode_string(&[0xff, b':', b'x'])), "not UTF-8"),
        (encoded("no-colon"), "no ':'"),
        (encoded(":secret"), "empty client_id"),
        (encoded("app%zz:secret"), "client_id is not form-urlencoded"),
        (encoded("app:secret%"), "secret is not form-urlencoded"),
        (encoded("app:%C3"), "secret is not form-urlencoded"),
    ];
    for (value, description) in cases {
        let e = fixture.authenticate(&header(&value)).expect_err(&value);
        assert_eq!(e.error.as_str(), "invalid_request", "{value}: {e}");
        assert!(e.description.contains(description), "{value}: {e}");
        assert_eq!(e.status(), 400);
    }
    // Unpadded base64 is tolerated.
    let unpadded = format!("Basic {}", Base64Unpadded::encode_string(b"basic+app%3A1:x"));
    assert_refused(fixture.authenticate(&header(&unpadded)), "invalid_client", "wrong client secret");
}

#[test]
fn another_authorization_scheme_is_refused_with_a_challenge() {
    let mut fixture = Fixture::new();
    let request =
        ClientCredentials { authorization: Some("Bearer abc".into()), ..ClientCredentials::default() };
    let e = fixture.authenticate(&request).expect_err("bearer");
    assert_eq!(e.error.as_str(), "invalid_client");
    assert!(e.description.contains("\"Bearer\" is not supported"), "{e}");
    assert_eq!(e.www_authenticate(), Some(ClientAuthError::CHALLENGE));
}

// --- choosing the method ---

#[test]
fn two_methods_at_once_are_a_bad_request() {
    let mut fixture = Fixture::new();
    let mut both = jwt_request(&fixture.assertion(json!({})));
    both.authorization = basic_request(BASIC_CLIENT, SECRET).authorization;
    assert_refused(fixture.authenticate(&both), "invalid_request", "more than one");
    let mut basic_and_post = basic_request(BASIC_CLIENT, SECRET);
    basic_and_post.client_secret = Some(SECRET.into());
    assert_refused(fixture.authenticate(&basic_and_post), "invalid_request", "more than one");
    assert!(fixture.seen.is_empty());
}

#[test]
fn no_credentials_is_invalid_client_with_a_challenge() {
    let mut fixture = Fixture::new();
    for request in [
        ClientCredentials::default(),
        ClientCredentials { client_id: Some(BASIC_CLIENT.into()), ..ClientCredentials::default() },
        ClientCredentials::from_request(
            Some(""),
            &HashMap::from([("client_assertion".into(), String::new())]),
        ),
    ] {
        let e = fixture.authenticate(&request).expect_err("no credentials");
        assert_eq!(e.error.as_str(), "invalid_client");
        assert!(e.description.contains("client authentication is required"), "{e}");
        assert_eq!(e.status().as_u16(), 401);
    }
}

#[test]
fn client_secret_post_is_refused() {
    let mut fixture = Fixture::new();
    let form =
        HashMap::from([("client_id".into(), BASIC_CLIENT.into()), ("client_secret".into(), SECRET.into())]);
    let e = fixture.authenticate(&ClientCredentials::from_request(None, &form)).expect_err("post");
    assert_eq!(e.error.as_str(), "invalid_client");
    assert!(e.description.contains("client_secret_post is not supported"), "{e}");
    assert_eq!(e.status(), 400);
}

#[test]
fn credentials_come_from_the_header_and_the_form() {
    let mut fixture = Fixture::new();
    let token = fixture.assertion(json!({}));
    let form = HashMap::from([
        ("grant_type".into(), "authorization_code".into()),
        ("client_id".into(), JWT_CLIENT.into()),
        ("client_assertion_type".into(), JWT_BEARER_ASSERTION_TYPE.into()),
        ("client_assertion".into(), token),
    ]);
    let request = ClientCredentials::from_request(None, &form);
    assert_eq!(request.client_id.as_deref(), Some(JWT_CLIENT));
    assert_eq!(fixture.authenticate(&request).expect("authenticated").into_string(), JWT_CLIENT);
    let header = basic_header(BASIC_CLIENT, SECRET);
    let request = ClientCredentials::from_request(Some(&header), &HashMap::new());
    assert_eq!(fixture.authenticate(&request).expect("authenticated").to_string(), BASIC_CLIENT);
}

#[test]
fn debug_output_hides_the_credentials() {
    let mut request = basic_request(BASIC_CLIENT, SECRET);
    request.client_secret = Some("post-secret".into());
    request.client_assertion = Some("eyJhbGciOiJFUzI1NiJ9.e30.sig".into());
    let debug = format!("{request:?}");
    for secret in ["post-secret", "eyJhbGci", request.authorization.as_deref().unwrap_or("Basic")] {
        assert!(!debug.contains(secret), "{debug}");
    }
}

#[test]
fn form_urldecoding_follows_appendix_b() {
    assert_eq!(form_urldecode("a+b%20c%3A%2b").as_deref(), Some("a b c:+"));
    assert_eq!(form_urldecode("%C3%A9t%C3%A9").as_deref(), Some("été"));
    assert_eq!(form_urldecode("%e9").as_deref(), None, "not UTF-8");
    for bad in ["%", "%4", "%g0", "%%"] {
        assert_eq!(form_urldecode(bad), None, "{bad}");
    }
    for s in ["", "plain", SECRET, "a:b", "%+é"] {
        assert_eq!(form_urldecode(&form_urlencode(s)).as_deref(), Some(s), "{s}");
    }
}

#[test]
fn odd_inputs_never_panic() {
    let mut fixture = Fixture::new();
    let odd = ["", ".", "..", "...", "a.b", "é.é.é", "eyJ.eyJ.eyJ", "e30.bnVsbA.", "e30.W10.", "\u{0}"];
    for value in odd {
        let _ = fixture.authenticate(&jwt_request(value));
        let header = ClientCredentials { authorization: Some(value.into()), ..ClientCredentials::default() };
        let _ = fixture.authenticate(&header);
        let _ = fixture.authenticate(&basic_request(value, value));
    }
    for exp in [json!(u64::MAX), json!(1e300), json!(f64::MAX), json!(null), json!({})] {
        let _ = fixture.authenticate(&jwt_request(&fixture.assertion(json!({ "exp": exp, "iat": exp }))));
    }
}
