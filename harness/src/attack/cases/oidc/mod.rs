//! The OAuth client, or a stranger, forges requests to the OpenID provider: redirect URIs it
//! does not own, codes it was not issued, PKCE and client assertions it cannot make, pushed
//! requests of others, re-authentication and acr demands it tries to skip.

pub mod acr;
pub mod authorize;
pub mod client_assertion;
pub mod par;
pub mod token;

use super::super::case::{Case, CaseFuture, Group, Needs};
use super::super::oauth::{AuthRequest, code};
use super::super::trial::Trial;
use serde_json::Value;

use crate::http::Http;

/// Every case of the group, in report order.
pub fn cases() -> Vec<Case> {
    [authorize::CASES, token::CASES, client_assertion::CASES, par::CASES, acr::CASES].concat()
}

/// An OIDC case that a correct provider refuses with `error`.
const fn case(
    id: &'static str,
    attack: &'static str,
    spec: &'static str,
    error: &'static str,
    run: fn(Trial) -> CaseFuture,
) -> Case {
    Case::refused(Group::Oidc, id, attack, spec, error, run)
}

/// [`case`] for one that moves the IdP's clock.
const fn clocked(
    id: &'static str,
    attack: &'static str,
    spec: &'static str,
    error: &'static str,
    run: fn(Trial) -> CaseFuture,
) -> Case {
    case(id, attack, spec, error, run).needing(Needs::OwnClock)
}

/// A browser signed in to a new password account: a session that gets a code at once. Its
/// session is checked, since a browser without one is refused (`login_required`, a sign-in
/// page) much as many attacks are.
async fn signed_in(trial: &Trial) -> anyhow::Result<Http> {
    let browser = trial.browser();
    trial.sign_up(&browser, true).await?;
    anyhow::ensure!(trial.session(&browser).await? != Value::Null, "the set-up sign-up left no session");
    Ok(browser)
}

/// A code for `request` on a browser [`signed_in`] for it: the browser and the form that redeems
/// the code (RFC 6749 §4.1.3), which an honest client would send.
async fn redeemable(trial: &Trial, request: &AuthRequest) -> anyhow::Result<(Http, Vec<(String, String)>)> {
    let browser = signed_in(trial).await?;
    let code = code(trial, &browser, request).await?;
    Ok((browser, request.redemption(&code)))
}
