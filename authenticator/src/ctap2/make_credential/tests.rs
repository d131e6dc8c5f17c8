//! authenticatorMakeCredential.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ciborium::Value;

use crate::config::{AttestationKind, BackupFlags, ExtensionSupport};
use crate::ctap2::test_support::*;
use crate::proto::auth_data::flags;

#[test]
fn software_token_registers_with_self_attestation_and_up_only() {
    let (mut auth, _) = device(software_token());
    let registered = register(&mut auth, false);
    let response = &registered.response;
    assert_eq!(field(response, 1), &Value::from("packed"));
    let att_stmt = field(response, 3);
    assert_eq!(text_field(att_stmt, "alg"), Some(&Value::from(-7)));
    assert!(text_field(att_stmt, "x5c").is_none(), "self attestation has no certificate");
    // Self attestation: the credential key signs authData || clientDataHash.
    let sig = p256::ecdsa::DerSignature::from_bytes(text_field(att_stmt, "sig").unwrap().as_bytes().unwrap())
        .unwrap();
    let mut signed = registered.auth_data.clone();
    signed.extend_from_slice(&CDH);
    registered.public_key.verify(&signed, &sig).unwrap();
    assert_eq!(flags_of(&registered.auth_data), flags::UP | flags::AT);
    assert_eq!(&registered.auth_data[..32], &crate::ctap2::rp_id_hash(RP));
}

#[test]
fn basic_attestation_carries_the_batch_certificate() {
    let (mut auth, _) = device(Config { attestation: AttestationKind::PackedBasic, ..software_token() });
    let registered = register(&mut auth, false);
    let att_stmt = field(&registered.response, 3);
    let x5c = text_field(att_stmt, "x5c").unwrap().as_array().unwrap();
    assert_eq!(x5c.len(), 1);
    let aaguid = crate::attestation::aaguid(auth.config().model());
    assert_eq!(&registered.auth_data[37..53], &aaguid);
}

#[test]
fn none_attestation_has_an_empty_statement() {
    let (mut auth, _) = device(Config { attestation: AttestationKind::None, ..software_token() });
    let registered = register(&mut auth, false);
    assert_eq!(field(&registered.response, 1), &Value::from("none"));
    assert_eq!(field(&registered.response, 3), &Value::Map(vec![]));
}

#[test]
fn backup_flags_follow_the_configuration() {
    for (eligible, state, expected) in [
        (false, false, 0),
        (true, false, flags::BE),
        (true, true, flags::BE | flags::BS),
        (false, true, flags::BS),
    ] {
        let (mut auth, _) = device(Config { backup: BackupFlags { eligible, state }, ..software_token() });
        let registered = register(&mut auth, false);
        assert_eq!(flags_of(&registered.auth_data) & (flags::BE | flags::BS), expected);
    }
}

#[test]
fn builtin_uv_sets_uv_only_when_the_biometric_matches() {
    let (mut auth, _) = device(fingerprint(true, VerifyOutcome::Match));
    let params = make_credential_params(true, |m| {
        m.insert(7, MapBuilder::new().insert("rk", true).insert("uv", true).build())
    });
    let response = call(&mut auth, code::MAKE_CREDENTIAL, Some(params.clone())).unwrap();
    assert_eq!(
        flags_of(field(&response, 2).as_bytes().unwrap()) & (flags::UP | flags::UV),
        flags::UP | flags::UV
    );

    let (mut failing, _) = device(fingerprint(true, VerifyOutcome::NoMatch));
    assert_eq!(call(&mut failing, code::MAKE_CREDENTIAL, Some(params)), Err(StatusCode::UvInvalid));
    assert!(failing.state().resident.is_empty(), "a failed UV stores nothing");
}

#[test]
fn uv_option_needs_builtin_uv_enrolled() {
    let with_uv = |m: MapBuilder| m.insert(7, MapBuilder::new().insert("uv", true).build());
    let (mut token, _) = device(software_token());
    assert_eq!(
        call(&mut token, code::MAKE_CREDENTIAL, Some(make_credential_params(false, with_uv))),
        Err(StatusCode::InvalidOption)
    );
    let (mut unenrolled, _) = device(fingerprint(false, VerifyOutcome::Match));
    assert_eq!(
        call(&mut unenrolled, code::MAKE_CREDENTIAL, Some(make_credential_params(false, with_uv))),
        Err(StatusCode::InvalidOption)
    );
}

