//! getInfo, reset, selection, the request parser and power cycles.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use ciborium::Value;

use crate::ctap2::test_support::*;
use crate::pin::protocol::{PinUvAuthProtocol, authenticate_with_token};
use crate::pin::token::Permissions;

#[test]
fn get_info_describes_the_model() {
    let (mut auth, _) = device(Profile::SecurityKey.config());
    let info = call(&mut auth, code::GET_INFO, None).unwrap();
    assert_eq!(
        field(&info, 1),
        &Value::Array(vec![Value::from("U2F_V2"), Value::from("FIDO_2_0"), Value::from("FIDO_2_1")])
    );
    assert_eq!(field(&info, 3), &Value::Bytes(crate::attestation::aaguid(auth.config().model()).to_vec()));
    let options = field(&info, 4);
    assert_eq!(text_field(options, "rk"), Some(&Value::from(true)));
    assert_eq!(text_field(options, "clientPin"), Some(&Value::from(true)), "the profile has a PIN");
    assert!(text_field(options, "uv").is_none());

    let (mut platform, _) = device(fingerprint(true, VerifyOutcome::Match));
    let info = call(&mut platform, code::GET_INFO, None).unwrap();
    assert_eq!(text_field(field(&info, 4), "uv"), Some(&Value::from(true)));
    assert!(text_field(field(&info, 4), "clientPin").is_none());
    let (mut unenrolled, _) = device(fingerprint(false, VerifyOutcome::Match));
    let info = call(&mut unenrolled, code::GET_INFO, None).unwrap();
    assert_eq!(text_field(field(&info, 4), "uv"), Some(&Value::from(false)));
}

/// getInfo's extensions in CTAP2 canonical order (shorter first, then bytewise, CTAP 2.1 §8):
/// strict clients check every array of the response against it.
#[test]
fn get_info_lists_extensions_in_canonical_order() {
    let config = Config { extensions: crate::config::ExtensionSupport::ALL, ..Profile::SecurityKey.config() };
    let (mut auth, _) = device(config);
    let info = call(&mut auth, code::GET_INFO, None).unwrap();
    let names: Vec<&str> = field(&info, 2).as_array().unwrap().iter().map(|v| v.as_text().unwrap()).collect();
    assert_eq!(names, ["uvm", "credBlob", "credProtect", "hmac-secret", "largeBlobKey", "minPinLength"]);
}

#[test]
fn malformed_requests_get_their_status_codes() {
    let (mut auth, _) = device(software_token());
    let signals = Signals::new();
    assert_eq!(auth.process(&[], &signals), vec![StatusCode::InvalidLength.byte()]);
    assert_eq!(auth.process(&[0x55], &signals), vec![StatusCode::InvalidCommand.byte()]);
    assert_eq!(auth.process(&[code::GET_INFO, 0xa0], &signals), vec![StatusCode::InvalidLength.byte()]);
    // Truncated, non-canonical, and non-map parameters.
    assert_eq!(
        auth.process(&[code::MAKE_CREDENTIAL, 0xa5, 0x01], &signals),
        vec![StatusCode::InvalidCbor.byte()]
    );
    assert_eq!(
        auth.process(&[code::GET_ASSERTION, 0xa1, 0x18, 0x01, 0x01], &signals),
        vec![StatusCode::InvalidCbor.byte()]
    );
    assert_eq!(
        auth.process(&[code::GET_ASSERTION, 0x81, 0x01], &signals),
        vec![StatusCode::CborUnexpectedType.byte()]
    );
}

#[test]
fn random_input_never_panics() {
    let (mut auth, _) = device(software_token());
    let signals = Signals::new();
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for round in 0..5000 {
        let len = round % 97;
        let mut request = Vec::with_capacity(len + 1);
        request
            .push([code::MAKE_CREDENTIAL, code::GET_ASSERTION, code::CLIENT_PIN, code::GET_INFO][round % 4]);
        for _ in 0..len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            request.push(seed as u8);
        }
        let response = auth.process(&request, &signals);
        assert!(!response.is_empty());
    }
}

