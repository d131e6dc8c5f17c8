//! Unit tests: the certificates parse back, chain, carry the WebAuthn §8.2.1 fields, and are
//! reproducible byte for byte.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;

use der::{Decode, DecodePem, Encode, Tag, Tagged};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{DerSignature, VerifyingKey};
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, BasicConstraints, KeyUsage, SubjectKeyIdentifier};
use x509_cert::spki::ObjectIdentifier;

use super::*;

const OID_C: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
const OID_O: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
const OID_OU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.11");
const OID_CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

fn parse(der: &[u8]) -> Certificate {
    Certificate::from_der(der).expect("certificate parses")
}

fn public_key(cert: &Certificate) -> VerifyingKey {
    let spki = cert.tbs_certificate().subject_public_key_info();
    VerifyingKey::from_sec1_bytes(spki.subject_public_key.raw_bytes()).expect("P-256 public key")
}

/// Verifies `cert`'s signature over its TBS DER under `issuer_key`.
fn signed_by(cert: &Certificate, issuer_key: &VerifyingKey) -> bool {
    let tbs = cert.tbs_certificate().to_der().unwrap();
    let signature = DerSignature::from_bytes(cert.signature().raw_bytes()).unwrap();
    issuer_key.verify(&tbs, &signature).is_ok()
}

fn extension(cert: &Certificate, oid: &str) -> Option<x509_cert::ext::Extension> {
    let oid = ObjectIdentifier::new(oid).unwrap();
    cert.tbs_certificate().extensions()?.iter().find(|e| e.extn_id == oid).cloned()
}

/// (tag, value) of the single attribute of type `oid` in a name.
fn attribute(name: &x509_cert::name::Name, oid: ObjectIdentifier) -> (Tag, String) {
    let mut found = name.iter().filter(|atv| atv.oid == oid);
    let atv = found.next().unwrap_or_else(|| panic!("attribute {oid} present"));
    assert!(found.next().is_none(), "attribute {oid} appears once");
    (atv.value.tag(), String::from_utf8(atv.value.value().to_vec()).unwrap())
}

#[test]
fn aaguids_are_distinct_uuid_v8() {
    let aaguids: HashSet<[u8; 16]> = Model::all().map(aaguid).collect();
    assert_eq!(aaguids.len(), 24);
    for id in &aaguids {
        assert_eq!(id[6] >> 4, 8, "version 8");
        assert_eq!(id[8] >> 6, 0b10, "RFC 9562 variant");
    }
}

/// The model whose AAGUID is `aaguid`, if it is one of softfido's.
fn model_for_aaguid(aaguid: &[u8; 16]) -> Option<Model> {
    Model::all().find(|model| super::aaguid(*model) == *aaguid)
}

#[test]
fn aaguid_maps_back_to_its_model() {
    for model in Model::all() {
        assert_eq!(model_for_aaguid(&aaguid(model)), Some(model));
    }
    assert_eq!(model_for_aaguid(&[0; 16]), None);
}

#[test]
fn aaguid_string_is_hyphenated_lower_hex() {
    let text = aaguid_string(&[0xab; 16]);
    assert_eq!(text, "abababab-abab-abab-abab-abababababab");
}

#[test]
fn model_index_is_a_bijection() {
    let indices: HashSet<usize> = Model::all().map(model_index).collect();
    assert_eq!(indices, (0..MODEL_COUNT).collect());
}

#[test]
fn rebuilding_gives_identical_bytes() {
    for root in AttestationRoot::ALL {
        let again = pki::build_root(root);
        assert_eq!(again.certificate_der, root_certificate_der(root));
        assert_eq!(again.signing_key.to_bytes(), root_identity(root).signing_key.to_bytes());
        for model in Model::all() {
            let again = pki::build_batch(model, root);
            let cached = batch_identity(model, root);
            assert_eq!(again.certificate_der, cached.certificate_der);
            assert_eq!(again.signing_key.to_bytes(), cached.signing_key.to_bytes());
        }
    }
}

/// Pins the trusted root: a change here means every relying party's stored metadata is stale,
/// so it must be deliberate (bump the labels' version and say so).
#[test]
fn trusted_root_fingerprint_is_pinned() {
    let fingerprint = hex::encode(Sha256::digest(root_certificate_der(AttestationRoot::Trusted)));
    assert_eq!(fingerprint, PINNED_TRUSTED_ROOT_SHA256);
}

const PINNED_TRUSTED_ROOT_SHA256: &str = "3b3ef5b83a6fce53e5eedc68c1620f26713e6cd3861d88fc2dc9198f7d151737";

