//! authenticatorClientPIN: PIN set-up and change, retries, tokens and their permissions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use ciborium::Value;

use crate::ctap2::test_support::*;
use crate::pin::policy::pin_hash;
use crate::pin::protocol::PinUvAuthProtocol;
use crate::pin::token::Permissions;
use crate::proto::auth_data::flags;

#[test]
fn the_security_key_profile_starts_with_its_pin() {
    let (mut auth, _) = device(Profile::SecurityKey.config());
    let pin = Profile::SECURITY_KEY_PIN;
    assert!(token(&mut auth, PinUvAuthProtocol::Two, pin, Permissions::GET_ASSERTION, Some(RP)).is_ok());
    let info = call(&mut auth, code::GET_INFO, None).unwrap();
    assert_eq!(text_field(field(&info, 4), "clientPin"), Some(&Value::from(true)));
}

#[test]
fn a_configured_pin_does_not_overwrite_a_changed_one() {
    let store = MemoryStore::new();
    let clock = || Box::new(ManualClock::new());
    let mut auth =
        Authenticator::with_parts(Profile::SecurityKey.config(), Box::new(store.clone()), clock()).unwrap();
    change_pin(&mut auth, PinUvAuthProtocol::Two, Profile::SECURITY_KEY_PIN, "9876").unwrap();
    let mut restarted =
        Authenticator::with_parts(Profile::SecurityKey.config(), Box::new(store), clock()).unwrap();
    assert!(
        token(&mut restarted, PinUvAuthProtocol::Two, "9876", Permissions::GET_ASSERTION, Some(RP)).is_ok()
    );
}

#[test]
fn a_configured_pin_must_fit_the_model_and_the_policy() {
    let short = Config { pin: Some("12".into()), ..Profile::SecurityKey.config() };
    assert!(matches!(
        Authenticator::new(short, MemoryStore::new()),
        Err(crate::ctap2::StartError::PinPolicy)
    ));
    let no_client_pin = Config { pin: Some("1234".into()), ..software_token() };
    assert!(matches!(
        Authenticator::new(no_client_pin, MemoryStore::new()),
        Err(crate::ctap2::StartError::PinWithoutClientPin)
    ));
}

#[test]
fn set_pin_then_get_info_reports_it_and_set_pin_again_is_not_allowed() {
    for protocol in BOTH {
        let (mut auth, _) = security_key();
        assert_eq!(set_pin(&mut auth, protocol, "1234"), Ok(Value::Null));
        let info = call(&mut auth, code::GET_INFO, None).unwrap();
        assert_eq!(text_field(field(&info, 4), "clientPin"), Some(&Value::from(true)));
        assert_eq!(set_pin(&mut auth, protocol, "5678"), Err(StatusCode::PinAuthInvalid));
        assert_eq!(retries(&mut auth), (8, false));
    }
}

#[test]
fn pin_policy_is_enforced() {
    let (mut auth, _) = security_key();
    assert_eq!(set_pin(&mut auth, PinUvAuthProtocol::Two, "123"), Err(StatusCode::PinPolicyViolation));
    assert_eq!(
        set_pin(&mut auth, PinUvAuthProtocol::Two, &"9".repeat(64)),
        Err(StatusCode::PinPolicyViolation)
    );
    assert!(auth.state().pin.is_none());
    // A forged pinUvAuthParam is refused before anything is decrypted.
    let (key, shared) = platform(&mut auth, PinUvAuthProtocol::Two);
    let new_pin_enc = shared.encrypt(&padded("1234")).unwrap();
    let request = MapBuilder::new()
        .insert(1, 2)
        .insert(2, 3)
        .insert(3, key)
        .insert(4, Value::Bytes(vec![0; 32]))
        .insert(5, Value::Bytes(new_pin_enc))
        .build();
    assert_eq!(call(&mut auth, code::CLIENT_PIN, Some(request)), Err(StatusCode::PinAuthInvalid));
    let missing = MapBuilder::new().insert(1, 2).insert(2, 3).build();
    assert_eq!(call(&mut auth, code::CLIENT_PIN, Some(missing)), Err(StatusCode::MissingParameter));
}

