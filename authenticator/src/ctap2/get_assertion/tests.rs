//! authenticatorGetAssertion and authenticatorGetNextAssertion.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use ciborium::Value;

use crate::config::{BackupFlags, CounterMode};
use crate::ctap2::test_support::*;
use crate::proto::auth_data::flags;

fn register_user(auth: &mut Authenticator, user_id: u8, name: &str) -> Registered {
    let params = make_credential_params(true, |m| {
        m.insert(3, MapBuilder::new().insert("id", Value::Bytes(vec![user_id])).insert("name", name).build())
    });
    registered(call(auth, code::MAKE_CREDENTIAL, Some(params)).unwrap())
}

#[test]
fn an_allow_list_assertion_verifies_and_sets_up() {
    let (mut auth, _) = device(software_token());
    let registered = register(&mut auth, false);
    let response = call(
        &mut auth,
        code::GET_ASSERTION,
        Some(get_assertion_params(Some(&registered.credential_id), |m| m)),
    )
    .unwrap();
    verify_assertion(&registered.public_key, &response);
    let auth_data = field(&response, 2).as_bytes().unwrap();
    assert_eq!(flags_of(auth_data), flags::UP);
    assert_eq!(text_field(field(&response, 1), "id"), Some(&Value::Bytes(registered.credential_id)));
    assert!(!has_field(&response, 4), "a non-discoverable credential has no user");
}

#[test]
fn silent_assertions_clear_up() {
    let (mut auth, _) = device(with_presence(software_token(), PresenceOutcome::Deny));
    let mut approving = software_token();
    approving.presence = PresenceOutcome::Approve;
    auth.reconfigure(approving);
    let registered = register(&mut auth, false);
    auth.reconfigure(with_presence(software_token(), PresenceOutcome::Deny));
    let silent = get_assertion_params(Some(&registered.credential_id), |m| {
        m.insert(5, MapBuilder::new().insert("up", false).build())
    });
    let response = call(&mut auth, code::GET_ASSERTION, Some(silent)).unwrap();
    assert_eq!(flags_of(field(&response, 2).as_bytes().unwrap()) & flags::UP, 0);
    let loud = get_assertion_params(Some(&registered.credential_id), |m| m);
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(loud)), Err(StatusCode::OperationDenied));
}

#[test]
fn unknown_or_foreign_credentials_are_no_credentials() {
    let (mut auth, _) = device(software_token());
    let registered = register(&mut auth, false);
    let unknown = get_assertion_params(Some(&[0u8; 64]), |m| m);
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(unknown)), Err(StatusCode::NoCredentials));
    let huge = get_assertion_params(Some(&vec![1u8; 4000]), |m| m);
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(huge)), Err(StatusCode::NoCredentials));
    let other_rp = get_assertion_params(Some(&registered.credential_id), |m| m.insert(1, "evil.example"));
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(other_rp)), Err(StatusCode::NoCredentials));
    let discoverable = get_assertion_params(None, |m| m);
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(discoverable)), Err(StatusCode::NoCredentials));
}

#[test]
fn rk_option_and_bad_parameters_are_refused() {
    let (mut auth, _) = device(software_token());
    let rk = get_assertion_params(None, |m| m.insert(5, MapBuilder::new().insert("rk", true).build()));
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(rk)), Err(StatusCode::UnsupportedOption));
    let uv = get_assertion_params(None, |m| m.insert(5, MapBuilder::new().insert("uv", true).build()));
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(uv)), Err(StatusCode::InvalidOption));
    let no_rp = MapBuilder::new().insert(2, Value::Bytes(CDH.to_vec())).build();
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(no_rp)), Err(StatusCode::MissingParameter));
    let no_hash = MapBuilder::new().insert(1, RP).build();
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(no_hash)), Err(StatusCode::MissingParameter));
    let bad_rp = get_assertion_params(None, |m| m.insert(1, Value::Bytes(vec![1])));
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(bad_rp)), Err(StatusCode::CborUnexpectedType));
    let bad_allow = get_assertion_params(None, |m| m.insert(3, Value::Array(vec![Value::from(1)])));
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(bad_allow)), Err(StatusCode::CborUnexpectedType));
    let descriptor =
        MapBuilder::new().insert("id", Value::Bytes(vec![1])).insert("type", "public-key").build();
    let too_many = get_assertion_params(None, |m| m.insert(3, Value::Array(vec![descriptor; 17])));
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(too_many)), Err(StatusCode::LimitExceeded));
}