#[test]
fn reset_needs_presence_and_the_power_up_window() {
    let (mut auth, clock) = device(software_token());
    register(&mut auth, true);
    clock.advance(Duration::from_secs(11));
    assert_eq!(call(&mut auth, code::RESET, None), Err(StatusCode::NotAllowed));
    auth.power_cycle();
    auth.reconfigure(with_presence(software_token(), PresenceOutcome::Deny));
    assert_eq!(call(&mut auth, code::RESET, None), Err(StatusCode::OperationDenied));
    assert_eq!(auth.state().resident.len(), 1);
    auth.reconfigure(with_presence(software_token(), PresenceOutcome::Timeout));
    assert_eq!(call(&mut auth, code::RESET, None), Err(StatusCode::UserActionTimeout));
    auth.reconfigure(software_token());
    let master_before = auth.state().master_key;
    assert_eq!(call(&mut auth, code::RESET, None), Ok(Value::Null));
    assert!(auth.state().resident.is_empty());
    assert_ne!(auth.state().master_key, master_before);
}

#[test]
fn reset_window_can_be_disabled() {
    let (mut auth, clock) = device(Config { reset_window: None, ..software_token() });
    clock.advance(Duration::from_secs(3600));
    assert_eq!(call(&mut auth, code::RESET, None), Ok(Value::Null));
}

#[test]
fn reset_orphans_every_credential() {
    let (mut auth, _) = device(software_token());
    let registered = register(&mut auth, false);
    call(&mut auth, code::RESET, None).unwrap();
    let request = get_assertion_params(Some(&registered.credential_id), |m| m);
    assert_eq!(call(&mut auth, code::GET_ASSERTION, Some(request)), Err(StatusCode::NoCredentials));
}

#[test]
fn selection_asks_for_presence() {
    let (mut auth, _) = device(software_token());
    assert_eq!(call(&mut auth, code::SELECTION, None), Ok(Value::Null));
    auth.reconfigure(with_presence(software_token(), PresenceOutcome::Deny));
    assert_eq!(call(&mut auth, code::SELECTION, None), Err(StatusCode::OperationDenied));
    auth.reconfigure(with_presence(software_token(), PresenceOutcome::Timeout));
    assert_eq!(call(&mut auth, code::SELECTION, None), Err(StatusCode::UserActionTimeout));
}

#[test]
fn a_cancelled_request_answers_keepalive_cancel() {
    let (mut auth, _) = device(Config {
        presence_timeout: Duration::from_secs(30),
        ..with_presence(software_token(), PresenceOutcome::Timeout)
    });
    let signals = Signals::new();
    signals.cancel();
    let request = [code::SELECTION];
    assert_eq!(auth.process(&request, &signals), vec![StatusCode::KeepaliveCancel.byte()]);
}

#[test]
fn every_profile_registers_and_signs_in() {
    use crate::config::Generation;
    use crate::pin::protocol::PinUvAuthProtocol;
    for profile in Profile::ALL {
        let config = profile.config();
        let generation = config.generation;
        let uv_capable = matches!(config.uv, UvCapability::Builtin { enrolled: true, .. });
        let has_pin = config.pin.is_some();
        let (mut auth, _) = device(config);
        if !generation.speaks_ctap2() {
            // A U2F key registers and signs in through U2F (ctap2/u2f/tests.rs).
            assert_eq!(call(&mut auth, code::GET_INFO, None), Err(StatusCode::InvalidCommand));
            continue;
        }
        let options =
            MapBuilder::new().insert("rk", true).insert_opt("uv", uv_capable.then_some(true)).build();
        // Tokens with permissions and protocol 2 on a 2.1 key; getPinToken and protocol 1 before.
        let protocol =
            if generation == Generation::Ctap21 { PinUvAuthProtocol::Two } else { PinUvAuthProtocol::One };
        let pin_param = |auth: &mut Authenticator, permission| {
            has_pin.then(|| {
                let token = if generation == Generation::Ctap21 {
                    token(auth, protocol, Profile::SECURITY_KEY_PIN, permission, Some(RP)).unwrap()
                } else {
                    pin_token_v1(auth, Profile::SECURITY_KEY_PIN)
                };
                Value::Bytes(crate::pin::protocol::authenticate_with_token(protocol, &token, &CDH))
            })
        };
        let mc = pin_param(&mut auth, crate::pin::token::Permissions::MAKE_CREDENTIAL);
        let protocol = mc.is_some().then_some(protocol.id());
        let params =
            make_credential_params(true, |m| m.insert(7, options).insert_opt(8, mc).insert_opt(9, protocol));
        let response = call(&mut auth, code::MAKE_CREDENTIAL, Some(params)).unwrap();
        assert!(has_field(&response, 3), "{profile:?}");
        let ga_options = MapBuilder::new().insert_opt("uv", uv_capable.then_some(true)).build();
        let ga = pin_param(&mut auth, crate::pin::token::Permissions::GET_ASSERTION);
        let request =
            get_assertion_params(None, |m| m.insert(5, ga_options).insert_opt(6, ga).insert_opt(7, protocol));
        let assertion = call(&mut auth, code::GET_ASSERTION, Some(request)).unwrap();
        let verified = field(&assertion, 2).as_bytes().unwrap()[32] & 0x04 != 0;
        assert_eq!(
            verified,
            profile != Profile::SoftwareToken,
            "{profile:?}: only the software token cannot verify"
        );
    }
}