#[test]
fn roots_are_self_signed_cas() {
    for root in AttestationRoot::ALL {
        let cert = parse(root_certificate_der(root));
        let tbs = cert.tbs_certificate();
        assert_eq!(tbs.version(), Version::V3);
        assert_eq!(tbs.subject(), tbs.issuer());
        assert_eq!(tbs.subject().to_string(), format!("CN={},O=softfido,C=US", root.common_name()));
        assert_eq!(attribute(tbs.subject(), OID_C).0, Tag::PrintableString);

        let (critical, basic) = tbs.get_extension::<BasicConstraints>().unwrap().expect("basicConstraints");
        assert!(critical && basic.ca);
        let (critical, usage) = tbs.get_extension::<KeyUsage>().unwrap().expect("keyUsage");
        assert!(critical && usage.key_cert_sign() && usage.crl_sign() && !usage.digital_signature());
        assert!(tbs.get_extension::<SubjectKeyIdentifier>().unwrap().is_some());

        let key = public_key(&cert);
        assert_eq!(&key, root_identity(root).signing_key.verifying_key());
        assert!(signed_by(&cert, &key));

        let validity = tbs.validity();
        assert_eq!(validity.not_before.to_date_time().year(), 2024);
        assert_eq!(validity.not_after.to_date_time().year(), 2049);
    }
    assert_ne!(
        root_certificate_der(AttestationRoot::Trusted),
        root_certificate_der(AttestationRoot::Untrusted)
    );
}

#[test]
fn batch_certificates_meet_webauthn_8_2_1() {
    for root in AttestationRoot::ALL {
        let root_cert = parse(root_certificate_der(root));
        let root_key = public_key(&root_cert);
        let (_, root_ski) =
            root_cert.tbs_certificate().get_extension::<SubjectKeyIdentifier>().unwrap().unwrap();
        for model in Model::all() {
            let identity = batch_identity(model, root);
            let cert = parse(&identity.certificate_der);
            let tbs = cert.tbs_certificate();

            // Version MUST be set to 3.
            assert_eq!(tbs.version(), Version::V3);
            // Subject: C (PrintableString), O, OU = "Authenticator Attestation", CN (UTF8String).
            assert_eq!(attribute(tbs.subject(), OID_C), (Tag::PrintableString, "US".into()));
            assert_eq!(attribute(tbs.subject(), OID_O), (Tag::Utf8String, "softfido".into()));
            assert_eq!(
                attribute(tbs.subject(), OID_OU),
                (Tag::Utf8String, "Authenticator Attestation".into())
            );
            assert_eq!(attribute(tbs.subject(), OID_CN), (Tag::Utf8String, pki::batch_common_name(model)));
            assert_eq!(tbs.issuer(), root_cert.tbs_certificate().subject());

            // basicConstraints CA=false, present (crypto-glue requires it on leaves by default).
            let (_, basic) = tbs.get_extension::<BasicConstraints>().unwrap().expect("basicConstraints");
            assert!(!basic.ca);
            let (_, usage) = tbs.get_extension::<KeyUsage>().unwrap().expect("keyUsage");
            assert!(usage.digital_signature() && !usage.key_cert_sign());

            // id-fido-gen-ce-aaguid: non-critical; extnValue = OCTET STRING { OCTET STRING (16) }.
            let ext = extension(&cert, FIDO_AAGUID_EXTENSION_OID).expect("AAGUID extension");
            assert!(!ext.critical);
            let inner = der::asn1::OctetString::from_der(ext.extn_value.as_bytes()).unwrap();
            assert_eq!(inner.as_bytes(), aaguid(model));
            let mut expected = vec![0x04, 0x10];
            expected.extend_from_slice(&aaguid(model));
            assert_eq!(ext.extn_value.as_bytes(), expected);

            // authorityKeyIdentifier names the root's key.
            let (_, aki) = tbs.get_extension::<AuthorityKeyIdentifier>().unwrap().expect("AKI");
            assert_eq!(aki.key_identifier.as_ref(), Some(&root_ski.0));

            // Chains: signed by this root, not by the other one.
            assert!(signed_by(&cert, &root_key));
            let other = AttestationRoot::ALL.into_iter().find(|r| *r != root).unwrap();
            assert!(!signed_by(&cert, &public_key(&parse(root_certificate_der(other)))));

            // The certified key is the batch signing key.
            assert_eq!(&public_key(&cert), identity.signing_key.verifying_key());
        }
    }
}

#[test]
fn batch_keys_are_distinct() {
    let keys: HashSet<Vec<u8>> = AttestationRoot::ALL
        .into_iter()
        .flat_map(|root| {
            Model::all().map(move |model| batch_identity(model, root).signing_key.to_bytes().to_vec())
        })
        .collect();
    assert_eq!(keys.len(), 48);
}

#[test]
fn sign_der_verifies_under_the_certificate_key() {
    let identity = batch_identity(Model::all().next().unwrap(), AttestationRoot::Trusted);
    let signature = identity.sign_der(b"authData || clientDataHash");
    let key = public_key(&parse(&identity.certificate_der));
    assert!(
        key.verify(b"authData || clientDataHash", &DerSignature::from_bytes(&signature).unwrap()).is_ok()
    );
    assert_eq!(signature, identity.sign_der(b"authData || clientDataHash"), "RFC 6979 is deterministic");
}

#[test]
fn pem_round_trips() {
    for root in AttestationRoot::ALL {
        let pem = root_certificate_pem(root);
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(pem.ends_with("-----END CERTIFICATE-----\n"));
        assert!(pem.lines().all(|line| line.len() <= 64));
        let cert = Certificate::from_pem(pem.as_bytes()).unwrap();
        assert_eq!(cert.to_der().unwrap(), root_certificate_der(root));
    }
}