#[test]
fn discoverable_sign_in_returns_newest_first_then_get_next_assertion() {
    let (mut auth, clock) = device(software_token());
    let alice = register_user(&mut auth, 1, "alice");
    let bob = register_user(&mut auth, 2, "bob");
    let first = call(&mut auth, code::GET_ASSERTION, Some(get_assertion_params(None, |m| m))).unwrap();
    assert_eq!(field(&first, 5), &Value::from(2));
    verify_assertion(&bob.public_key, &first);
    // Without UV, only the user handle is disclosed.
    assert_eq!(field(&first, 4), &MapBuilder::new().insert("id", Value::Bytes(vec![2])).build());
    let second = call(&mut auth, code::GET_NEXT_ASSERTION, None).unwrap();
    verify_assertion(&alice.public_key, &second);
    assert!(!has_field(&second, 5));
    assert_eq!(call(&mut auth, code::GET_NEXT_ASSERTION, None), Err(StatusCode::NotAllowed));

    // The 30-second window (CTAP 2.1 §6.2.2) and any intervening command end the sequence.
    call(&mut auth, code::GET_ASSERTION, Some(get_assertion_params(None, |m| m))).unwrap();
    clock.advance(Duration::from_secs(31));
    assert_eq!(call(&mut auth, code::GET_NEXT_ASSERTION, None), Err(StatusCode::NotAllowed));
    call(&mut auth, code::GET_ASSERTION, Some(get_assertion_params(None, |m| m))).unwrap();
    call(&mut auth, code::GET_INFO, None).unwrap();
    assert_eq!(call(&mut auth, code::GET_NEXT_ASSERTION, None), Err(StatusCode::NotAllowed));
}

#[test]
fn get_next_assertion_without_a_get_assertion_is_not_allowed() {
    let (mut auth, _) = device(software_token());
    assert_eq!(call(&mut auth, code::GET_NEXT_ASSERTION, None), Err(StatusCode::NotAllowed));
}

#[test]
fn builtin_uv_discloses_the_user_and_sets_uv() {
    let (mut auth, _) = device(fingerprint(true, VerifyOutcome::Match));
    let params = make_credential_params(true, |m| {
        m.insert(7, MapBuilder::new().insert("rk", true).insert("uv", true).build())
    });
    call(&mut auth, code::MAKE_CREDENTIAL, Some(params)).unwrap();
    let uv = get_assertion_params(None, |m| m.insert(5, MapBuilder::new().insert("uv", true).build()));
    let response = call(&mut auth, code::GET_ASSERTION, Some(uv)).unwrap();
    assert_eq!(
        flags_of(field(&response, 2).as_bytes().unwrap()) & (flags::UP | flags::UV),
        flags::UP | flags::UV
    );
    assert_eq!(text_field(field(&response, 4), "name"), Some(&Value::from("alice")));
}

#[test]
fn failing_biometrics_decrement_retries_until_blocked() {
    let (mut auth, _) = device(fingerprint(true, VerifyOutcome::Match));
    let registered = register(&mut auth, false);
    auth.reconfigure(fingerprint(true, VerifyOutcome::NoMatch));
    let uv = get_assertion_params(Some(&registered.credential_id), |m| {
        m.insert(5, MapBuilder::new().insert("uv", true).build())
    });
    for _ in 1..crate::store::MAX_UV_RETRIES {
        assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(uv.clone())), Err(StatusCode::UvInvalid));
    }
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(uv.clone())), Err(StatusCode::UvBlocked));
    auth.reconfigure(fingerprint(true, VerifyOutcome::Match));
    assert_eq!(
        call(&mut auth, code::GET_ASSERTION, Some(uv)),
        Err(StatusCode::UvBlocked),
        "blocked stays blocked"
    );
}