#[test]
fn change_pin_needs_the_old_pin() {
    for protocol in BOTH {
        let (mut auth, _) = security_key();
        set_pin(&mut auth, protocol, "1234").unwrap();
        assert_eq!(change_pin(&mut auth, protocol, "0000", "5678"), Err(StatusCode::PinInvalid));
        assert_eq!(change_pin(&mut auth, protocol, "1234", "5678"), Ok(Value::Null));
        assert_eq!(
            token(&mut auth, protocol, "1234", Permissions::GET_ASSERTION, Some(RP)),
            Err(StatusCode::PinInvalid)
        );
        assert!(token(&mut auth, protocol, "5678", Permissions::GET_ASSERTION, Some(RP)).is_ok());
    }
}

#[test]
fn wrong_pins_decrement_retries_and_three_in_a_row_need_a_power_cycle() {
    let (mut auth, _) = security_key();
    set_pin(&mut auth, PinUvAuthProtocol::Two, "1234").unwrap();
    let ga = Permissions::GET_ASSERTION;
    assert_eq!(token(&mut auth, PinUvAuthProtocol::Two, "0000", ga, Some(RP)), Err(StatusCode::PinInvalid));
    assert_eq!(token(&mut auth, PinUvAuthProtocol::Two, "0000", ga, Some(RP)), Err(StatusCode::PinInvalid));
    assert_eq!(retries(&mut auth), (6, false));
    assert_eq!(
        token(&mut auth, PinUvAuthProtocol::Two, "0000", ga, Some(RP)),
        Err(StatusCode::PinAuthBlocked)
    );
    assert_eq!(retries(&mut auth), (5, true));
    // Even the right PIN is refused until a power cycle, and costs no retry.
    assert_eq!(
        token(&mut auth, PinUvAuthProtocol::Two, "1234", ga, Some(RP)),
        Err(StatusCode::PinAuthBlocked)
    );
    assert_eq!(retries(&mut auth), (5, true));
    auth.power_cycle();
    assert!(token(&mut auth, PinUvAuthProtocol::Two, "1234", ga, Some(RP)).is_ok());
    assert_eq!(retries(&mut auth), (8, false), "a correct PIN restores the retries");
}

#[test]
fn a_correct_pin_resets_the_consecutive_count() {
    let (mut auth, _) = security_key();
    set_pin(&mut auth, PinUvAuthProtocol::One, "1234").unwrap();
    let ga = Permissions::GET_ASSERTION;
    for _ in 0..3 {
        assert_eq!(
            token(&mut auth, PinUvAuthProtocol::One, "0000", ga, Some(RP)),
            Err(StatusCode::PinInvalid)
        );
        assert_eq!(
            token(&mut auth, PinUvAuthProtocol::One, "0000", ga, Some(RP)),
            Err(StatusCode::PinInvalid)
        );
        assert!(token(&mut auth, PinUvAuthProtocol::One, "1234", ga, Some(RP)).is_ok());
    }
}

#[test]
fn eight_wrong_pins_block_the_pin_until_reset_and_the_count_is_persisted() {
    let store = MemoryStore::new();
    let config = Config { reset_window: None, ..unprovisioned() };
    let mut auth =
        Authenticator::with_parts(config.clone(), Box::new(store.clone()), Box::new(ManualClock::new()))
            .unwrap();
    set_pin(&mut auth, PinUvAuthProtocol::Two, "1234").unwrap();
    let ga = Permissions::GET_ASSERTION;
    let mut answers = Vec::new();
    for attempt in 1..=8 {
        answers.push(token(&mut auth, PinUvAuthProtocol::Two, "0000", ga, Some(RP)).unwrap_err());
        assert_eq!(store.committed().unwrap().pin_retries, 8 - attempt, "persisted after attempt {attempt}");
        if attempt % 3 == 0 {
            auth.power_cycle();
        }
    }
    use StatusCode::{PinAuthBlocked as Auth, PinBlocked as Blocked, PinInvalid as Invalid};
    assert_eq!(answers, [Invalid, Invalid, Auth, Invalid, Invalid, Auth, Invalid, Blocked]);
    // A restart does not help: the count is in the store.
    let mut restarted =
        Authenticator::with_parts(config, Box::new(store), Box::new(ManualClock::new())).unwrap();
    assert_eq!(
        token(&mut restarted, PinUvAuthProtocol::Two, "1234", ga, Some(RP)),
        Err(StatusCode::PinBlocked)
    );
    assert_eq!(retries(&mut restarted), (0, false));
    call(&mut restarted, code::RESET, None).unwrap();
    assert!(restarted.state().pin.is_none());
    assert_eq!(set_pin(&mut restarted, PinUvAuthProtocol::Two, "4321"), Ok(Value::Null));
}

