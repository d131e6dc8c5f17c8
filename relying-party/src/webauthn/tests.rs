//! The ceremonies against the real softfido authenticator, driven in process by a client that
//! does what a browser does ([`Browser`]): every profile end to end, and the attestation
//! judgements. Every rejection is tested beside the errors, in `error/tests.rs`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use softfido_authenticator::attestation::{self, AttestationRoot};
use softfido_authenticator::config::{AttestationKind, Model, UvCapability, UvKind, VerifyOutcome};
use softfido_authenticator::{Config, Profile};
use url::Url;
use webauthn_rs_core::error::WebauthnError;
use webauthn_rs_core::proto::{AttestationCaList, AttestationCaListBuilder};

use super::test_client::{self, Browser, ORIGIN};
use super::*;
use crate::evidence::{Attestation, KeyStorage, MetadataFacts, UvMethod, UvmReport};

/// softfido's metadata (24 statements, one per model), built once.
pub(crate) fn metadata() -> Metadata {
    static METADATA: OnceLock<Metadata> = OnceLock::new();
    METADATA.get_or_init(crate::metadata::tests::softfido_metadata).clone()
}

pub(crate) fn config(user_verification: UserVerificationRequirement) -> RpConfig {
    RpConfig { user_verification, ..RpConfig::for_origin(Url::parse(ORIGIN).expect("origin")) }
}

pub(crate) fn ceremonies(user_verification: UserVerificationRequirement) -> Ceremonies {
    Ceremonies::new(config(user_verification), metadata()).expect("valid configuration")
}

pub(crate) const ALICE: UserIdentity<'static> =
    UserIdentity { id: b"user-alice", name: "alice", display_name: "Alice" };
pub(crate) const BOB: UserIdentity<'static> =
    UserIdentity { id: b"user-bob", name: "bob", display_name: "Bob" };

pub(crate) fn register_as(
    rp: &Ceremonies,
    browser: &mut Browser,
    user: UserIdentity<'_>,
    discoverability: Discoverability,
) -> Result<RegisteredCredential, CeremonyError> {
    let (options, state) = rp.start_registration(user, &[], discoverability).expect("options");
    let response = browser.create(&options).expect("the authenticator creates a credential");
    rp.finish_registration(&response, state)
}

pub(crate) fn register(rp: &Ceremonies, browser: &mut Browser) -> RegisteredCredential {
    register_as(rp, browser, ALICE, Discoverability::Discouraged).expect("registers")
}

pub(crate) fn sign_in(
    rp: &Ceremonies,
    browser: &mut Browser,
    stored: &RegisteredCredential,
) -> Result<VerifiedAssertion, CeremonyError> {
    let (options, state) = rp.start_authentication(std::slice::from_ref(stored)).expect("options");
    let response = browser.get(&options).expect("the authenticator signs");
    rp.finish_authentication(&response, state, |id| (id == stored.id()).then(|| stored.clone()))
}

pub(crate) fn facts(key_storage: KeyStorage, uv_methods: &[UvMethod]) -> Attestation {
    Attestation::Trusted(MetadataFacts { key_storage, uv_methods: uv_methods.to_vec() })
}

#[test]
fn security_key_with_pin_is_trusted_hardware_verified_by_pin() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let mut browser = Browser::profile(Profile::SecurityKey);
    let stored = register(&rp, &mut browser);
    assert_eq!(stored.attestation, facts(KeyStorage::Hardware, &[UvMethod::Knowledge]));
    assert!(stored.credential.user_verified && !stored.backup_eligible() && !stored.backup_state());
    assert_eq!(stored.user_id, ALICE.id);

    let assertion = sign_in(&rp, &mut browser, &stored).expect("signs in");
    let evidence = &assertion.evidence;
    assert!(evidence.user_present && evidence.user_verified);
    assert!(!evidence.backup_eligible && !evidence.backup_state);
    assert_eq!(evidence.uvm, None, "the security-key profile does not support uvm");
    assert_eq!(evidence.attestation, stored.attestation);
    assert_eq!((assertion.user_id.as_slice(), assertion.credential_id.as_slice()), (ALICE.id, stored.id()));
    assert_eq!(assertion.counter, 1);
}

#[test]
fn security_key_without_pin_signs_in_without_uv() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let mut browser = Browser::new(Config { pin: None, ..Profile::SecurityKey.config() });
    let stored = register(&rp, &mut browser);
    assert_eq!(stored.attestation, facts(KeyStorage::Hardware, &[UvMethod::Knowledge]));
    let evidence = sign_in(&rp, &mut browser, &stored).expect("signs in").evidence;
    assert!(evidence.user_present && !evidence.user_verified);
}

