//! What the authorization endpoint does with a checked request and the user's session:
//! issue a code, ask the user to sign in (or step up), or answer an error to the client.
//! Pure: the handler supplies the session, the time and what the user's passkeys could earn.

use super::OAuthError;
use super::acr_request::AcrOutcome;
use super::authorize::ValidRequest;
use crate::policy::{Acr, AuthContext};
use crate::sealed::Sealer;

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
        /// The session's authentication no longer counts (`prompt=login`, an exceeded
        /// `max_age`, a step-up): only a sign-in made since the request may answer it.
        reauthenticate: bool,
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
            Decision::SignIn { step_up, reauthenticate: true }
        }
    };
    // OIDC Core §3.1.2.3: a session that authenticated nothing yet (a passkey-only sign-up) is
    // not a sign-in.
    let Some(session) = session.filter(|s| s.authenticated()) else {
        return if request.prompt_none {
            Decision::Error(OAuthError::LoginRequired)
        } else {
            Decision::SignIn { step_up: false, reauthenticate: false }
        };
    };
    // OIDC Core §3.1.2.1: prompt=login "MUST reauthenticate the End-User".
    if request.prompt_login {
        return Decision::SignIn { step_up: false, reauthenticate: true };
    }
    // OIDC Core §3.1.2.1: an authentication older than max_age "MUST" be made again, and
    // max_age=0 is equivalent to prompt=login (errata set 2), even within the same second.
    let too_old = |max_age: u64| max_age == 0 || now.saturating_sub(session.auth_time) > max_age;
    if request.max_age.is_some_and(too_old) {
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

impl Session {
    /// Whether the session authenticated the user at all: a sign-up that has not yet signed in
    /// with a password or a passkey has no amr and no acr and is not an authentication (OIDC Core
    /// §3.1.2.3). A sign-in always has one of them (an amr under the rule table; only the
    /// `keycloak-default` profile gives an acr alone).
    pub fn authenticated(&self) -> bool {
        !self.context.amr.is_empty() || self.context.acr.is_some()
    }
}

/// An authorization request waiting for the user to sign in. It waits in the browser, sealed
/// ([`crate::sealed`]), not on the server.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingRequest {
    /// A random identifier: the request is answered with a code at most once.
    pub id: String,
    /// The checked request.
    pub request: ValidRequest,
    /// When the provider sent the user to sign in (seconds since the epoch).
    pub requested_at: u64,
    /// Whether only a sign-in made at or after `requested_at` may answer it
    /// (`prompt=login`, an exceeded `max_age`, a step-up).
    pub reauthenticate: bool,
    /// The [`session_digest`] of the session the request found, if any: when the request
    /// demands a new authentication, that session cannot be it, even one that signed in within
    /// the request's own second.
    #[serde(default)]
    pub found_session: Option<String>,
}

/// What names a session in a pending request: a digest of its id keyed by `sealer`
/// ([`Sealer::digest`]). The sealed request travels in the browser's URL, readable (sealing
/// authenticates, it does not encrypt), so it carries neither the HttpOnly cookie's value nor
/// anything computable from it alone, such as its plain SHA-256, that would link the URL to it.
pub fn session_digest(sealer: &Sealer, session_id: &str) -> String {
    sealer.digest("session", session_id.as_bytes())
}

/// OIDC Core §3.1.2.1 (prompt=login and max_age "MUST" re-authenticate): whether the session
/// of digest `current` is the one the request found when it demanded a new authentication. A
/// sign-in starts a new session, so the session it found is never that new authentication;
/// `auth_time` alone, in whole seconds, cannot tell them apart within one second.
pub fn is_the_session_it_found(pending: &PendingRequest, current: Option<&str>) -> bool {
    pending.reauthenticate && pending.found_session.is_some() && pending.found_session.as_deref() == current
}

/// After a sign-in (`/authorize/continue`): the session must have authenticated the user
/// (OIDC Core §3.1.2.3), since the request when it demanded a new authentication (§3.1.2.1:
/// prompt=login and max_age "MUST" re-authenticate), and must meet the essential acr, or the
/// client gets `unmet_authentication_requirements` (R11); a voluntary acr never blocks (R12).
/// `max_age` is checked again at `now` for a session that predates the request.
pub fn after_sign_in(pending: &PendingRequest, session: &Session, now: u64) -> Decision {
    if !session.authenticated() {
        return Decision::Error(OAuthError::LoginRequired);
    }
    if pending.reauthenticate && session.auth_time < pending.requested_at {
        return Decision::Error(OAuthError::LoginRequired);
    }
    // A sign-in made since the request is the active re-authentication §3.1.2.1 asks for, so it
    // meets max_age however many whole seconds the redirect took (max_age=0 included); a session
    // that predates the request must still be young enough now.
    let signed_in_for_this_request = session.auth_time >= pending.requested_at;
    let too_old = |max_age: u64| now.saturating_sub(session.auth_time) > max_age;
    if !signed_in_for_this_request && pending.request.max_age.is_some_and(too_old) {
        return Decision::Error(OAuthError::LoginRequired);
    }
    match pending.request.acr.outcome(session.context.acr) {
        AcrOutcome::Met => Decision::IssueCode,
        AcrOutcome::Unmet => Decision::Error(OAuthError::UnmetAuthenticationRequirements),
    }
}

#[cfg(test)]
mod tests;
