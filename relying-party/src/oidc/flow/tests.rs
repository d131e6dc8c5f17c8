use std::collections::HashMap;

use super::*;
use crate::oidc::authorize::{Client, validate};
use crate::policy::Amr;

fn request(extra: &[(&str, &str)]) -> ValidRequest {
    let mut params: HashMap<String, String> = [
        ("client_id", "app"),
        ("redirect_uri", "https://app.example/cb"),
        ("response_type", "code"),
        ("scope", "openid"),
        ("code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
        ("code_challenge_method", "S256"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    params.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    let clients = [Client { id: "app".into(), redirect_uris: vec!["https://app.example/cb".into()] }];
    validate(&params, &clients).expect("valid")
}

fn session(acr: Option<Acr>, auth_time: u64) -> Session {
    Session { user_id: "u".into(), auth_time, context: AuthContext { amr: vec![Amr::Pop, Amr::User], acr } }
}

const ESSENTIAL_PHRH: &str = r#"{"id_token":{"acr":{"essential":true,"value":"phrh"}}}"#;

#[test]
fn no_session_means_sign_in_or_login_required() {
    assert_eq!(decide(&request(&[]), None, 100, None), Decision::SignIn { step_up: false });
    assert_eq!(
        decide(&request(&[("prompt", "none")]), None, 100, None),
        Decision::Error(OAuthError::LoginRequired)
    );
}

#[test]
fn a_session_that_authenticated_nothing_is_not_a_sign_in() {
    let empty =
        Session { user_id: "u".into(), auth_time: 90, context: AuthContext { amr: vec![], acr: None } };
    assert_eq!(decide(&request(&[]), Some(&empty), 100, None), Decision::SignIn { step_up: false });
}

#[test]
fn a_fresh_enough_session_gets_a_code() {
    let s = session(Some(Acr::Phr), 90);
    assert_eq!(decide(&request(&[("max_age", "60")]), Some(&s), 100, None), Decision::IssueCode);
    assert_eq!(
        decide(&request(&[("max_age", "5")]), Some(&s), 100, None),
        Decision::SignIn { step_up: false }
    );
    assert_eq!(
        decide(&request(&[("prompt", "login")]), Some(&s), 100, None),
        Decision::SignIn { step_up: false }
    );
}

#[test]
fn r12_voluntary_acr_values_do_not_block() {
    let s = session(Some(Acr::Phr), 90);
    assert_eq!(decide(&request(&[("acr_values", "phrh")]), Some(&s), 100, None), Decision::IssueCode);
}

#[test]
fn r11_essential_acr_steps_up_when_a_passkey_can_meet_it() {
    let s = session(Some(Acr::Phr), 90);
    let essential = request(&[("claims", ESSENTIAL_PHRH)]);
    assert_eq!(decide(&essential, Some(&s), 100, Some(Acr::Phrh)), Decision::SignIn { step_up: true });
    assert_eq!(
        decide(&essential, Some(&s), 100, Some(Acr::Phr)),
        Decision::Error(OAuthError::UnmetAuthenticationRequirements)
    );
    assert_eq!(
        decide(&essential, Some(&s), 100, None),
        Decision::Error(OAuthError::UnmetAuthenticationRequirements)
    );
}

#[test]
fn r11_after_sign_in_the_essential_acr_must_be_met() {
    let essential = request(&[("claims", ESSENTIAL_PHRH)]);
    let phr = AuthContext { amr: vec![Amr::Pop], acr: Some(Acr::Phr) };
    let phrh = AuthContext { amr: vec![Amr::Hwk, Amr::Pop], acr: Some(Acr::Phrh) };
    assert_eq!(after_sign_in(&essential, &phr), Decision::Error(OAuthError::UnmetAuthenticationRequirements));
    assert_eq!(after_sign_in(&essential, &phrh), Decision::IssueCode);
    assert_eq!(after_sign_in(&request(&[("acr_values", "phrh")]), &phr), Decision::IssueCode);
}
