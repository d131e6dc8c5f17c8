//! Deliberate faults: each one's bytes decoded independently of the code that wrote them
//! (authData taken apart by hand, signatures checked with p256, certificates with x509-cert),
//! and each one off by default.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Cursor;

use der::{Decode, Encode};
use p256::ecdsa::{DerSignature, VerifyingKey};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use crate::config::{
    AttestationFault, AttestationKind, AuthDataFault, BackupFlags, CounterMode, ExtensionSupport, Faults,
    Modality, UvCapability, VerifyOutcome, danger,
};
use crate::ctap2::test_support::*;
use crate::proto::auth_data::flags;

/// Authenticator data taken apart as a relying party does (WebAuthn L3 §6.1).
#[derive(Debug)]
struct Parsed {
    rp_id_hash: [u8; 32],
    flags: u8,
    sign_count: u32,
    aaguid: Option<[u8; 16]>,
    public_key: Option<Value>,
    extensions: Option<Value>,
    /// Bytes left after the last structure the flags announce.
    trailing: usize,
}

/// Parses `auth_data`; `Err` when a CBOR structure the flags announce is cut short.
fn parse(auth_data: &[u8]) -> Result<Parsed, String> {
    let rp_id_hash: [u8; 32] = auth_data[..32].try_into().unwrap();
    let flag_bits = auth_data[32];
    let sign_count = u32::from_be_bytes(auth_data[33..37].try_into().unwrap());
    let mut cursor = Cursor::new(&auth_data[37..]);
    let (mut aaguid, mut public_key, mut extensions) = (None, None, None);
    if flag_bits & flags::AT != 0 {
        let rest = &auth_data[37..];
        aaguid = Some(rest[..16].try_into().unwrap());
        let id_length = usize::from(u16::from_be_bytes([rest[16], rest[17]]));
        cursor.set_position(18 + id_length as u64);
        public_key = Some(ciborium::de::from_reader::<Value, _>(&mut cursor).map_err(|e| e.to_string())?);
    }
    if flag_bits & flags::ED != 0 {
        extensions = Some(ciborium::de::from_reader::<Value, _>(&mut cursor).map_err(|e| e.to_string())?);
    }
    let trailing = auth_data.len() - 37 - usize::try_from(cursor.position()).unwrap();
    Ok(Parsed { rp_id_hash, flags: flag_bits, sign_count, aaguid, public_key, extensions, trailing })
}

fn with_faults(config: Config, danger: Faults) -> Config {
    Config { danger, ..config }
}

/// A software token (self attestation, no UV) with `danger`.
fn faulty_token(danger: Faults) -> (Authenticator, ManualClock) {
    device(with_faults(Config { counter: CounterMode::PerCredential, ..software_token() }, danger))
}

/// Registers and returns (makeCredential response, authData, credential ID).
fn register_raw(auth: &mut Authenticator) -> (Value, Vec<u8>, Vec<u8>) {
    let response = call(auth, code::MAKE_CREDENTIAL, Some(make_credential_params(false, |m| m))).unwrap();
    let auth_data = field(&response, 2).as_bytes().unwrap().clone();
    let id = credential_id(&response);
    (response, auth_data, id)
}

/// Asserts with `credential_id`; returns (authData, signature).
fn assert_raw(auth: &mut Authenticator, credential_id: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let response =
        call(auth, code::GET_ASSERTION, Some(get_assertion_params(Some(credential_id), |m| m))).unwrap();
    (field(&response, 2).as_bytes().unwrap().clone(), field(&response, 3).as_bytes().unwrap().clone())
}

/// Whether the DER ECDSA `signature` verifies over `auth_data || CDH` under `key`.
fn verifies(key: &VerifyingKey, auth_data: &[u8], signature: &[u8]) -> bool {
    let signature = DerSignature::from_bytes(signature).expect("a DER-shaped ECDSA signature");
    key.verify(&[auth_data, &CDH[..]].concat(), &signature).is_ok()
}

