//! U2F and CTAP2 on one authenticator: key handles are credential IDs, counters are shared
//! (CTAP 2.1 §10), and the touch, the keys and the attestation are the configuration's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use p256::ecdsa::{Signature, VerifyingKey};

use crate::attestation::{self, AttestationRoot};
use crate::config::{AttestationKind, CounterMode, Generation};
use crate::ctap1::{StatusWord, USER_PRESENT};
use crate::ctap2::CtapDevice;
use crate::ctap2::rp_id_hash;
use crate::ctap2::test_support::*;

const CHALLENGE: [u8; 32] = [0x5C; 32];

fn extended(ins: u8, p1: u8, data: &[u8]) -> Vec<u8> {
    let lc = u16::try_from(data.len()).unwrap().to_be_bytes();
    [&[0x00, ins, p1, 0x00, 0x00, lc[0], lc[1]][..], data, &[0x00, 0x00]].concat()
}

fn send(auth: &mut Authenticator, apdu: &[u8]) -> (Vec<u8>, StatusWord) {
    let mut response = auth.process_apdu(apdu, &Signals::new());
    let status = response.split_off(response.len() - 2);
    (response, StatusWord::from_bytes([status[0], status[1]]).unwrap())
}

/// U2F_REGISTER for the application "example.com"; the whole answer.
fn u2f_register(auth: &mut Authenticator) -> (Vec<u8>, StatusWord) {
    send(auth, &extended(0x01, 0x00, &[CHALLENGE, rp_id_hash(RP)].concat()))
}

/// The public key and key handle of a successful registration.
fn u2f_registered(auth: &mut Authenticator) -> (VerifyingKey, Vec<u8>) {
    let (response, status) = u2f_register(auth);
    assert_eq!(status, StatusWord::NoError);
    let len = usize::from(response[66]);
    (VerifyingKey::from_sec1_bytes(&response[1..66]).unwrap(), response[67..67 + len].to_vec())
}

fn u2f_authenticate(
    auth: &mut Authenticator,
    mode: u8,
    application: &str,
    handle: &[u8],
) -> (Vec<u8>, StatusWord) {
    let data =
        [&CHALLENGE[..], &rp_id_hash(application), &[u8::try_from(handle.len()).unwrap()], handle].concat();
    send(auth, &extended(0x02, mode, &data))
}

/// Checks a U2F authentication response against `public_key`; its counter.
fn verified_counter(public_key: &VerifyingKey, response: &[u8]) -> u32 {
    let signed = [&rp_id_hash(RP)[..], &response[..5], &CHALLENGE].concat();
    public_key.verify(&signed, &Signature::from_der(&response[5..]).unwrap()).unwrap();
    u32::from_be_bytes(response[1..5].try_into().unwrap())
}

#[test]
fn a_u2f_key_handle_signs_a_ctap2_assertion_for_the_app_id() {
    let (mut auth, _) = device(software_token());
    let (public_key, handle) = u2f_registered(&mut auth);
    let response =
        call(&mut auth, code::GET_ASSERTION, Some(get_assertion_params(Some(&handle), |m| m))).unwrap();
    verify_assertion(&public_key, &response);
    assert_eq!(
        field(&response, 1),
        &Value::Map(vec![
            (Value::from("id"), Value::Bytes(handle.clone())),
            (Value::from("type"), Value::from("public-key")),
        ])
    );
    let auth_data = field(&response, 2).as_bytes().unwrap();
    assert_eq!(&auth_data[..32], &rp_id_hash(RP));
    // Another RP ID does not open it.
    let other = get_assertion_params(Some(&handle), |m| m.insert(1, "example.org"));
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(other)), Err(StatusCode::NoCredentials));
}

#[test]
fn a_ctap2_credential_signs_through_u2f_authenticate() {
    for rk in [false, true] {
        let (mut auth, _) = device(software_token());
        let registered = register(&mut auth, rk);
        let (response, status) = u2f_authenticate(&mut auth, 0x03, RP, &registered.credential_id);
        assert_eq!(status, StatusWord::NoError, "rk {rk}");
        assert_eq!(response[0], USER_PRESENT);
        verified_counter(&registered.public_key, &response);
        let (_, status) = u2f_authenticate(&mut auth, 0x03, "example.org", &registered.credential_id);
        assert_eq!(status, StatusWord::WrongData);
    }
}

