//! One scenario through a real browser: what the runner is asked to do (the authenticator's
//! configuration from the axes, the user's answers at sign-in, the authorization request built
//! by openidconnect with PKCE), and the verdict read from where the browser was sent: the code
//! redeemed and the ID token verified by openidconnect, or the error redirected to the client,
//! or the step that failed in the browser.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};
use url::Url;

use super::runner::{BrowserResult, StepFailure};
use crate::axes::{FirstFactor, Up, UvCapability, UvPerformed};
use crate::matrix::ceremony::{
    AuthorizationRequest, PASSWORD, Target, WRONG_PIN, authorization_request, device_config, redeem, refused,
};
use crate::matrix::oracle::{Outcome, Verdict};
use crate::matrix::scenario::Scenario;

static ACCOUNTS: AtomicU64 = AtomicU64::new(0);

/// The authorization request of `s` at `target`, with `scopes` besides `openid`.
pub(crate) fn authorization(target: &Target, s: &Scenario, scopes: &[String]) -> AuthorizationRequest {
    let mut request = authorization_request(&target.client, s);
    let scopes: Vec<&String> = scopes.iter().filter(|scope| *scope != "openid").collect();
    if !scopes.is_empty() {
        let scopes: Vec<&str> = scopes.iter().map(|scope| scope.as_str()).collect();
        let pairs: Vec<(String, String)> = request
            .url
            .query_pairs()
            .map(|(key, value)| {
                let value =
                    if key == "scope" { format!("{value} {}", scopes.join(" ")) } else { value.into_owned() };
                (key.into_owned(), value)
            })
            .collect();
        request.url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    request
}

/// What the user answers at sign-in: presence, and a wrong PIN or no biometric match where UV
/// is to fail.
fn sign_in_answers(s: &Scenario) -> Value {
    let mut answers = json!({ "presence": s.up.unwrap_or(Up::Approve).name() });
    if s.uv_performed == Some(UvPerformed::Failed) {
        match s.uv_capability {
            Some(UvCapability::ClientPin) => answers["pin"] = json!(WRONG_PIN),
            Some(_) => answers["biometric"] = json!("no_match"),
            None => {}
        }
    }
    answers
}

/// The runner's message for `s`.
pub fn scenario_message(target: &Target, s: &Scenario, authorize_url: &Url) -> anyhow::Result<Value> {
    let username = format!("{}-{}", target.run, ACCOUNTS.fetch_add(1, Ordering::Relaxed));
    let config = serde_json::to_value(device_config(s, Up::Approve, false))?;
    let register = (s.first_factor != FirstFactor::Password).then(|| {
        json!({
            "discoverable": s.discoverable == Some(true),
            "secondFactor": s.first_factor == FirstFactor::PasswordAndKey,
        })
    });
    Ok(json!({
        "config": config,
        "user": { "username": username, "password": PASSWORD },
        "register": register,
        "signIn": { "method": s.first_factor.name(), "discoverable": s.discoverable == Some(true) },
        "answers": sign_in_answers(s),
        "authorizeUrl": authorize_url.as_str(),
    }))
}

/// The verdict of what the browser came back with.
pub(crate) async fn verdict(
    target: &Target,
    request: AuthorizationRequest,
    result: BrowserResult,
) -> Verdict {
    match (result.callback, result.failure) {
        (_, Some(failure)) => browser_refusal(&failure),
        (Some(callback), None) => match callback_verdict(target, request, &callback).await {
            Ok(verdict) | Err(verdict) => verdict,
        },
        (None, None) => refused("harness:the browser runner answered neither a callback nor a failure"),
    }
}

/// A step that failed in the browser: `browser:STAGE:KIND:DETAIL` when the page or the
/// authenticator refused; `harness:browser STAGE:KIND:DETAIL` when nothing happened in time,
/// the site or the runner broke, or the sign-up failed (a password sign-up is what every
/// scenario starts from, never what it tests): those say nothing about the IdP's judgement and
/// never agree with a verdict.
pub fn browser_refusal(failure: &StepFailure) -> Verdict {
    let broken = matches!(failure.kind.as_str(), "timeout" | "broken" | "error")
        || matches!(failure.stage.as_str(), "harness" | "sign_up");
    let prefix = if broken { "harness:browser " } else { "browser:" };
    refused(format!("{prefix}{}:{}:{}", failure.stage, failure.kind, failure.detail))
}

/// The redirect to the client: an error (OIDC Core §3.1.2.6) or a code to redeem.
async fn callback_verdict(
    target: &Target,
    request: AuthorizationRequest,
    callback: &str,
) -> Result<Verdict, Verdict> {
    let url = Url::parse(callback).map_err(|e| refused(format!("harness:bad callback {callback:?}: {e}")))?;
    let param =
        |name: &str| url.query_pairs().find(|(key, _)| key == name).map(|(_, value)| value.into_owned());
    if param("state").as_deref() != Some(request.state.secret().as_str()) {
        return Err(refused(format!("harness:the callback's state is not the request's: {callback}")));
    }
    if let Some(error) = param("error") {
        return Ok(callback_error(&error));
    }
    let code = param("code")
        .ok_or_else(|| refused(format!("harness:a callback with neither code nor error: {callback}")))?;
    // The IdP issued a code: a failure to redeem it is the harness's or the target file's (a
    // wrong secret, a PKCE mismatch), never a refusal the oracle could expect.
    redeem(target, &code, request.verifier, &request.nonce).await.map_err(|failed| {
        refused(format!(
            "harness:the code was issued but not redeemed ({})",
            failed.error.unwrap_or_default()
        ))
    })
}

/// An error redirected to the client (OIDC Core §3.1.2.6). Only the refusals a sign-in can
/// end in are verdicts; any other error (`server_error`, `invalid_request`, …) says the request
/// or the IdP broke, not what it decided about the user.
pub fn callback_error(error: &str) -> Verdict {
    let outcome = match error {
        "unmet_authentication_requirements" => Outcome::UnmetAuthenticationRequirements,
        "login_required" => Outcome::LoginRequired,
        "access_denied" | "interaction_required" => Outcome::Rejected,
        _ => return refused(format!("harness:the IdP answered the client with error={error}")),
    };
    Verdict { outcome, amr: Vec::new(), acr: None, error: Some(format!("oauth:{error}")) }
}

#[cfg(test)]
mod tests;
