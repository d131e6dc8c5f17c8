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
mod tests;
