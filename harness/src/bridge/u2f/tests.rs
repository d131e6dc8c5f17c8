//! The bridge plays a U2F key as browsers fall back to one, judged by softfido's relying party.

use p256::ecdsa::signature::Verifier as _;
use p256::pkcs8::DecodePublicKey as _;
use serde_json::{Value, json};
use sha2::Digest as _;
use softfido_authenticator::config::{AttestationKind, Generation, PresenceOutcome, UvCapability};
use softfido_authenticator::store::MemoryStore;
use softfido_authenticator::{Authenticator, Config, Profile, Signals};
use softfido_rp::evidence::{Attestation, KeyStorage};
use softfido_rp::webauthn::{
    Ceremonies, Discoverability, PublicKeyCredential, RegisterPublicKeyCredential, RegisteredCredential,
    RpConfig, UserIdentity, UserVerificationRequirement,
};

use super::super::client::{Attachment, Caller, Device, create as bridge_create, get as bridge_get};
use super::super::dom::{DomException, DomExceptionName};
use crate::client::base64url_bytes;
use crate::idp::{U2F_MODEL, softfido_metadata};

const ORIGIN: &str = "https://example.com";
const ALICE: UserIdentity<'static> = UserIdentity { id: b"user-alice", name: "alice", display_name: "Alice" };

fn u2f_key(presence: PresenceOutcome) -> Authenticator {
    let config = Config {
        generation: Generation::U2f,
        key_protection: U2F_MODEL.key_protection,
        uv: UvCapability::None,
        pin: None,
        attestation: AttestationKind::PackedBasic,
        presence,
        ..Profile::SecurityKey.config()
    };
    Authenticator::new(config, MemoryStore::new()).expect("starts")
}

fn device(authenticator: &mut Authenticator) -> Device<'_> {
    Device { authenticator, signals: Signals::new(), pin: None, attachment: Attachment::CrossPlatform }
}

fn caller() -> Caller {
    Caller::parse(ORIGIN, None).expect("caller")
}

fn relying_party(user_verification: UserVerificationRequirement) -> Ceremonies {
    let config =
        RpConfig { user_verification, ..RpConfig::for_origin(url::Url::parse(ORIGIN).expect("origin")) };
    Ceremonies::new(config, softfido_metadata().expect("metadata")).expect("configuration")
}

/// Registers through the bridge; the credential the RP stored and the page's `publicKey`.
fn register(rp: &Ceremonies, key: &mut Authenticator) -> Result<(RegisteredCredential, Value), DomException> {
    let (options, state) = rp.start_registration(ALICE, &[], Discoverability::Discouraged).expect("options");
    let options = serde_json::to_value(&options).expect("JSON");
    let response = bridge_create(&mut device(key), &caller(), &options)?;
    let public_key = response["response"]["publicKey"].clone();
    let response: RegisterPublicKeyCredential = serde_json::from_value(response).expect("a registration");
    Ok((rp.finish_registration(&response, state).expect("the RP accepts the U2F registration"), public_key))
}

fn name(result: Result<Value, DomException>) -> DomExceptionName {
    result.expect_err("a DOMException").name
}

fn creation(extra: Value) -> Value {
    let mut options = json!({
        "rp": { "id": "example.com", "name": "Example" },
        "user": { "id": "dXNlci0x", "name": "alice", "displayName": "Alice" },
        "challenge": "cmVnaXN0cmF0aW9uLWNoYWxsZW5nZQ",
        "pubKeyCredParams": [{ "type": "public-key", "alg": -7 }],
    });
    if let (Some(options), Some(extra)) = (options.as_object_mut(), extra.as_object()) {
        options.extend(extra.clone());
    }
    options
}

#[test]
fn a_u2f_key_registers_with_trusted_fido_u2f_and_signs_in_through_the_bridge() {
    let rp = relying_party(UserVerificationRequirement::Preferred);
    let mut key = u2f_key(PresenceOutcome::Approve);
    let (stored, registered_public_key) = register(&rp, &mut key).expect("registers");
    let Attestation::Trusted(facts) = &stored.attestation else {
        panic!("the RP asked for attestation and the batch certificate is trusted: {:?}", stored.attestation);
    };
    assert_eq!(facts.key_storage, KeyStorage::Hardware);
    let (options, state) = rp.start_authentication(std::slice::from_ref(&stored)).expect("options");
    let options = serde_json::to_value(&options).expect("JSON");
    let response = bridge_get(&mut device(&mut key), &caller(), &options).expect("signs");
    assert_eq!(response["authenticatorAttachment"], "cross-platform");
    let spki = base64url_bytes(&registered_public_key).expect("the registration's publicKey");
    let verifying_key = p256::ecdsa::VerifyingKey::from_public_key_der(&spki).expect("an ES256 SPKI");
    let auth_data = base64url_bytes(&response["response"]["authenticatorData"]).expect("authData");
    let client_data = base64url_bytes(&response["response"]["clientDataJSON"]).expect("clientDataJSON");
    let signature = base64url_bytes(&response["response"]["signature"]).expect("signature");
    let signed = [auth_data, sha2::Sha256::digest(&client_data).to_vec()].concat();
    let signature = p256::ecdsa::DerSignature::try_from(signature.as_slice()).expect("DER");
    verifying_key.verify(&signed, &signature).expect("the page's publicKey verifies the U2F signature");
    assert_eq!(response["response"]["userHandle"], Value::Null, "U2F has no user handle");
    let response: PublicKeyCredential = serde_json::from_value(response).expect("an assertion");
    let verified = rp
        .finish_authentication(&response, state, |id| (id == stored.id()).then(|| stored.clone()))
        .expect("the RP accepts the U2F signature");
    assert!(verified.evidence.user_present && !verified.evidence.user_verified);
}

