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

const SIGN_IN: Decision = Decision::SignIn { step_up: false, reauthenticate: false };
const REAUTHENTICATE: Decision = Decision::SignIn { step_up: false, reauthenticate: true };

fn pending(request: ValidRequest, requested_at: u64, reauthenticate: bool) -> PendingRequest {
    PendingRequest { id: "request-1".into(), request, requested_at, reauthenticate, found_session: None }
}

fn signed_in(context: AuthContext, auth_time: u64) -> Session {
    Session { user_id: "u".into(), auth_time, context }
}

const ESSENTIAL_PHRH: &str = r#"{"id_token":{"acr":{"essential":true,"value":"phrh"}}}"#;

#[test]
fn no_session_means_sign_in_or_login_required() {
    assert_eq!(decide(&request(&[]), None, 100, None), SIGN_IN);
    assert_eq!(
        decide(&request(&[("prompt", "none")]), None, 100, None),
        Decision::Error(OAuthError::LoginRequired)
    );
}

#[test]
fn a_session_that_authenticated_nothing_is_not_a_sign_in() {
    let empty =
        Session { user_id: "u".into(), auth_time: 90, context: AuthContext { amr: vec![], acr: None } };
    assert_eq!(decide(&request(&[]), Some(&empty), 100, None), SIGN_IN);
}

#[test]
fn a_fresh_enough_session_gets_a_code() {
    let s = session(Some(Acr::Phr), 90);
    assert_eq!(decide(&request(&[("max_age", "60")]), Some(&s), 100, None), Decision::IssueCode);
    assert_eq!(decide(&request(&[("max_age", "5")]), Some(&s), 100, None), REAUTHENTICATE);
    assert_eq!(decide(&request(&[("prompt", "login")]), Some(&s), 100, None), REAUTHENTICATE);
}