/// The packed attestation statement's `sig` and `x5c` of a makeCredential response.
fn packed_statement(response: &Value) -> (i64, Vec<u8>, Vec<Vec<u8>>) {
    let statement = field(response, 3);
    let alg = i64::try_from(text_field(statement, "alg").unwrap().as_integer().unwrap()).unwrap();
    let sig = text_field(statement, "sig").unwrap().as_bytes().unwrap().clone();
    let x5c = text_field(statement, "x5c").map_or_else(Vec::new, |chain| {
        chain.as_array().unwrap().iter().map(|cert| cert.as_bytes().unwrap().clone()).collect()
    });
    (alg, sig, x5c)
}

fn certificate_key(cert: &Certificate) -> VerifyingKey {
    let spki = cert.tbs_certificate().subject_public_key_info();
    VerifyingKey::from_sec1_bytes(spki.subject_public_key.raw_bytes()).unwrap()
}

/// The 16 bytes inside the id-fido-gen-ce-aaguid extension (OCTET STRING in extnValue).
fn certificate_aaguid(cert: &Certificate) -> [u8; 16] {
    let oid = der::asn1::ObjectIdentifier::new_unwrap(crate::attestation::FIDO_AAGUID_EXTENSION_OID);
    let extension = cert.tbs_certificate().extensions().unwrap().iter().find(|e| e.extn_id == oid).unwrap();
    let inner = der::asn1::OctetString::from_der(extension.extn_value.as_bytes()).unwrap();
    inner.as_bytes().try_into().unwrap()
}

#[test]
fn without_faults_the_bytes_are_those_of_a_correct_device() {
    let (mut auth, _) = faulty_token(Faults::default());
    let registered = register(&mut auth, false);
    let parsed = parse(&registered.auth_data).unwrap();
    assert_eq!(parsed.flags, flags::UP | flags::AT);
    assert_eq!(parsed.rp_id_hash, crate::ctap2::rp_id_hash(RP));
    assert_eq!((parsed.sign_count, parsed.trailing), (0, 0));
    let (auth_data, signature) = assert_raw(&mut auth, &registered.credential_id);
    assert!(verifies(&registered.public_key, &auth_data, &signature));
    let parsed = parse(&auth_data).unwrap();
    assert_eq!((parsed.flags, parsed.sign_count, parsed.trailing), (flags::UP, 1, 0));
}

#[test]
fn uv_without_verification_sets_uv_in_both_ceremonies() {
    let (mut auth, _) = faulty_token(Faults { danger_uv_without_verification: true, ..Faults::NONE });
    let registered = register(&mut auth, false);
    assert_eq!(parse(&registered.auth_data).unwrap().flags, flags::UP | flags::UV | flags::AT);
    let (_, sig, _) = packed_statement(&registered.response);
    assert!(verifies(&registered.public_key, &registered.auth_data, &sig));
    let (auth_data, signature) = assert_raw(&mut auth, &registered.credential_id);
    assert_eq!(parse(&auth_data).unwrap().flags, flags::UP | flags::UV);
    assert!(verifies(&registered.public_key, &auth_data, &signature));
}

#[test]
fn presence_not_tested_answers_success_with_up_clear() {
    for outcome in [PresenceOutcome::Deny, PresenceOutcome::Timeout] {
        let refusing = with_presence(software_token(), outcome);
        let (mut correct, _) = device(refusing.clone());
        let params = make_credential_params(false, |m| m);
        assert!(matches!(
            call(&mut correct, code::MAKE_CREDENTIAL, Some(params)),
            Err(StatusCode::OperationDenied | StatusCode::UserActionTimeout)
        ));
        let faults = Faults { danger_presence_not_tested: true, ..Faults::NONE };
        let (mut auth, _) = device(with_faults(refusing, faults));
        let registered = register(&mut auth, false);
        assert_eq!(parse(&registered.auth_data).unwrap().flags, flags::AT, "{outcome:?}");
        let (auth_data, signature) = assert_raw(&mut auth, &registered.credential_id);
        assert_eq!(parse(&auth_data).unwrap().flags & flags::UP, 0, "{outcome:?}");
        assert!(verifies(&registered.public_key, &auth_data, &signature));
    }
}

