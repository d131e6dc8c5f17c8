use super::*;
use crate::oidc::pkce::CodeChallenge;
use crate::policy::AuthContext;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "https://app.example/cb";

fn grant() -> Grant {
    let challenge = CodeChallenge::from_request(Some(CHALLENGE), Some("S256")).expect("valid");
    let context = AuthContext { amr: vec![Amr::Hwk, Amr::Pop, Amr::User], acr: Some(Acr::Phrh) };
    Grant::new("app", REDIRECT, &challenge, "user-1", 90, Some("n".into()), &context)
}

fn params(pairs: &[(&str, &str)]) -> Params {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn request() -> TokenRequest {
    TokenRequest::parse(&params(&[
        ("grant_type", "authorization_code"),
        ("code", "c"),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ]))
    .expect("parses")
}

fn app() -> ClientId {
    ClientId::authenticated_for_tests("app")
}

#[test]
fn the_grant_type_then_the_code_are_required() {
    let error = |pairs: &[(&str, &str)]| TokenRequest::parse(&params(pairs)).expect_err("refused").error;
    assert_eq!(error(&[("code", "c")]), OAuthError::InvalidRequest);
    assert_eq!(error(&[("grant_type", "password"), ("code", "c")]), OAuthError::UnsupportedGrantType);
    assert_eq!(error(&[("grant_type", "password")]), OAuthError::UnsupportedGrantType);
    assert_eq!(error(&[("grant_type", "authorization_code")]), OAuthError::InvalidRequest);
}

#[test]
fn a_fresh_code_issues_the_grant_s_claims() {
    let issued =
        redeem(&request(), &app(), StoredCode::Fresh(grant()), "https://idp.example", 100).expect("issued");
    assert_eq!(issued.id_token.iss, "https://idp.example");
    assert_eq!((issued.id_token.sub.as_str(), issued.id_token.aud.as_str()), ("user-1", "app"));
    assert_eq!((issued.id_token.iat, issued.id_token.exp, issued.expires_at), (100, 400, 400));
    assert_eq!(issued.id_token.auth_time, 90);
    assert_eq!(issued.id_token.nonce.as_deref(), Some("n"));
    assert_eq!(issued.id_token.amr, vec![Amr::Hwk, Amr::Pop, Amr::User]);
    assert_eq!(issued.id_token.acr, Some(Acr::Phrh));
    assert_eq!(
        serde_json::to_string(&issued.userinfo).expect("json"),
        r#"{"acr":"phrh","amr":["hwk","pop","user"],"sub":"user-1"}"#
    );
    assert_eq!(issued.client_id, "app");
}

#[test]
fn a_replayed_code_is_refused_and_revokes_its_tokens() {
    let replayed = StoredCode::Replayed { client_id: "app".into() };
    let error = redeem(&request(), &app(), replayed, "i", 100).expect_err("refused");
    assert_eq!((error.error, error.revoke_tokens_of_code), (OAuthError::InvalidGrant, true));
    for stored in [StoredCode::Expired, StoredCode::Unknown] {
        let error = redeem(&request(), &app(), stored, "i", 100).expect_err("refused");
        assert_eq!((error.error, error.revoke_tokens_of_code), (OAuthError::InvalidGrant, false));
    }
}

#[test]
fn another_client_or_a_wrong_verifier_is_invalid_grant() {
    let other = ClientId::authenticated_for_tests("other");
    let error = redeem(&request(), &other, StoredCode::Fresh(grant()), "i", 100).expect_err("refused");
    assert_eq!(error.error, OAuthError::InvalidGrant);
    let mut wrong = request();
    wrong.code_verifier = Some("aBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".into());
    let error = redeem(&wrong, &app(), StoredCode::Fresh(grant()), "i", 100).expect_err("refused");
    assert_eq!(error.error, OAuthError::InvalidGrant);
    let mut missing = request();
    missing.redirect_uri = None;
    let error = redeem(&missing, &app(), StoredCode::Fresh(grant()), "i", 100).expect_err("refused");
    assert_eq!(error.error, OAuthError::InvalidRequest);
}

/// RFC 6749 §4.1.2, §4.1.3: a replay by a client the code was not issued to is refused and
/// revokes nothing.
#[test]
fn a_replay_by_another_client_revokes_nothing() {
    let other = ClientId::authenticated_for_tests("other");
    let replayed = StoredCode::Replayed { client_id: "app".into() };
    let error = redeem(&request(), &other, replayed, "i", 100).expect_err("refused");
    assert_eq!((error.error, error.revoke_tokens_of_code), (OAuthError::InvalidGrant, false));
}
