use softfido_authenticator::attestation::{self, AttestationRoot};
use softfido_authenticator::config::{KeyProtection, Modality, Model, UvKind};

use der::Decode as _;

use super::*;

/// softfido's 24 statements, one per model, built in memory.
pub(crate) fn softfido_metadata() -> Metadata {
    let statements = Model::all().map(|model| {
        Statement::from_json(&softfido_authenticator::metadata::metadata_statement(model))
            .expect("valid statement")
    });
    Metadata::from_statements(statements).expect("one statement per AAGUID")
}

#[test]
fn softfido_statements_load_with_their_facts() {
    let dir = tempfile::tempdir().expect("temp dir");
    softfido_authenticator::metadata::write_metadata_dir(dir.path()).expect("written");
    let loaded = Metadata::load_dir(dir.path()).expect("loaded");
    assert_eq!(loaded.len(), 48, "a FIDO2 and a U2F statement per model");
    let metadata = softfido_metadata();
    assert_eq!(metadata.len(), 24);
    for statement in loaded.statements().filter(|statement| statement.aaguid.is_some()) {
        let aaguid = statement.aaguid.expect("a FIDO2 statement");
        assert_eq!(metadata.get(&aaguid), Some(statement), "the directory and memory agree");
    }
    for model in Model::all() {
        // The relying party's own key identifier of the batch certificate it will be shown
        // (RFC 5280 §4.2.1.2 over the certificate's subjectPublicKey) finds the U2F statement.
        let batch = attestation::batch_identity(model, AttestationRoot::Trusted);
        let certificate = x509_cert::Certificate::from_der(&batch.certificate_der).expect("certificate");
        let point = certificate.tbs_certificate().subject_public_key_info().subject_public_key.raw_bytes();
        let statement = loaded
            .by_key_identifier(&KeyIdentifier::of_subject_public_key(point))
            .expect("every model has a U2F statement");
        assert!(statement.aaguid.is_none(), "{model:?}");
        assert_eq!(
            statement.facts.key_storage == KeyStorage::Software,
            model.key_protection == KeyProtection::Software
        );
        assert!(statement.facts.uv_methods.is_empty(), "U2F tests presence only");
    }
    for model in Model::all() {
        let statement = metadata.get(&attestation::aaguid(model)).expect("every model");
        let expected_storage = match model.key_protection {
            KeyProtection::Software => KeyStorage::Software,
            _ => KeyStorage::Hardware,
        };
        assert_eq!(statement.facts.key_storage, expected_storage, "{model:?}");
        let expected_methods = match model.uv {
            UvKind::None => vec![],
            UvKind::ClientPin => vec![UvMethod::Knowledge],
            UvKind::Builtin(Modality::Fingerprint) => vec![UvMethod::Fingerprint],
            UvKind::Builtin(Modality::Face) => vec![UvMethod::Face],
            UvKind::Builtin(Modality::Iris) => vec![UvMethod::Iris],
            UvKind::Builtin(Modality::Voice) => vec![UvMethod::Voice],
        };
        assert_eq!(statement.facts.uv_methods, expected_methods, "{model:?}");
        assert_eq!(
            statement.roots,
            vec![attestation::root_certificate_der(AttestationRoot::Trusted).to_vec()]
        );
    }
}

#[test]
fn malformed_statements_are_named() {
    assert!(parse_statement("{}").is_err());
    let base = |aaguid: &str, protection: &str, roots: &str| {
        format!(
            r#"{{"aaguid":"{aaguid}","description":"d","keyProtection":[{protection}],
            "userVerificationDetails":[[{{"userVerificationMethod":"presence_internal"}}]],
            "attestationRootCertificates":[{roots}]}}"#
        )
    };
    let good_id = "00112233-4455-6677-8899-aabbccddeeff";
    assert!(parse_statement(&base(good_id, r#""hardware""#, r#""AAEC""#)).is_ok());
    assert!(parse_statement(&base("0011", r#""hardware""#, r#""AAEC""#)).unwrap_err().contains("16 bytes"));
    assert!(
        parse_statement(&base(good_id, r#""quantum""#, r#""AAEC""#)).unwrap_err().contains("keyProtection")
    );
    assert!(parse_statement(&base(good_id, r#""hardware""#, "")).unwrap_err().contains("attestationRoot"));
    assert!(parse_statement(&base(good_id, r#""hardware""#, r#""!!""#)).is_err());
}

#[test]
fn duplicate_aaguids_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    softfido_authenticator::metadata::write_metadata_dir(dir.path()).expect("written");
    let first = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .expect("a statement");
    std::fs::copy(&first, dir.path().join("zz-copy.json")).expect("copied");
    assert!(matches!(Metadata::load_dir(dir.path()), Err(MetadataError::Duplicate { .. })));
    let twice = softfido_metadata().statements().next().expect("a statement").clone();
    assert!(matches!(
        Metadata::from_statements([twice.clone(), twice]),
        Err(MetadataError::DuplicateStatement { .. })
    ));
}

/// A U2F statement: no AAGUID, the key identifiers of its attestation certificates.
fn u2f_statement(key_identifiers: &str) -> String {
    format!(
        r#"{{"attestationCertificateKeyIdentifiers":[{key_identifiers}],"description":"u2f",
        "keyProtection":["hardware","secure_element"],
        "userVerificationDetails":[[{{"userVerificationMethod":"presence_internal"}}]],
        "attestationRootCertificates":["AAEC"]}}"#
    )
}

#[test]
fn u2f_statements_are_found_by_attestation_key_identifier() {
    let key = "00112233445566778899aabbccddeeff00112233";
    let statement = parse_statement(&u2f_statement(&format!("\"{key}\""))).expect("a U2F statement");
    assert_eq!(statement.aaguid, None);
    assert_eq!(statement.facts.key_storage, KeyStorage::Hardware);
    let identifier = KeyIdentifier(hex::decode(key).expect("hex").try_into().expect("20 bytes"));
    assert_eq!(statement.attestation_certificate_key_identifiers, vec![identifier]);
    let mut metadata = softfido_metadata();
    metadata.insert(statement.clone()).expect("a new model");
    assert_eq!(metadata.by_key_identifier(&identifier), Some(&statement));
    assert_eq!(metadata.len(), 25);
    assert_eq!(metadata.insert(statement), Err(key.to_owned()), "one statement per key identifier");
}

#[test]
fn a_statement_names_an_aaguid_or_key_identifiers() {
    assert!(parse_statement(&u2f_statement("")).unwrap_err().contains("neither aaguid"));
    assert!(parse_statement(&u2f_statement(r#""0011""#)).unwrap_err().contains("20 bytes"));
    assert!(
        parse_statement(&u2f_statement(r#""zz""#))
            .unwrap_err()
            .contains("attestationCertificateKeyIdentifiers")
    );
}

#[test]
fn key_identifiers_are_sha1_of_the_subject_public_key() {
    // SHA-1("abc") (FIPS 180-2 appendix A.1).
    assert_eq!(
        KeyIdentifier::of_subject_public_key(b"abc").to_hex(),
        "a9993e364706816aba3e25717850c26c9cd0d89d"
    );
}