#[test]
fn wrong_rp_id_hash_is_signed_in_both_ceremonies() {
    let (mut auth, _) = faulty_token(Faults { danger_wrong_rp_id_hash: true, ..Faults::NONE });
    let evil: [u8; 32] = Sha256::digest(b"evil.example").into();
    let registered = register(&mut auth, false);
    assert_eq!(parse(&registered.auth_data).unwrap().rp_id_hash, evil);
    let (_, sig, _) = packed_statement(&registered.response);
    assert!(verifies(&registered.public_key, &registered.auth_data, &sig));
    // The credential is still found under the real RP ID.
    let (auth_data, signature) = assert_raw(&mut auth, &registered.credential_id);
    assert_eq!(parse(&auth_data).unwrap().rp_id_hash, evil);
    assert!(verifies(&registered.public_key, &auth_data, &signature));
}

#[test]
fn corrupt_signature_flips_one_byte_of_r() {
    for attestation in [AttestationKind::PackedSelf, AttestationKind::PackedBasic] {
        let config = Config { attestation, ..software_token() };
        let (mut auth, _) =
            device(with_faults(config, Faults { danger_corrupt_signature: true, ..Faults::NONE }));
        let registered = register(&mut auth, false);
        let (_, mut sig, x5c) = packed_statement(&registered.response);
        let signer = match x5c.first() {
            Some(der) => certificate_key(&Certificate::from_der(der).unwrap()),
            None => registered.public_key,
        };
        assert!(!verifies(&signer, &registered.auth_data, &sig), "{attestation:?}");
        let last_of_r = 3 + usize::from(sig[3]);
        sig[last_of_r] ^= 0x01;
        assert!(verifies(&signer, &registered.auth_data, &sig), "{attestation:?}: one byte of r flipped");
        let (auth_data, mut signature) = assert_raw(&mut auth, &registered.credential_id);
        assert!(!verifies(&registered.public_key, &auth_data, &signature));
        let last_of_r = 3 + usize::from(signature[3]);
        signature[last_of_r] ^= 0x01;
        assert!(verifies(&registered.public_key, &auth_data, &signature));
    }
}

#[test]
fn corrupting_an_ed25519_signature_flips_its_first_byte() {
    let mut signature = vec![0x11; 64];
    super::corrupt_signature(&mut signature);
    assert_eq!(signature[0], 0x10);
    assert!(signature[1..].iter().all(|&byte| byte == 0x11));
}

#[test]
fn sign_with_foreign_key_gives_a_well_formed_signature_that_does_not_verify() {
    let (mut auth, _) = faulty_token(Faults { danger_sign_with_foreign_key: true, ..Faults::NONE });
    let registered = register(&mut auth, false);
    let (_, sig, _) = packed_statement(&registered.response);
    assert!(verifies(&registered.public_key, &registered.auth_data, &sig), "attestation stays genuine");
    let (auth_data, signature) = assert_raw(&mut auth, &registered.credential_id);
    assert_eq!(parse(&auth_data).unwrap().flags, flags::UP);
    assert!(!verifies(&registered.public_key, &auth_data, &signature));
}

#[test]
fn counter_regression_goes_down_from_a_high_registration_and_stops_at_one() {
    let regression = Faults { danger_counter_regression: true, ..Faults::NONE };
    let (mut auth, _) = faulty_token(regression);
    let registered = register(&mut auth, false);
    assert_eq!(parse(&registered.auth_data).unwrap().sign_count, 1000);
    let counts: Vec<u32> = (0..3)
        .map(|_| parse(&assert_raw(&mut auth, &registered.credential_id).0).unwrap().sign_count)
        .collect();
    assert_eq!(counts, [999, 998, 997]);
    // A credential whose counter is already low: it goes down to 1 and stays there, nonzero.
    let config = Config { counter: CounterMode::PerCredential, ..software_token() };
    let (mut auth, _) = device(config.clone());
    let low = register(&mut auth, false);
    for expected in [1, 2] {
        assert_eq!(parse(&assert_raw(&mut auth, &low.credential_id).0).unwrap().sign_count, expected);
    }
    auth.reconfigure(with_faults(config, regression));
    let counts: Vec<u32> =
        (0..3).map(|_| parse(&assert_raw(&mut auth, &low.credential_id).0).unwrap().sign_count).collect();
    assert_eq!(counts, [1, 1, 1]);
}

