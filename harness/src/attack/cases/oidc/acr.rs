//! Re-authentication and the authentication context: `/authorize/continue` called without the
//! sign-in `prompt=login` or `max_age=0` demanded, `prompt=none` without a session, essential
//! acr values no sign-in earns, and an attestation forged under softfido's public test root
//! presented to a provider that does not trust that root.

use std::time::Duration;

use softfido_authenticator::{Config, Profile};

use super::super::super::case::{Case, Expected, Group, Needs, Outcome};
use super::super::super::flow::token_for_session;
use super::super::super::oauth::{Answer, AuthRequest, authorize, resume};
use super::super::super::trial::Trial;
use super::super::client::victim;
use super::{case, signed_in};

/// An essential acr (OIDC Core §5.5.1.1) of `value`, as a `claims` parameter.
fn essential_acr(value: &str) -> String {
    serde_json::json!({ "id_token": { "acr": { "essential": true, "values": [value] } } }).to_string()
}

/// The re-authentication and acr cases.
pub const CASES: &[Case] = &[
    case(
        "oidc.continue_without_sign_in_after_prompt_login",
        "prompt=login sends the browser to sign in; it calls /authorize/continue without doing so",
        "OIDC Core §3.1.2.1 (prompt=login MUST reauthenticate)",
        "redirect:login_required",
        |t| Box::pin(continue_without_sign_in(t, "prompt", "login")),
    ),
    case(
        "oidc.continue_without_sign_in_after_max_age_0",
        "max_age=0 sends the browser to sign in; it calls /authorize/continue without doing so",
        "OIDC Core §3.1.2.1 (max_age), errata set 2",
        "redirect:login_required",
        |t| Box::pin(continue_without_sign_in(t, "max_age", "0")),
    ),
    case(
        "oidc.prompt_none_without_session",
        "prompt=none from a browser with no session",
        "OIDC Core §3.1.2.6",
        "redirect:login_required",
        |t| Box::pin(prompt_none_without_session(t)),
    ),
    case(
        "oidc.essential_unknown_acr",
        "an essential acr the provider never achieves (claims parameter)",
        "OIDC Core §5.5.1.1; Unmet Authentication Requirements 1.0 §3",
        "redirect:unmet_authentication_requirements",
        |t| Box::pin(essential_unknown_acr(t)),
    ),
    case(
        "oidc.essential_phrh_with_synced_passkey",
        "an essential phrh for a user whose only passkey is synced (exportable, so never phrh)",
        "OIDC Core §5.5.1.1; EAP ACR Values 1.0 §2.2",
        "redirect:unmet_authentication_requirements",
        |t| Box::pin(essential_phrh_with_synced_passkey(t)),
    ),
    Case {
        id: "oidc.forged_test_root_attestation",
        group: Group::Oidc,
        attack: "a packed basic attestation chaining to softfido's test root (whose keys are public) \
                 at a provider that does not trust it: stored, but neither its hardware (hwk, phrh) nor its \
                 UV method (pin) is believed: pop, user and mfa (UV was performed), acr phr",
        spec: "WebAuthn L3 §7.1 steps 21-22; RFC 8176 §2 (hwk); EAP ACR Values 1.0 §2.2",
        expected: Expected::Discounted("token amr=[mfa,pop,user] acr=phr"),
        needs: Needs::UntrustingIdp,
        run: |t| Box::pin(forged_attestation(t)),
    },
];

async fn continue_without_sign_in(
    trial: Trial,
    name: &'static str,
    value: &'static str,
) -> anyhow::Result<Outcome> {
    let browser = signed_in(&trial).await?;
    let request = AuthRequest::matrix().set(name, value);
    let Answer::SignIn(query) = authorize(&trial, &browser, &request).await? else {
        anyhow::bail!("{name}={value} did not send the browser to sign in");
    };
    trial.checkpoint(&[&browser]).await?;
    Ok(resume(&trial, &browser, &query).await?.outcome())
}

async fn prompt_none_without_session(trial: Trial) -> anyhow::Result<Outcome> {
    let browser = trial.browser();
    trial.checkpoint(&[&browser]).await?;
    Ok(authorize(&trial, &browser, &AuthRequest::matrix().set("prompt", "none")).await?.outcome())
}

async fn essential_unknown_acr(trial: Trial) -> anyhow::Result<Outcome> {
    let browser = signed_in(&trial).await?;
    let request = AuthRequest::matrix().set("claims", &essential_acr("urn:softfido:attack:unknown-acr"));
    trial.checkpoint(&[&browser]).await?;
    Ok(authorize(&trial, &browser, &request).await?.outcome())
}

/// A synced passkey (backup eligible and backed up, face UV), cheap to run.
fn synced_passkey() -> Config {
    Config { presence_timeout: Duration::ZERO, ..Profile::SyncedPasskey.config() }
}

async fn essential_phrh_with_synced_passkey(trial: Trial) -> anyhow::Result<Outcome> {
    let browser = trial.browser();
    let username = trial.sign_up(&browser, true).await?;
    let mut passkey = trial.client(synced_passkey())?;
    trial.register(&browser, &mut passkey, true).await?;
    let signed_in = trial.browser();
    let signed = trial.sign_in(&signed_in, &mut passkey, Some(&username)).await?;
    anyhow::ensure!(matches!(signed, Outcome::Accepted(_)), "the synced passkey's sign-in: {signed:?}");
    let request = AuthRequest::matrix().set("claims", &essential_acr("phrh"));
    trial.checkpoint(&[&signed_in]).await?;
    Ok(authorize(&trial, &signed_in, &request).await?.outcome())
}

async fn forged_attestation(trial: Trial) -> anyhow::Result<Outcome> {
    let mut victim = victim(&trial, false).await?;
    let browser = trial.browser();
    let signed = trial.sign_in(&browser, &mut victim.client, Some(&victim.username)).await?;
    anyhow::ensure!(matches!(signed, Outcome::Accepted(_)), "the security key's sign-in: {signed:?}");
    trial.checkpoint(&[&browser]).await?;
    token_for_session(&trial, &browser).await
}