#[test]
fn platform_reports_fingerprint_on_hardware_through_uvm() {
    let rp = ceremonies(UserVerificationRequirement::Required);
    let mut browser = Browser::profile(Profile::Platform);
    let stored = register(&rp, &mut browser);
    assert_eq!(stored.attestation, facts(KeyStorage::Hardware, &[UvMethod::Fingerprint]));
    let evidence = sign_in(&rp, &mut browser, &stored).expect("signs in").evidence;
    assert!(evidence.user_present && evidence.user_verified && !evidence.backup_eligible);
    assert_eq!(
        evidence.uvm,
        Some(UvmReport { method: Some(UvMethod::Fingerprint), key_storage: Some(KeyStorage::Hardware) })
    );
}

#[test]
fn synced_passkey_is_unattested_backed_up_software() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let mut browser = Browser::profile(Profile::SyncedPasskey);
    let stored = register(&rp, &mut browser);
    assert_eq!(stored.attestation, Attestation::None);
    assert!(stored.backup_eligible() && stored.backup_state());
    // A zero counter stays zero: not a clone signal.
    for _ in 0..2 {
        let assertion = sign_in(&rp, &mut browser, &stored).expect("signs in");
        assert_eq!(assertion.counter, 0);
        let evidence = assertion.evidence;
        assert!(evidence.user_verified && evidence.backup_eligible && evidence.backup_state);
        assert_eq!(
            evidence.uvm,
            Some(UvmReport { method: Some(UvMethod::Face), key_storage: Some(KeyStorage::Software) })
        );
        assert_eq!(evidence.attestation, Attestation::None);
    }
}

#[test]
fn software_token_is_self_attested_without_uv() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let mut browser = Browser::profile(Profile::SoftwareToken);
    let stored = register(&rp, &mut browser);
    assert_eq!(stored.attestation, Attestation::SelfAttested);
    let evidence = sign_in(&rp, &mut browser, &stored).expect("signs in").evidence;
    assert!(evidence.user_present && !evidence.user_verified);
    assert_eq!(evidence.attestation, Attestation::SelfAttested);
}

#[test]
fn discouraged_uv_gives_uv_zero_on_a_capable_authenticator() {
    let rp = ceremonies(UserVerificationRequirement::Discouraged);
    let mut browser = Browser::profile(Profile::Platform);
    let stored = register(&rp, &mut browser);
    assert!(!stored.credential.user_verified);
    let evidence = sign_in(&rp, &mut browser, &stored).expect("signs in").evidence;
    assert!(evidence.user_present && !evidence.user_verified);
}

#[test]
fn basic_chain_to_an_unlisted_root_is_recorded_untrusted() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let config = Config { attestation: AttestationKind::PackedBasicUntrusted, ..Profile::Platform.config() };
    let mut browser = Browser::new(config);
    let stored = register(&rp, &mut browser);
    assert_eq!(stored.attestation, Attestation::Untrusted);
    assert_eq!(
        sign_in(&rp, &mut browser, &stored).expect("signs in").evidence.attestation,
        Attestation::Untrusted
    );
}

#[test]
fn without_metadata_every_chain_is_untrusted() {
    let rp =
        Ceremonies::new(config(UserVerificationRequirement::Preferred), Metadata::default()).expect("rp");
    let stored = register(&rp, &mut Browser::profile(Profile::Platform));
    assert_eq!(stored.attestation, Attestation::Untrusted);
}

/// Every model's basic attestation is trusted with that model's own facts, and the
/// judgement agrees with `webauthn-rs-core`'s strict mode (registering with a CA list).
#[test]
fn trust_judgement_agrees_with_the_library_strict_mode() {
    let rp = ceremonies(UserVerificationRequirement::Discouraged);
    let strict = |root: AttestationRoot| -> AttestationCaList {
        let mut builder = AttestationCaListBuilder::new();
        for model in Model::all() {
            let aaguid = uuid::Uuid::from_bytes(attestation::aaguid(model));
            builder
                .insert_device_der(
                    attestation::root_certificate_der(root),
                    aaguid,
                    "m".into(),
                    BTreeMap::new(),
                )
                .expect("root");
        }
        builder.build()
    };
    let trusted = strict(AttestationRoot::Trusted);
    for kind in [AttestationKind::PackedBasic, AttestationKind::PackedBasicUntrusted] {
        for model in Model::all() {
            let uv = match model.uv {
                UvKind::None => UvCapability::None,
                UvKind::ClientPin => UvCapability::ClientPin,
                UvKind::Builtin(modality) => {
                    UvCapability::Builtin { modality, enrolled: true, outcome: VerifyOutcome::Match }
                }
            };
            let config = Config {
                key_protection: model.key_protection,
                uv,
                attestation: kind,
                pin: None,
                ..Profile::SoftwareToken.config()
            };
            let mut browser = Browser::new(config);
            let (options, state) =
                rp.start_registration(ALICE, &[], Discoverability::Discouraged).expect("o");
            let response = browser.create(&options).expect("creates");
            let library = rp.core.register_credential(&response, &state.inner, Some(&trusted));
            let stored = rp.finish_registration(&response, state).expect("registers");
            if kind == AttestationKind::PackedBasic {
                assert!(library.is_ok(), "{model:?}: {library:?}");
                let statement = metadata().get(&attestation::aaguid(model)).cloned().expect("listed");
                assert_eq!(stored.attestation, Attestation::Trusted(statement.facts), "{model:?}");
            } else {
                assert!(matches!(library, Err(WebauthnError::AttestationChainNotTrusted(_))), "{library:?}");
                assert_eq!(stored.attestation, Attestation::Untrusted, "{model:?}");
            }
        }
    }
}

