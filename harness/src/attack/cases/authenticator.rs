//! The authenticator lies (its `danger_*` faults): flags it did not earn, bytes it did not
//! sign, keys it does not hold, counters that run backwards, attestation it has no right to.
//! WebAuthn L3 §7.1 (registration) and §7.2 (authentication) are the relying party's checks;
//! each case names the check by what it verifies.

use softfido_authenticator::Config;
use softfido_authenticator::config::{
    AttestationFault, AttestationKind, AuthDataFault, BackupFlags, CounterMode, ExtensionSupport, Faults,
    KeyProtection, Modality, UvCapability, VerifyOutcome,
};

use super::super::case::{Case, Group, Outcome};
use super::super::flow::token_for_session;
use super::super::trial::Trial;
use super::client::victim;
use super::security_key;

/// Why a UV flag without verification cannot be caught.
const UV_IS_ITS_OWN_WORD: &str = "UV is a flag the authenticator sets in data it signs with the credential's own key: \
     nothing in the response can show that no PIN or biometric was checked. Only trusted attestation of a \
     certified model (whose metadata lists its UV methods) can vouch for it; amr `user`/`pin`/`mfa` from an \
     unattested key is that key's word";

/// Why a uvm output naming a method never used cannot be caught.
const UVM_IS_ITS_OWN_WORD: &str = "the uvm extension output is signed by the credential's own key like the UV \
     flag: an unattested key that names a fingerprint it never read is indistinguishable from one that read \
     it. Only trusted attestation of a model certified for that method can vouch for it";

/// Why a cloned key whose counter stays 0 cannot be caught.
const ZERO_COUNTER_SAYS_NOTHING: &str = "a credential whose signature counter stays 0 gives the RP nothing to \
     compare: WebAuthn L3 §7.2 detects a clone only by a nonzero counter that fails to increase, and leaves a \
     zero counter unchecked (synced passkeys, and hardware keys without a counter, report 0). Both copies \
     sign in, with whatever the original's attestation earns";