#[test]
fn the_counter_is_shared_between_the_protocols() {
    let (mut auth, _) = device(software_token());
    assert_eq!(auth.config().counter, CounterMode::Global);
    let (public_key, handle) = u2f_registered(&mut auth);
    let first = verified_counter(&public_key, &u2f_authenticate(&mut auth, 0x03, RP, &handle).0);
    let response =
        call(&mut auth, code::GET_ASSERTION, Some(get_assertion_params(Some(&handle), |m| m))).unwrap();
    let second = counter_of(field(&response, 2).as_bytes().unwrap());
    let third = verified_counter(&public_key, &u2f_authenticate(&mut auth, 0x08, RP, &handle).0);
    assert_eq!((second, third), (first + 1, first + 2));
}

#[test]
fn per_credential_and_zero_counters_follow_the_counter_mode() {
    let (mut auth, _) = device(Config { counter: CounterMode::PerCredential, ..software_token() });
    let (public_key, handle) = u2f_registered(&mut auth);
    let (_, other) = u2f_registered(&mut auth);
    let counters: Vec<_> = [&handle, &other, &handle]
        .into_iter()
        .map(|h| u32::from_be_bytes(u2f_authenticate(&mut auth, 0x03, RP, h).0[1..5].try_into().unwrap()))
        .collect();
    assert_eq!(counters, [1, 1, 2]);
    let (mut auth, _) = device(Config { counter: CounterMode::Zero, ..software_token() });
    let (public_key_zero, handle) = u2f_registered(&mut auth);
    for _ in 0..2 {
        assert_eq!(verified_counter(&public_key_zero, &u2f_authenticate(&mut auth, 0x03, RP, &handle).0), 0);
    }
    let _ = public_key;
}

#[test]
fn credentials_u2f_cannot_use_are_wrong_data() {
    let (mut auth, _) = device(software_token());
    let eddsa = make_credential_params(false, |m| {
        m.insert(
            4,
            Value::Array(vec![MapBuilder::new().insert("alg", -8).insert("type", "public-key").build()]),
        )
    });
    let eddsa = registered_id(call(&mut auth, code::MAKE_CREDENTIAL, Some(eddsa)).unwrap());
    let uv_required =
        make_credential_params(false, |m| m.insert(6, MapBuilder::new().insert("credProtect", 3).build()));
    let uv_required = registered_id(call(&mut auth, code::MAKE_CREDENTIAL, Some(uv_required)).unwrap());
    for handle in [eddsa, uv_required] {
        for mode in [0x07, 0x03, 0x08] {
            assert_eq!(u2f_authenticate(&mut auth, mode, RP, &handle), (vec![], StatusWord::WrongData));
        }
    }
}

fn registered_id(response: Value) -> Vec<u8> {
    credential_id(&response)
}

#[test]
fn a_reset_orphans_u2f_key_handles() {
    let (mut auth, _) = device(software_token());
    let (_, handle) = u2f_registered(&mut auth);
    call(&mut auth, code::RESET, None).unwrap();
    assert_eq!(u2f_authenticate(&mut auth, 0x07, RP, &handle), (vec![], StatusWord::WrongData));
}

#[test]
fn check_only_never_asks_for_a_touch_and_leaves_the_counter() {
    let (mut auth, _) = device(with_presence(software_token(), PresenceOutcome::Deny));
    let registered = register_with_touch(&mut auth);
    let before = auth.state().global_counter;
    assert_eq!(
        u2f_authenticate(&mut auth, 0x07, RP, &registered),
        (vec![], StatusWord::ConditionsNotSatisfied)
    );
    assert_eq!(auth.state().global_counter, before);
}

/// A key handle registered while the user approves, then the configuration's user again.
fn register_with_touch(auth: &mut Authenticator) -> Vec<u8> {
    let config = auth.config().clone();
    auth.reconfigure(Config { presence: PresenceOutcome::Approve, ..config.clone() });
    let (_, handle) = u2f_registered(auth);
    auth.reconfigure(config);
    handle
}

