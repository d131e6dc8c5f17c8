//! What each scenario must end in, read from the rule table (R0–R12) in docs/amr-acr.md on its own: this
//! file never calls the relying party's policy code, so the IdP and the oracle are two
//! independent readings of the same table, and the matrix compares them.
//!
//! Errors are written `stage:code`: `client:` for the browser refusing, `ctap:` for the
//! authenticator's status, `webauthn:` for the IdP rejecting a ceremony, `oauth:` for an error
//! redirected to the client.

use serde::{Deserialize, Serialize};

mod session;

use super::scenario::Scenario;
use crate::axes::{
    AcrRequest, Attestation, FirstFactor, KeyKind, KeyProtection, MaxAge, Prompt, RpUv, Session, Up,
    UvCapability, UvPerformed,
};

/// How a scenario ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The client redeemed a code for a verified ID token.
    Token,
    /// A ceremony or the authorization was refused.
    Rejected,
    /// The IdP answered `unmet_authentication_requirements`.
    UnmetAuthenticationRequirements,
    /// The IdP answered `login_required` (`prompt=none` and the user must sign in).
    LoginRequired,
}

/// What a scenario ended in: expected (from the oracle) or actual (from the ID token or error).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The outcome.
    pub outcome: Outcome,
    /// The ID token's `amr`, sorted (empty without a token).
    pub amr: Vec<String>,
    /// The ID token's `acr`, when it has one.
    pub acr: Option<String>,
    /// Why it was refused.
    pub error: Option<String>,
}

/// The oracle's verdict and the rules that decided it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    /// The verdict.
    pub verdict: Verdict,
    /// The rule numbers (`R0`…`R12`) that decided it, plus `client`/`ctap` for refusals that
    /// happen before the IdP sees anything.
    pub rules: Vec<&'static str>,
}

/// The browser refuses: the RP requires UV and the authenticator cannot do it.
pub const UV_UNAVAILABLE: &str = "client:uv_unavailable";
/// The browser refuses: the RP requires a discoverable credential and the key keeps none.
pub const DISCOVERABLE_UNAVAILABLE: &str = "client:discoverable_unavailable";

fn rejected(error: String, rules: Vec<&'static str>) -> Expectation {
    Expectation {
        verdict: Verdict { outcome: Outcome::Rejected, amr: Vec::new(), acr: None, error: Some(error) },
        rules,
    }
}

/// R11: the client required `phrh` (essential) and the sign-in did not earn it.
fn unmet_requirements(rules: Vec<&'static str>) -> Expectation {
    Expectation {
        verdict: Verdict {
            outcome: Outcome::UnmetAuthenticationRequirements,
            amr: Vec::new(),
            acr: None,
            error: Some("oauth:unmet_authentication_requirements".into()),
        },
        rules,
    }
}

/// The expected end of `scenario`.
pub fn expect(scenario: &Scenario) -> Expectation {
    let fresh_browser = scenario.session == Session::None
        && scenario.prompt == Prompt::Absent
        && scenario.max_age == MaxAge::Absent;
    if !fresh_browser {
        return session::expect_with_session(scenario);
    }
    match scenario.first_factor {
        FirstFactor::Password => password_only(scenario.acr_request),
        FirstFactor::Passkey | FirstFactor::PasswordAndKey => with_key(scenario),
    }
}

/// R10: a password alone gives `pwd` and no acr; R11/R12 for what the client asked.
fn password_only(acr_request: Option<AcrRequest>) -> Expectation {
    let mut rules = vec!["R10"];
    if matches!(acr_request, Some(AcrRequest::EssentialPhrh | AcrRequest::EssentialUnknown)) {
        rules.push("R11");
        return unmet_requirements(rules);
    }
    if voluntary(acr_request) {
        rules.push("R12");
    }
    Expectation {
        verdict: Verdict { outcome: Outcome::Token, amr: vec!["pwd".into()], acr: None, error: None },
        rules,
    }
}

fn with_key(s: &Scenario) -> Expectation {
    if s.kind == KeyKind::U2f {
        return with_u2f_key(s);
    }
    // Registration. A browser does not offer an authenticator that cannot verify the user to an
    // RP that requires it (WebAuthn L3 §6.3.2 step 20: the authenticator must be capable).
    let uv_possible = matches!(s.uv_performed, Some(UvPerformed::Yes | UvPerformed::Failed));
    if s.rp_uv == Some(RpUv::Required) && !uv_possible {
        return rejected(UV_UNAVAILABLE.into(), vec!["client"]);
    }
    // WebAuthn L3 §6.1.3: BS = 1 with BE = 0 is invalid; the RP refuses the registration.
    if s.backup.is_some_and(|b| b.state() && !b.eligible()) {
        return rejected("webauthn:backup_state_without_eligibility".into(), vec!["flags"]);
    }
    // Sign-in. A wrong PIN fails at the clientPIN exchange, before any touch; a built-in sensor
    // needs the touch first, so an absent user never reaches the match.
    let failing_uv = s.uv_attempted_at_sign_in() && s.uv_performed == Some(UvPerformed::Failed);
    let up = s.up.unwrap_or(Up::Approve);
    if failing_uv && s.uv_capability == Some(UvCapability::ClientPin) {
        return rejected("ctap:CTAP2_ERR_PIN_INVALID".into(), vec!["ctap"]);
    }
    if up != Up::Approve {
        // R0: the user is absent; the assertion the client can still get says UP = 0.
        let status =
            if up == Up::Deny { "CTAP2_ERR_OPERATION_DENIED" } else { "CTAP2_ERR_USER_ACTION_TIMEOUT" };
        return rejected(format!("ctap:{status} webauthn:user_not_present"), vec!["R0"]);
    }
    if failing_uv {
        return rejected("ctap:CTAP2_ERR_UV_INVALID".into(), vec!["ctap"]);
    }
    key_context(s)
}