#[test]
fn a_pin_token_verifies_the_user_in_make_credential_and_get_assertion() {
    for protocol in BOTH {
        let (mut auth, _) = security_key();
        set_pin(&mut auth, protocol, "1234").unwrap();
        let mc = token(&mut auth, protocol, "1234", Permissions::MAKE_CREDENTIAL, Some(RP)).unwrap();
        let params = make_credential_params(true, |m| with_token(m, protocol, &mc, 8));
        let registered = registered(call(&mut auth, code::MAKE_CREDENTIAL, Some(params)).unwrap());
        assert_eq!(flags_of(&registered.auth_data) & (flags::UP | flags::UV), flags::UP | flags::UV);
        let ga = token(&mut auth, protocol, "1234", Permissions::GET_ASSERTION, Some(RP)).unwrap();
        let request = get_assertion_params(None, |m| with_token(m, protocol, &ga, 6));
        let response = call(&mut auth, code::GET_ASSERTION, Some(request)).unwrap();
        verify_assertion(&registered.public_key, &response);
        assert_eq!(
            flags_of(field(&response, 2).as_bytes().unwrap()) & (flags::UP | flags::UV),
            flags::UP | flags::UV
        );
        assert_eq!(
            text_field(field(&response, 4), "name"),
            Some(&Value::from("alice")),
            "UV discloses the user"
        );
    }
}

#[test]
fn a_protected_device_refuses_discoverable_credentials_without_a_token() {
    let (mut auth, _) = security_key();
    set_pin(&mut auth, PinUvAuthProtocol::Two, "1234").unwrap();
    assert_eq!(
        call(&mut auth, code::MAKE_CREDENTIAL, Some(make_credential_params(true, |m| m))),
        Err(StatusCode::PuatRequired)
    );
    // makeCredUvNotRqd: non-discoverable credentials need no UV.
    assert_eq!(flags_of(&register(&mut auth, false).auth_data) & flags::UV, 0);
}

#[test]
fn the_zero_length_probe_says_whether_a_pin_is_set() {
    let (mut auth, _) = security_key();
    let probe = make_credential_params(false, |m| m.insert(8, Value::Bytes(vec![])).insert(9, 2));
    assert_eq!(call(&mut auth, code::MAKE_CREDENTIAL, Some(probe.clone())), Err(StatusCode::PinNotSet));
    set_pin(&mut auth, PinUvAuthProtocol::Two, "1234").unwrap();
    assert_eq!(call(&mut auth, code::MAKE_CREDENTIAL, Some(probe)), Err(StatusCode::PinInvalid));
}

#[test]
fn a_ga_token_cannot_make_a_credential() {
    let (mut auth, _) = security_key();
    set_pin(&mut auth, PinUvAuthProtocol::Two, "1234").unwrap();
    let ga = token(&mut auth, PinUvAuthProtocol::Two, "1234", Permissions::GET_ASSERTION, Some(RP)).unwrap();
    let params = make_credential_params(false, |m| with_token(m, PinUvAuthProtocol::Two, &ga, 8));
    assert_eq!(call(&mut auth, code::MAKE_CREDENTIAL, Some(params)), Err(StatusCode::PinAuthInvalid));
}

#[test]
fn a_token_bound_to_one_rp_is_refused_for_another() {
    let (mut auth, _) = security_key();
    set_pin(&mut auth, PinUvAuthProtocol::Two, "1234").unwrap();
    let registered = register(&mut auth, false);
    let ga =
        token(&mut auth, PinUvAuthProtocol::Two, "1234", Permissions::GET_ASSERTION, Some("other.example"))
            .unwrap();
    let request = get_assertion_params(Some(&registered.credential_id), |m| {
        with_token(m, PinUvAuthProtocol::Two, &ga, 6)
    });
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(request)), Err(StatusCode::PinAuthInvalid));
}