#[test]
fn a_refused_or_missing_touch_is_conditions_not_satisfied_at_once() {
    for presence in [PresenceOutcome::Deny, PresenceOutcome::Timeout] {
        let config = Config { presence, presence_timeout: Duration::from_secs(30), ..software_token() };
        let (mut auth, _) = device(config);
        let handle = register_with_touch(&mut auth);
        let started = Instant::now();
        assert_eq!(u2f_register(&mut auth), (vec![], StatusWord::ConditionsNotSatisfied), "{presence:?}");
        let enforce = u2f_authenticate(&mut auth, 0x03, RP, &handle);
        assert_eq!(enforce, (vec![], StatusWord::ConditionsNotSatisfied), "{presence:?}");
        assert!(started.elapsed() < Duration::from_secs(5), "the token does not wait for the user");
        let (response, status) = u2f_authenticate(&mut auth, 0x08, RP, &handle);
        assert_eq!((response[0], status), (0, StatusWord::NoError), "no touch needed");
    }
}

#[test]
fn registration_is_attested_by_the_models_batch_certificate() {
    for (attestation, root) in [
        (AttestationKind::PackedBasic, AttestationRoot::Trusted),
        (AttestationKind::PackedSelf, AttestationRoot::Trusted),
        (AttestationKind::None, AttestationRoot::Trusted),
        (AttestationKind::PackedBasicUntrusted, AttestationRoot::Untrusted),
    ] {
        let config = Config { attestation, ..Profile::SecurityKey.config() };
        let identity = attestation::batch_identity(config.model(), root);
        let (mut auth, _) = device(config);
        let (response, _) = u2f_register(&mut auth);
        let len = usize::from(response[66]);
        let certificate = &response[67 + len..67 + len + identity.certificate_der.len()];
        assert_eq!(certificate, &identity.certificate_der[..], "{attestation:?}");
        let signature = Signature::from_der(&response[67 + len + identity.certificate_der.len()..]).unwrap();
        let signed =
            [&[0x00][..], &rp_id_hash(RP), &CHALLENGE, &response[67..67 + len], &response[1..66]].concat();
        identity.signing_key.verifying_key().verify(&signed, &signature).unwrap();
    }
}

#[test]
fn every_generation_speaks_u2f_and_only_u2f_keys_refuse_cbor() {
    for generation in Generation::ALL {
        let (mut auth, _) = device(Config { generation, ..software_token() });
        assert!(auth.supports_msg());
        assert_eq!(auth.supports_cbor(), generation != Generation::U2f, "{generation:?}");
        let version = auth.process_msg(&[0x00, 0x03, 0x00, 0x00], &Signals::new()).unwrap();
        assert_eq!(version, b"U2F_V2\x90\x00");
    }
}

#[test]
fn get_info_lists_u2f_v2() {
    let (mut auth, _) = device(software_token());
    let info = call(&mut auth, code::GET_INFO, None).unwrap();
    assert!(field(&info, 1).as_array().unwrap().contains(&Value::from("U2F_V2")));
}

#[test]
fn truncated_or_padded_apdus_never_panic_the_authenticator() {
    let (mut auth, _) = device(software_token());
    let (_, handle) = u2f_registered(&mut auth);
    let authenticate =
        [&CHALLENGE[..], &rp_id_hash(RP), &[u8::try_from(handle.len()).unwrap()], &handle].concat();
    let requests = [
        extended(0x01, 0x00, &[CHALLENGE, rp_id_hash(RP)].concat()),
        extended(0x02, 0x03, &authenticate),
        extended(0x02, 0x07, &authenticate),
        extended(0x03, 0x00, &[]),
    ];
    for full in requests {
        for len in 0..full.len() + 3 {
            let mut apdu = full[..len.min(full.len())].to_vec();
            apdu.resize(len, 0x00);
            let response = auth.process_apdu(&apdu, &Signals::new());
            let status = [response[response.len() - 2], response[response.len() - 1]];
            assert!(StatusWord::from_bytes(status).is_some(), "{apdu:02x?}");
        }
    }
}
