//! The largeBlobKey extension (CTAP 2.1 §12.3).

use super::*;
use crate::ctap2::large_blobs::large_blob_key;

fn large_blob_key_input(value: bool) -> Value {
    MapBuilder::new().insert("largeBlobKey", value).build()
}

fn make(auth: &mut Authenticator, rk: bool, input: Option<bool>) -> Result<Value, StatusCode> {
    let params = make_credential_params(rk, |m| m.insert_opt(6, input.map(large_blob_key_input)));
    call(auth, code::MAKE_CREDENTIAL, Some(params))
}

fn assert_with(
    auth: &mut Authenticator,
    allow: Option<&[u8]>,
    input: Option<bool>,
) -> Result<Value, StatusCode> {
    let params = get_assertion_params(allow, |m| m.insert_opt(4, input.map(large_blob_key_input)));
    call(auth, code::GET_ASSERTION, Some(params))
}

#[test]
fn make_credential_returns_the_key_and_get_assertion_the_same() {
    let (mut auth, _) = security_key();
    let response = make(&mut auth, true, Some(true)).unwrap();
    let key = field(&response, 5).as_bytes().unwrap().clone();
    assert_eq!(key.len(), 32);
    let id = registered(response).credential_id;
    assert_eq!(key, large_blob_key(&auth.state().master_key, &id));
    for allow in [None, Some(&id[..])] {
        let assertion = assert_with(&mut auth, allow, Some(true)).unwrap();
        assert_eq!(field(&assertion, 7).as_bytes().unwrap(), &key);
    }
}

#[test]
fn without_the_extension_no_key_is_returned() {
    let (mut auth, _) = security_key();
    let response = make(&mut auth, true, None).unwrap();
    assert!(!has_field(&response, 5));
    let assertion = assert_with(&mut auth, None, None).unwrap();
    assert!(!has_field(&assertion, 7));
}

#[test]
fn each_credential_has_its_own_key_and_reset_changes_them() {
    let (mut auth, _) = security_key();
    let first = field(&make(&mut auth, true, Some(true)).unwrap(), 5).clone();
    let params = make_credential_params(true, |m| {
        m.insert(3, MapBuilder::new().insert("id", Value::Bytes(vec![9])).insert("name", "bob").build())
            .insert(6, large_blob_key_input(true))
    });
    let second = field(&call(&mut auth, code::MAKE_CREDENTIAL, Some(params)).unwrap(), 5).clone();
    assert_ne!(first, second);
    call(&mut auth, code::RESET, None).unwrap();
    let third = field(&make(&mut auth, true, Some(true)).unwrap(), 5).clone();
    assert_ne!(first, third);
}

#[test]
fn only_true_and_only_for_a_discoverable_credential() {
    let (mut auth, _) = security_key();
    assert_eq!(make(&mut auth, false, Some(true)), Err(StatusCode::InvalidOption));
    assert_eq!(make(&mut auth, true, Some(false)), Err(StatusCode::InvalidOption));
    let typed =
        make_credential_params(true, |m| m.insert(6, MapBuilder::new().insert("largeBlobKey", 1).build()));
    assert_eq!(call(&mut auth, code::MAKE_CREDENTIAL, Some(typed)), Err(StatusCode::CborUnexpectedType));
    make(&mut auth, true, Some(true)).unwrap();
    assert_eq!(assert_with(&mut auth, None, Some(false)), Err(StatusCode::InvalidOption));
}

#[test]
fn a_non_discoverable_credential_has_no_key() {
    let (mut auth, _) = security_key();
    let id = registered(make(&mut auth, false, None).unwrap()).credential_id;
    let assertion = assert_with(&mut auth, Some(&id), Some(true)).unwrap();
    assert!(!has_field(&assertion, 7));
}

#[test]
fn a_preview_key_ignores_the_extension() {
    let (mut auth, _) = device(Config { generation: Generation::Ctap21Pre, ..unprovisioned() });
    let response = make(&mut auth, false, Some(false)).unwrap();
    assert!(!has_field(&response, 5));
    let info = call(&mut auth, code::GET_INFO, None).unwrap();
    assert!(!field(&info, 2).as_array().unwrap().contains(&Value::from("largeBlobKey")));
}
