#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ciborium::Value;

use super::*;
use crate::ctap2::test_support::*;
use crate::pin::protocol::{PinUvAuthProtocol, authenticate_with_token};

/// credentialManagement with a PIN/UV auth protocol 1 parameter over `subCommand`.
fn credential_management_v1(token: &[u8; 32], sub_command: u8) -> Value {
    let param = authenticate_with_token(PinUvAuthProtocol::One, token, &[sub_command]);
    MapBuilder::new().insert(1, sub_command).insert(3, 1).insert(4, Value::Bytes(param)).build()
}

fn key_of(generation: Generation) -> Authenticator {
    let (mut auth, _) = device(Config { generation, ..unprovisioned() });
    set_pin(&mut auth, PinUvAuthProtocol::One, "1234").unwrap();
    auth
}

#[test]
fn each_generation_answers_its_own_commands() {
    assert_eq!(admitted_command(Generation::Ctap21Pre, 0x41), Some(code::CREDENTIAL_MANAGEMENT));
    assert_eq!(admitted_command(Generation::Ctap21Pre, code::CREDENTIAL_MANAGEMENT), None);
    assert_eq!(admitted_command(Generation::Ctap21Pre, code::CONFIG), None);
    assert_eq!(admitted_command(Generation::Ctap21Pre, code::GET_INFO), Some(code::GET_INFO));
    assert_eq!(admitted_command(Generation::Ctap21, 0x41), None);
    assert_eq!(admitted_command(Generation::Ctap21, code::CONFIG), Some(code::CONFIG));
    assert_eq!(admitted_command(Generation::U2f, code::GET_INFO), None);
}

/// CTAP 2.1 §6.4 as the preview had it: FIDO_2_1_PRE, credentialMgmtPreview, protocol 1, and
/// none of the options and members the final standard added.
#[test]
fn a_preview_key_reports_the_preview() {
    let mut auth = key_of(Generation::Ctap21Pre);
    let info = call(&mut auth, code::GET_INFO, None).unwrap();
    let versions = vec![Value::from("U2F_V2"), Value::from("FIDO_2_0"), Value::from("FIDO_2_1_PRE")];
    assert_eq!(field(&info, 1), &Value::Array(versions));
    let options = field(&info, 4);
    assert_eq!(text_field(options, "credentialMgmtPreview"), Some(&Value::from(true)));
    for absent in ["credMgmt", "pinUvAuthToken", "authnrCfg", "makeCredUvNotRqd", "setMinPINLength"] {
        assert!(text_field(options, absent).is_none(), "{absent}");
    }
    assert_eq!(field(&info, 6), &Value::Array(vec![Value::from(1)]));
    let extensions: Vec<&str> =
        field(&info, 2).as_array().unwrap().iter().map(|v| v.as_text().unwrap()).collect();
    assert_eq!(extensions, ["credProtect", "hmac-secret"]);
    assert!(!has_field(&info, 0x0D) && !has_field(&info, 0x0E) && !has_field(&info, 0x14));
}

/// The preview's credential management: command 0x41 with the token of getPinToken; the final
/// 0x0A, authenticatorConfig and updateUserInformation are unknown to it.
#[test]
fn a_preview_key_manages_credentials_as_0x41_with_a_pin_token() {
    let mut auth = key_of(Generation::Ctap21Pre);
    let token = pin_token_v1(&mut auth, "1234");
    let metadata =
        call(&mut auth, CREDENTIAL_MANAGEMENT_PREVIEW, Some(credential_management_v1(&token, 1))).unwrap();
    assert_eq!(field(&metadata, 1), &Value::from(0));
    let request = credential_management_v1(&token, 1);
    assert_eq!(call(&mut auth, code::CREDENTIAL_MANAGEMENT, Some(request)), Err(StatusCode::InvalidCommand));
    assert_eq!(
        call(&mut auth, code::CONFIG, Some(credential_management_v1(&token, 1))),
        Err(StatusCode::InvalidCommand)
    );
    let update = credential_management_v1(&token, 7);
    assert_eq!(
        call(&mut auth, CREDENTIAL_MANAGEMENT_PREVIEW, Some(update)),
        Err(StatusCode::InvalidSubcommand)
    );
}

/// A CTAP 2.1 key knows no 0x41, and getPinToken's token has only mc and ga (§6.5.5.7.1).
#[test]
fn a_ctap21_key_refuses_the_preview_command_and_the_pin_token_for_management() {
    let mut auth = key_of(Generation::Ctap21);
    let token = pin_token_v1(&mut auth, "1234");
    let request = credential_management_v1(&token, 1);
    assert_eq!(
        call(&mut auth, CREDENTIAL_MANAGEMENT_PREVIEW, Some(request.clone())),
        Err(StatusCode::InvalidCommand)
    );
    assert!(call(&mut auth, code::CREDENTIAL_MANAGEMENT, Some(request)).is_err());
}

/// A 2.1-PRE key knows PIN/UV auth protocol 1 only: protocol 2 is CTAP1_ERR_INVALID_PARAMETER,
/// as an unknown protocol is (CTAP 2.1 §6.5.5.1).
#[test]
fn a_preview_key_refuses_protocol_two() {
    let (mut auth, _) = device(Config { generation: Generation::Ctap21Pre, ..unprovisioned() });
    let key_agreement_v2 = MapBuilder::new().insert(1, 2).insert(2, 2).build();
    assert_eq!(call(&mut auth, code::CLIENT_PIN, Some(key_agreement_v2)), Err(StatusCode::InvalidParameter));
    set_pin(&mut auth, PinUvAuthProtocol::One, "1234").unwrap();
    let token = pin_token_v1(&mut auth, "1234");
    let (param, _) = pin_param(PinUvAuthProtocol::One, &token);
    let with_protocol_two = make_credential_params(false, |m| m.insert(8, Value::Bytes(param)).insert(9, 2));
    assert_eq!(
        call(&mut auth, code::MAKE_CREDENTIAL, Some(with_protocol_two)),
        Err(StatusCode::InvalidParameter)
    );
}