/// OIDC Core §3.1.2.1 (errata set 2): max_age=0 is equivalent to prompt=login, even for a
/// session made in the same second; with prompt=none it is `login_required`.
#[test]
fn max_age_zero_forces_a_new_sign_in_like_prompt_login() {
    let s = session(Some(Acr::Phr), 100);
    assert_eq!(decide(&request(&[("max_age", "0")]), Some(&s), 100, None), REAUTHENTICATE);
    assert_eq!(
        decide(&request(&[("max_age", "0"), ("prompt", "none")]), Some(&s), 100, None),
        Decision::Error(OAuthError::LoginRequired)
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
    assert_eq!(
        decide(&essential, Some(&s), 100, Some(Acr::Phrh)),
        Decision::SignIn { step_up: true, reauthenticate: true }
    );
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
    let essential = pending(essential, 100, true);
    assert_eq!(
        after_sign_in(&essential, &signed_in(phr.clone(), 110), 110),
        Decision::Error(OAuthError::UnmetAuthenticationRequirements)
    );
    assert_eq!(after_sign_in(&essential, &signed_in(phrh, 110), 110), Decision::IssueCode);
    let voluntary = pending(request(&[("acr_values", "phrh")]), 100, false);
    assert_eq!(after_sign_in(&voluntary, &signed_in(phr, 110), 110), Decision::IssueCode);
}

/// OIDC Core §3.1.2.1: after prompt=login or an exceeded max_age, only a sign-in made since the
/// request answers it; the session that was already there does not.
#[test]
fn continue_without_signing_in_after_prompt_login_is_refused() {
    let s = session(Some(Acr::Phr), 90);
    for extra in [("prompt", "login"), ("max_age", "5")] {
        let request = request(&[extra]);
        assert_eq!(decide(&request, Some(&s), 100, None), REAUTHENTICATE, "{extra:?}");
        let waiting = pending(request, 100, true);
        assert_eq!(after_sign_in(&waiting, &s, 100), Decision::Error(OAuthError::LoginRequired), "{extra:?}");
        assert_eq!(after_sign_in(&waiting, &session(Some(Acr::Phr), 100), 100), Decision::IssueCode);
    }
}

/// OIDC Core §3.1.2.1: max_age holds at `/authorize/continue` too. A request sealed without a
/// demand for a new sign-in is not answered by a session older than max_age, and a late reload
/// of the continue URL does not stretch the age.
#[test]
fn max_age_is_checked_again_at_continue() {
    let waiting = pending(request(&[("max_age", "60")]), 100, false);
    assert_eq!(after_sign_in(&waiting, &session(Some(Acr::Phr), 90), 150), Decision::IssueCode);
    assert_eq!(
        after_sign_in(&waiting, &session(Some(Acr::Phr), 90), 151),
        Decision::Error(OAuthError::LoginRequired)
    );
}

/// OIDC Core §3.1.2.1: max_age=0 demands a new sign-in, and the sign-in made for the request
/// answers it even when the second has turned between signing in and continuing.
#[test]
fn a_sign_in_made_for_the_request_meets_max_age_zero_a_second_later() {
    let waiting = pending(request(&[("max_age", "0")]), 100, true);
    assert_eq!(after_sign_in(&waiting, &session(Some(Acr::Phr), 100), 101), Decision::IssueCode);
    assert_eq!(after_sign_in(&waiting, &session(Some(Acr::Phr), 101), 103), Decision::IssueCode);
    assert_eq!(
        after_sign_in(&waiting, &session(Some(Acr::Phr), 99), 101),
        Decision::Error(OAuthError::LoginRequired)
    );
}

/// A step-up needs a new sign-in that meets the acr, not the session that could not.
#[test]
fn continue_without_stepping_up_is_refused() {
    let essential = request(&[("claims", ESSENTIAL_PHRH)]);
    let old_phrh = session(Some(Acr::Phrh), 90);
    let waiting = pending(essential, 100, true);
    assert_eq!(after_sign_in(&waiting, &old_phrh, 110), Decision::Error(OAuthError::LoginRequired));
}

/// OIDC Core §3.1.2.3: a session with no amr (a sign-up without a password, before any passkey)
/// never yields a code, at authorize or at continue.
#[test]
fn a_session_that_authenticated_nothing_gets_no_code() {
    let empty = signed_in(AuthContext { amr: vec![], acr: None }, 100);
    assert_eq!(decide(&request(&[]), Some(&empty), 100, None), SIGN_IN);
    assert_eq!(
        decide(&request(&[("prompt", "none")]), Some(&empty), 100, None),
        Decision::Error(OAuthError::LoginRequired)
    );
    for reauthenticate in [false, true] {
        let waiting = pending(request(&[]), 100, reauthenticate);
        assert_eq!(after_sign_in(&waiting, &empty, 110), Decision::Error(OAuthError::LoginRequired));
    }
}

/// OIDC Core §5.5.1.1: an essential acr this provider does not know is unmet, not dropped.
#[test]
fn an_essential_unknown_acr_is_unmet_authentication_requirements() {
    let unknown = r#"{"id_token":{"acr":{"essential":true,"values":["urn:example:unknown"]}}}"#;
    let s = session(Some(Acr::Phrh), 90);
    let request = request(&[("claims", unknown)]);
    assert_eq!(
        decide(&request, Some(&s), 100, Some(Acr::Phrh)),
        Decision::Error(OAuthError::UnmetAuthenticationRequirements)
    );
    let waiting = pending(request, 100, false);
    assert_eq!(
        after_sign_in(&waiting, &session(Some(Acr::Phrh), 100), 110),
        Decision::Error(OAuthError::UnmetAuthenticationRequirements)
    );
}

/// OIDC Core §3.1.2.1 (R12): a voluntary unknown acr is ignored; the achieved acr is issued.
#[test]
fn a_voluntary_unknown_acr_is_ignored() {
    let s = session(Some(Acr::Phr), 90);
    assert_eq!(
        decide(&request(&[("acr_values", "urn:example:unknown")]), Some(&s), 100, None),
        Decision::IssueCode
    );
}

#[test]
fn the_session_a_reauthenticating_request_found_cannot_answer_it() {
    let sealer = Sealer::new();
    let found = session_digest(&sealer, "session-1");
    let mut waiting = pending(request(&[]), 100, true);
    waiting.found_session = Some(found.clone());
    assert!(is_the_session_it_found(&waiting, Some(&found)));
    assert!(!is_the_session_it_found(&waiting, Some(&session_digest(&sealer, "session-2"))));
    assert!(!is_the_session_it_found(&waiting, None));
    waiting.reauthenticate = false;
    assert!(!is_the_session_it_found(&waiting, Some(&found)));
}

/// The digest is keyed: another provider's key names the same session differently.
#[test]
fn a_session_digest_depends_on_the_providers_key() {
    assert_ne!(session_digest(&Sealer::new(), "session-1"), session_digest(&Sealer::new(), "session-1"));
}

#[test]
fn a_sign_in_with_an_acr_and_no_amr_is_an_authentication() {
    let keycloak = AuthContext {
        amr: vec![],
        acr: Some(Acr::Unregistered(crate::policy::UnregisteredAcr::KeycloakLoa1)),
    };
    assert!(signed_in(keycloak, 100).authenticated());
    assert!(!signed_in(AuthContext { amr: vec![], acr: None }, 100).authenticated());
}
