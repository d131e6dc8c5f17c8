use base64ct::{Base64UrlUnpadded, Encoding};
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{DerSignature, VerifyingKey};
use p256::pkcs8::DecodePublicKey as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use softfido_authenticator::config::{AttestationKind, PinHashCost, PresenceOutcome};
use softfido_authenticator::store::MemoryStore;
use softfido_authenticator::{Authenticator, Config, Profile, Signals};

use super::*;

fn authenticator(config: Config) -> Authenticator {
    let config = Config { pin_hash_cost: PinHashCost::Minimal, ..config };
    Authenticator::new(config, MemoryStore::new()).expect("authenticator")
}

fn device<'a>(authenticator: &'a mut Authenticator, pin: Option<&str>) -> Device<'a> {
    Device {
        authenticator,
        signals: Signals::new(),
        pin: pin.map(str::to_owned),
        attachment: Attachment::CrossPlatform,
    }
}

fn caller() -> Caller {
    Caller::parse("https://login.example.com", None).expect("caller")
}

fn creation(extra: Value) -> Value {
    let mut options = json!({
        "rp": { "id": "example.com", "name": "Example" },
        "user": { "id": "dXNlci0x", "name": "alice", "displayName": "Alice" },
        "challenge": "cmVnaXN0cmF0aW9uLWNoYWxsZW5nZQ",
        "pubKeyCredParams": [{ "type": "public-key", "alg": -7 }],
        "authenticatorSelection": { "residentKey": "required" },
    });
    if let (Some(options), Some(extra)) = (options.as_object_mut(), extra.as_object()) {
        options.extend(extra.clone());
    }
    options
}

fn request(extra: Value) -> Value {
    let mut options = json!({ "rpId": "example.com", "challenge": "c2lnbi1pbi1jaGFsbGVuZ2U" });
    if let (Some(options), Some(extra)) = (options.as_object_mut(), extra.as_object()) {
        options.extend(extra.clone());
    }
    options
}

fn bytes(value: &Value) -> Vec<u8> {
    Base64UrlUnpadded::decode_vec(value.as_str().expect("base64url string")).expect("base64url")
}

fn name(result: Result<Value, DomException>) -> DomExceptionName {
    result.expect_err("a DOMException").name
}

/// §5.1.3 and §5.1.4 end to end: the assertion verifies under the public key the registration
/// returned as SubjectPublicKeyInfo, over authenticatorData ‖ SHA-256(clientDataJSON).
#[test]
fn a_registered_credential_signs_in_and_the_signature_verifies() {
    let mut key = authenticator(Profile::SecurityKey.config());
    let registration =
        create(&mut device(&mut key, Some("1234")), &caller(), &creation(json!({}))).expect("create");
    assert_eq!(registration["type"], "public-key");
    assert_eq!(registration["response"]["publicKeyAlgorithm"], -7);
    let spki = bytes(&registration["response"]["publicKey"]);
    let verifying_key = VerifyingKey::from_public_key_der(&spki).expect("SPKI");
    let assertion = get(&mut device(&mut key, Some("1234")), &caller(), &request(json!({}))).expect("get");
    assert_eq!(assertion["id"], registration["id"]);
    assert_eq!(bytes(&assertion["response"]["userHandle"]), b"user-1");
    let auth_data = bytes(&assertion["response"]["authenticatorData"]);
    assert_eq!(auth_data[32] & 0x05, 0x05, "UP and UV: the PIN was used");
    let client_data = bytes(&assertion["response"]["clientDataJSON"]);
    let signed = [auth_data, Sha256::digest(&client_data).to_vec()].concat();
    let signature =
        DerSignature::try_from(bytes(&assertion["response"]["signature"]).as_slice()).expect("DER");
    verifying_key.verify(&signed, &signature).expect("the signature verifies");
    let client_data: Value = serde_json::from_slice(&client_data).expect("JSON");
    assert_eq!(client_data["origin"], "https://login.example.com");
    assert_eq!(client_data["type"], "webauthn.get");
    assert_eq!(client_data["crossOrigin"], false);
}