/// A U2F security key (CTAP 2.1 §10): the browser does not offer it where the RP requires a
/// discoverable credential or user verification, which it cannot give; an absent user leaves
/// U2F's "test of user presence required" and only a silent assertion (R0). A signed-in U2F key
/// never has UV = 1, so it never earns `mfa` alone; its batch certificate under the trusted
/// root, whose statement says hardware, earns `hwk` (R6), any other attestation R8.
fn with_u2f_key(s: &Scenario) -> Expectation {
    if s.discoverable == Some(true) {
        return rejected(DISCOVERABLE_UNAVAILABLE.into(), vec!["client"]);
    }
    if s.rp_uv == Some(RpUv::Required) {
        return rejected(UV_UNAVAILABLE.into(), vec!["client"]);
    }
    if s.up.unwrap_or(Up::Approve) != Up::Approve {
        return rejected("u2f:SW_CONDITIONS_NOT_SATISFIED webauthn:user_not_present".into(), vec!["R0"]);
    }
    key_context(s)
}

/// R1–R9, R11, R12 for a sign-in whose assertion the IdP verified.
fn key_context(s: &Scenario) -> Expectation {
    let mut amr = vec!["pop", "user"];
    let mut rules = vec!["R1", "R2"];
    let verified = s.uv_attempted_at_sign_in() && s.uv_performed == Some(UvPerformed::Yes);
    let trusted = s.attestation == Some(Attestation::BasicTrusted);
    let uvm = s.uvm == Some(true);
    if verified {
        amr.push("mfa");
        rules.push("R5");
        // The method is known from the signed uvm output, or from a trusted metadata statement
        // (softfido's statements list exactly one UV method per model).
        if uvm || trusted {
            let (method, rule) = match s.uv_capability {
                Some(UvCapability::ClientPin) => ("pin", "R3"),
                Some(UvCapability::Fingerprint) => ("fpt", "R4"),
                Some(UvCapability::Face) => ("face", "R4"),
                Some(UvCapability::Iris) => ("iris", "R4"),
                Some(UvCapability::Voice) => ("vbm", "R4"),
                Some(UvCapability::None) | None => ("", ""),
            };
            if !method.is_empty() {
                amr.push(method);
                rules.push(rule);
            }
        }
    }
    let backup_eligible = s.backup.is_some_and(|b| b.eligible());
    let protection = s.key_protection.unwrap_or(KeyProtection::Hardware);
    // R6: raising assurance needs a trusted attestation; R7: lowering it is believed from any
    // source (the uvm output's key protection, or BE = 1).
    let hardware = trusted && protection.is_hardware() && !backup_eligible;
    let software = backup_eligible || (protection == KeyProtection::Software && (trusted || uvm));
    let mut acr = "phr";
    if hardware {
        amr.push("hwk");
        acr = "phrh";
        rules.push("R6");
    } else if software {
        amr.push("swk");
        rules.push("R7");
    } else {
        rules.push("R8");
    }
    if s.first_factor == FirstFactor::PasswordAndKey {
        amr.extend(["pwd", "mfa"]);
        rules.push("R9");
    }
    let mut amr: Vec<String> = amr.into_iter().map(str::to_owned).collect();
    amr.sort();
    amr.dedup();
    match s.acr_request {
        // OIDC Core §5.5.1.1: an essential acr the IdP does not know is never achieved.
        Some(AcrRequest::EssentialPhrh) if acr != "phrh" => {
            rules.push("R11");
            unmet_requirements(rules)
        }
        Some(AcrRequest::EssentialUnknown) => {
            rules.push("R11");
            unmet_requirements(rules)
        }
        request => {
            if voluntary(request) {
                rules.push("R12");
            }
            Expectation {
                verdict: Verdict { outcome: Outcome::Token, amr, acr: Some(acr.into()), error: None },
                rules,
            }
        }
    }
}

/// R12: `acr_values` (known or not) never blocks; the ID token says what was achieved.
fn voluntary(request: Option<AcrRequest>) -> bool {
    matches!(
        request,
        Some(AcrRequest::AcrValuesPhr | AcrRequest::AcrValuesPhrh | AcrRequest::VoluntaryUnknown)
    )
}

#[cfg(test)]
mod tests;