#[test]
fn an_expired_token_is_refused() {
    let (mut auth, clock) = security_key();
    set_pin(&mut auth, PinUvAuthProtocol::Two, "1234").unwrap();
    let registered = register(&mut auth, false);
    let ga = token(&mut auth, PinUvAuthProtocol::Two, "1234", Permissions::GET_ASSERTION, Some(RP)).unwrap();
    clock.advance(Duration::from_secs(31));
    let request = get_assertion_params(Some(&registered.credential_id), |m| {
        with_token(m, PinUvAuthProtocol::Two, &ga, 6)
    });
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(request)), Err(StatusCode::PinAuthInvalid));
}

#[test]
fn a_token_is_spent_by_the_credential_it_makes() {
    let (mut auth, _) = security_key();
    set_pin(&mut auth, PinUvAuthProtocol::Two, "1234").unwrap();
    let mc =
        token(&mut auth, PinUvAuthProtocol::Two, "1234", Permissions::MAKE_CREDENTIAL, Some(RP)).unwrap();
    let params = make_credential_params(true, |m| with_token(m, PinUvAuthProtocol::Two, &mc, 8));
    assert!(call(&mut auth, code::MAKE_CREDENTIAL, Some(params.clone())).is_ok());
    assert_eq!(call(&mut auth, code::MAKE_CREDENTIAL, Some(params)), Err(StatusCode::PinAuthInvalid));
}

#[test]
fn a_get_assertion_token_serves_a_silent_pre_flight_and_then_the_assertion() {
    let (mut auth, _) = device(fingerprint(true, VerifyOutcome::Match));
    let registered = register(&mut auth, false);
    let ga = uv_token(&mut auth, Permissions::GET_ASSERTION).unwrap();
    let silent = get_assertion_params(Some(&registered.credential_id), |m| {
        with_token(m, PinUvAuthProtocol::Two, &ga, 6).insert(5, MapBuilder::new().insert("up", false).build())
    });
    let response = call(&mut auth, code::GET_ASSERTION, Some(silent)).unwrap();
    assert_eq!(flags_of(field(&response, 2).as_bytes().unwrap()) & (flags::UP | flags::UV), flags::UV);
    // The pre-flight spent nothing: the real assertion needs no second touch.
    auth.reconfigure(with_presence(fingerprint(true, VerifyOutcome::Match), PresenceOutcome::Deny));
    let request = get_assertion_params(Some(&registered.credential_id), |m| {
        with_token(m, PinUvAuthProtocol::Two, &ga, 6)
    });
    let response = call(&mut auth, code::GET_ASSERTION, Some(request.clone())).unwrap();
    assert_eq!(
        flags_of(field(&response, 2).as_bytes().unwrap()) & (flags::UP | flags::UV),
        flags::UP | flags::UV
    );
    // Now it is spent: neither another assertion nor a credential can use it.
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(request)), Err(StatusCode::PinAuthInvalid));
}

#[test]
fn a_power_cycle_voids_tokens() {
    let (mut auth, _) = security_key();
    set_pin(&mut auth, PinUvAuthProtocol::Two, "1234").unwrap();
    let registered = register(&mut auth, false);
    let ga = token(&mut auth, PinUvAuthProtocol::Two, "1234", Permissions::GET_ASSERTION, Some(RP)).unwrap();
    auth.power_cycle();
    let request = get_assertion_params(Some(&registered.credential_id), |m| {
        with_token(m, PinUvAuthProtocol::Two, &ga, 6)
    });
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(request)), Err(StatusCode::PinAuthInvalid));
}

#[test]
fn token_requests_check_their_permissions() {
    let (mut auth, _) = security_key();
    set_pin(&mut auth, PinUvAuthProtocol::Two, "1234").unwrap();
    let two = PinUvAuthProtocol::Two;
    assert_eq!(token(&mut auth, two, "1234", 0, Some(RP)), Err(StatusCode::InvalidParameter));
    assert_eq!(
        token(&mut auth, two, "1234", Permissions::BIO_ENROLLMENT, None),
        Err(StatusCode::UnauthorizedPermission)
    );
    // lbw needs no RP ID (CTAP 2.1 §6.5.5.7.2 step 3 asks one for mc and ga only).
    assert!(token(&mut auth, two, "1234", Permissions::LARGE_BLOB_WRITE, None).is_ok());
    assert_eq!(
        token(&mut auth, two, "1234", Permissions::MAKE_CREDENTIAL, None),
        Err(StatusCode::MissingParameter)
    );
    assert!(token(&mut auth, two, "1234", Permissions::CREDENTIAL_MANAGEMENT, None).is_ok());
}

