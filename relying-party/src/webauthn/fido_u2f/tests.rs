//! `fido-u2f` registrations (WebAuthn L3 §8.6) from the softfido authenticator as a U2F-only key,
//! the attestation object built as a browser builds it (CTAP 2.1 §10.2), then tampered with.

use ciborium::Value;
use der::Decode as _;
use serde_json::json;
use softfido_authenticator::attestation::{self, AttestationRoot};
use softfido_authenticator::config::{
    AttestationKind, Generation, KeyProtection, Model, UvCapability, UvKind,
};
use softfido_authenticator::store::MemoryStore;
use softfido_authenticator::{Authenticator, Config, Profile, Signals};
use webauthn_rs_core::crypto::compute_sha256;
use webauthn_rs_core::proto::{CreationChallengeResponse, RegisterPublicKeyCredential};

use super::super::test_client::{ORIGIN, b64};
use super::super::tests::{ALICE, config};
use super::super::{
    Ceremonies, CeremonyError, Discoverability, RegisteredCredential, UserVerificationRequirement,
};
use super::*;
use crate::evidence::{Attestation, KeyStorage, MetadataFacts};
use crate::metadata::{Metadata, Statement};

/// The model of the U2F key: hardware keys, no user verification.
const MODEL: Model = Model { key_protection: KeyProtection::Hardware, uv: UvKind::None };

/// The subjectPublicKey (the uncompressed point) of a DER certificate.
fn subject_public_key(der: &[u8]) -> Vec<u8> {
    let certificate = Certificate::from_der(der).expect("a certificate");
    certificate.tbs_certificate().subject_public_key_info().subject_public_key.raw_bytes().to_vec()
}

/// softfido's FIDO2 statements and the U2F model's, found by its batch certificate's key.
fn metadata_with_u2f() -> Metadata {
    let mut metadata = super::super::tests::metadata();
    let batch = attestation::batch_identity(MODEL, AttestationRoot::Trusted);
    let statement = Statement {
        aaguid: None,
        attestation_certificate_key_identifiers: vec![KeyIdentifier::of_subject_public_key(
            &subject_public_key(&batch.certificate_der),
        )],
        description: "softfido U2F security key".into(),
        facts: MetadataFacts { key_storage: KeyStorage::Hardware, uv_methods: Vec::new() },
        roots: vec![attestation::root_certificate_der(AttestationRoot::Trusted).to_vec()],
    };
    metadata.insert(statement).expect("a new model");
    metadata
}

fn rp() -> Ceremonies {
    Ceremonies::new(config(UserVerificationRequirement::Preferred), metadata_with_u2f())
        .expect("configuration")
}

/// What a browser assembles from one U2F_REGISTER, in parts a test may change.
struct U2fRegistration {
    client_data: Vec<u8>,
    key_handle: Vec<u8>,
    auth_data: Vec<u8>,
    x5c: Vec<Vec<u8>>,
    sig: Vec<u8>,
}

/// U2F_REGISTER on a U2F-only softfido key (challenge = clientDataHash, application =
/// rpIdHash) and the parts of a fido-u2f attestation object.
fn u2f_register(options: &CreationChallengeResponse, attestation: AttestationKind) -> U2fRegistration {
    let device = Config {
        generation: Generation::U2f,
        key_protection: MODEL.key_protection,
        uv: UvCapability::None,
        pin: None,
        attestation,
        ..Profile::SecurityKey.config()
    };
    let mut authenticator = Authenticator::new(device, MemoryStore::new()).expect("starts");
    let challenge: &[u8] = options.public_key.challenge.as_ref();
    let client_data = json!({"type": "webauthn.create", "challenge": b64(challenge), "origin": ORIGIN, "crossOrigin": false})
        .to_string()
        .into_bytes();
    let rp_id_hash = compute_sha256(options.public_key.rp.id.as_bytes());
    let mut apdu = vec![0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 64];
    apdu.extend_from_slice(&compute_sha256(&client_data));
    apdu.extend_from_slice(&rp_id_hash);
    apdu.extend_from_slice(&[0x00, 0x00]);
    let response = authenticator.process_apdu(&apdu, &Signals::new());
    assert_eq!(response[response.len() - 2..], [0x90, 0x00], "U2F_REGISTER succeeds");
    let point = &response[1..66];
    let handle_len = usize::from(response[66]);
    let key_handle = response[67..67 + handle_len].to_vec();
    let rest = &response[67 + handle_len..response.len() - 2];
    let cert_len = 4 + usize::from(u16::from_be_bytes([rest[2], rest[3]]));
    let (certificate, sig) = rest.split_at(cert_len);
    let cose_key = Value::Map(vec![
        (Value::Integer(1.into()), Value::Integer(2.into())),
        (Value::Integer(3.into()), Value::Integer((-7).into())),
        (Value::Integer((-1).into()), Value::Integer(1.into())),
        (Value::Integer((-2).into()), Value::Bytes(point[1..33].to_vec())),
        (Value::Integer((-3).into()), Value::Bytes(point[33..65].to_vec())),
    ]);
    let mut auth_data = rp_id_hash.to_vec();
    auth_data.push(0x41);
    auth_data.extend_from_slice(&[0; 4 + 16]);
    auth_data.extend_from_slice(&u16::try_from(handle_len).expect("short").to_be_bytes());
    auth_data.extend_from_slice(&key_handle);
    ciborium::into_writer(&cose_key, &mut auth_data).expect("encodes");
    U2fRegistration { client_data, key_handle, auth_data, x5c: vec![certificate.to_vec()], sig: sig.to_vec() }
}