/// The authenticator group's cases.
pub const CASES: &[Case] = &[
    Case::undetectable(
        Group::Authenticator,
        "authenticator.uv_without_verification",
        "a key with no PIN and no sensor sets UV=1 in every response",
        "WebAuthn L3 §7.2: verify UV (the RP can only read the flag)",
        (UV_IS_ITS_OWN_WORD, "token amr=[mfa,pop,user] acr=phr"),
        |t| Box::pin(uv_without_verification(t)),
    ),
    Case::undetectable(
        Group::Authenticator,
        "authenticator.uvm_names_a_biometric_never_read",
        "an unattested key with no enrolled finger sets UV=1 and its signed uvm output names the fingerprint",
        "WebAuthn L2 §10.3 (uvm is the authenticator's word)",
        (UVM_IS_ITS_OWN_WORD, "token amr=[fpt,mfa,pop,user] acr=phr"),
        |t| Box::pin(uvm_names_a_biometric_never_read(t)),
    ),
    Case::discounted(
        Group::Authenticator,
        "authenticator.uvm_claims_hardware_unattested",
        "an unattested key's signed uvm output claims a secure element",
        "rule R6/R8: hardware only on trusted attestation",
        "token amr=[fpt,mfa,pop,user] acr=phr",
        |t| Box::pin(uvm_claims_hardware_unattested(t)),
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.presence_not_tested",
        "UP=0 in a successful assertion: the presence test was never passed",
        "WebAuthn L3 §7.2: verify UP",
        "webauthn:user_not_present",
        |t| Box::pin(at_sign_in(t, |f| f.danger_presence_not_tested = true)),
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.presence_not_tested_registration",
        "UP=0 in a successful registration",
        "WebAuthn L3 §7.1: verify UP",
        "webauthn:user_not_present",
        |t| Box::pin(at_registration(t, faulty(|f| f.danger_presence_not_tested = true))),
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.wrong_rp_id_hash_sign_in",
        "the assertion's rpIdHash is another RP's",
        "WebAuthn L3 §7.2: verify rpIdHash",
        "webauthn:wrong_rp_id",
        |t| Box::pin(at_sign_in(t, |f| f.danger_wrong_rp_id_hash = true)),
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.wrong_rp_id_hash_registration",
        "the registration's rpIdHash is another RP's",
        "WebAuthn L3 §7.1: verify rpIdHash",
        "webauthn:wrong_rp_id",
        |t| Box::pin(at_registration(t, faulty(|f| f.danger_wrong_rp_id_hash = true))),
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.corrupt_signature",
        "one byte of the assertion signature flipped",
        "WebAuthn L3 §7.2: verify the signature",
        "webauthn:bad_signature",
        |t| Box::pin(at_sign_in(t, |f| f.danger_corrupt_signature = true)),
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.corrupt_attestation_signature",
        "one byte of the packed attestation signature flipped",
        "WebAuthn L3 §7.1: verify attStmt; §8.2 verification procedure",
        "webauthn:invalid_attestation",
        |t| Box::pin(at_registration(t, faulty(|f| f.danger_corrupt_signature = true))),
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.signature_by_another_key",
        "a well-formed assertion signed by a key other than the credential's",
        "WebAuthn L3 §7.2: verify the signature",
        "webauthn:bad_signature",
        |t| Box::pin(at_sign_in(t, |f| f.danger_sign_with_foreign_key = true)),
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.counter_regression",
        "the signature counter goes backwards",
        "WebAuthn L3 §7.2: signCount, §6.1.1",
        "webauthn:counter_not_increased",
        |t| Box::pin(counter_regression(t)),
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.cloned_credential",
        "one credential on two authenticators: the copy signs after the original moved on",
        "WebAuthn L3 §7.2: signCount, §6.1.1",
        "webauthn:counter_not_increased",
        |t| Box::pin(cloned_credential(t, CounterMode::PerCredential)),
    ),
    Case::undetectable(
        Group::Authenticator,
        "authenticator.cloned_credential_counter_zero",
        "one credential on two authenticators whose counters are always 0",
        "WebAuthn L3 §7.2: signCount (a zero counter is not compared)",
        (ZERO_COUNTER_SAYS_NOTHING, "token amr=[hwk,mfa,pin,pop,user] acr=phrh"),
        |t| Box::pin(cloned_credential(t, CounterMode::Zero)),
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.backup_state_without_eligibility",
        "BS=1 with BE=0 in an assertion",
        "WebAuthn L3 §6.1.3; §7.2: verify BS only with BE",
        "webauthn:backup_state_without_eligibility",
        |t| Box::pin(at_sign_in(t, |f| f.danger_backup_state_without_eligibility = true)),
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.backup_state_without_eligibility_registration",
        "BS=1 with BE=0 at registration",
        "WebAuthn L3 §6.1.3; §7.1: verify BS only with BE",
        "webauthn:backup_state_without_eligibility",
        |t| Box::pin(at_registration(t, faulty(|f| f.danger_backup_state_without_eligibility = true))),
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.backup_eligibility_gained",
        "a credential registered with BE=0 signs in with BE=1",
        "WebAuthn L3 §6.1.3 (BE is fixed when the credential is created)",
        "webauthn:backup_eligibility_changed",
        |t| Box::pin(backup_eligibility_changed(t, false)),
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.backup_eligibility_lost",
        "a credential registered with BE=1 signs in with BE=0",
        "WebAuthn L3 §6.1.3 (BE is fixed when the credential is created)",
        "webauthn:backup_eligibility_changed",
        |t| Box::pin(backup_eligibility_changed(t, true)),
    ),
    Case::discounted(
        Group::Authenticator,
        "authenticator.self_signed_batch_claiming_hardware",
        "packed basic attestation by a self-signed certificate carrying a hardware model's AAGUID",
        "WebAuthn L3 §7.1: trust anchors, attestation trustworthiness; rule R6/R8",
        "token amr=[mfa,pop,user] acr=phr",
        |t| {
            Box::pin(hardware_claim(
                t,
                faulty(|f| f.danger_attestation = Some(AttestationFault::SelfSignedBatchClaimingHardware)),
            ))
        },
    ),
    Case::discounted(
        Group::Authenticator,
        "authenticator.chain_to_untrusted_root",
        "packed basic attestation chaining to a root no metadata lists",
        "WebAuthn L3 §7.1: trust anchors, attestation trustworthiness; rule R6/R8",
        "token amr=[mfa,pop,user] acr=phr",
        |t| {
            Box::pin(hardware_claim(
                t,
                Config { attestation: AttestationKind::PackedBasicUntrusted, ..security_key() },
            ))
        },
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.certificate_aaguid_mismatch",
        "the batch certificate's AAGUID extension differs from authData's AAGUID",
        "WebAuthn L3 §8.2.1 (id-fido-gen-ce-aaguid must match)",
        "webauthn:invalid_attestation",
        |t| {
            Box::pin(at_registration(
                t,
                faulty(|f| f.danger_attestation = Some(AttestationFault::CertificateAaguidMismatch)),
            ))
        },
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.self_attestation_algorithm_mismatch",
        "packed self attestation signed ES256 whose alg announces RS256, an algorithm the RP offers",
        "WebAuthn L3 §8.2 (self attestation: alg must match the credential public key's)",
        "webauthn:invalid_attestation",
        |t| {
            Box::pin(at_registration(
                t,
                Config {
                    attestation: AttestationKind::PackedSelf,
                    ..faulty(|f| {
                        f.danger_attestation = Some(AttestationFault::SelfAttestationAlgorithmMismatch)
                    })
                },
            ))
        },
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.key_algorithm_not_offered",
        "the credential public key announced as EdDSA, which the RP never offered, while the credential signs ES256",
        "WebAuthn L3 §7.1: the credential's alg must be one of pubKeyCredParams",
        "webauthn:algorithm_not_allowed",
        |t| {
            Box::pin(at_registration(
                t,
                Config {
                    attestation: AttestationKind::PackedSelf,
                    ..faulty(|f| f.danger_credential_key_algorithm_mismatch = true)
                },
            ))
        },
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.auth_data_truncated",
        "the assertion's authenticator data one byte short, signed as sent",
        "WebAuthn L3 §6.1 (37 bytes at least)",
        "webauthn:malformed",
        |t| Box::pin(at_sign_in(t, |f| f.danger_auth_data = Some(AuthDataFault::TruncatedByOne))),
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.auth_data_trailing_bytes",
        "two bytes after the assertion's authenticator data, signed",
        "WebAuthn L3 §6.1 (no data beyond what the flags announce)",
        "webauthn:malformed_authenticator_data",
        |t| Box::pin(at_sign_in(t, |f| f.danger_auth_data = Some(AuthDataFault::TrailingBytes))),
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.auth_data_trailing_bytes_registration",
        "two bytes after the registration's authenticator data, signed",
        "WebAuthn L3 §6.1 (no data beyond what the flags announce)",
        "webauthn:malformed_authenticator_data",
        |t| Box::pin(at_registration(t, faulty(|f| f.danger_auth_data = Some(AuthDataFault::TrailingBytes)))),
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.extensions_without_flag_registration",
        "an extension map appended to the registration's authenticator data with ED=0",
        "WebAuthn L3 §6.1 (ED: extension data included)",
        "webauthn:malformed_authenticator_data",
        |t| {
            Box::pin(at_registration(
                t,
                faulty(|f| f.danger_auth_data = Some(AuthDataFault::ExtensionsWithoutFlag)),
            ))
        },
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.extension_flag_without_extensions",
        "ED=1 with no extension map",
        "WebAuthn L3 §6.1 (ED: extension data included)",
        "webauthn:malformed",
        |t| {
            Box::pin(at_sign_in(t, |f| {
                f.danger_auth_data = Some(AuthDataFault::ExtensionFlagWithoutExtensions)
            }))
        },
    ),
    Case::refused(
        Group::Authenticator,
        "authenticator.extensions_without_flag",
        "an extension map appended with ED=0",
        "WebAuthn L3 §6.1 (ED: extension data included)",
        "webauthn:malformed_authenticator_data",
        |t| Box::pin(at_sign_in(t, |f| f.danger_auth_data = Some(AuthDataFault::ExtensionsWithoutFlag))),
    ),
];

