//! The client plays a U2F key as browsers do, against softfido's relying party in process.

use ciborium::Value as Cbor;
use serde_json::Value;
use softfido_authenticator::config::{AttestationKind, Generation, PresenceOutcome};
use softfido_authenticator::store::MemoryStore;
use softfido_authenticator::{Authenticator, Config, Profile};
use softfido_rp::evidence::{Attestation, KeyStorage};
use softfido_rp::webauthn::{
    Ceremonies, Discoverability, PublicKeyCredential, RegisterPublicKeyCredential, RegisteredCredential,
    RpConfig, UserIdentity, UserVerificationRequirement,
};

use super::*;
use crate::idp::{U2F_MODEL, softfido_metadata};

const ORIGIN: &str = "http://localhost:8080";
const ALICE: UserIdentity<'static> = UserIdentity { id: b"user-alice", name: "alice", display_name: "Alice" };

fn u2f_key(attestation: AttestationKind) -> WebAuthnClient {
    let config = Config {
        generation: Generation::U2f,
        key_protection: U2F_MODEL.key_protection,
        uv: softfido_authenticator::config::UvCapability::None,
        pin: None,
        attestation,
        ..Profile::SecurityKey.config()
    };
    WebAuthnClient::new(Authenticator::new(config, MemoryStore::new()).expect("starts"), ORIGIN)
}

fn relying_party(user_verification: UserVerificationRequirement) -> Ceremonies {
    let config =
        RpConfig { user_verification, ..RpConfig::for_origin(url::Url::parse(ORIGIN).expect("origin")) };
    Ceremonies::new(config, softfido_metadata().expect("metadata")).expect("configuration")
}

fn register(
    rp: &Ceremonies,
    client: &mut WebAuthnClient,
    discoverability: Discoverability,
) -> Result<RegisteredCredential, ClientError> {
    let (options, state) = rp.start_registration(ALICE, &[], discoverability).expect("options");
    let response = client.create(&serde_json::to_value(&options).expect("JSON"))?;
    let response: RegisterPublicKeyCredential = serde_json::from_value(response).expect("a registration");
    Ok(rp.finish_registration(&response, state).expect("the RP accepts fido-u2f"))
}

fn sign_in_response(
    rp: &Ceremonies,
    client: &mut WebAuthnClient,
    stored: &RegisteredCredential,
    up: bool,
) -> Result<Value, ClientError> {
    let (options, _) = rp.start_authentication(std::slice::from_ref(stored)).expect("options");
    let options = serde_json::to_value(&options).expect("JSON");
    if up { client.get(&options) } else { client.get_without_presence(&options) }
}

#[test]
fn a_trusted_u2f_registration_is_hardware_and_signs_in_with_presence_only() {
    let rp = relying_party(UserVerificationRequirement::Preferred);
    let mut client = u2f_key(AttestationKind::PackedBasic);
    let stored = register(&rp, &mut client, Discoverability::Discouraged).expect("registers");
    let Attestation::Trusted(facts) = &stored.attestation else {
        panic!("the batch certificate chains to the U2F statement's root: {:?}", stored.attestation);
    };
    assert_eq!(facts.key_storage, KeyStorage::Hardware);
    assert!(facts.uv_methods.is_empty());
    assert_eq!(stored.counter(), 0);
    let (options, state) = rp.start_authentication(std::slice::from_ref(&stored)).expect("options");
    let response = client.get(&serde_json::to_value(&options).expect("JSON")).expect("signs");
    assert_eq!(response["response"]["userHandle"], Value::Null, "U2F has no user handle");
    let response: PublicKeyCredential = serde_json::from_value(response).expect("an assertion");
    let verified = rp
        .finish_authentication(&response, state, |id| (id == stored.id()).then(|| stored.clone()))
        .expect("the RP accepts the U2F signature");
    assert!(verified.evidence.user_present);
    assert!(!verified.evidence.user_verified);
    assert_eq!(verified.counter, 1);
}