#[test]
fn discoverable_sign_in_identifies_the_user_by_handle() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let mut browser = Browser::profile(Profile::SecurityKey);
    let alice = register_as(&rp, &mut browser, ALICE, Discoverability::Required).expect("alice");
    let (options, state) = rp.start_discoverable_authentication().expect("options");
    assert!(options.public_key.allow_credentials.is_empty());
    let response = browser.get(&options).expect("signs");
    assert_eq!(response.get_user_unique_id(), Some(ALICE.id));
    let assertion = rp.finish_authentication(&response, state, |_| Some(alice.clone())).expect("signs in");
    assert_eq!(assertion.user_id, ALICE.id);
    assert!(assertion.evidence.user_verified);
}

#[test]
fn registered_credential_survives_a_json_round_trip() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let mut browser = Browser::profile(Profile::Platform);
    let stored = register(&rp, &mut browser);
    let json = serde_json::to_string(&stored).expect("serialises");
    assert!(json.contains(r#""trust":"trusted""#), "{json}");
    let mut restored: RegisteredCredential = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(restored.attestation, stored.attestation);
    let assertion = sign_in(&rp, &mut browser, &restored).expect("signs in");
    assert!(assertion.update(&mut restored), "the counter moved");
    assert_eq!(restored.counter(), 1);
    assert!(!assertion.update(&mut restored), "nothing new");

    for attestation in [Attestation::None, Attestation::SelfAttested, Attestation::Untrusted] {
        let copy = RegisteredCredential { attestation: attestation.clone(), ..stored.clone() };
        let back: RegisteredCredential =
            serde_json::from_str(&serde_json::to_string(&copy).expect("ser")).expect("de");
        assert_eq!(back.attestation, attestation);
    }
}

#[test]
fn states_survive_a_json_round_trip() {
    let rp = ceremonies(UserVerificationRequirement::Preferred);
    let mut browser = Browser::profile(Profile::Platform);
    let (options, state) = rp.start_registration(ALICE, &[], Discoverability::Discouraged).expect("options");
    let state: RegistrationState =
        serde_json::from_str(&serde_json::to_string(&state).expect("ser")).expect("de");
    let stored =
        rp.finish_registration(&browser.create(&options).expect("creates"), state).expect("registers");
    let (options, state) = rp.start_authentication(std::slice::from_ref(&stored)).expect("options");
    let state: AuthenticationState =
        serde_json::from_str(&serde_json::to_string(&state).expect("ser")).expect("de");
    let response = browser.get(&options).expect("signs");
    rp.finish_authentication(&response, state, |_| Some(stored.clone())).expect("signs in");
}

#[test]
fn options_carry_the_policy_and_the_exclusions() {
    let rp = ceremonies(UserVerificationRequirement::Required);
    let mut browser = Browser::profile(Profile::Platform);
    let stored = register(&rp, &mut browser);
    let (options, _) = rp
        .start_registration(
            ALICE,
            std::slice::from_ref(&stored.credential.cred_id),
            Discoverability::Required,
        )
        .expect("options");
    let json = serde_json::to_value(&options).expect("json");
    let public_key = &json["publicKey"];
    assert_eq!(public_key["rp"]["id"], "localhost");
    assert_eq!(public_key["attestation"], "direct");
    assert_eq!(public_key["authenticatorSelection"]["userVerification"], "required");
    assert_eq!(public_key["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(public_key["excludeCredentials"][0]["id"], test_client::b64(stored.id()));
    // CTAP2_ERR_CREDENTIAL_EXCLUDED: the authenticator itself declines.
    assert_eq!(browser.create(&options).err(), Some(0x19));
}
