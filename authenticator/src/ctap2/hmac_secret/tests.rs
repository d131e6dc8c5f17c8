//! The hmac-secret extension.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ciborium::Value;

use crate::ctap2::test_support::*;
use crate::pin::protocol::{KeyAgreementKey, PinUvAuthProtocol};
use crate::proto::auth_data::flags;

/// The platform side of hmac-secret: its own key agreement key and the shared secret.
fn platform_secret(
    auth: &mut Authenticator,
    protocol: PinUvAuthProtocol,
) -> (Value, crate::pin::protocol::SharedSecret) {
    let request = MapBuilder::new().insert(1, protocol.id()).insert(2, 2).build();
    let response = call(auth, code::CLIENT_PIN, Some(request)).unwrap();
    let authenticator_key = field(&response, 1).clone();
    let platform = KeyAgreementKey::generate();
    let shared = platform.shared_secret(protocol, &authenticator_key).unwrap();
    (platform.cose_public_key(), shared)
}

fn hmac_credential(auth: &mut Authenticator) -> Vec<u8> {
    let params =
        make_credential_params(false, |m| m.insert(6, MapBuilder::new().insert("hmac-secret", true).build()));
    credential_id(&call(auth, code::MAKE_CREDENTIAL, Some(params)).unwrap())
}

fn hmac_output(
    auth: &mut Authenticator,
    id: &[u8],
    protocol: PinUvAuthProtocol,
    salts: &[u8],
) -> Result<Vec<u8>, StatusCode> {
    let (platform_key, shared) = platform_secret(auth, protocol);
    let salt_enc = shared.encrypt(salts).unwrap();
    let salt_auth = shared.authenticate(&salt_enc);
    let input = MapBuilder::new()
        .insert(1, platform_key)
        .insert(2, Value::Bytes(salt_enc))
        .insert(3, Value::Bytes(salt_auth))
        .insert(4, protocol.id())
        .build();
    let request = get_assertion_params(Some(id), |m| {
        m.insert(4, MapBuilder::new().insert("hmac-secret", input).build())
    });
    let response = call(auth, code::GET_ASSERTION, Some(request))?;
    let auth_data = field(&response, 2).as_bytes().unwrap();
    assert_ne!(flags_of(auth_data) & flags::ED, 0);
    let outputs: Value = ciborium::de::from_reader(&auth_data[37..]).unwrap();
    let encrypted = text_field(&outputs, "hmac-secret").unwrap().as_bytes().unwrap();
    Ok(shared.decrypt(encrypted).unwrap())
}

#[test]
fn hmac_secret_outputs_are_stable_per_salt_for_both_protocols() {
    let (mut auth, _) = device(software_token());
    let id = hmac_credential(&mut auth);
    for protocol in [PinUvAuthProtocol::One, PinUvAuthProtocol::Two] {
        let first = hmac_output(&mut auth, &id, protocol, &[1; 32]).unwrap();
        assert_eq!(first.len(), 32);
        assert_eq!(hmac_output(&mut auth, &id, protocol, &[1; 32]).unwrap(), first, "{protocol:?}");
        assert_ne!(hmac_output(&mut auth, &id, protocol, &[2; 32]).unwrap(), first);
        let two = hmac_output(&mut auth, &id, protocol, &[[1; 32], [2; 32]].concat()).unwrap();
        assert_eq!(&two[..32], &first[..], "the first of two salts gives the same output");
    }
}

#[test]
fn hmac_secret_rejects_a_forged_salt_auth_and_bad_salt_lengths() {
    let (mut auth, _) = device(software_token());
    let id = hmac_credential(&mut auth);
    let (platform_key, shared) = platform_secret(&mut auth, PinUvAuthProtocol::Two);
    let salt_enc = shared.encrypt(&[1; 32]).unwrap();
    let input = MapBuilder::new()
        .insert(1, platform_key)
        .insert(2, Value::Bytes(salt_enc))
        .insert(3, Value::Bytes(vec![0; 32]))
        .insert(4, 2)
        .build();
    let request = get_assertion_params(Some(&id), |m| {
        m.insert(4, MapBuilder::new().insert("hmac-secret", input).build())
    });
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(request)), Err(StatusCode::PinAuthInvalid));
    assert_eq!(hmac_output(&mut auth, &id, PinUvAuthProtocol::Two, &[1; 48]), Err(StatusCode::InvalidLength));
}

#[test]
fn a_power_cycle_regenerates_the_key_agreement_key() {
    let (mut auth, _) = device(software_token());
    let request = MapBuilder::new().insert(1, 2).insert(2, 2).build();
    let before = call(&mut auth, code::CLIENT_PIN, Some(request.clone())).unwrap();
    assert_eq!(call(&mut auth, code::CLIENT_PIN, Some(request.clone())).unwrap(), before);
    auth.power_cycle();
    assert_ne!(call(&mut auth, code::CLIENT_PIN, Some(request)).unwrap(), before);
}

#[test]
fn client_pin_errors() {
    let (mut auth, _) = device(software_token());
    let bad_protocol = MapBuilder::new().insert(1, 3).insert(2, 2).build();
    assert_eq!(call(&mut auth, code::CLIENT_PIN, Some(bad_protocol)), Err(StatusCode::InvalidParameter));
    let unknown = MapBuilder::new().insert(1, 2).insert(2, 0x42).build();
    assert_eq!(call(&mut auth, code::CLIENT_PIN, Some(unknown)), Err(StatusCode::InvalidSubcommand));
    let missing = MapBuilder::new().insert(1, 2).build();
    assert_eq!(call(&mut auth, code::CLIENT_PIN, Some(missing)), Err(StatusCode::MissingParameter));
    let (mut no_pin, _) =
        device(Config { extensions: crate::config::ExtensionSupport::NONE, ..software_token() });
    let request = MapBuilder::new().insert(1, 2).insert(2, 2).build();
    assert_eq!(call(&mut no_pin, code::CLIENT_PIN, Some(request)), Err(StatusCode::InvalidCommand));
}
