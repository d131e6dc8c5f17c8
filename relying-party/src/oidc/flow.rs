//! What the authorization endpoint does with a checked request and the user's session:
//! issue a code, ask the user to sign in (or step up), or answer an error to the client.
//! Pure: the handler supplies the session, the time and what the user's passkeys could earn.

use super::OAuthError;
use super::acr_request::AcrOutcome;
use super::authorize::ValidRequest;
use crate::policy::{Acr, AuthContext};

/// A signed-in user at this provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The user (the ID token's `sub`).
    pub user_id: String,
    /// When the user authenticated (seconds since the epoch).
    pub auth_time: u64,
    /// What that authentication established.
    pub context: AuthContext,
}

/// The endpoint's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The session satisfies the request: issue a code.
    IssueCode,
    /// Show the sign-in page; `step_up` when the session exists but its acr is too low.
    SignIn {
        /// A passkey that can earn the essential acr is needed.
        step_up: bool,
    },
    /// Redirect this OAuth error to the client.
    Error(OAuthError),
}

/// OIDC Core §3.1.2.1 (prompt, max_age) and §5.5.1.1 (essential acr), in that order.
/// `best_acr_available` is the strongest acr any of the user's passkeys could earn.
pub fn decide(
    request: &ValidRequest,
    session: Option<&Session>,
    now: u64,
    best_acr_available: Option<Acr>,
) -> Decision {
    let needs_interaction = |step_up| {
        if request.prompt_none {
            Decision::Error(OAuthError::LoginRequired)
        } else {
            Decision::SignIn { step_up }
        }
    };
    // A session that authenticated nothing yet (a passkey-only sign-up) is not a sign-in.
    let Some(session) = session.filter(|s| !s.context.amr.is_empty()) else {
        return needs_interaction(false);
    };
    if request.prompt_login {
        return Decision::SignIn { step_up: false };
    }
    if request.max_age.is_some_and(|max_age| now.saturating_sub(session.auth_time) > max_age) {
        return needs_interaction(false);
    }
    if request.acr.outcome(session.context.acr) == AcrOutcome::Unmet {
        // R11: step up only if a passkey of the user can earn what is asked for.
        let possible = request.acr.outcome(best_acr_available) == AcrOutcome::Met;
        return if possible {
            needs_interaction(true)
        } else {
            Decision::Error(OAuthError::UnmetAuthenticationRequirements)
        };
    }
    Decision::IssueCode
}

/// After a sign-in: the essential acr must now be met, or the client gets
/// `unmet_authentication_requirements` (R11); a voluntary acr never blocks (R12).
pub fn after_sign_in(request: &ValidRequest, context: &AuthContext) -> Decision {
    match request.acr.outcome(context.acr) {
        AcrOutcome::Met => Decision::IssueCode,
        AcrOutcome::Unmet => Decision::Error(OAuthError::UnmetAuthenticationRequirements),
    }
}

#[cfg(test)]
mod tests {
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
        Session {
            user_id: "u".into(),
            auth_time,
            context: AuthContext { amr: vec![Amr::Pop, Amr::User], acr },
        }
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
        assert_eq!(
            after_sign_in(&essential, &phr),
            Decision::Error(OAuthError::UnmetAuthenticationRequirements)
        );
        assert_eq!(after_sign_in(&essential, &phrh), Decision::IssueCode);
        assert_eq!(after_sign_in(&request(&[("acr_values", "phrh")]), &phr), Decision::IssueCode);
    }
}
