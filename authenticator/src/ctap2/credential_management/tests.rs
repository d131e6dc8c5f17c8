//! authenticatorCredentialManagement.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ciborium::Value;

use crate::ctap2::test_support::*;
use crate::pin::protocol::{PinUvAuthProtocol, authenticate_with_token};
use crate::pin::token::Permissions;

const CM: u8 = 0x0A;

fn cm_request(token: &[u8; 32], sub_command: u8, params: Option<Value>) -> Value {
    signed_request(&[], token, sub_command, params)
}

fn with_pin_and_credentials() -> (Authenticator, [u8; 32]) {
    let (mut auth, _) = security_key();
    set_pin(&mut auth, PinUvAuthProtocol::Two, "1234").unwrap();
    for (rp, user) in [("a.example", 1u8), ("a.example", 2), ("b.example", 3)] {
        let mc =
            token(&mut auth, PinUvAuthProtocol::Two, "1234", Permissions::MAKE_CREDENTIAL, Some(rp)).unwrap();
        let param = authenticate_with_token(PinUvAuthProtocol::Two, &mc, &CDH);
        let params = make_credential_params(true, |m| {
            m.insert(2, MapBuilder::new().insert("id", rp).build())
                .insert(
                    3,
                    MapBuilder::new()
                        .insert("id", Value::Bytes(vec![user]))
                        .insert("name", format!("u{user}"))
                        .build(),
                )
                .insert(8, Value::Bytes(param))
                .insert(9, 2)
        });
        call(&mut auth, code::MAKE_CREDENTIAL, Some(params)).unwrap();
    }
    let cm =
        token(&mut auth, PinUvAuthProtocol::Two, "1234", Permissions::CREDENTIAL_MANAGEMENT, None).unwrap();
    (auth, cm)
}

fn rp_hash_params(rp: &str) -> Value {
    MapBuilder::new().insert(1, Value::Bytes(crate::ctap2::rp_id_hash(rp).to_vec())).build()
}

#[test]
fn metadata_and_rp_enumeration() {
    let (mut auth, cm) = with_pin_and_credentials();
    let metadata = call(&mut auth, CM, Some(cm_request(&cm, 1, None))).unwrap();
    assert_eq!(field(&metadata, 1), &Value::from(3));
    assert_eq!(field(&metadata, 2), &Value::from(97));
    let first = call(&mut auth, CM, Some(cm_request(&cm, 2, None))).unwrap();
    assert_eq!(field(&first, 5), &Value::from(2));
    assert_eq!(text_field(field(&first, 3), "id"), Some(&Value::from("a.example")));
    let second = call(&mut auth, CM, Some(MapBuilder::new().insert(1, 3).build())).unwrap();
    assert_eq!(text_field(field(&second, 3), "id"), Some(&Value::from("b.example")));
    assert_eq!(
        call(&mut auth, CM, Some(MapBuilder::new().insert(1, 3).build())),
        Err(StatusCode::NotAllowed)
    );
}

#[test]
fn credential_enumeration_delete_and_update() {
    let (mut auth, cm) = with_pin_and_credentials();
    let first = call(&mut auth, CM, Some(cm_request(&cm, 4, Some(rp_hash_params("a.example"))))).unwrap();
    assert_eq!(field(&first, 9), &Value::from(2));
    assert!(has_field(&first, 8), "public key");
    let second = call(&mut auth, CM, Some(MapBuilder::new().insert(1, 5).build())).unwrap();
    let id = text_field(field(&second, 7), "id").unwrap().as_bytes().unwrap().clone();
    let user_id = text_field(field(&second, 6), "id").unwrap().clone();

    let descriptor =
        MapBuilder::new().insert("id", Value::Bytes(id.clone())).insert("type", "public-key").build();
    let renamed = MapBuilder::new().insert("id", user_id).insert("name", "renamed").build();
    let update = MapBuilder::new().insert(2, descriptor.clone()).insert(3, renamed).build();
    assert_eq!(call(&mut auth, CM, Some(cm_request(&cm, 7, Some(update)))), Ok(Value::Null));
    assert!(auth.state().resident.iter().any(|c| c.user.name.as_deref() == Some("renamed")));
    let other_user = MapBuilder::new().insert("id", Value::Bytes(vec![9])).build();
    let bad_update = MapBuilder::new().insert(2, descriptor.clone()).insert(3, other_user).build();
    assert_eq!(
        call(&mut auth, CM, Some(cm_request(&cm, 7, Some(bad_update)))),
        Err(StatusCode::InvalidParameter)
    );

    let delete = MapBuilder::new().insert(2, descriptor).build();
    assert_eq!(call(&mut auth, CM, Some(cm_request(&cm, 6, Some(delete.clone())))), Ok(Value::Null));
    assert_eq!(auth.state().resident.len(), 2);
    assert_eq!(call(&mut auth, CM, Some(cm_request(&cm, 6, Some(delete)))), Err(StatusCode::NoCredentials));
    // The deleted credential no longer signs.
    let request = get_assertion_params(Some(&id), |m| m.insert(1, "a.example"));
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(request)), Err(StatusCode::NoCredentials));
    let none = call(&mut auth, CM, Some(cm_request(&cm, 4, Some(rp_hash_params("c.example")))));
    assert_eq!(none, Err(StatusCode::NoCredentials));
}

#[test]
fn credential_management_needs_a_cm_token() {
    let (mut auth, cm) = with_pin_and_credentials();
    let ga = token(&mut auth, PinUvAuthProtocol::Two, "1234", Permissions::GET_ASSERTION, Some("a.example"))
        .unwrap();
    assert_eq!(call(&mut auth, CM, Some(cm_request(&ga, 1, None))), Err(StatusCode::PinAuthInvalid));
    assert_eq!(
        call(&mut auth, CM, Some(MapBuilder::new().insert(1, 1).build())),
        Err(StatusCode::PuatRequired)
    );
    let mut forged = cm_request(&cm, 1, None);
    if let Value::Map(entries) = &mut forged {
        entries.retain(|(k, _)| k != &Value::from(4));
        entries.push((Value::from(4), Value::Bytes(vec![0; 32])));
    }
    assert_eq!(call(&mut auth, CM, Some(forged)), Err(StatusCode::PinAuthInvalid));
    assert_eq!(call(&mut auth, CM, Some(cm_request(&cm, 0x55, None))), Err(StatusCode::InvalidSubcommand));
    // A cm token bound to one RP reaches only that RP's credentials.
    let bound = token(
        &mut auth,
        PinUvAuthProtocol::Two,
        "1234",
        Permissions::CREDENTIAL_MANAGEMENT | Permissions::GET_ASSERTION,
        Some("b.example"),
    )
    .unwrap();
    assert_eq!(
        call(&mut auth, CM, Some(cm_request(&bound, 4, Some(rp_hash_params("a.example"))))),
        Err(StatusCode::PinAuthInvalid)
    );
    assert!(call(&mut auth, CM, Some(cm_request(&bound, 4, Some(rp_hash_params("b.example"))))).is_ok());
    let (mut token_only, _) = device(software_token());
    assert_eq!(call(&mut token_only, CM, Some(cm_request(&cm, 1, None))), Err(StatusCode::InvalidCommand));
}