#[test]
fn backup_state_without_eligibility_overrides_the_backup_flags() {
    let faults = Faults { danger_backup_state_without_eligibility: true, ..Faults::NONE };
    let config = Config { backup: BackupFlags { eligible: true, state: false }, ..software_token() };
    let (mut auth, _) = device(with_faults(config, faults));
    let registered = register(&mut auth, false);
    assert_eq!(parse(&registered.auth_data).unwrap().flags, flags::UP | flags::BS | flags::AT);
    let (auth_data, signature) = assert_raw(&mut auth, &registered.credential_id);
    assert_eq!(parse(&auth_data).unwrap().flags, flags::UP | flags::BS);
    assert!(verifies(&registered.public_key, &auth_data, &signature));
}

#[test]
fn self_signed_batch_claims_a_hardware_models_aaguid() {
    let fault = Faults {
        danger_attestation: Some(AttestationFault::SelfSignedBatchClaimingHardware),
        ..Faults::NONE
    };
    let (mut auth, _) = faulty_token(fault);
    let claimed = crate::attestation::aaguid(danger::claimed_hardware_model(auth.config().model()));
    let (response, auth_data, _) = register_raw(&mut auth);
    assert_eq!(field(&response, 1), &Value::from("packed"));
    assert_eq!(parse(&auth_data).unwrap().aaguid, Some(claimed));
    let (alg, sig, x5c) = packed_statement(&response);
    assert_eq!((alg, x5c.len()), (-7, 1));
    let cert = Certificate::from_der(&x5c[0]).unwrap();
    let tbs = cert.tbs_certificate();
    assert_eq!(tbs.issuer(), tbs.subject(), "self-signed");
    let own_key = certificate_key(&cert);
    let cert_signature = DerSignature::from_bytes(cert.signature().raw_bytes()).unwrap();
    own_key.verify(&tbs.to_der().unwrap(), &cert_signature).expect("signed by its own key");
    assert_eq!(certificate_aaguid(&cert), claimed);
    assert!(verifies(&own_key, &auth_data, &sig));
    let root = Certificate::from_der(crate::attestation::root_certificate_der(
        crate::attestation::AttestationRoot::Trusted,
    ))
    .unwrap();
    assert_ne!(tbs.issuer(), root.tbs_certificate().subject(), "no softfido root issued it");
}

#[test]
fn certificate_aaguid_mismatch_chains_to_the_root_but_disagrees_with_auth_data() {
    let fault =
        Faults { danger_attestation: Some(AttestationFault::CertificateAaguidMismatch), ..Faults::NONE };
    let (mut auth, _) = faulty_token(fault);
    let model = auth.config().model();
    let (response, auth_data, _) = register_raw(&mut auth);
    let (alg, sig, x5c) = packed_statement(&response);
    assert_eq!((alg, x5c.len()), (-7, 1));
    let cert = Certificate::from_der(&x5c[0]).unwrap();
    let root = Certificate::from_der(crate::attestation::root_certificate_der(
        crate::attestation::AttestationRoot::Trusted,
    ))
    .unwrap();
    let cert_signature = DerSignature::from_bytes(cert.signature().raw_bytes()).unwrap();
    certificate_key(&root)
        .verify(&cert.tbs_certificate().to_der().unwrap(), &cert_signature)
        .expect("issued by the softfido test root");
    assert!(verifies(&certificate_key(&cert), &auth_data, &sig));
    let announced = parse(&auth_data).unwrap().aaguid.unwrap();
    assert_eq!(certificate_aaguid(&cert), crate::attestation::aaguid(model));
    assert_ne!(certificate_aaguid(&cert), announced);
    assert_eq!(announced, crate::attestation::aaguid(danger::claimed_hardware_model(model)));
}