#[test]
fn without_a_request_for_attestation_the_page_gets_none() {
    let mut key = u2f_key(PresenceOutcome::Approve);
    let response = bridge_create(&mut device(&mut key), &caller(), &creation(json!({}))).expect("creates");
    let object = base64url_bytes(&response["response"]["attestationObject"]).expect("base64url");
    let object: ciborium::Value = ciborium::de::from_reader(object.as_slice()).expect("CBOR");
    let format = object.as_map().expect("a map").iter().find(|(k, _)| k.as_text() == Some("fmt")).cloned();
    assert_eq!(format.map(|(_, v)| v), Some(ciborium::Value::Text("none".into())));
    let direct = creation(json!({ "attestation": "direct" }));
    let response = bridge_create(&mut device(&mut key), &caller(), &direct).expect("creates");
    let object = base64url_bytes(&response["response"]["attestationObject"]).expect("base64url");
    let object: ciborium::Value = ciborium::de::from_reader(object.as_slice()).expect("CBOR");
    let format = object.as_map().expect("a map").iter().find(|(k, _)| k.as_text() == Some("fmt")).cloned();
    assert_eq!(format.map(|(_, v)| v), Some(ciborium::Value::Text("fido-u2f".into())));
}

#[test]
fn what_a_u2f_key_cannot_do_ends_before_the_key_is_asked() {
    let mut key = u2f_key(PresenceOutcome::Approve);
    let uv = creation(json!({ "authenticatorSelection": { "userVerification": "required" } }));
    assert_eq!(name(bridge_create(&mut device(&mut key), &caller(), &uv)), DomExceptionName::NotAllowedError);
    let rk = creation(json!({ "authenticatorSelection": { "residentKey": "required" } }));
    assert_eq!(name(bridge_create(&mut device(&mut key), &caller(), &rk)), DomExceptionName::NotAllowedError);
    let rs256 = creation(json!({ "pubKeyCredParams": [{ "type": "public-key", "alg": -257 }] }));
    assert_eq!(
        name(bridge_create(&mut device(&mut key), &caller(), &rs256)),
        DomExceptionName::NotSupportedError
    );
    let discoverable = json!({ "rpId": "example.com", "challenge": "c2lnbi1pbg" });
    assert_eq!(
        name(bridge_get(&mut device(&mut key), &caller(), &discoverable)),
        DomExceptionName::NotAllowedError
    );
    assert_eq!(
        key.process_apdu(&[0, 0x03, 0, 0, 0], &Signals::new())[..],
        *b"U2F_V2\x90\x00",
        "the key still answers"
    );
}

#[test]
fn an_excluded_credential_is_invalid_state_and_a_refused_touch_not_allowed() {
    let mut key = u2f_key(PresenceOutcome::Approve);
    let created = bridge_create(&mut device(&mut key), &caller(), &creation(json!({}))).expect("creates");
    let excluded = creation(json!({ "excludeCredentials": [{ "type": "public-key", "id": created["id"] }] }));
    assert_eq!(
        name(bridge_create(&mut device(&mut key), &caller(), &excluded)),
        DomExceptionName::InvalidStateError
    );
    let sign_in = json!({
        "rpId": "example.com",
        "challenge": "c2lnbi1pbg",
        "allowCredentials": [{ "type": "public-key", "id": created["id"] }],
    });
    assert!(bridge_get(&mut device(&mut key), &caller(), &sign_in).is_ok(), "the positive control signs");
    let refusing = Config { presence: PresenceOutcome::Deny, ..key.config().clone() };
    key.reconfigure(refusing);
    assert_eq!(
        name(bridge_get(&mut device(&mut key), &caller(), &sign_in)),
        DomExceptionName::NotAllowedError
    );
    let registration = bridge_create(&mut device(&mut key), &caller(), &creation(json!({})));
    assert_eq!(name(registration), DomExceptionName::NotAllowedError, "no touch, no registration");
}