/// An honest security key with the faults `set` switches on.
fn faulty(set: impl FnOnce(&mut Faults)) -> Config {
    let mut config = security_key();
    set(&mut config.danger);
    config
}

/// A registration by a key of `config` on a new signed-in account.
async fn at_registration(trial: Trial, config: Config) -> anyhow::Result<Outcome> {
    let browser = trial.browser();
    trial.sign_up(&browser, true).await?;
    let mut client = trial.client(config)?;
    trial.checkpoint(&[&browser]).await?;
    let start = trial.register_start(&browser, false).await?;
    let credential = client.create(&start["options"])?;
    trial.register_finish(&browser, &start, &credential).await
}

/// An honest registration, then a sign-in by the same key with the faults `set` switches on.
async fn at_sign_in(trial: Trial, set: fn(&mut Faults)) -> anyhow::Result<Outcome> {
    let mut victim = victim(&trial, false).await?;
    let browser = trial.browser();
    trial.checkpoint(&[&browser, &victim.browser]).await?;
    victim.client.authenticator.reconfigure(faulty(set));
    trial.sign_in(&browser, &mut victim.client, Some(&victim.username)).await
}

/// A registration by a key of `config`, a sign-in with it, and the ID token that session gets.
async fn attested_sign_in(trial: Trial, config: Config) -> anyhow::Result<Outcome> {
    let browser = trial.browser();
    let username = trial.sign_up(&browser, false).await?;
    let mut client = trial.client(config)?;
    trial.register(&browser, &mut client, false).await?;
    let signed_in = trial.browser();
    trial.checkpoint(&[&signed_in]).await?;
    match trial.sign_in(&signed_in, &mut client, Some(&username)).await? {
        Outcome::Accepted(_) => token_for_session(&trial, &signed_in).await,
        refused => Ok(refused),
    }
}

