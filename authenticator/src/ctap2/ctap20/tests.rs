#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ciborium::Value;

use super::*;
use crate::ctap2::test_support::*;
use crate::pin::protocol::{KeyAgreementKey, PinUvAuthProtocol};

/// A security key of `generation` with the PIN 1234.
fn key_of(generation: Generation) -> Authenticator {
    let (mut auth, _) = device(Config { generation, ..unprovisioned() });
    set_pin(&mut auth, PinUvAuthProtocol::One, "1234").unwrap();
    auth
}

/// makeCredential for `rp` with a pinAuth of protocol 1 from `token`.
fn make_credential_with(auth: &mut Authenticator, token: &[u8; 32], rp: &str) -> Result<Value, StatusCode> {
    let rp = MapBuilder::new().insert("id", rp).insert("name", rp).build();
    let params =
        make_credential_params(false, |m| with_token(m.insert(2, rp), PinUvAuthProtocol::One, token, 8));
    call(auth, code::MAKE_CREDENTIAL, Some(params))
}

#[test]
fn a_ctap20_key_knows_the_commands_of_ctap20_only() {
    for command in [0x01, 0x02, 0x04, 0x06, 0x07, 0x08] {
        assert_eq!(crate::ctap2::generation::admitted_command(Generation::Ctap20, command), Some(command));
    }
    let mut auth = key_of(Generation::Ctap20);
    for command in [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x40, 0x41] {
        assert_eq!(call(&mut auth, command, None), Err(StatusCode::InvalidCommand), "0x{command:02x}");
    }
}

/// CTAP 2.0 §5.4: versions U2F_V2 and FIDO_2_0, members 0x01 to 0x06, the 2.0 options, PIN
/// protocol 1, and hmac-secret.
#[test]
fn a_ctap20_key_reports_the_getinfo_of_ctap20() {
    let mut auth = key_of(Generation::Ctap20);
    let info = call(&mut auth, code::GET_INFO, None).unwrap();
    let keys: Vec<i64> =
        info.as_map().unwrap().iter().map(|(k, _)| i64::try_from(k.as_integer().unwrap()).unwrap()).collect();
    assert_eq!(keys, [1, 2, 3, 4, 5, 6]);
    assert_eq!(field(&info, 1), &Value::Array(vec![Value::from("U2F_V2"), Value::from("FIDO_2_0")]));
    let extensions: Vec<&str> =
        field(&info, 2).as_array().unwrap().iter().map(|v| v.as_text().unwrap()).collect();
    assert_eq!(extensions, ["hmac-secret"], "uvm is off in the security-key profile");
    let options: Vec<&str> =
        field(&info, 4).as_map().unwrap().iter().map(|(k, _)| k.as_text().unwrap()).collect();
    assert_eq!(options, ["rk", "up", "plat", "clientPin"]);
    assert_eq!(text_field(field(&info, 4), "clientPin"), Some(&Value::from(true)));
    assert_eq!(field(&info, 6), &Value::Array(vec![Value::from(1)]));
}

/// A 2.0 key with built-in UV reports `uv` and no pinUvAuthToken: the platform asks for the
/// `uv` option.
#[test]
fn a_ctap20_key_with_builtin_uv_reports_uv_alone() {
    let config = Config { generation: Generation::Ctap20, ..fingerprint(true, VerifyOutcome::Match) };
    let (mut auth, _) = device(config);
    let info = call(&mut auth, code::GET_INFO, None).unwrap();
    let options: Vec<&str> =
        field(&info, 4).as_map().unwrap().iter().map(|(k, _)| k.as_text().unwrap()).collect();
    assert_eq!(options, ["rk", "up", "uv", "plat"]);
    let params = make_credential_params(true, |m| {
        m.insert(7, MapBuilder::new().insert("rk", true).insert("uv", true).build())
    });
    assert!(call(&mut auth, code::MAKE_CREDENTIAL, Some(params)).is_ok());
}

