//! getInfo, reset, selection, the request parser and power cycles.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use ciborium::Value;

use crate::ctap2::test_support::*;

#[test]
fn get_info_describes_the_model() {
    let (mut auth, _) = device(Profile::SecurityKey.config());
    let info = call(&mut auth, code::GET_INFO, None).unwrap();
    assert_eq!(field(&info, 1), &Value::Array(vec![Value::from("FIDO_2_0"), Value::from("FIDO_2_1")]));
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
    for profile in Profile::ALL {
        let config = profile.config();
        let uv_capable = matches!(config.uv, UvCapability::Builtin { enrolled: true, .. });
        let (mut auth, _) = device(config);
        let options =
            MapBuilder::new().insert("rk", true).insert_opt("uv", uv_capable.then_some(true)).build();
        let pin_param = |auth: &mut Authenticator, permission| {
            (profile == Profile::SecurityKey).then(|| {
                let token = token(
                    auth,
                    crate::pin::protocol::PinUvAuthProtocol::Two,
                    Profile::SECURITY_KEY_PIN,
                    permission,
                    Some(RP),
                )
                .unwrap();
                Value::Bytes(crate::pin::protocol::authenticate_with_token(
                    crate::pin::protocol::PinUvAuthProtocol::Two,
                    &token,
                    &CDH,
                ))
            })
        };
        let mc = pin_param(&mut auth, crate::pin::token::Permissions::MAKE_CREDENTIAL);
        let protocol = mc.is_some().then_some(2);
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