/// §5.1.3 step 20.3: without `attestation: direct` the browser drops the statement and zeroes
/// the AAGUID; with it, the statement and AAGUID pass through.
#[test]
fn attestation_none_is_anonymous_and_direct_passes_through() {
    let mut key = authenticator(Config { pin: None, ..Profile::SecurityKey.config() });
    let anonymous = create(&mut device(&mut key, None), &caller(), &creation(json!({}))).expect("create");
    let auth_data = bytes(&anonymous["response"]["authenticatorData"]);
    assert_eq!(&auth_data[37..53], &[0; 16]);
    let object: ciborium::Value =
        ciborium::de::from_reader(bytes(&anonymous["response"]["attestationObject"]).as_slice())
            .expect("CBOR");
    assert_eq!(text_field(&object, "fmt").and_then(ciborium::Value::as_text), Some("none"));
    let direct = creation(json!({ "attestation": "direct", "user": { "id": "dXNlci0y", "name": "bob" } }));
    let attested = create(&mut device(&mut key, None), &caller(), &direct).expect("create");
    let auth_data = bytes(&attested["response"]["authenticatorData"]);
    assert_ne!(&auth_data[37..53], &[0; 16]);
    let object: ciborium::Value =
        ciborium::de::from_reader(bytes(&attested["response"]["attestationObject"]).as_slice())
            .expect("CBOR");
    assert_eq!(text_field(&object, "fmt").and_then(ciborium::Value::as_text), Some("packed"));
}

/// CTAP 2.1 §6.1.2 step 7: a credential of excludeCredentials makes the call an InvalidStateError.
#[test]
fn an_excluded_credential_is_an_invalid_state_error() {
    let mut key = authenticator(Config { pin: None, ..Profile::SecurityKey.config() });
    let first = create(&mut device(&mut key, None), &caller(), &creation(json!({}))).expect("create");
    let again = creation(json!({ "excludeCredentials": [{ "type": "public-key", "id": first["id"] }] }));
    assert_eq!(
        name(create(&mut device(&mut key, None), &caller(), &again)),
        DomExceptionName::InvalidStateError
    );
}

#[test]
fn an_algorithm_the_key_lacks_is_not_supported() {
    let mut key = authenticator(Profile::SoftwareToken.config());
    let rsa_only = creation(json!({ "pubKeyCredParams": [{ "type": "public-key", "alg": -257 }] }));
    assert_eq!(
        name(create(&mut device(&mut key, None), &caller(), &rsa_only)),
        DomExceptionName::NotSupportedError
    );
}

/// The user's refusals all read NotAllowedError (§5.1.4.1: the page learns no more).
#[test]
fn refusals_are_not_allowed_errors() {
    let mut key = authenticator(Profile::SoftwareToken.config());
    let required = creation(json!({ "authenticatorSelection": { "userVerification": "required" } }));
    assert_eq!(
        name(create(&mut device(&mut key, None), &caller(), &required)),
        DomExceptionName::NotAllowedError
    );
    let mut pin_key = authenticator(Profile::SecurityKey.config());
    let wrong_pin = create(&mut device(&mut pin_key, Some("9999")), &caller(), &creation(json!({})));
    assert_eq!(name(wrong_pin), DomExceptionName::NotAllowedError);
    let mut denying =
        authenticator(Config { presence: PresenceOutcome::Deny, ..Profile::SoftwareToken.config() });
    assert_eq!(
        name(create(&mut device(&mut denying, None), &caller(), &creation(json!({})))),
        DomExceptionName::NotAllowedError
    );
    let nothing_registered = get(&mut device(&mut key, None), &caller(), &request(json!({})));
    assert_eq!(name(nothing_registered), DomExceptionName::NotAllowedError);
}

#[test]
fn a_foreign_rp_id_is_a_security_error_before_the_authenticator_is_asked() {
    let mut key = authenticator(Profile::SoftwareToken.config());
    let foreign = creation(json!({ "rp": { "id": "example.org", "name": "Other" } }));
    assert_eq!(
        name(create(&mut device(&mut key, None), &caller(), &foreign)),
        DomExceptionName::SecurityError
    );
    assert!(key.state().resident.is_empty());
}

/// WebAuthn L3 §5.8.1: a call from a frame of another origin says so in clientDataJSON.
#[test]
fn a_cross_origin_frame_sets_cross_origin_and_top_origin() {
    let mut key = authenticator(Profile::SoftwareToken.config());
    let framed =
        Caller::parse("https://login.example.com", Some("https://shop.example.net")).expect("caller");
    let registration = create(&mut device(&mut key, None), &framed, &creation(json!({}))).expect("create");
    let client_data: Value =
        serde_json::from_slice(&bytes(&registration["response"]["clientDataJSON"])).expect("JSON");
    assert_eq!(client_data["crossOrigin"], true);
    assert_eq!(client_data["topOrigin"], "https://shop.example.net");
    let same = Caller::parse("https://login.example.com", Some("https://login.example.com")).expect("caller");
    assert_eq!(same.top_origin, None);
}