/// CTAP 2.0 §5.5: subcommands 0x01 to 0x05; the later ones are an invalid parameter value
/// (2.0 has no CTAP2_ERR_INVALID_SUBCOMMAND). Protocol 2 is unknown.
#[test]
fn a_ctap20_key_has_the_clientpin_of_ctap20() {
    let mut auth = key_of(Generation::Ctap20);
    for sub_command in [0x06, 0x07, 0x08, 0x09, 0x0A] {
        let request = MapBuilder::new().insert(1, 1).insert(2, sub_command).build();
        assert_eq!(
            call(&mut auth, code::CLIENT_PIN, Some(request)),
            Err(StatusCode::InvalidParameter),
            "0x{sub_command:02x}"
        );
    }
    let key_agreement_v2 = MapBuilder::new().insert(1, 2).insert(2, 2).build();
    assert_eq!(call(&mut auth, code::CLIENT_PIN, Some(key_agreement_v2)), Err(StatusCode::InvalidParameter));
    let get_retries = MapBuilder::new().insert(1, 1).insert(2, 1).build();
    let answer = call(&mut auth, code::CLIENT_PIN, Some(get_retries)).unwrap();
    assert_eq!(field(&answer, 3), &Value::from(8));
    let mut current = key_of(Generation::Ctap21);
    let request = MapBuilder::new().insert(1, 1).insert(2, 0x08).build();
    assert_eq!(call(&mut current, code::CLIENT_PIN, Some(request)), Err(StatusCode::InvalidSubcommand));
}

/// A getAssertion for `rp` with up=false (which spends nothing) and a pinAuth from `token`.
fn silent_assertion(auth: &mut Authenticator, token: &[u8; 32], rp: &str) -> Result<Value, StatusCode> {
    let params = get_assertion_params(None, |m| {
        let m = m.insert(1, rp).insert(5, MapBuilder::new().insert("up", false).build());
        with_token(m, PinUvAuthProtocol::One, token, 6)
    });
    call(auth, code::GET_ASSERTION, Some(params))
}

/// CTAP 2.0 §5.5.4: the pinToken has no permissions and no RP ID, and no ceremony spends it;
/// CTAP 2.1 binds it to the RP of its first use and spends it (§6.1.2 steps 11 and 17).
#[test]
fn a_ctap20_pin_token_serves_every_rp_until_replaced() {
    let mut auth = key_of(Generation::Ctap20);
    let token = pin_token_v1(&mut auth, "1234");
    assert_eq!(silent_assertion(&mut auth, &token, "example.org"), Err(StatusCode::NoCredentials));
    make_credential_with(&mut auth, &token, "example.com").unwrap();
    make_credential_with(&mut auth, &token, "example.org").unwrap();
    make_credential_with(&mut auth, &token, "example.com").unwrap();

    let mut current = key_of(Generation::Ctap21);
    let token = pin_token_v1(&mut current, "1234");
    assert_eq!(silent_assertion(&mut current, &token, "example.org"), Err(StatusCode::NoCredentials));
    assert_eq!(make_credential_with(&mut current, &token, "example.com"), Err(StatusCode::PinAuthInvalid));
    let token = pin_token_v1(&mut current, "1234");
    make_credential_with(&mut current, &token, "example.com").unwrap();
    assert_eq!(make_credential_with(&mut current, &token, "example.com"), Err(StatusCode::PinAuthInvalid));
}

/// makeCredential's `up` option: any value is CTAP2_ERR_INVALID_OPTION on a 2.0 key (CTAP 2.0
/// §5.1 step 3); 2.1 refuses only false (§6.1.2 step 5).
#[test]
fn the_up_option_of_make_credential_is_invalid_on_a_ctap20_key() {
    let with_up =
        |up: bool| make_credential_params(false, |m| m.insert(7, MapBuilder::new().insert("up", up).build()));
    let (mut old, _) = device(Config { generation: Generation::Ctap20, ..software_token() });
    let (mut current, _) = device(software_token());
    for up in [true, false] {
        assert_eq!(call(&mut old, code::MAKE_CREDENTIAL, Some(with_up(up))), Err(StatusCode::InvalidOption));
    }
    assert!(call(&mut current, code::MAKE_CREDENTIAL, Some(with_up(true))).is_ok());
    assert_eq!(
        call(&mut current, code::MAKE_CREDENTIAL, Some(with_up(false))),
        Err(StatusCode::InvalidOption)
    );
    assert!(call(&mut old, code::MAKE_CREDENTIAL, Some(make_credential_params(false, |m| m))).is_ok());
}

