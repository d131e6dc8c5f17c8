//! `softfido expect`: what a correct IdP answers when a given authenticator signs in, read from
//! the matrix's oracle (the rule table R0–R12, docs/amr-acr.md). A browser test that drives a
//! page with the bridge asks it for the amr/acr (or the refusal) to compare with the page's.

use std::process::ExitCode;

use serde_json::json;
use softfido_authenticator::config::{
    AttestationKind, Generation, KeyProtection as DeviceKeys, Modality, UvCapability as DeviceUv,
    VerifyOutcome,
};
use softfido_authenticator::{Config, Profile};

use crate::axes::{
    AcrRequest, Attestation, Backup, FirstFactor, KeyKind, KeyProtection, MaxAge, PinProtocol, Prompt, RpUv,
    Session, Up, UvCapability, UvPerformed,
};
use crate::matrix::oracle;
use crate::matrix::scenario::{Scenario, all_scenarios};

/// `softfido expect` arguments: the authenticator, what the user does at sign-in, and what the
/// relying party asks.
#[derive(clap::Args, Debug)]
pub struct ExpectArgs {
    /// A named profile (security-key, platform, synced-passkey, software-token,
    /// legacy-security-key, u2f-security-key).
    #[arg(long, conflicts_with_all = ["config", "scenario"])]
    pub profile: Option<String>,
    /// The authenticator configuration as JSON (what `POST /authenticators` of the bridge takes).
    #[arg(long, conflicts_with = "scenario")]
    pub config: Option<String>,
    /// A matrix scenario ID instead (as in the matrix's reports).
    #[arg(long)]
    pub scenario: Option<String>,
    /// The RP's userVerification: required, preferred or discouraged.
    #[arg(long, default_value = "preferred")]
    pub rp_uv: RpUv,
    /// The user's answer to the presence test at sign-in: approve, deny or timeout.
    #[arg(long, default_value = "approve")]
    pub presence: Up,
    /// The built-in sensor's verdict at sign-in.
    #[arg(long, value_parser = parse_verify, default_value = "match")]
    pub biometric: VerifyOutcome,
    /// The user types a wrong PIN at sign-in.
    #[arg(long)]
    pub wrong_pin: bool,
    /// Sign in username-first (an allowList) instead of with a discoverable credential.
    #[arg(long)]
    pub username_first: bool,
    /// The relying party trusts the attestation root (softfido serve --trust-softfido-test-root).
    #[arg(long)]
    pub trusted_attestation: bool,
    /// The relying party asks for the `uvm` extension.
    #[arg(long)]
    pub uvm_requested: bool,
}

fn parse_verify(text: &str) -> Result<VerifyOutcome, String> {
    match text {
        "match" => Ok(VerifyOutcome::Match),
        "no_match" => Ok(VerifyOutcome::NoMatch),
        _ => Err(format!("unknown biometric outcome {text:?}; expected match or no_match")),
    }
}

/// The configuration the arguments name.
fn configuration(args: &ExpectArgs) -> anyhow::Result<Config> {
    if let Some(json) = &args.config {
        return Ok(serde_json::from_str(json)?);
    }
    let name = args.profile.as_deref().unwrap_or("security-key");
    Profile::from_name(name).map(Profile::config).ok_or_else(|| {
        let names: Vec<_> = Profile::ALL.iter().map(|p| p.name()).collect();
        anyhow::anyhow!("unknown profile {name:?}; expected one of {}", names.join(", "))
    })
}

/// What happens at sign-in and what the relying party does, beside the authenticator.
#[derive(Clone, Copy, Debug)]
pub struct SignInFacts {
    /// The RP's userVerification.
    pub rp_uv: RpUv,
    /// The user's answer to the presence test.
    pub presence: Up,
    /// The built-in sensor's verdict.
    pub biometric: VerifyOutcome,
    /// The PIN typed is wrong.
    pub wrong_pin: bool,
    /// A discoverable sign-in.
    pub discoverable: bool,
    /// The RP trusts the attestation root.
    pub trusted_attestation: bool,
    /// The RP asks for `uvm`.
    pub uvm_requested: bool,
}

fn uv_axes(config: &Config, facts: &SignInFacts) -> (UvCapability, Option<UvPerformed>, Option<PinProtocol>) {
    let verdict = |ok: bool| if ok { UvPerformed::Yes } else { UvPerformed::Failed };
    match config.uv {
        DeviceUv::None => (UvCapability::None, None, None),
        DeviceUv::ClientPin if config.pin.is_none() => (UvCapability::ClientPin, Some(UvPerformed::No), None),
        DeviceUv::ClientPin => {
            (UvCapability::ClientPin, Some(verdict(!facts.wrong_pin)), Some(PinProtocol::Two))
        }
        DeviceUv::Builtin { modality, enrolled, outcome } => {
            let capability = match modality {
                Modality::Fingerprint => UvCapability::Fingerprint,
                Modality::Face => UvCapability::Face,
                Modality::Iris => UvCapability::Iris,
                Modality::Voice => UvCapability::Voice,
            };
            let performed = if enrolled {
                verdict(outcome == VerifyOutcome::Match && facts.biometric == VerifyOutcome::Match)
            } else {
                UvPerformed::No
            };
            (capability, Some(performed), None)
        }
    }
}

