//! End-to-end check of the attestation PKI against the relying party's own verifier:
//! registrations with `packed` attestation built from these keys go through
//! `webauthn_rs_core::WebauthnCore::register_credential` with an `AttestationCaList`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use ciborium::Value;
use p256::ecdsa::SigningKey;
use sha2::{Digest, Sha256};
use webauthn_rs_core::WebauthnCore;
use webauthn_rs_core::error::WebauthnError;
use webauthn_rs_core::proto::{
    AttestationCaList, AttestationCaListBuilder, AttestationConveyancePreference, AttestationMetadata,
    AuthenticatorAttestationResponseRaw, Credential, ParsedAttestationData, RegisterPublicKeyCredential,
};

use crate::attestation::*;
use crate::config::Model;

const RP_ID: &str = "softfido.test";
const ORIGIN: &str = "https://softfido.test";

/// How the test authenticator fills the attestation statement.
enum Statement<'a> {
    /// `packed` basic: x5c = [batch certificate], signed by the batch key.
    Basic(&'a AttestationIdentity),
    /// `packed` self: no x5c, signed by the credential key.
    SelfSigned,
}

fn core() -> WebauthnCore {
    WebauthnCore::new_unsafe_experts_only(
        "softfido",
        RP_ID,
        vec![url::Url::parse(ORIGIN).unwrap()],
        Duration::from_secs(60),
        None,
        None,
    )
}

/// A CA list that trusts `root` for exactly the AAGUIDs given, as the RP builds it from metadata.
fn ca_list(root: AttestationRoot, aaguids: &[[u8; 16]]) -> AttestationCaList {
    let mut builder = AttestationCaListBuilder::new();
    for aaguid in aaguids {
        builder
            .insert_device_der(
                root_certificate_der(root),
                uuid::Uuid::from_bytes(*aaguid),
                "softfido test model".into(),
                BTreeMap::new(),
            )
            .unwrap();
    }
    builder.build()
}

fn cose_es256(key: &SigningKey) -> Value {
    let point = key.verifying_key().to_sec1_point(false);
    let x = point.x().unwrap().to_vec();
    let y = point.y().unwrap().to_vec();
    Value::Map(vec![
        (Value::Integer(1.into()), Value::Integer(2.into())),
        (Value::Integer(3.into()), Value::Integer((-7).into())),
        (Value::Integer((-1).into()), Value::Integer(1.into())),
        (Value::Integer((-2).into()), Value::Bytes(x)),
        (Value::Integer((-3).into()), Value::Bytes(y)),
    ])
}

fn cbor(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).unwrap();
    out
}

/// Runs one registration ceremony: challenge from the RP, an attestation object built here with
/// the given AAGUID in authData, verification by `register_credential`.
fn register(
    authdata_aaguid: [u8; 16],
    statement: Statement<'_>,
    cas: Option<&AttestationCaList>,
) -> Result<Credential, WebauthnError> {
    let core = core();
    let builder = core
        .new_challenge_register_builder(b"user-1", "alice", "Alice")
        .unwrap()
        .attestation(AttestationConveyancePreference::Direct);
    let (challenge, state) = core.generate_challenge_register(builder).unwrap();

    let client_data_json = format!(
        r#"{{"type":"webauthn.create","challenge":"{}","origin":"{ORIGIN}","crossOrigin":false}}"#,
        Base64UrlUnpadded::encode_string(&challenge.public_key.challenge)
    )
    .into_bytes();

    let credential_key = pki::derive_signing_key("webauthn test credential key");
    let credential_id = b"softfido-test-credential".to_vec();

    // WebAuthn §6.1: rpIdHash ‖ flags ‖ signCount ‖ attestedCredentialData.
    let mut auth_data = Sha256::digest(RP_ID.as_bytes()).to_vec();
    auth_data.push(0x41); // UP | AT
    auth_data.extend_from_slice(&0u32.to_be_bytes());
    auth_data.extend_from_slice(&authdata_aaguid);
    auth_data.extend_from_slice(&u16::try_from(credential_id.len()).unwrap().to_be_bytes());
    auth_data.extend_from_slice(&credential_id);
    auth_data.extend_from_slice(&cbor(&cose_es256(&credential_key)));

    // WebAuthn §8.2: sig over authenticatorData ‖ clientDataHash.
    let mut signed = auth_data.clone();
    signed.extend_from_slice(&Sha256::digest(&client_data_json));
    let mut att_stmt = vec![(Value::Text("alg".into()), Value::Integer((-7).into()))];
    match statement {
        Statement::Basic(identity) => {
            att_stmt.push((Value::Text("sig".into()), Value::Bytes(identity.sign_der(&signed))));
            att_stmt.push((
                Value::Text("x5c".into()),
                Value::Array(vec![Value::Bytes(identity.certificate_der.clone())]),
            ));
        }
        Statement::SelfSigned => {
            let identity = AttestationIdentity { signing_key: credential_key, certificate_der: Vec::new() };
            att_stmt.push((Value::Text("sig".into()), Value::Bytes(identity.sign_der(&signed))));
        }
    }
    let attestation_object = cbor(&Value::Map(vec![
        (Value::Text("fmt".into()), Value::Text("packed".into())),
        (Value::Text("attStmt".into()), Value::Map(att_stmt)),
        (Value::Text("authData".into()), Value::Bytes(auth_data)),
    ]));

    let response = RegisterPublicKeyCredential {
        id: Base64UrlUnpadded::encode_string(&credential_id),
        raw_id: credential_id,
        response: AuthenticatorAttestationResponseRaw {
            attestation_object,
            client_data_json,
            transports: None,
        },
        type_: "public-key".into(),
        extensions: Default::default(),
    };
    core.register_credential(&response, &state, cas)
}