/// With a PIN set, a 2.0 key makes no credential without pinAuth, discoverable or not
/// (CTAP2_ERR_PIN_REQUIRED, 0x36); a 2.1 key makes a non-discoverable one (makeCredUvNotRqd).
#[test]
fn a_ctap20_key_with_a_pin_requires_it_for_every_credential() {
    let mut old = key_of(Generation::Ctap20);
    let mut current = key_of(Generation::Ctap21);
    for rk in [false, true] {
        let params = make_credential_params(rk, |m| m);
        assert_eq!(
            call(&mut old, code::MAKE_CREDENTIAL, Some(params.clone())),
            Err(StatusCode::PuatRequired)
        );
        assert_eq!(call(&mut current, code::MAKE_CREDENTIAL, Some(params)).is_ok(), !rk);
    }
    let token = pin_token_v1(&mut old, "1234");
    let params = make_credential_params(true, |m| with_token(m, PinUvAuthProtocol::One, &token, 8));
    assert!(call(&mut old, code::MAKE_CREDENTIAL, Some(params)).is_ok());
}

/// CTAP 2.0 §5.1 asks for user verification only when a PIN is set ("If pinAuth parameter is
/// not present and clientPin has been set on the authenticator, return CTAP2_ERR_PIN_REQUIRED"):
/// a 2.0 key with built-in UV enrolled and no PIN makes credentials, discoverable or not,
/// without UV when the platform does not ask for it.
#[test]
fn a_ctap20_key_with_builtin_uv_and_no_pin_makes_credentials_without_uv() {
    let config = Config { generation: Generation::Ctap20, ..fingerprint(true, VerifyOutcome::Match) };
    let (mut auth, _) = device(config);
    for rk in [false, true] {
        let response =
            call(&mut auth, code::MAKE_CREDENTIAL, Some(make_credential_params(rk, |m| m))).unwrap();
        let flags = flags_of(field(&response, 2).as_bytes().unwrap());
        assert_eq!(flags & crate::proto::auth_data::flags::UV, 0, "rk {rk}");
    }
    assert!(!make_credential_needs_uv(Generation::Ctap20, true, false));
    assert!(make_credential_needs_uv(Generation::Ctap20, false, true));
}

/// The zero-length pinAuth probe (CTAP 2.0 §5.1, kept by CTAP 2.1 §6.1.2 step 1 for 2.0
/// platforms): a touch, then PIN_NOT_SET or PIN_INVALID.
#[test]
fn a_ctap20_key_answers_the_zero_length_pin_auth_probe() {
    let probe = || make_credential_params(false, |m| m.insert(8, Value::Bytes(Vec::new())).insert(9, 1));
    let (mut blank, _) = device(Config { generation: Generation::Ctap20, ..unprovisioned() });
    assert_eq!(call(&mut blank, code::MAKE_CREDENTIAL, Some(probe())), Err(StatusCode::PinNotSet));
    let mut old = key_of(Generation::Ctap20);
    assert_eq!(call(&mut old, code::MAKE_CREDENTIAL, Some(probe())), Err(StatusCode::PinInvalid));
    let denied =
        with_presence(Config { generation: Generation::Ctap20, ..unprovisioned() }, PresenceOutcome::Deny);
    let (mut denied, _) = device(denied);
    assert_eq!(call(&mut denied, code::MAKE_CREDENTIAL, Some(probe())), Err(StatusCode::OperationDenied));
}

/// getAssertion's `rk` option: CTAP2_ERR_INVALID_OPTION on a 2.0 key (CTAP 2.0 §5.2 step 5),
/// CTAP2_ERR_UNSUPPORTED_OPTION on a 2.1 key (§6.2.2 step 5).
#[test]
fn the_rk_option_of_get_assertion_differs_by_generation() {
    let with_rk =
        || get_assertion_params(None, |m| m.insert(5, MapBuilder::new().insert("rk", true).build()));
    let (mut old, _) = device(Config { generation: Generation::Ctap20, ..software_token() });
    let (mut current, _) = device(software_token());
    assert_eq!(call(&mut old, code::GET_ASSERTION, Some(with_rk())), Err(StatusCode::InvalidOption));
    assert_eq!(call(&mut current, code::GET_ASSERTION, Some(with_rk())), Err(StatusCode::UnsupportedOption));
}