#[test]
fn pin_subcommands_without_a_pin() {
    let (mut auth, _) = security_key();
    assert_eq!(token(&mut auth, PinUvAuthProtocol::Two, "1234", 2, Some(RP)), Err(StatusCode::PinNotSet));
    assert_eq!(change_pin(&mut auth, PinUvAuthProtocol::Two, "1234", "5678"), Err(StatusCode::PinNotSet));
    // Built-in UV devices have no PIN subcommands.
    let (mut platform_device, _) = device(fingerprint(true, VerifyOutcome::Match));
    assert_eq!(
        set_pin(&mut platform_device, PinUvAuthProtocol::Two, "1234"),
        Err(StatusCode::InvalidSubcommand)
    );
}

/// getPinUvAuthTokenUsingUvWithPermissions.
pub(super) fn uv_token(
    auth: &mut Authenticator,
    permissions: impl PermissionBits,
) -> Result<[u8; 32], StatusCode> {
    let (key, shared) = platform(auth, PinUvAuthProtocol::Two);
    let request = MapBuilder::new()
        .insert(1, 2)
        .insert(2, 6)
        .insert(3, key)
        .insert(9, permissions.permission_bits())
        .insert(0x0A, RP)
        .build();
    let response = call(auth, code::CLIENT_PIN, Some(request))?;
    Ok(shared.decrypt(field(&response, 2).as_bytes().unwrap()).unwrap().try_into().unwrap())
}

#[test]
fn builtin_uv_hands_out_tokens_with_presence() {
    let (mut auth, _) = device(fingerprint(true, VerifyOutcome::Match));
    let mc = uv_token(&mut auth, Permissions::MAKE_CREDENTIAL).unwrap();
    let extensions = MapBuilder::new().insert("uvm", true).build();
    let params =
        make_credential_params(true, |m| with_token(m, PinUvAuthProtocol::Two, &mc, 8).insert(6, extensions));
    // The token carries the presence of the fingerprint touch: no second touch is needed.
    auth.reconfigure(with_presence(fingerprint(true, VerifyOutcome::Match), PresenceOutcome::Deny));
    let response = call(&mut auth, code::MAKE_CREDENTIAL, Some(params)).unwrap();
    let auth_data = field(&response, 2).as_bytes().unwrap();
    assert_eq!(flags_of(auth_data) & (flags::UP | flags::UV), flags::UP | flags::UV);
    let uv_retries =
        call(&mut auth, code::CLIENT_PIN, Some(MapBuilder::new().insert(1, 2).insert(2, 7).build())).unwrap();
    assert_eq!(field(&uv_retries, 5), &Value::from(5));
}

#[test]
fn builtin_uv_tokens_need_a_match() {
    let (mut auth, _) = device(fingerprint(true, VerifyOutcome::NoMatch));
    assert_eq!(uv_token(&mut auth, Permissions::GET_ASSERTION), Err(StatusCode::UvInvalid));
    let uv_retries =
        call(&mut auth, code::CLIENT_PIN, Some(MapBuilder::new().insert(1, 2).insert(2, 7).build())).unwrap();
    assert_eq!(field(&uv_retries, 5), &Value::from(4));
    let (mut unenrolled, _) = device(fingerprint(false, VerifyOutcome::Match));
    assert_eq!(uv_token(&mut unenrolled, Permissions::GET_ASSERTION), Err(StatusCode::NotAllowed));
}

#[test]
fn get_pin_token_gives_a_legacy_mc_ga_token() {
    let (mut auth, _) = security_key();
    set_pin(&mut auth, PinUvAuthProtocol::One, "1234").unwrap();
    let (key, shared) = platform(&mut auth, PinUvAuthProtocol::One);
    let request = MapBuilder::new()
        .insert(1, 1)
        .insert(2, 5)
        .insert(3, key)
        .insert(6, Value::Bytes(shared.encrypt(&pin_hash(b"1234")).unwrap()))
        .build();
    let response = call(&mut auth, code::CLIENT_PIN, Some(request)).unwrap();
    let token: [u8; 32] =
        shared.decrypt(field(&response, 2).as_bytes().unwrap()).unwrap().try_into().unwrap();
    let params = make_credential_params(true, |m| with_token(m, PinUvAuthProtocol::One, &token, 8));
    assert!(call(&mut auth, code::MAKE_CREDENTIAL, Some(params)).is_ok());
}