#[test]
fn a_uv_protected_device_requires_uv_for_discoverable_credentials() {
    let (mut auth, _) = device(fingerprint(true, VerifyOutcome::Match));
    assert_eq!(
        call(&mut auth, code::MAKE_CREDENTIAL, Some(make_credential_params(true, |m| m))),
        Err(StatusCode::PuatRequired)
    );
    // makeCredUvNotRqd: a non-discoverable credential needs no UV.
    let registered = register(&mut auth, false);
    assert_eq!(flags_of(&registered.auth_data) & flags::UV, 0);
}

#[test]
fn up_false_is_an_invalid_option() {
    let params =
        make_credential_params(false, |m| m.insert(7, MapBuilder::new().insert("up", false).build()));
    let (mut auth, _) = device(software_token());
    assert_eq!(call(&mut auth, code::MAKE_CREDENTIAL, Some(params)), Err(StatusCode::InvalidOption));
}

#[test]
fn presence_denied_or_timed_out_creates_nothing() {
    for (presence, status) in [
        (PresenceOutcome::Deny, StatusCode::OperationDenied),
        (PresenceOutcome::Timeout, StatusCode::UserActionTimeout),
    ] {
        let (mut auth, _) = device(with_presence(software_token(), presence));
        assert_eq!(
            call(&mut auth, code::MAKE_CREDENTIAL, Some(make_credential_params(true, |m| m))),
            Err(status)
        );
        assert!(auth.state().resident.is_empty());
    }
}

#[test]
fn missing_required_parameters_are_named() {
    for key in 1..=4 {
        let params = make_credential_params(false, |m| m);
        let Value::Map(entries) = params else { unreachable!() };
        let without: Vec<_> =
            entries.into_iter().filter(|(k, _)| k.as_integer() != Some(key.into())).collect();
        let (mut auth, _) = device(software_token());
        assert_eq!(
            call(&mut auth, code::MAKE_CREDENTIAL, Some(Value::Map(without))),
            Err(StatusCode::MissingParameter),
            "key {key}"
        );
    }
    let (mut auth, _) = device(software_token());
    assert_eq!(
        auth.process(&[code::MAKE_CREDENTIAL], &Signals::new()),
        vec![StatusCode::MissingParameter.byte()]
    );
}

#[test]
fn wrongly_typed_parameters_are_unexpected_types() {
    let cases: Vec<(i64, Value)> = vec![
        (1, Value::from("not bytes")),
        (2, Value::from(5)),
        (3, Value::Array(vec![])),
        (4, Value::Map(vec![])),
        (5, Value::from(true)),
        (7, Value::Array(vec![])),
    ];
    for (key, bad) in cases {
        let params = make_credential_params(false, |m| m);
        let Value::Map(mut entries) = params else { unreachable!() };
        entries.retain(|(k, _)| k.as_integer() != Some(key.into()));
        entries.push((Value::from(key), bad));
        let (mut auth, _) = device(software_token());
        assert_eq!(
            call(&mut auth, code::MAKE_CREDENTIAL, Some(Value::Map(entries))),
            Err(StatusCode::CborUnexpectedType),
            "key {key}"
        );
    }
}

#[test]
fn unsupported_algorithms_are_refused() {
    let params = make_credential_params(false, |m| {
        m.insert(
            4,
            Value::Array(vec![MapBuilder::new().insert("alg", -257).insert("type", "public-key").build()]),
        )
    });
    let (mut auth, _) = device(software_token());
    assert_eq!(call(&mut auth, code::MAKE_CREDENTIAL, Some(params)), Err(StatusCode::UnsupportedAlgorithm));
}

#[test]
fn eddsa_is_chosen_when_the_rp_prefers_it() {
    let params = make_credential_params(false, |m| {
        m.insert(
            4,
            Value::Array(vec![
                MapBuilder::new().insert("alg", -8).insert("type", "public-key").build(),
                MapBuilder::new().insert("alg", -7).insert("type", "public-key").build(),
            ]),
        )
    });
    let (mut auth, _) = device(software_token());
    let response = call(&mut auth, code::MAKE_CREDENTIAL, Some(params)).unwrap();
    assert_eq!(text_field(field(&response, 3), "alg"), Some(&Value::from(-8)));
}

#[test]
fn bad_lengths_are_invalid_length() {
    let long_user = make_credential_params(false, |m| {
        m.insert(3, MapBuilder::new().insert("id", Value::Bytes(vec![0; 65])).insert("name", "x").build())
    });
    let short_hash = make_credential_params(false, |m| m.insert(1, Value::Bytes(vec![0; 31])));
    for params in [long_user, short_hash] {
        let (mut auth, _) = device(software_token());
        assert_eq!(call(&mut auth, code::MAKE_CREDENTIAL, Some(params)), Err(StatusCode::InvalidLength));
    }
}