impl U2fRegistration {
    fn response(&self) -> RegisterPublicKeyCredential {
        let text = |s: &str| Value::Text(s.into());
        let statement = Value::Map(vec![
            (text("sig"), Value::Bytes(self.sig.clone())),
            (text("x5c"), Value::Array(self.x5c.iter().cloned().map(Value::Bytes).collect())),
        ]);
        let object = Value::Map(vec![
            (text("fmt"), text(FORMAT)),
            (text("attStmt"), statement),
            (text("authData"), Value::Bytes(self.auth_data.clone())),
        ]);
        let mut attestation_object = Vec::new();
        ciborium::into_writer(&object, &mut attestation_object).expect("encodes");
        serde_json::from_value(json!({
            "id": b64(&self.key_handle),
            "rawId": b64(&self.key_handle),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(&self.client_data),
                "attestationObject": b64(&attestation_object),
            },
            "clientExtensionResults": {},
        }))
        .expect("a registration")
    }
}

/// Registers a (possibly tampered) U2F registration with `rp`.
fn finish(
    rp: &Ceremonies,
    attestation: AttestationKind,
    tamper: impl FnOnce(&mut U2fRegistration),
) -> Result<RegisteredCredential, CeremonyError> {
    let (options, state) = rp.start_registration(ALICE, &[], Discoverability::Discouraged).expect("options");
    let mut registration = u2f_register(&options, attestation);
    tamper(&mut registration);
    rp.finish_registration(&registration.response(), state)
}

fn refusal(result: Result<RegisteredCredential, CeremonyError>) -> String {
    match result {
        Err(CeremonyError::InvalidAttestation(reason)) => reason,
        other => panic!("expected an invalid attestation, got {other:?}"),
    }
}

#[test]
fn a_batch_certificate_under_a_trusted_root_is_found_by_its_key_identifier() {
    let stored = finish(&rp(), AttestationKind::PackedBasic, |_| {}).expect("registers");
    let facts = MetadataFacts { key_storage: KeyStorage::Hardware, uv_methods: Vec::new() };
    assert_eq!(stored.attestation, Attestation::Trusted(facts));
}

#[test]
fn a_batch_certificate_under_another_root_is_untrusted() {
    let stored = finish(&rp(), AttestationKind::PackedBasicUntrusted, |_| {}).expect("registers");
    assert_eq!(stored.attestation, Attestation::Untrusted);
}

#[test]
fn without_the_u2f_statement_a_trusted_chain_is_untrusted() {
    let rp = super::super::tests::ceremonies(UserVerificationRequirement::Preferred);
    let stored = finish(&rp, AttestationKind::PackedBasic, |_| {}).expect("registers");
    assert_eq!(stored.attestation, Attestation::Untrusted, "no statement lists its key identifier");
}

#[test]
fn a_wrong_signature_is_refused() {
    let reason = refusal(finish(&rp(), AttestationKind::PackedBasic, |registration| {
        let last = registration.sig.len() - 1;
        registration.sig[last] ^= 0x01;
    }));
    assert!(reason.contains("Sig"), "{reason}");
}

#[test]
fn a_signature_over_other_data_is_refused() {
    let reason = refusal(finish(&rp(), AttestationKind::PackedBasic, |registration| {
        // Another credential ID than the one the key signed: verificationData differs.
        registration.key_handle[0] ^= 0x01;
        registration.auth_data[55] ^= 0x01;
    }));
    assert!(reason.contains("Sig"), "{reason}");
}

#[test]
fn two_certificates_in_x5c_are_refused() {
    let reason = refusal(finish(&rp(), AttestationKind::PackedBasic, |registration| {
        registration.x5c.push(attestation::root_certificate_der(AttestationRoot::Trusted).to_vec());
    }));
    assert_eq!(reason, "fido-u2f: x5c holds 2 certificates; exactly one is allowed");
}

#[test]
fn a_certificate_key_off_p256_is_refused() {
    let reason = refusal(finish(&rp(), AttestationKind::PackedBasic, |registration| {
        // The namedCurve of the subjectPublicKeyInfo becomes prime192v2 (1.2.840.10045.3.1.2).
        let curve = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
        let certificate = &mut registration.x5c[0];
        let at = certificate.windows(curve.len()).position(|w| w == curve).expect("a P-256 key");
        certificate[at + curve.len() - 1] = 0x02;
    }));
    assert_eq!(reason, "fido-u2f: the attestation certificate's public key is not an EC key on P-256");
}

#[test]
fn a_non_zero_aaguid_is_refused() {
    let reason = refusal(finish(&rp(), AttestationKind::PackedBasic, |registration| {
        registration.auth_data[40] = 0x01;
    }));
    assert_eq!(reason, "fido-u2f: the AAGUID of a U2F credential must be zero");
}

#[test]
fn other_formats_pass_untouched() {
    let object = Value::Map(vec![(Value::Text("fmt".into()), Value::Text("none".into()))]);
    let mut bytes = Vec::new();
    ciborium::into_writer(&object, &mut bytes).expect("encodes");
    assert!(check_statement(&bytes).is_ok());
}