#[test]
fn cred_protect_hides_credentials_without_uv() {
    let (mut auth, _) = device(fingerprint(true, VerifyOutcome::Match));
    let uv_options = MapBuilder::new().insert("rk", true).insert("uv", true).build();
    let make = |level: i64, user: u8| {
        make_credential_params(true, |m| {
            m.insert(3, MapBuilder::new().insert("id", Value::Bytes(vec![user])).build())
                .insert(6, MapBuilder::new().insert("credProtect", level).build())
                .insert(7, uv_options.clone())
        })
    };
    let level2 = call(&mut auth, code::MAKE_CREDENTIAL, Some(make(2, 2))).unwrap();
    let level3 = call(&mut auth, code::MAKE_CREDENTIAL, Some(make(3, 3))).unwrap();
    // No UV: discoverable sign-in sees neither; the allowList reveals level 2 only.
    assert_eq!(
        call(&mut auth, code::GET_ASSERTION, Some(get_assertion_params(None, |m| m))),
        Err(StatusCode::NoCredentials)
    );
    assert!(
        call(
            &mut auth,
            code::GET_ASSERTION,
            Some(get_assertion_params(Some(&credential_id(&level2)), |m| m))
        )
        .is_ok()
    );
    assert_eq!(
        call(
            &mut auth,
            code::GET_ASSERTION,
            Some(get_assertion_params(Some(&credential_id(&level3)), |m| m))
        ),
        Err(StatusCode::NoCredentials)
    );
    // With UV: both.
    let uv = get_assertion_params(None, |m| m.insert(5, MapBuilder::new().insert("uv", true).build()));
    assert_eq!(field(&call(&mut auth, code::GET_ASSERTION, Some(uv)).unwrap(), 5), &Value::from(2));
}

#[test]
fn counters_follow_the_configured_mode() {
    for (mode, expected) in [
        (CounterMode::PerCredential, [1, 2, 1]),
        (CounterMode::Global, [1, 2, 3]),
        (CounterMode::Zero, [0, 0, 0]),
    ] {
        let (mut auth, _) = device(Config { counter: mode, ..software_token() });
        let a = register_user(&mut auth, 1, "a");
        let b = register_user(&mut auth, 2, "b");
        let mut seen = Vec::new();
        for id in [&a.credential_id, &a.credential_id, &b.credential_id] {
            let response =
                call(&mut auth, code::GET_ASSERTION, Some(get_assertion_params(Some(id), |m| m))).unwrap();
            seen.push(counter_of(field(&response, 2).as_bytes().unwrap()));
        }
        assert_eq!(seen, expected, "{mode:?}");
    }
}

#[test]
fn assertions_carry_backup_flags() {
    let (mut auth, _) =
        device(Config { backup: BackupFlags { eligible: true, state: true }, ..software_token() });
    let registered = register(&mut auth, false);
    let response = call(
        &mut auth,
        code::GET_ASSERTION,
        Some(get_assertion_params(Some(&registered.credential_id), |m| m)),
    )
    .unwrap();
    assert_eq!(flags_of(field(&response, 2).as_bytes().unwrap()), flags::UP | flags::BE | flags::BS);
}

#[test]
fn cred_blob_and_uvm_are_returned() {
    let (mut auth, _) = device(software_token());
    let params = make_credential_params(false, |m| {
        m.insert(6, MapBuilder::new().insert("credBlob", Value::Bytes(vec![5; 4])).build())
    });
    let id = credential_id(&call(&mut auth, code::MAKE_CREDENTIAL, Some(params)).unwrap());
    let request = get_assertion_params(Some(&id), |m| {
        m.insert(4, MapBuilder::new().insert("credBlob", true).insert("uvm", true).build())
    });
    let response = call(&mut auth, code::GET_ASSERTION, Some(request)).unwrap();
    let auth_data = field(&response, 2).as_bytes().unwrap();
    assert_ne!(flags_of(auth_data) & flags::ED, 0);
    let outputs: Value = ciborium::de::from_reader(&auth_data[37..]).unwrap();
    assert_eq!(text_field(&outputs, "credBlob"), Some(&Value::Bytes(vec![5; 4])));
    assert!(text_field(&outputs, "uvm").is_some());
}
