use ciborium::Value;

use crate::config::Config;
use crate::ctap2::test_support::*;
use crate::keys::PrivateKey;
use crate::proto::StatusCode;
use crate::proto::request::{UserEntity, code};

fn user(id: &[u8]) -> UserEntity {
    UserEntity { id: id.to_vec(), name: Some("seeded".into()), display_name: None }
}

/// A seeded credential signs a discoverable getAssertion with the key it was given.
#[test]
fn a_seeded_credential_signs_with_its_key() {
    let (mut auth, _) = device(software_token());
    let scalar = p256::NonZeroScalar::try_from(&[9u8; 32][..]).expect("scalar");
    let public_key = p256::ecdsa::VerifyingKey::from(&p256::ecdsa::SigningKey::from(scalar));
    let id = auth.import_discoverable(RP, user(b"u1"), PrivateKey::Es256(scalar)).expect("seeded");
    let response =
        call(&mut auth, code::GET_ASSERTION, Some(get_assertion_params(None, |m| m))).expect("assertion");
    assert_eq!(text_field(field(&response, 1), "id"), Some(&Value::Bytes(id)));
    assert_eq!(text_field(field(&response, 4), "id"), Some(&Value::Bytes(b"u1".to_vec())));
    verify_assertion(&public_key, &response);
}

#[test]
fn seeding_replaces_the_same_user_and_respects_the_store_size() {
    let (mut auth, _) = device(Config { max_resident_credentials: 1, ..software_token() });
    let key = || PrivateKey::generate(crate::config::Algorithm::Es256);
    let first = auth.import_discoverable(RP, user(b"u1"), key()).expect("seeded");
    let second = auth.import_discoverable(RP, user(b"u1"), key()).expect("replaces");
    assert_ne!(first, second);
    assert_eq!(auth.state().resident.len(), 1);
    assert_eq!(auth.import_discoverable(RP, user(b"u2"), key()), Err(StatusCode::KeyStoreFull));
    assert_eq!(auth.remove_discoverable(&second), Ok(true));
    assert!(auth.state().resident.is_empty());
}