/// A list longer than maxCredentialCountInList is sent in batches; the batch holding the
/// authenticator's credential is found with silent probes (CTAP 2.1 §6.2.2).
#[test]
fn a_long_allow_list_finds_the_credential_in_a_later_batch() {
    let mut key = authenticator(Profile::SoftwareToken.config());
    let non_discoverable = creation(json!({ "authenticatorSelection": { "residentKey": "discouraged" } }));
    let registration = create(&mut device(&mut key, None), &caller(), &non_discoverable).expect("create");
    let mut allow: Vec<Value> = (0..40u8)
        .map(|i| json!({ "type": "public-key", "id": Base64UrlUnpadded::encode_string(&[i; 48]) }))
        .collect();
    allow.push(json!({ "type": "public-key", "id": registration["id"] }));
    let assertion =
        get(&mut device(&mut key, None), &caller(), &request(json!({ "allowCredentials": allow })))
            .expect("get");
    assert_eq!(assertion["id"], registration["id"]);
    assert_eq!(assertion["response"]["userHandle"], Value::Null);
}

/// credProps (§10.1.3) and credBlob (CTAP 2.1 §12.2) through create and get.
#[test]
fn extension_results_reach_the_page() {
    let mut key =
        authenticator(Config { attestation: AttestationKind::None, ..Profile::SoftwareToken.config() });
    let with_blob = creation(json!({ "extensions": { "credProps": true, "credBlob": "YmxvYg" } }));
    let registration = create(&mut device(&mut key, None), &caller(), &with_blob).expect("create");
    assert_eq!(
        registration["clientExtensionResults"],
        json!({ "credProps": { "rk": true }, "credBlob": true })
    );
    let assertion = get(
        &mut device(&mut key, None),
        &caller(),
        &request(json!({ "extensions": { "getCredBlob": true } })),
    )
    .expect("get");
    assert_eq!(assertion["clientExtensionResults"]["getCredBlob"], "YmxvYg");
}

#[test]
fn malformed_options_are_type_errors() {
    let mut key = authenticator(Profile::SoftwareToken.config());
    let long_user =
        creation(json!({ "user": { "id": Base64UrlUnpadded::encode_string(&[7; 65]), "name": "x" } }));
    assert_eq!(name(create(&mut device(&mut key, None), &caller(), &long_user)), DomExceptionName::TypeError);
    let no_challenge = json!({ "rpId": "example.com" });
    assert_eq!(name(get(&mut device(&mut key, None), &caller(), &no_challenge)), DomExceptionName::TypeError);
}

/// prf through hmac-secret (§10.1.4, CTAP 2.1 §12.5): enabled at creation; at sign-in the same
/// input gives the same 32 bytes, another input other bytes.
#[test]
fn prf_outputs_are_stable_per_input() {
    let mut key = authenticator(Profile::SoftwareToken.config());
    let registration =
        create(&mut device(&mut key, None), &caller(), &creation(json!({ "extensions": { "prf": {} } })))
            .expect("create");
    assert_eq!(registration["clientExtensionResults"]["prf"], json!({ "enabled": true }));
    let mut evaluate = |first: &str, second: Option<&str>| {
        let eval = match second {
            Some(second) => json!({ "first": first, "second": second }),
            None => json!({ "first": first }),
        };
        let assertion = get(
            &mut device(&mut key, None),
            &caller(),
            &request(json!({ "extensions": { "prf": { "eval": eval } } })),
        )
        .expect("get");
        assertion["clientExtensionResults"]["prf"]["results"].clone()
    };
    let one = evaluate("AQ", None);
    assert_eq!(bytes(&one["first"]).len(), 32);
    assert_eq!(evaluate("AQ", None), one);
    let two = evaluate("AQ", Some("Ag"));
    assert_eq!(two["first"], one["first"]);
    assert_ne!(two["second"], one["first"]);
    assert_ne!(evaluate("Aw", None)["first"], one["first"]);
}