#[test]
fn self_attestation_algorithm_mismatch_announces_rs256_over_an_es256_signature() {
    let fault = Faults {
        danger_attestation: Some(AttestationFault::SelfAttestationAlgorithmMismatch),
        ..Faults::NONE
    };
    let (mut auth, _) = faulty_token(fault);
    let (response, auth_data, _) = register_raw(&mut auth);
    let (alg, sig, x5c) = packed_statement(&response);
    assert_eq!((alg, x5c.len()), (-257, 0), "self attestation announcing RS256");
    let key = self_attestation_key(&auth_data, &sig).expect("the credential key signed it");
    assert!(verifies(&key, &auth_data, &sig), "an ES256 signature by the credential key");
}

/// The credential key of registration authData, from its COSE key as a relying party reads it;
/// when the bytes are cut short, with each possible missing last byte in turn, keeping the one
/// under which the self attestation `sig` verifies over the bytes as sent.
fn self_attestation_key(auth_data: &[u8], sig: &[u8]) -> Option<VerifyingKey> {
    let id_length = usize::from(u16::from_be_bytes([auth_data[53], auth_data[54]]));
    let cose_key = |bytes: &[u8]| -> Option<VerifyingKey> {
        let key: Value = ciborium::de::from_reader(&bytes[55 + id_length..]).ok()?;
        let coordinate = |label: i64| {
            key.as_map()?.iter().find(|(k, _)| k.as_integer() == Some(label.into()))?.1.as_bytes().cloned()
        };
        let point = [vec![0x04], coordinate(-2)?, coordinate(-3)?].concat();
        VerifyingKey::from_sec1_bytes(&point).ok()
    };
    std::iter::once(auth_data.to_vec())
        .chain((0..=255u8).map(|byte| [auth_data, &[byte][..]].concat()))
        .filter_map(|bytes| cose_key(&bytes))
        .find(|key| verifies(key, auth_data, sig))
}

/// Assertion authData under `fault` (for a credential registered by a correct device) and
/// registration authData under `fault`, each signature checked over the bytes as sent.
fn faulty_ceremonies(fault: AuthDataFault, extensions: bool) -> (Vec<u8>, Vec<u8>) {
    let faults = Faults { danger_auth_data: Some(fault), ..Faults::NONE };
    let (mut auth, _) = faulty_token(Faults::NONE);
    let registered = register(&mut auth, false);
    auth.reconfigure(with_faults(Config { counter: CounterMode::PerCredential, ..software_token() }, faults));
    let params = get_assertion_params(Some(&registered.credential_id), |m| {
        if extensions { m.insert(4, MapBuilder::new().insert("credBlob", true).build()) } else { m }
    });
    let response = call(&mut auth, code::GET_ASSERTION, Some(params)).unwrap();
    let assertion = field(&response, 2).as_bytes().unwrap().clone();
    let signature = field(&response, 3).as_bytes().unwrap();
    assert!(verifies(&registered.public_key, &assertion, signature), "{fault:?}");
    let (mut faulty, _) = faulty_token(faults);
    let (response, registration, _) = register_raw(&mut faulty);
    let (_, sig, _) = packed_statement(&response);
    assert!(self_attestation_key(&registration, &sig).is_some(), "{fault:?}: signed as sent");
    (assertion, registration)
}

#[test]
fn truncated_auth_data_loses_its_last_byte_and_is_signed_so() {
    let (assertion, registration) = faulty_ceremonies(AuthDataFault::TruncatedByOne, false);
    assert_eq!(assertion.len(), 36, "37 bytes less one");
    assert!(parse(&registration).is_err(), "the credential public key is cut short");
}

#[test]
fn trailing_bytes_follow_the_last_structure() {
    let (assertion, registration) = faulty_ceremonies(AuthDataFault::TrailingBytes, false);
    let parsed = parse(&assertion).unwrap();
    assert_eq!((parsed.trailing, &assertion[37..]), (2, &[0xDE, 0xAD][..]));
    assert_eq!(parse(&registration).unwrap().trailing, 2);
}

#[test]
fn extension_flag_without_extensions_announces_a_missing_map() {
    let (assertion, registration) = faulty_ceremonies(AuthDataFault::ExtensionFlagWithoutExtensions, true);
    assert_eq!(assertion.len(), 37, "no extension map");
    assert_eq!(assertion[32] & flags::ED, flags::ED);
    assert!(parse(&assertion).is_err(), "ED promises a map that is not there");
    assert_eq!(registration[32] & flags::ED, flags::ED);
    assert!(parse(&registration).is_err());
}