/// The raw answer to `command` with `params`: status byte and canonical CBOR, as on the wire.
/// A cloned device holds the same credentials and counters; from then on each one's counters
/// advance on their own.
#[test]
fn a_cloned_device_signs_with_the_same_credentials_and_counts_on_its_own() {
    let config = Config { counter: crate::config::CounterMode::PerCredential, ..software_token() };
    let (mut original, _) = device(config);
    let registered = register(&mut original, true);
    let assert_count = |auth: &mut Authenticator| {
        let params = get_assertion_params(Some(&registered.credential_id), |m| m);
        let response = call(auth, code::GET_ASSERTION, Some(params)).unwrap();
        verify_assertion(&registered.public_key, &response);
        counter_of(field(&response, 2).as_bytes().unwrap())
    };
    assert_eq!(assert_count(&mut original), 1);
    let mut clone = original.clone_device();
    assert_eq!(clone.config(), original.config());
    assert_eq!(clone.state().resident, original.state().resident);
    assert_eq!([assert_count(&mut original), assert_count(&mut original)], [2, 3]);
    assert_eq!(assert_count(&mut clone), 2, "the clone continues from the counter it was copied with");
    // Discoverable: the clone finds the credential without an allowList.
    let discoverable =
        call(&mut clone, code::GET_ASSERTION, Some(get_assertion_params(None, |m| m))).unwrap();
    verify_assertion(&registered.public_key, &discoverable);
}

/// BE is not pinned per credential: a device reconfigured with other backup flags reports them
/// for a credential registered before.
#[test]
fn backup_eligibility_follows_the_configuration_not_the_registration() {
    use crate::config::BackupFlags;
    use crate::proto::auth_data::flags;
    let (mut auth, _) = device(software_token());
    let registered = register(&mut auth, false);
    assert_eq!(flags_of(&registered.auth_data) & (flags::BE | flags::BS), 0);
    auth.reconfigure(Config { backup: BackupFlags { eligible: true, state: true }, ..software_token() });
    let params = get_assertion_params(Some(&registered.credential_id), |m| m);
    let response = call(&mut auth, code::GET_ASSERTION, Some(params)).unwrap();
    verify_assertion(&registered.public_key, &response);
    assert_eq!(
        flags_of(field(&response, 2).as_bytes().unwrap()) & (flags::BE | flags::BS),
        flags::BE | flags::BS
    );
}

fn raw(auth: &mut Authenticator, command: u8, params: Option<Value>) -> Vec<u8> {
    let mut request = vec![command];
    if let Some(params) = params {
        request.extend_from_slice(&cbor::encode(&params));
    }
    auth.process(&request, &Signals::new())
}