/// The matrix scenario of an authenticator `config` signing in with `facts`, its axes collapsed
/// to `n/a` as the matrix collapses them ([`crate::matrix::scenario`]).
pub fn scenario_for(config: &Config, facts: &SignInFacts) -> Scenario {
    let (uv_capability, uv_performed, pin_protocol) = uv_axes(config, facts);
    let attestation = match config.attestation {
        AttestationKind::None => Attestation::None,
        AttestationKind::PackedSelf => Attestation::SelfAttestation,
        AttestationKind::PackedBasic if facts.trusted_attestation => Attestation::BasicTrusted,
        AttestationKind::PackedBasic | AttestationKind::PackedBasicUntrusted => Attestation::BasicUntrusted,
    };
    let uvm = config.extensions.uvm && facts.uvm_requested;
    let key_protection =
        (attestation == Attestation::BasicTrusted || uvm).then_some(match config.key_protection {
            DeviceKeys::Software => KeyProtection::Software,
            DeviceKeys::Hardware => KeyProtection::Hardware,
            DeviceKeys::Tee => KeyProtection::Tee,
            DeviceKeys::SecureElement => KeyProtection::SecureElement,
        });
    let backup = match (config.backup.eligible, config.backup.state) {
        (false, false) => Backup::Be0Bs0,
        (true, false) => Backup::Be1Bs0,
        (true, true) => Backup::Be1Bs1,
        (false, true) => Backup::Be0Bs1,
    };
    let key = Scenario {
        up: None,
        uv_capability: Some(uv_capability),
        uv_performed,
        pin_protocol,
        key_protection,
        attestation: Some(attestation),
        backup: Some(backup),
        uvm: Some(uvm),
        discoverable: Some(facts.discoverable),
        first_factor: FirstFactor::Passkey,
        rp_uv: Some(facts.rp_uv),
        acr_request: None,
        session: Session::None,
        prompt: Prompt::Absent,
        max_age: MaxAge::Absent,
        kind: KeyKind::Fido2,
    };
    let key = if config.generation == Generation::U2f { as_u2f_key(key, config, facts) } else { key };
    if !key.registration_possible() {
        return key;
    }
    let refused = facts.presence != Up::Approve
        || (key.uv_attempted_at_sign_in() && key.uv_performed == Some(UvPerformed::Failed));
    let acr_request = (!refused).then_some(AcrRequest::None);
    Scenario { up: Some(facts.presence), acr_request, ..key }
}

/// The scenario of a U2F key as the matrix has it: no UV, no backup flags, no `uvm`, and its
/// batch attestation (a U2F key has no other), trusted or not; hardware keys, known to the RP
/// only through the trusted statement.
fn as_u2f_key(key: Scenario, config: &Config, facts: &SignInFacts) -> Scenario {
    let trusted = facts.trusted_attestation && config.attestation != AttestationKind::PackedBasicUntrusted;
    let attestation = if trusted { Attestation::BasicTrusted } else { Attestation::BasicUntrusted };
    Scenario {
        uv_capability: Some(UvCapability::None),
        uv_performed: None,
        pin_protocol: None,
        key_protection: trusted.then_some(KeyProtection::Hardware),
        attestation: Some(attestation),
        backup: Some(Backup::Be0Bs0),
        uvm: Some(false),
        kind: KeyKind::U2f,
        ..key
    }
}

/// Runs `softfido expect`: prints the oracle's verdict as one JSON object.
pub fn run(args: &ExpectArgs) -> anyhow::Result<ExitCode> {
    let scenario = match &args.scenario {
        Some(id) => *all_scenarios()
            .iter()
            .find(|s| s.id() == *id)
            .ok_or_else(|| anyhow::anyhow!("no matrix scenario has the ID {id:?}"))?,
        None => {
            let facts = SignInFacts {
                rp_uv: args.rp_uv,
                presence: args.presence,
                biometric: args.biometric,
                wrong_pin: args.wrong_pin,
                discoverable: !args.username_first,
                trusted_attestation: args.trusted_attestation,
                uvm_requested: args.uvm_requested,
            };
            scenario_for(&configuration(args)?, &facts)
        }
    };
    let expectation = oracle::expect(&scenario);
    let verdict = &expectation.verdict;
    let answer = json!({
        "scenario": scenario.id(),
        "outcome": verdict.outcome,
        "amr": verdict.amr,
        "acr": verdict.acr,
        "error": verdict.error,
        "rules": expectation.rules,
    });
    println!("{answer}");
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests;