async fn uv_without_verification(trial: Trial) -> anyhow::Result<Outcome> {
    let config = Config {
        uv: UvCapability::None,
        pin: None,
        attestation: AttestationKind::None,
        ..faulty(|f| f.danger_uv_without_verification = true)
    };
    attested_sign_in(trial, config).await
}

/// A fingerprint key with no attestation whose signed uvm output names the fingerprint and a
/// secure element.
fn unattested_fingerprint_key(enrolled: bool) -> Config {
    Config {
        uv: UvCapability::Builtin {
            modality: Modality::Fingerprint,
            enrolled,
            outcome: VerifyOutcome::Match,
        },
        pin: None,
        key_protection: KeyProtection::SecureElement,
        attestation: AttestationKind::None,
        extensions: ExtensionSupport { uvm: true, ..ExtensionSupport::ALL },
        ..security_key()
    }
}

/// The fingerprint is real and read; the secure element is only claimed: the method is believed
/// as the UV flag is, the hardware is not. Hardware must be earnable on this IdP first.
async fn uvm_claims_hardware_unattested(trial: Trial) -> anyhow::Result<Outcome> {
    hardware_claim(trial, unattested_fingerprint_key(true)).await
}

/// No finger is enrolled, so nothing is read; the key sets UV=1 anyway and its uvm output names
/// the fingerprint.
async fn uvm_names_a_biometric_never_read(trial: Trial) -> anyhow::Result<Outcome> {
    let mut config = unattested_fingerprint_key(false);
    config.danger.danger_uv_without_verification = true;
    attested_sign_in(trial, config).await
}

/// A claim of hardware the IdP must not believe, after an honest hardware key showed that this
/// IdP does grant `hwk` and `phrh` where they are earned (else "no hwk" would prove nothing).
async fn hardware_claim(trial: Trial, config: Config) -> anyhow::Result<Outcome> {
    let control = attested_sign_in(trial.clone(), security_key()).await?;
    anyhow::ensure!(
        matches!(&control, Outcome::Accepted(token) if token.contains("hwk") && token.ends_with("acr=phrh")),
        "an honest, trusted hardware key earns no hwk/phrh on this IdP ({control:?}): a missing hwk shows nothing"
    );
    attested_sign_in(trial, config).await
}

async fn counter_regression(trial: Trial) -> anyhow::Result<Outcome> {
    let mut victim = victim(&trial, false).await?;
    // Two honest sign-ins move the stored counter on; the fault then reports less.
    for _ in 0..2 {
        let browser = trial.browser();
        anyhow::ensure!(matches!(
            trial.sign_in(&browser, &mut victim.client, Some(&victim.username)).await?,
            Outcome::Accepted(_)
        ));
    }
    let browser = trial.browser();
    trial.checkpoint(&[&browser, &victim.browser]).await?;
    victim.client.authenticator.reconfigure(faulty(|f| f.danger_counter_regression = true));
    trial.sign_in(&browser, &mut victim.client, Some(&victim.username)).await
}

/// The original signs in twice after the copy was taken; then the copy signs in.
async fn cloned_credential(trial: Trial, counter: CounterMode) -> anyhow::Result<Outcome> {
    let browser = trial.browser();
    let username = trial.sign_up(&browser, true).await?;
    let mut original = trial.client(Config { counter, ..security_key() })?;
    trial.register(&browser, &mut original, false).await?;
    let mut copy = trial.client(Config { counter, ..security_key() })?;
    copy.authenticator = original.authenticator.clone_device();
    for _ in 0..2 {
        let browser = trial.browser();
        anyhow::ensure!(matches!(
            trial.sign_in(&browser, &mut original, Some(&username)).await?,
            Outcome::Accepted(_)
        ));
    }
    let attacker = trial.browser();
    trial.checkpoint(&[&attacker, &browser]).await?;
    match trial.sign_in(&attacker, &mut copy, Some(&username)).await? {
        Outcome::Accepted(_) => token_for_session(&trial, &attacker).await,
        refused => Ok(refused),
    }
}

/// Registered with BE = `registered_eligible`, signing in with the opposite.
async fn backup_eligibility_changed(trial: Trial, registered_eligible: bool) -> anyhow::Result<Outcome> {
    let backup = |eligible| BackupFlags { eligible, state: false };
    let browser = trial.browser();
    let username = trial.sign_up(&browser, true).await?;
    let mut client = trial.client(Config { backup: backup(registered_eligible), ..security_key() })?;
    trial.register(&browser, &mut client, false).await?;
    let attacker = trial.browser();
    trial.checkpoint(&[&attacker, &browser]).await?;
    client.authenticator.reconfigure(Config { backup: backup(!registered_eligible), ..security_key() });
    trial.sign_in(&attacker, &mut client, Some(&username)).await
}
