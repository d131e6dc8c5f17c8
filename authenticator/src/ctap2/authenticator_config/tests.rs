//! authenticatorConfig.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ciborium::Value;

use crate::ctap2::test_support::*;
use crate::pin::protocol::{PinUvAuthProtocol, authenticate_with_token};
use crate::pin::token::Permissions;

const CONFIG: u8 = 0x0D;

fn config_request(token: &[u8; 32], sub_command: u8, params: Option<Value>) -> Value {
    let mut prefix = vec![0xFF; 32];
    prefix.push(0x0D);
    signed_request(&prefix, token, sub_command, params)
}

#[test]
fn always_uv_makes_every_ceremony_verify_the_user() {
    let (mut auth, _) = security_key();
    set_pin(&mut auth, PinUvAuthProtocol::Two, "1234").unwrap();
    let acfg =
        token(&mut auth, PinUvAuthProtocol::Two, "1234", Permissions::AUTHENTICATOR_CONFIG, None).unwrap();
    assert_eq!(call(&mut auth, CONFIG, Some(config_request(&acfg, 2, None))), Ok(Value::Null));
    let info = call(&mut auth, code::GET_INFO, None).unwrap();
    assert_eq!(text_field(field(&info, 4), "alwaysUv"), Some(&Value::from(true)));
    assert_eq!(text_field(field(&info, 4), "makeCredUvNotRqd"), Some(&Value::from(false)));
    assert_eq!(
        call(&mut auth, code::MAKE_CREDENTIAL, Some(make_credential_params(false, |m| m))),
        Err(StatusCode::PuatRequired)
    );
    let mc =
        token(&mut auth, PinUvAuthProtocol::Two, "1234", Permissions::MAKE_CREDENTIAL, Some(RP)).unwrap();
    let param = authenticate_with_token(PinUvAuthProtocol::Two, &mc, &CDH);
    let params = make_credential_params(false, |m| m.insert(8, Value::Bytes(param)).insert(9, 2));
    assert!(call(&mut auth, code::MAKE_CREDENTIAL, Some(params)).is_ok());
    // Without a token, config itself is refused on a protected device.
    assert_eq!(
        call(&mut auth, CONFIG, Some(MapBuilder::new().insert(1, 2).build())),
        Err(StatusCode::PuatRequired)
    );
}

#[test]
fn set_min_pin_length_raises_the_minimum_and_forces_a_change() {
    let (mut auth, _) = security_key();
    set_pin(&mut auth, PinUvAuthProtocol::Two, "1234").unwrap();
    let acfg =
        token(&mut auth, PinUvAuthProtocol::Two, "1234", Permissions::AUTHENTICATOR_CONFIG, None).unwrap();
    let info = call(&mut auth, code::GET_INFO, None).unwrap();
    assert_eq!(field(&info, 0x10), &Value::from(8));
    let many = MapBuilder::new()
        .insert(2, Value::Array((0..9).map(|i| Value::from(format!("rp{i}"))).collect()))
        .build();
    assert_eq!(
        call(&mut auth, CONFIG, Some(config_request(&acfg, 3, Some(many)))),
        Err(StatusCode::LimitExceeded)
    );
    let lower = MapBuilder::new().insert(1, 3).build();
    assert_eq!(
        call(&mut auth, CONFIG, Some(config_request(&acfg, 3, Some(lower)))),
        Err(StatusCode::PinPolicyViolation)
    );
    let raise = MapBuilder::new().insert(1, 6).insert(2, Value::Array(vec![Value::from(RP)])).build();
    assert_eq!(call(&mut auth, CONFIG, Some(config_request(&acfg, 3, Some(raise)))), Ok(Value::Null));
    let info = call(&mut auth, code::GET_INFO, None).unwrap();
    assert_eq!(field(&info, 0x0D), &Value::from(6));
    assert_eq!(field(&info, 0x0C), &Value::from(true), "the 4-digit PIN is now too short");
    // The forced change blocks tokens until the PIN is changed.
    assert_eq!(
        token(&mut auth, PinUvAuthProtocol::Two, "1234", Permissions::GET_ASSERTION, Some(RP)),
        Err(StatusCode::PinPolicyViolation)
    );
    // The minPinLength extension reports it to the allowed RP only.
    let mc_params = |rp: &str| {
        make_credential_params(false, |m| {
            m.insert(2, MapBuilder::new().insert("id", rp).build())
                .insert(6, MapBuilder::new().insert("minPinLength", true).build())
        })
    };
    let allowed = call(&mut auth, code::MAKE_CREDENTIAL, Some(mc_params(RP))).unwrap();
    let a = field(&allowed, 2).as_bytes().unwrap();
    assert_ne!(a[32] & 0x80, 0, "extension data present");
    let other = call(&mut auth, code::MAKE_CREDENTIAL, Some(mc_params("other.example"))).unwrap();
    assert_eq!(field(&other, 2).as_bytes().unwrap()[32] & 0x80, 0);
}