#[test]
fn enterprise_attestation_is_not_offered() {
    let params = make_credential_params(false, |m| m.insert(0x0A, 1));
    let (mut auth, _) = device(software_token());
    assert_eq!(call(&mut auth, code::MAKE_CREDENTIAL, Some(params)), Err(StatusCode::InvalidParameter));
}

#[test]
fn pin_uv_auth_param_without_a_pin_is_answered_per_spec() {
    let (mut auth, _) = device(Config { pin: None, ..Profile::SecurityKey.config() });
    let probe = make_credential_params(false, |m| m.insert(8, Value::Bytes(vec![])).insert(9, 2));
    assert_eq!(call(&mut auth, code::MAKE_CREDENTIAL, Some(probe)), Err(StatusCode::PinNotSet));
    let no_protocol = make_credential_params(false, |m| m.insert(8, Value::Bytes(vec![0; 32])));
    assert_eq!(call(&mut auth, code::MAKE_CREDENTIAL, Some(no_protocol)), Err(StatusCode::MissingParameter));
    let bad_protocol = make_credential_params(false, |m| m.insert(8, Value::Bytes(vec![0; 32])).insert(9, 7));
    assert_eq!(call(&mut auth, code::MAKE_CREDENTIAL, Some(bad_protocol)), Err(StatusCode::InvalidParameter));
    let forged = make_credential_params(false, |m| m.insert(8, Value::Bytes(vec![0; 32])).insert(9, 2));
    assert_eq!(call(&mut auth, code::MAKE_CREDENTIAL, Some(forged)), Err(StatusCode::PinAuthInvalid));
}

#[test]
fn an_excluded_credential_is_refused_after_a_touch() {
    let (mut auth, _) = device(software_token());
    let registered = register(&mut auth, true);
    let exclude = Value::Array(vec![
        MapBuilder::new()
            .insert("id", Value::Bytes(registered.credential_id.clone()))
            .insert("type", "public-key")
            .build(),
    ]);
    let params = make_credential_params(true, |m| m.insert(5, exclude.clone()));
    assert_eq!(call(&mut auth, code::MAKE_CREDENTIAL, Some(params)), Err(StatusCode::CredentialExcluded));
    // Another RP's exclude list does not match this credential.
    let other_rp = make_credential_params(true, |m| {
        m.insert(2, MapBuilder::new().insert("id", "other.example").build()).insert(5, exclude)
    });
    assert!(call(&mut auth, code::MAKE_CREDENTIAL, Some(other_rp)).is_ok());
}

/// CTAP 2.1 §6.1.2 step 12: wait for user presence, and "regardless of whether user presence is
/// obtained or the authenticator times out", answer CTAP2_ERR_CREDENTIAL_EXCLUDED.
#[test]
fn an_excluded_credential_is_refused_whatever_the_touch() {
    for presence in [PresenceOutcome::Deny, PresenceOutcome::Timeout] {
        let (mut auth, _) = device(software_token());
        let registered = register(&mut auth, true);
        auth.reconfigure(with_presence(software_token(), presence));
        let exclude = Value::Array(vec![
            MapBuilder::new()
                .insert("id", Value::Bytes(registered.credential_id))
                .insert("type", "public-key")
                .build(),
        ]);
        let params = make_credential_params(true, |m| m.insert(5, exclude));
        assert_eq!(
            call(&mut auth, code::MAKE_CREDENTIAL, Some(params)),
            Err(StatusCode::CredentialExcluded),
            "{presence:?}"
        );
    }
}

/// A text `icon` (CTAP 2.0 platforms send it) is accepted; one of another type is
/// CTAP2_ERR_CBOR_UNEXPECTED_TYPE, in the rp and in the user entity.
#[test]
fn an_icon_must_be_text() {
    let (mut auth, _) = device(software_token());
    let with_rp_icon = |icon: Value| {
        make_credential_params(false, |m| {
            m.insert(2, MapBuilder::new().insert("id", RP).insert("icon", icon).build())
        })
    };
    assert!(
        call(&mut auth, code::MAKE_CREDENTIAL, Some(with_rp_icon(Value::Text("https://x/i.png".into()))))
            .is_ok()
    );
    assert_eq!(
        call(&mut auth, code::MAKE_CREDENTIAL, Some(with_rp_icon(Value::Integer(1.into())))),
        Err(StatusCode::CborUnexpectedType)
    );
    let user_icon = make_credential_params(false, |m| {
        m.insert(
            3,
            MapBuilder::new()
                .insert("id", Value::Bytes(vec![1]))
                .insert("icon", Value::Bytes(vec![2]))
                .build(),
        )
    });
    assert_eq!(call(&mut auth, code::MAKE_CREDENTIAL, Some(user_icon)), Err(StatusCode::CborUnexpectedType));
}