/// An hmac-secret getAssertion whose saltAuth does not verify.
fn forged_salt_auth(generation: Generation) -> Result<Value, StatusCode> {
    let (mut auth, _) = device(Config { generation, ..software_token() });
    let create =
        make_credential_params(false, |m| m.insert(6, MapBuilder::new().insert("hmac-secret", true).build()));
    let id = credential_id(&call(&mut auth, code::MAKE_CREDENTIAL, Some(create)).unwrap());
    let response =
        call(&mut auth, code::CLIENT_PIN, Some(MapBuilder::new().insert(1, 1).insert(2, 2).build())).unwrap();
    let platform = KeyAgreementKey::generate();
    let shared = platform.shared_secret(PinUvAuthProtocol::One, field(&response, 1)).unwrap();
    let input = MapBuilder::new()
        .insert(1, platform.cose_public_key())
        .insert(2, Value::Bytes(shared.encrypt(&[1; 32]).unwrap()))
        .insert(3, Value::Bytes(vec![0; 16]))
        .build();
    let request = get_assertion_params(Some(&id), |m| {
        m.insert(4, MapBuilder::new().insert("hmac-secret", input).build())
    });
    call(&mut auth, code::GET_ASSERTION, Some(request))
}

/// CTAP 2.0 §9.1 names no status for a saltAuth mismatch: the extension's own error,
/// CTAP2_ERR_EXTENSION_FIRST; a 2.1 key answers CTAP2_ERR_PIN_AUTH_INVALID.
#[test]
fn a_forged_salt_auth_is_an_extension_error_on_a_ctap20_key() {
    assert_eq!(forged_salt_auth(Generation::Ctap20), Err(StatusCode::ExtensionFirst));
    assert_eq!(forged_salt_auth(Generation::Ctap21), Err(StatusCode::PinAuthInvalid));
}

/// setPIN on a device with a PIN is CTAP2_ERR_PIN_AUTH_INVALID in both (CTAP 2.0 §5.5.5,
/// CTAP 2.1 §6.5.5.5): no difference.
#[test]
fn set_pin_over_a_pin_is_pin_auth_invalid_in_both() {
    for generation in [Generation::Ctap20, Generation::Ctap21] {
        let mut auth = key_of(generation);
        assert_eq!(set_pin(&mut auth, PinUvAuthProtocol::One, "5678"), Err(StatusCode::PinAuthInvalid));
    }
}

/// A 2.0 key ignores credProtect and credBlob, extensions it does not know (CTAP 2.0 §5.1
/// step 4); a 2.1 key answers them.
#[test]
fn a_ctap20_key_ignores_the_extensions_of_ctap21() {
    let request = || {
        make_credential_params(false, |m| {
            m.insert(
                6,
                MapBuilder::new().insert("credProtect", 2).insert("credBlob", Value::Bytes(vec![1])).build(),
            )
        })
    };
    let (mut old, _) = device(Config { generation: Generation::Ctap20, ..software_token() });
    let response = call(&mut old, code::MAKE_CREDENTIAL, Some(request())).unwrap();
    let auth_data = field(&response, 2).as_bytes().unwrap();
    assert_eq!(flags_of(auth_data) & crate::proto::auth_data::flags::ED, 0);
    let (mut current, _) = device(software_token());
    let response = call(&mut current, code::MAKE_CREDENTIAL, Some(request())).unwrap();
    let auth_data = field(&response, 2).as_bytes().unwrap();
    assert_ne!(flags_of(auth_data) & crate::proto::auth_data::flags::ED, 0);
}

#[test]
fn the_rules_are_those_of_ctap21_for_the_other_generations() {
    for generation in [Generation::Ctap21Pre, Generation::Ctap21] {
        assert_eq!(check_make_credential_up(generation, Some(true)), Ok(()));
        assert!(!make_credential_needs_uv(generation, false, true));
        assert!(make_credential_needs_uv(generation, true, false));
        assert!(binds_token_to_rp(generation) && spends_token(generation));
        assert_eq!(get_assertion_rk_option(generation), StatusCode::UnsupportedOption);
        assert_eq!(unknown_client_pin_subcommand(generation), StatusCode::InvalidSubcommand);
    }
}