#[test]
fn extensions_without_flag_append_a_map_with_ed_clear() {
    for extensions in [false, true] {
        let (assertion, registration) = faulty_ceremonies(AuthDataFault::ExtensionsWithoutFlag, extensions);
        let parsed = parse(&assertion).unwrap();
        assert_eq!((parsed.flags & flags::ED, parsed.extensions), (0, None));
        assert!(parsed.trailing > 0);
        let map: Value = ciborium::de::from_reader(&assertion[37..]).unwrap();
        assert!(map.as_map().is_some_and(|entries| !entries.is_empty()), "{map:?}");
        let parsed = parse(&registration).unwrap();
        assert_eq!(parsed.flags & flags::ED, 0);
        assert!(parsed.trailing > 0, "the registration's extension outputs follow the key unannounced");
    }
}

#[test]
fn key_algorithm_mismatch_announces_ed25519_while_signing_es256() {
    let fault = Faults { danger_credential_key_algorithm_mismatch: true, ..Faults::NONE };
    let (mut auth, _) = faulty_token(fault);
    let (response, auth_data, credential_id) = register_raw(&mut auth);
    let key = parse(&auth_data).unwrap().public_key.unwrap();
    let member = |label: i64| {
        key.as_map().unwrap().iter().find(|(k, _)| k.as_integer() == Some(label.into())).unwrap().1.clone()
    };
    assert_eq!((member(1), member(3), member(-1)), (Value::from(1), Value::from(-8), Value::from(6)));
    let x = member(-2).as_bytes().unwrap().clone();
    assert_eq!(x.len(), 32);
    assert_eq!(key.as_map().unwrap().len(), 4, "an OKP key has no y");
    let (alg, sig, x5c) = packed_statement(&response);
    assert_eq!((alg, x5c.len()), (-7, 0), "self attestation still says ES256");
    // The x is the P-256 key's: one of the two points with that x verifies the ES256 signatures.
    let signer = [0x02, 0x03]
        .into_iter()
        .filter_map(|prefix| VerifyingKey::from_sec1_bytes(&[&[prefix][..], &x].concat()).ok())
        .find(|candidate| verifies(candidate, &auth_data, &sig))
        .expect("the attestation signature is ES256 by the credential key");
    let (assertion, signature) = assert_raw(&mut auth, &credential_id);
    assert!(verifies(&signer, &assertion, &signature));
}

#[test]
fn uv_without_verification_names_the_models_method_in_uvm() {
    let fingerprint_unenrolled = Config {
        uv: UvCapability::Builtin {
            modality: Modality::Fingerprint,
            enrolled: false,
            outcome: VerifyOutcome::Match,
        },
        extensions: ExtensionSupport::ALL,
        counter: CounterMode::PerCredential,
        ..software_token()
    };
    let lying = Faults { danger_uv_without_verification: true, ..Faults::NONE };
    let (mut auth, _) = device(with_faults(fingerprint_unenrolled, lying));
    let (_, _, id) = register_raw(&mut auth);
    let with_uvm = |m: MapBuilder| m.insert(4, MapBuilder::new().insert("uvm", true).build());
    let response =
        call(&mut auth, code::GET_ASSERTION, Some(get_assertion_params(Some(&id), with_uvm))).unwrap();
    let parsed = parse(field(&response, 2).as_bytes().unwrap()).unwrap();
    assert_eq!(parsed.flags & flags::UV, flags::UV, "UV claimed");
    let extensions = parsed.extensions.expect("the uvm output");
    let uvm =
        extensions.as_map().unwrap().iter().find(|(k, _)| k.as_text() == Some("uvm")).unwrap().1.clone();
    let method = uvm.as_array().unwrap()[0].as_array().unwrap()[0].as_integer().unwrap();
    assert_eq!(u32::try_from(method).unwrap(), Modality::Fingerprint.fido_uvm_bit(), "the sensor never read");
}