#[test]
fn a_discoverable_credential_replaces_the_same_users_older_one() {
    let (mut auth, _) = device(software_token());
    register(&mut auth, true);
    let second = register(&mut auth, true);
    assert_eq!(auth.state().resident.len(), 1);
    assert_eq!(auth.state().resident[0].credential_id, second.credential_id);
}

#[test]
fn a_full_key_store_is_reported() {
    let (mut auth, _) = device(Config { max_resident_credentials: 1, ..software_token() });
    register(&mut auth, true);
    let other_user = make_credential_params(true, |m| {
        m.insert(3, MapBuilder::new().insert("id", Value::Bytes(vec![9])).insert("name", "bob").build())
    });
    assert_eq!(call(&mut auth, code::MAKE_CREDENTIAL, Some(other_user)), Err(StatusCode::KeyStoreFull));
}

#[test]
fn a_failed_commit_loses_nothing_and_stores_nothing() {
    let store = MemoryStore::new();
    let mut auth =
        Authenticator::with_parts(software_token(), Box::new(store.clone()), Box::new(ManualClock::new()))
            .unwrap();
    register(&mut auth, true);
    let before = auth.state().clone();
    store.refuse_commits();
    let other_user = make_credential_params(true, |m| {
        m.insert(3, MapBuilder::new().insert("id", Value::Bytes(vec![9])).insert("name", "bob").build())
    });
    assert_eq!(call(&mut auth, code::MAKE_CREDENTIAL, Some(other_user)), Err(StatusCode::Other));
    assert_eq!(auth.state(), &before);
    assert_eq!(store.committed(), Some(before));
}

#[test]
fn a_store_that_cannot_save_the_initial_state_is_an_error() {
    let store = MemoryStore::new();
    store.refuse_commits();
    assert!(
        Authenticator::with_parts(software_token(), Box::new(store), Box::new(ManualClock::new())).is_err()
    );
}

#[test]
fn extensions_are_reported_in_authenticator_data() {
    let (mut auth, _) = device(Config { extensions: ExtensionSupport::ALL, ..software_token() });
    let extensions = MapBuilder::new()
        .insert("credProtect", 2)
        .insert("hmac-secret", true)
        .insert("credBlob", Value::Bytes(vec![7; 8]))
        .insert("uvm", true)
        .insert("unknownExtension", "ignored")
        .build();
    let response = call(
        &mut auth,
        code::MAKE_CREDENTIAL,
        Some(make_credential_params(false, |m| m.insert(6, extensions))),
    )
    .unwrap();
    let auth_data = field(&response, 2).as_bytes().unwrap();
    assert_ne!(flags_of(auth_data) & flags::ED, 0);
    let id_len = u16::from_be_bytes([auth_data[53], auth_data[54]]) as usize;
    let mut rest = &auth_data[55 + id_len..];
    let _key: Value = ciborium::de::from_reader(&mut rest).unwrap();
    let outputs: Value = ciborium::de::from_reader(&mut rest).unwrap();
    assert_eq!(text_field(&outputs, "credProtect"), Some(&Value::from(2)));
    assert_eq!(text_field(&outputs, "hmac-secret"), Some(&Value::from(true)));
    assert_eq!(text_field(&outputs, "credBlob"), Some(&Value::from(true)));
    let uvm = text_field(&outputs, "uvm").unwrap().as_array().unwrap();
    // Presence only, software keys, software matcher.
    assert_eq!(uvm[0], Value::Array(vec![Value::from(1), Value::from(1), Value::from(1)]));
    assert!(text_field(&outputs, "unknownExtension").is_none());
}

#[test]
fn unsupported_extensions_produce_no_output() {
    let (mut auth, _) = device(Config { extensions: ExtensionSupport::NONE, ..software_token() });
    let extensions = MapBuilder::new().insert("credProtect", 3).insert("uvm", true).build();
    let response = call(
        &mut auth,
        code::MAKE_CREDENTIAL,
        Some(make_credential_params(false, |m| m.insert(6, extensions))),
    )
    .unwrap();
    assert_eq!(flags_of(field(&response, 2).as_bytes().unwrap()) & flags::ED, 0);
}