/// Hex pieces and byte pieces, concatenated.
fn wire(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

fn bytes_of(value: &Value) -> &[u8] {
    value.as_bytes().unwrap()
}

#[test]
fn wire_bytes_of_get_info() {
    let (mut auth, _) = device(software_token());
    let expected = hex("00 ae 01 83 66 5532465f5632 68 4649444f5f325f30 68 4649444f5f325f31 \
         02 85 63 75766d 68 63726564426c6f62 6b 6372656450726f74656374 6b 686d61632d736563726574 \
         6c 6c61726765426c6f624b6579 \
         03 50");
    let response = raw(&mut auth, code::GET_INFO, None);
    assert_eq!(response[..expected.len()], expected[..]);
    let aaguid = &response[expected.len()..expected.len() + 16];
    let rest = hex("04 a4 62 726b f5 62 7570 f5 64 706c6174 f4 6a 6c61726765426c6f6273 f5 \
         05 19 1db9 06 82 02 01 07 10 08 19 0100 09 81 63 757362 \
         0a 82 a2 63 616c67 26 64 74797065 6a 7075626c69632d6b6579 \
         a2 63 616c67 27 64 74797065 6a 7075626c69632d6b6579 \
         0b 19 4000 0e 01 0f 18 20 14 18 64");
    assert_eq!(response, wire(&[&expected, aaguid, &rest]));
}

#[test]
fn wire_bytes_of_make_credential_and_get_assertion() {
    let (mut auth, _) = device(software_token());
    let response = raw(&mut auth, code::MAKE_CREDENTIAL, Some(make_credential_params(true, |m| m)));
    let body = decode_response(&response).unwrap();
    let auth_data = bytes_of(field(&body, 2));
    let statement = field(&body, 3);
    let sig = bytes_of(text_field(statement, "sig").unwrap());
    let expected = wire(&[
        &hex("00 a3 01 66 7061636b6564 02 58"),
        &[u8::try_from(auth_data.len()).unwrap()],
        auth_data,
        &hex("03 a2 63 616c67 26 63 736967 58"),
        &[u8::try_from(sig.len()).unwrap()],
        sig,
    ]);
    assert_eq!(response, expected);

    let response = raw(&mut auth, code::GET_ASSERTION, Some(get_assertion_params(None, |m| m)));
    let body = decode_response(&response).unwrap();
    let credential_id = bytes_of(text_field(field(&body, 1), "id").unwrap());
    let auth_data = bytes_of(field(&body, 2));
    let signature = bytes_of(field(&body, 3));
    let expected = wire(&[
        &hex("00 a4 01 a2 62 6964 58"),
        &[u8::try_from(credential_id.len()).unwrap()],
        credential_id,
        &hex("64 74797065 6a 7075626c69632d6b6579 02 58"),
        &[u8::try_from(auth_data.len()).unwrap()],
        auth_data,
        &hex("03 58"),
        &[u8::try_from(signature.len()).unwrap()],
        signature,
        &hex("04 a1 62 6964 43 010203"),
    ]);
    assert_eq!(response, expected);
}

#[test]
fn wire_bytes_of_client_pin() {
    let (mut auth, _) = security_key();
    set_pin(&mut auth, PinUvAuthProtocol::Two, "1234").unwrap();
    let retries = MapBuilder::new().insert(1, 2).insert(2, 1).build();
    assert_eq!(raw(&mut auth, code::CLIENT_PIN, Some(retries)), hex("00 a2 03 08 04 f4"));

    let response =
        raw(&mut auth, code::CLIENT_PIN, Some(MapBuilder::new().insert(1, 2).insert(2, 2).build()));
    let body = decode_response(&response).unwrap();
    let key = field(&body, 1);
    let expected = wire(&[
        &hex("00 a1 01 a5 01 02 03 38 18 20 01 21 58 20"),
        bytes_of(field(key, -2)),
        &hex("22 58 20"),
        bytes_of(field(key, -3)),
    ]);
    assert_eq!(response, expected);

    let (key, shared) = platform(&mut auth, PinUvAuthProtocol::Two);
    let pin_hash_enc = shared.encrypt(&crate::pin::policy::pin_hash(b"1234")).unwrap();
    let request = MapBuilder::new()
        .insert(1, 2)
        .insert(2, 9)
        .insert(3, key)
        .insert(6, Value::Bytes(pin_hash_enc))
        .insert(9, 4)
        .build();
    let response = raw(&mut auth, code::CLIENT_PIN, Some(request));
    let encrypted = bytes_of(field(&decode_response(&response).unwrap(), 2)).to_vec();
    assert_eq!(response, wire(&[&hex("00 a1 02 58 30"), &encrypted]));

    let (mut builtin, _) = device(fingerprint(true, VerifyOutcome::Match));
    let uv_retries = MapBuilder::new().insert(1, 2).insert(2, 7).build();
    assert_eq!(raw(&mut builtin, code::CLIENT_PIN, Some(uv_retries)), hex("00 a1 05 05"));
}

/// A credential management request under `token` (CTAP 2.1 §6.8.2).
fn cm(token: &[u8; 32], sub_command: u8, params: Option<Value>) -> Value {
    signed_request(&[], token, sub_command, params)
}

#[test]
fn wire_bytes_of_credential_management_and_config() {
    let (mut auth, _) = security_key();
    set_pin(&mut auth, PinUvAuthProtocol::Two, "1234").unwrap();
    let mc =
        token(&mut auth, PinUvAuthProtocol::Two, "1234", Permissions::MAKE_CREDENTIAL, Some(RP)).unwrap();
    let param = authenticate_with_token(PinUvAuthProtocol::Two, &mc, &CDH);
    let params = make_credential_params(true, |m| m.insert(8, Value::Bytes(param)).insert(9, 2));
    call(&mut auth, code::MAKE_CREDENTIAL, Some(params)).unwrap();
    let cm_token =
        token(&mut auth, PinUvAuthProtocol::Two, "1234", Permissions::CREDENTIAL_MANAGEMENT, None).unwrap();
    let command = code::CREDENTIAL_MANAGEMENT;

    let metadata = raw(&mut auth, command, Some(cm(&cm_token, 1, None)));
    assert_eq!(metadata, hex("00 a2 01 01 02 18 63"));

    let rp_hash = crate::ctap2::rp_id_hash(RP);
    let rps = raw(&mut auth, command, Some(cm(&cm_token, 2, None)));
    let expected = wire(&[
        &hex("00 a3 03 a2 62 6964 6b 6578616d706c652e636f6d 64 6e616d65 67 4578616d706c65 04 58 20"),
        &rp_hash,
        &hex("05 01"),
    ]);
    assert_eq!(rps, expected);

    let hash_params = MapBuilder::new().insert(1, Value::Bytes(rp_hash.to_vec())).build();
    let credentials = raw(&mut auth, command, Some(cm(&cm_token, 4, Some(hash_params))));
    let body = decode_response(&credentials).unwrap();
    let credential_id = bytes_of(text_field(field(&body, 7), "id").unwrap());
    let public_key = cbor::encode(field(&body, 8));
    let expected = wire(&[
        &hex(
            "00 a5 06 a3 62 6964 43 010203 64 6e616d65 65 616c696365 6b 646973706c61794e616d65 65 416c696365",
        ),
        &hex("07 a2 62 6964 58"),
        &[u8::try_from(credential_id.len()).unwrap()],
        credential_id,
        &hex("64 74797065 6a 7075626c69632d6b6579 08"),
        &public_key,
        &hex("09 01 0a 01"),
    ]);
    assert_eq!(credentials, expected);

    let acfg =
        token(&mut auth, PinUvAuthProtocol::Two, "1234", Permissions::AUTHENTICATOR_CONFIG, None).unwrap();
    let mut message = vec![0xFF; 32];
    message.extend_from_slice(&[0x0D, 0x02]);
    let param = authenticate_with_token(PinUvAuthProtocol::Two, &acfg, &message);
    let toggle = MapBuilder::new().insert(1, 2).insert(3, 2).insert(4, Value::Bytes(param)).build();
    assert_eq!(raw(&mut auth, code::CONFIG, Some(toggle)), hex("00"));
}
