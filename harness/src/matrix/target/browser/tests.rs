use super::{browser_refusal, callback_error, sign_in_answers};
use crate::axes::{Up, UvCapability, UvPerformed};
use crate::matrix::ceremony::WRONG_PIN;
use crate::matrix::oracle::Outcome;
use crate::matrix::scenario::{all_scenarios, hardware_passkey};
use crate::matrix::target::runner::StepFailure;

#[test]
fn the_user_answers_at_sign_in_as_the_axes_say() {
    let mut s = hardware_passkey();
    assert_eq!(sign_in_answers(&s), serde_json::json!({ "presence": "approve" }));
    s.up = Some(Up::Deny);
    assert_eq!(sign_in_answers(&s)["presence"], "deny");
    s.up = Some(Up::Approve);
    s.uv_capability = Some(UvCapability::ClientPin);
    s.uv_performed = Some(UvPerformed::Failed);
    assert_eq!(sign_in_answers(&s)["pin"], WRONG_PIN);
    let biometric = all_scenarios()
        .into_iter()
        .find(|s| {
            s.uv_capability == Some(UvCapability::Fingerprint) && s.uv_performed == Some(UvPerformed::Failed)
        })
        .expect("a failing fingerprint");
    assert_eq!(sign_in_answers(&biometric)["biometric"], "no_match");
    assert!(sign_in_answers(&biometric).get("pin").is_none());
}

#[test]
fn a_browser_failure_is_a_rejection_naming_its_step() {
    let failure = StepFailure {
        stage: "sign_in".into(),
        kind: "refused".into(),
        detail: "NotAllowedError: CTAP2_ERR_OPERATION_DENIED".into(),
    };
    let verdict = browser_refusal(&failure);
    assert_eq!(verdict.outcome, Outcome::Rejected);
    assert_eq!(
        verdict.error.as_deref(),
        Some("browser:sign_in:refused:NotAllowedError: CTAP2_ERR_OPERATION_DENIED")
    );
    assert!(verdict.amr.is_empty() && verdict.acr.is_none());
}

#[test]
fn a_step_that_timed_out_or_a_broken_runner_is_a_harness_error() {
    for (stage, kind) in
        [("sign_in", "timeout"), ("harness", "error"), ("register", "broken"), ("sign_up", "page")]
    {
        let failure = StepFailure { stage: stage.into(), kind: kind.into(), detail: "x".into() };
        let error = browser_refusal(&failure).error.unwrap_or_default();
        assert!(error.starts_with("harness:browser "), "{error}");
    }
}

#[test]
fn only_the_refusals_a_sign_in_ends_in_are_verdicts() {
    assert_eq!(
        callback_error("unmet_authentication_requirements").outcome,
        Outcome::UnmetAuthenticationRequirements
    );
    assert_eq!(callback_error("login_required").outcome, Outcome::LoginRequired);
    assert_eq!(callback_error("access_denied").error.as_deref(), Some("oauth:access_denied"));
    for broken in ["server_error", "invalid_request", "temporarily_unavailable", "invalid_scope"] {
        let error = callback_error(broken).error.unwrap_or_default();
        assert!(error.starts_with("harness:"), "{broken}: {error}");
    }
}