#[test]
fn the_attestation_object_is_fido_u2f_with_a_zero_aaguid() {
    let rp = relying_party(UserVerificationRequirement::Discouraged);
    let mut client = u2f_key(AttestationKind::PackedBasic);
    let (options, _) = rp.start_registration(ALICE, &[], Discoverability::Discouraged).expect("options");
    let response = client.create(&serde_json::to_value(&options).expect("JSON")).expect("creates");
    let object = base64url_bytes(&response["response"]["attestationObject"]).expect("base64url");
    let object: Cbor = ciborium::de::from_reader(object.as_slice()).expect("CBOR");
    let member = |name: &str| {
        object
            .as_map()
            .expect("a map")
            .iter()
            .find(|(k, _)| k.as_text() == Some(name))
            .map(|(_, v)| v.clone())
    };
    assert_eq!(member("fmt"), Some(Cbor::Text("fido-u2f".into())));
    let auth_data = member("authData").and_then(|v| v.as_bytes().cloned()).expect("authData");
    assert_eq!(auth_data[32], FLAGS_UP_AT, "UP and AT, nothing else");
    assert_eq!(auth_data[33..37], [0; 4], "counter 0");
    assert_eq!(auth_data[37..53], [0; 16], "AAGUID zero");
}

#[test]
fn an_untrusted_batch_certificate_registers_untrusted() {
    let rp = relying_party(UserVerificationRequirement::Preferred);
    let mut client = u2f_key(AttestationKind::PackedBasicUntrusted);
    let stored = register(&rp, &mut client, Discoverability::Discouraged).expect("registers");
    assert_eq!(stored.attestation, Attestation::Untrusted);
}

#[test]
fn user_verification_required_fails_in_the_client() {
    let rp = relying_party(UserVerificationRequirement::Required);
    let mut client = u2f_key(AttestationKind::PackedBasic);
    assert_eq!(
        register(&rp, &mut client, Discoverability::Discouraged).err(),
        Some(ClientError::UvUnavailable)
    );
}

#[test]
fn discoverable_credentials_fail_in_the_client() {
    let rp = relying_party(UserVerificationRequirement::Preferred);
    let mut client = u2f_key(AttestationKind::PackedBasic);
    assert_eq!(
        register(&rp, &mut client, Discoverability::Required).err(),
        Some(ClientError::DiscoverableUnavailable)
    );
    let (options, _) = rp.start_discoverable_authentication().expect("options");
    let options = serde_json::to_value(&options).expect("JSON");
    assert_eq!(client.get(&options).err(), Some(ClientError::DiscoverableUnavailable));
}

#[test]
fn an_absent_user_leaves_only_a_silent_assertion() {
    let rp = relying_party(UserVerificationRequirement::Preferred);
    let mut client = u2f_key(AttestationKind::PackedBasic);
    let stored = register(&rp, &mut client, Discoverability::Discouraged).expect("registers");
    let mut config = client.authenticator.config().clone();
    config.presence = PresenceOutcome::Deny;
    client.authenticator.reconfigure(config);
    assert_eq!(
        sign_in_response(&rp, &mut client, &stored, true).err(),
        Some(ClientError::U2f(SW_CONDITIONS_NOT_SATISFIED))
    );
    let silent = sign_in_response(&rp, &mut client, &stored, false).expect("a silent assertion");
    let auth_data = base64url_bytes(&silent["response"]["authenticatorData"]).expect("authData");
    assert_eq!(auth_data[32] & 0x01, 0, "UP = 0");
}

#[test]
fn an_excluded_key_handle_is_refused_before_registering() {
    let rp = relying_party(UserVerificationRequirement::Preferred);
    let mut client = u2f_key(AttestationKind::PackedBasic);
    let stored = register(&rp, &mut client, Discoverability::Discouraged).expect("registers");
    let (options, _) =
        rp.start_registration(ALICE, &[stored.id().to_vec()], Discoverability::Discouraged).expect("options");
    let options = serde_json::to_value(&options).expect("JSON");
    assert_eq!(client.create(&options).err(), Some(ClientError::CredentialExcluded));
}

#[test]
fn der_lengths_of_every_form() {
    assert_eq!(der_length(&[0x30, 0x03, 1, 2, 3]), Some(5));
    assert_eq!(der_length(&[0x30, 0x81, 0x80]), Some(3 + 0x80));
    assert_eq!(der_length(&[0x30, 0x82, 0x01, 0x00]), Some(4 + 0x100));
    assert_eq!(der_length(&[0x30]), None);
}