#[test]
fn basic_attestation_chains_to_the_trusted_root_for_every_model() {
    let all: Vec<[u8; 16]> = Model::all().map(aaguid).collect();
    let cas = ca_list(AttestationRoot::Trusted, &all);
    for model in Model::all() {
        let identity = batch_identity(model, AttestationRoot::Trusted);
        let credential = register(aaguid(model), Statement::Basic(identity), Some(&cas))
            .unwrap_or_else(|e| panic!("{model:?}: {e:?}"));
        assert!(
            matches!(credential.attestation.data, ParsedAttestationData::Basic(ref chain) if chain.len() == 1)
        );
        match credential.attestation.metadata {
            AttestationMetadata::Packed { aaguid: got } => assert_eq!(*got.as_bytes(), aaguid(model)),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn untrusted_root_is_rejected() {
    let model = Model::all().next().unwrap();
    let cas = ca_list(AttestationRoot::Trusted, &[aaguid(model)]);
    let identity = batch_identity(model, AttestationRoot::Untrusted);
    let err = register(aaguid(model), Statement::Basic(identity), Some(&cas)).unwrap_err();
    assert!(matches!(err, WebauthnError::AttestationChainNotTrusted(_)), "{err:?}");
}

#[test]
fn untrusted_root_verifies_when_it_is_the_anchor() {
    // The untrusted root is a well-formed CA: it fails only because no metadata lists it.
    let model = Model::all().last().unwrap();
    let cas = ca_list(AttestationRoot::Untrusted, &[aaguid(model)]);
    let identity = batch_identity(model, AttestationRoot::Untrusted);
    register(aaguid(model), Statement::Basic(identity), Some(&cas)).unwrap();
}

#[test]
fn trusted_root_is_scoped_to_listed_aaguids() {
    let mut models = Model::all();
    let (listed, other) = (models.next().unwrap(), models.next().unwrap());
    let cas = ca_list(AttestationRoot::Trusted, &[aaguid(listed)]);
    let identity = batch_identity(other, AttestationRoot::Trusted);
    let err = register(aaguid(other), Statement::Basic(identity), Some(&cas)).unwrap_err();
    assert!(matches!(err, WebauthnError::AttestationUntrustedAaguid), "{err:?}");
}

#[test]
fn certificate_aaguid_must_match_auth_data() {
    let mut models = Model::all();
    let (certified, claimed) = (models.next().unwrap(), models.next().unwrap());
    let identity = batch_identity(certified, AttestationRoot::Trusted);
    let err = register(aaguid(claimed), Statement::Basic(identity), None).unwrap_err();
    assert!(matches!(err, WebauthnError::AttestationCertificateAAGUIDMismatch), "{err:?}");
}

#[test]
fn self_attestation_passes_without_a_ca_list_and_fails_with_one() {
    let model = Model::all().next().unwrap();
    let credential = register(aaguid(model), Statement::SelfSigned, None).unwrap();
    assert!(matches!(credential.attestation.data, ParsedAttestationData::Self_));

    let cas = ca_list(AttestationRoot::Trusted, &[aaguid(model)]);
    let err = register(aaguid(model), Statement::SelfSigned, Some(&cas)).unwrap_err();
    assert!(matches!(err, WebauthnError::AttestationNotVerifiable), "{err:?}");
}

#[test]
fn pem_root_loads_as_a_blanket_ca_list() {
    let pem = root_certificate_pem(AttestationRoot::Trusted);
    let cas = AttestationCaList::try_from(pem.as_bytes()).unwrap();
    assert_eq!(cas.len(), 1);
    let model = Model::all().nth(7).unwrap();
    register(aaguid(model), Statement::Basic(batch_identity(model, AttestationRoot::Trusted)), Some(&cas))
        .unwrap();
}
