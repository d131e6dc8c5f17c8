//! authenticatorBioEnrollment.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{MAX_CAPTURE_SAMPLES_REQUIRED_FOR_ENROLL, MAX_FINGERPRINT_TEMPLATES, MAX_TEMPLATE_FRIENDLY_NAME};
use crate::config::Generation;
use crate::ctap2::generation::BIO_ENROLLMENT_PREVIEW;
use crate::ctap2::test_support::*;
use crate::pin::protocol::{PinUvAuthProtocol, authenticate_with_token};
use crate::pin::token::Permissions;
use crate::proto::auth_data::flags;
use crate::store::PersistentState;

const BE: u8 = code::BIO_ENROLLMENT;
const FINGERPRINT: u8 = 0x01;
const ENROLL_BEGIN: u8 = 0x01;
const CAPTURE_NEXT: u8 = 0x02;
const CANCEL: u8 = 0x03;
const ENUMERATE: u8 = 0x04;
const SET_NAME: u8 = 0x05;
const REMOVE: u8 = 0x06;
const SENSOR_INFO: u8 = 0x07;

/// A request signed with protocol two over `modality || subCommand || subCommandParams`.
fn signed(token: &[u8; 32], sub_command: u8, params: Option<Value>) -> Value {
    let mut message = vec![FINGERPRINT, sub_command];
    if let Some(params) = &params {
        message.extend_from_slice(&cbor::encode(params));
    }
    let param = authenticate_with_token(PinUvAuthProtocol::Two, token, &message);
    unsigned(sub_command, params).insert(4, 2).insert(5, Value::Bytes(param)).build()
}

fn unsigned(sub_command: u8, params: Option<Value>) -> MapBuilder {
    MapBuilder::new().insert(1, FINGERPRINT).insert(2, sub_command).insert_opt(3, params)
}

fn template_params(id: &[u8]) -> MapBuilder {
    MapBuilder::new().insert(1, Value::Bytes(id.to_vec()))
}

/// getPinUvAuthTokenUsingUvWithPermissions.
fn uv_token(auth: &mut Authenticator, permissions: Permissions) -> Result<[u8; 32], StatusCode> {
    let (key, shared) = platform(auth, PinUvAuthProtocol::Two);
    let request = MapBuilder::new()
        .insert(1, 2)
        .insert(2, 6)
        .insert(3, key)
        .insert(9, permissions.bits())
        .insert(0x0A, RP)
        .build();
    let response = call(auth, code::CLIENT_PIN, Some(request))?;
    Ok(shared.decrypt(field(&response, 2).as_bytes().unwrap()).unwrap().try_into().unwrap())
}

fn option(auth: &mut Authenticator, name: &str) -> Option<bool> {
    let info = call(auth, code::GET_INFO, None).unwrap();
    text_field(field(&info, 4), name).map(|value| value.as_bool().unwrap())
}

fn int(value: &Value, key: i64) -> i64 {
    i64::try_from(field(value, key).as_integer().unwrap()).unwrap()
}

/// Enrolls a finger without a token (an unprotected device) or with `token`; returns its ID.
fn enroll(auth: &mut Authenticator, token: Option<&[u8; 32]>) -> Vec<u8> {
    let request = |sub_command, params| match token {
        Some(token) => signed(token, sub_command, params),
        None => unsigned(sub_command, params).build(),
    };
    let begin = call(auth, BE, Some(request(ENROLL_BEGIN, None))).unwrap();
    let id = field(&begin, 4).as_bytes().unwrap().clone();
    let mut remaining = int(&begin, 6);
    while remaining > 0 {
        let sample = call(auth, BE, Some(request(CAPTURE_NEXT, Some(template_params(&id).build())))).unwrap();
        assert_eq!(int(&sample, 5), 0, "CTAP2_ENROLL_FEEDBACK_FP_GOOD");
        remaining = int(&sample, 6);
    }
    id
}

fn names(auth: &mut Authenticator, token: &[u8; 32]) -> Result<Vec<(Vec<u8>, String)>, StatusCode> {
    let list = call(auth, BE, Some(signed(token, ENUMERATE, None)))?;
    Ok(field(&list, 7)
        .as_array()
        .unwrap()
        .iter()
        .map(|info| {
            (field(info, 1).as_bytes().unwrap().clone(), field(info, 2).as_text().unwrap().to_owned())
        })
        .collect())
}

#[test]
fn only_fingerprint_models_have_the_command_and_the_option() {
    let face = Config {
        uv: UvCapability::Builtin { modality: Modality::Face, enrolled: true, outcome: VerifyOutcome::Match },
        ..Profile::Platform.config()
    };
    let (mut face_device, _) = device(face.clone());
    assert_eq!(
        uv_token(&mut face_device, Permissions::BIO_ENROLLMENT),
        Err(StatusCode::UnauthorizedPermission)
    );
    for config in [software_token(), unprovisioned(), face] {
        let (mut auth, _) = device(config);
        let get_modality = MapBuilder::new().insert(6, true).build();
        assert_eq!(call(&mut auth, BE, Some(get_modality)), Err(StatusCode::InvalidCommand));
        assert_eq!(option(&mut auth, "bioEnroll"), None);
        assert_eq!(option(&mut auth, "uvBioEnroll"), None);
    }
    let (mut auth, _) = device(fingerprint(true, VerifyOutcome::Match));
    assert_eq!(option(&mut auth, "bioEnroll"), Some(true));
    assert_eq!(option(&mut auth, "uvBioEnroll"), Some(true));
}

#[test]
fn modality_and_sensor_info_need_no_token() {
    let (mut auth, _) = device(fingerprint(true, VerifyOutcome::Match));
    let modality = call(&mut auth, BE, Some(MapBuilder::new().insert(6, true).build())).unwrap();
    assert_eq!(int(&modality, 1), 1);
    let info = call(&mut auth, BE, Some(unsigned(SENSOR_INFO, None).build())).unwrap();
    assert_eq!(int(&info, 2), 1, "touch sensor");
    assert_eq!(int(&info, 3), i64::from(MAX_CAPTURE_SAMPLES_REQUIRED_FOR_ENROLL));
    assert_eq!(int(&info, 8), MAX_TEMPLATE_FRIENDLY_NAME as i64);
    let other_modality = MapBuilder::new().insert(1, 2).insert(2, SENSOR_INFO).build();
    assert_eq!(call(&mut auth, BE, Some(other_modality)), Err(StatusCode::InvalidParameter));
    let no_modality = MapBuilder::new().insert(2, SENSOR_INFO).build();
    assert_eq!(call(&mut auth, BE, Some(no_modality)), Err(StatusCode::MissingParameter));
    assert_eq!(call(&mut auth, BE, Some(unsigned(0x08, None).build())), Err(StatusCode::InvalidSubcommand));
}

#[test]
fn a_first_finger_counts_down_and_is_committed_only_at_the_last_sample() {
    let (mut auth, _) = device(fingerprint(false, VerifyOutcome::Match));
    assert_eq!((option(&mut auth, "uv"), option(&mut auth, "bioEnroll")), (Some(false), Some(false)));
    assert_eq!(uv_token(&mut auth, Permissions::BIO_ENROLLMENT), Err(StatusCode::NotAllowed));
    let begin = call(&mut auth, BE, Some(unsigned(ENROLL_BEGIN, None).build())).unwrap();
    let id = field(&begin, 4).as_bytes().unwrap().clone();
    assert_eq!((int(&begin, 5), int(&begin, 6)), (0, 3));
    for expected in [2, 1] {
        let sample =
            call(&mut auth, BE, Some(unsigned(CAPTURE_NEXT, Some(template_params(&id).build())).build()));
        assert_eq!(int(&sample.unwrap(), 6), expected);
        assert_eq!(auth.state().fingerprint_templates, Some(vec![]), "nothing committed before the end");
        assert_eq!(option(&mut auth, "uv"), Some(false));
    }
    let last = call(&mut auth, BE, Some(unsigned(CAPTURE_NEXT, Some(template_params(&id).build())).build()));
    assert_eq!(int(&last.unwrap(), 6), 0);
    assert_eq!(auth.state().fingerprint_templates.as_ref().map(Vec::len), Some(1));
    assert_eq!((option(&mut auth, "uv"), option(&mut auth, "bioEnroll")), (Some(true), Some(true)));
    // Now protected: the next request needs a token with be.
    assert_eq!(call(&mut auth, BE, Some(unsigned(ENUMERATE, None).build())), Err(StatusCode::PuatRequired));
    let ga = uv_token(&mut auth, Permissions::GET_ASSERTION).unwrap();
    assert_eq!(names(&mut auth, &ga), Err(StatusCode::PinAuthInvalid));
    let be = uv_token(&mut auth, Permissions::BIO_ENROLLMENT).unwrap();
    assert_eq!(names(&mut auth, &be).unwrap(), vec![(id, String::new())]);
    // Built-in UV now works in a ceremony.
    let params = make_credential_params(false, |m| m.insert(7, MapBuilder::new().insert("uv", true).build()));
    let response = call(&mut auth, code::MAKE_CREDENTIAL, Some(params)).unwrap();
    assert_eq!(flags_of(field(&response, 2).as_bytes().unwrap()) & flags::UV, flags::UV);
}

#[test]
fn a_configured_finger_can_be_renamed_and_removed() {
    let (mut auth, _) = device(fingerprint(true, VerifyOutcome::Match));
    let be = uv_token(&mut auth, Permissions::BIO_ENROLLMENT).unwrap();
    assert_eq!(names(&mut auth, &be).unwrap(), vec![(vec![0, 1], String::new())]);
    let rename = |id: &[u8], name: &str| template_params(id).insert(2, name).build();
    assert!(call(&mut auth, BE, Some(signed(&be, SET_NAME, Some(rename(&[0, 1], "left index"))))).is_ok());
    assert_eq!(names(&mut auth, &be).unwrap(), vec![(vec![0, 1], "left index".to_owned())]);
    let long = "x".repeat(MAX_TEMPLATE_FRIENDLY_NAME + 1);
    assert_eq!(
        call(&mut auth, BE, Some(signed(&be, SET_NAME, Some(rename(&[0, 1], &long))))),
        Err(StatusCode::InvalidParameter)
    );
    let longest = "x".repeat(MAX_TEMPLATE_FRIENDLY_NAME);
    assert!(call(&mut auth, BE, Some(signed(&be, SET_NAME, Some(rename(&[0, 1], &longest))))).is_ok());
    assert_eq!(
        call(&mut auth, BE, Some(signed(&be, SET_NAME, Some(rename(&[0, 9], "right"))))),
        Err(StatusCode::InvalidOption)
    );
    let unknown = template_params(&[0, 9]).build();
    assert_eq!(call(&mut auth, BE, Some(signed(&be, REMOVE, Some(unknown)))), Err(StatusCode::InvalidOption));
    let missing = call(&mut auth, BE, Some(signed(&be, REMOVE, Some(MapBuilder::new().build()))));
    assert_eq!(missing, Err(StatusCode::MissingParameter));
    let known = template_params(&[0, 1]).build();
    assert!(call(&mut auth, BE, Some(signed(&be, REMOVE, Some(known)))).is_ok());
    // §6.7.6: no enrollment to list. The device was protected, so it still wants the token.
    assert_eq!(call(&mut auth, BE, Some(signed(&be, ENUMERATE, None))), Err(StatusCode::InvalidOption));
    assert_eq!(call(&mut auth, BE, Some(unsigned(ENUMERATE, None).build())), Err(StatusCode::PuatRequired));
    assert_eq!((option(&mut auth, "uv"), option(&mut auth, "bioEnroll")), (Some(false), Some(false)));
}

/// Credentials outlive their fingers: once a finger has been enrolled, removing the last one
/// does not open enrollment to anyone until authenticatorReset erases the credentials too.
#[test]
fn removing_the_last_finger_keeps_enrollment_protected_until_reset() {
    let (mut auth, _) = device(fingerprint(false, VerifyOutcome::Match));
    let first = enroll(&mut auth, None);
    assert!(auth.state().bio_protected);
    let be = uv_token(&mut auth, Permissions::BIO_ENROLLMENT).unwrap();
    assert!(call(&mut auth, BE, Some(signed(&be, REMOVE, Some(template_params(&first).build())))).is_ok());
    assert_eq!(auth.state().fingerprint_templates, Some(vec![]));
    assert_eq!(
        call(&mut auth, BE, Some(unsigned(ENROLL_BEGIN, None).build())),
        Err(StatusCode::PuatRequired)
    );
    assert_eq!(auth.volatile.pending_enrollment, None);
    // After a power cycle no token is left, and none can be had without a finger.
    auth.power_cycle();
    assert_eq!(uv_token(&mut auth, Permissions::BIO_ENROLLMENT), Err(StatusCode::NotAllowed));
    assert_eq!(
        call(&mut auth, BE, Some(unsigned(ENROLL_BEGIN, None).build())),
        Err(StatusCode::PuatRequired)
    );
    assert!(call(&mut auth, code::RESET, None).is_ok());
    assert!(!auth.state().bio_protected);
    assert_eq!(enroll(&mut auth, None), vec![0, 1]);
}

/// A device provisioned with a finger, or whose state predates the flag, counts as protected.
#[test]
fn a_configured_or_older_enrolled_state_is_protected() {
    let (auth, _) = device(fingerprint(true, VerifyOutcome::Match));
    assert!(auth.state().bio_protected);
    let (auth, _) = device(fingerprint(false, VerifyOutcome::Match));
    assert!(!auth.state().bio_protected);
    let mut json = serde_json::to_value(PersistentState::new()).unwrap();
    json.as_object_mut().unwrap().remove("bio_protected");
    let old: PersistentState = serde_json::from_value(json).unwrap();
    assert!(!old.bio_protected, "a state written before the flag loads");
    let enrolled = PersistentState {
        fingerprint_templates: Some(super::configured_templates(&fingerprint(true, VerifyOutcome::Match))),
        ..old
    };
    let config = fingerprint(false, VerifyOutcome::Match);
    let auth = Authenticator::new(config, crate::store::MemoryStore::with_state(enrolled)).unwrap();
    assert!(auth.state().bio_protected);
}

/// §6.7.4 to §6.7.8: the pinUvAuthParam is checked before the subCommandParams, so a protected
/// device answers a tokenless request with bad parameters CTAP2_ERR_PUAT_REQUIRED.
#[test]
fn the_token_is_checked_before_the_parameters() {
    let (mut auth, _) = device(fingerprint(true, VerifyOutcome::Match));
    let empty = || Some(MapBuilder::new().build());
    let bad_timeout = Some(MapBuilder::new().insert(3, "soon").build());
    let bad_name = Some(template_params(&[0, 1]).insert(2, 7).build());
    for (sub_command, params) in
        [(ENROLL_BEGIN, bad_timeout), (CAPTURE_NEXT, empty()), (SET_NAME, bad_name), (REMOVE, empty())]
    {
        let request = unsigned(sub_command, params).build();
        assert_eq!(call(&mut auth, BE, Some(request)), Err(StatusCode::PuatRequired), "{sub_command}");
    }
    let be = uv_token(&mut auth, Permissions::BIO_ENROLLMENT).unwrap();
    assert_eq!(call(&mut auth, BE, Some(signed(&be, REMOVE, empty()))), Err(StatusCode::MissingParameter));
    assert_eq!(
        call(&mut auth, BE, Some(signed(&be, CAPTURE_NEXT, empty()))),
        Err(StatusCode::MissingParameter)
    );
}

#[test]
fn a_second_finger_gets_a_new_id_and_the_database_fills_up() {
    let (mut auth, _) = device(fingerprint(true, VerifyOutcome::Match));
    let be = uv_token(&mut auth, Permissions::BIO_ENROLLMENT).unwrap();
    assert_eq!(enroll(&mut auth, Some(&be)), vec![0, 2]);
    for _ in 2..MAX_FINGERPRINT_TEMPLATES {
        enroll(&mut auth, Some(&be));
    }
    assert_eq!(names(&mut auth, &be).unwrap().len(), MAX_FINGERPRINT_TEMPLATES);
    assert_eq!(call(&mut auth, BE, Some(signed(&be, ENROLL_BEGIN, None))), Err(StatusCode::FpDatabaseFull));
}

#[test]
fn cancel_and_power_cycle_abandon_an_enrollment() {
    let (mut auth, _) = device(fingerprint(false, VerifyOutcome::Match));
    let begin = call(&mut auth, BE, Some(unsigned(ENROLL_BEGIN, None).build())).unwrap();
    let id = field(&begin, 4).as_bytes().unwrap().clone();
    let capture = || unsigned(CAPTURE_NEXT, Some(template_params(&id).build())).build();
    assert!(call(&mut auth, BE, Some(unsigned(CANCEL, None).build())).is_ok());
    assert_eq!(call(&mut auth, BE, Some(capture())), Err(StatusCode::InvalidOption));
    call(&mut auth, BE, Some(unsigned(ENROLL_BEGIN, None).build())).unwrap();
    auth.power_cycle();
    assert_eq!(call(&mut auth, BE, Some(capture())), Err(StatusCode::InvalidOption));
    let other = unsigned(CAPTURE_NEXT, Some(template_params(&[0, 7]).build())).build();
    assert_eq!(call(&mut auth, BE, Some(other)), Err(StatusCode::InvalidOption));
    assert_eq!(auth.state().fingerprint_templates, Some(vec![]));
}

#[test]
fn no_touch_is_a_sample_status_and_no_touch_in_time_a_timeout() {
    let (mut auth, _) =
        device(with_presence(fingerprint(false, VerifyOutcome::Match), PresenceOutcome::Deny));
    let begin = call(&mut auth, BE, Some(unsigned(ENROLL_BEGIN, None).build())).unwrap();
    assert_eq!((int(&begin, 5), int(&begin, 6)), (0x0D, 4), "CTAP2_ENROLL_FEEDBACK_NO_USER_ACTIVITY");
    let id = field(&begin, 4).as_bytes().unwrap().clone();
    let capture = || unsigned(CAPTURE_NEXT, Some(template_params(&id).build())).build();
    let sample = call(&mut auth, BE, Some(capture())).unwrap();
    assert_eq!((int(&sample, 5), int(&sample, 6)), (0x0D, 4));
    auth.reconfigure(with_presence(fingerprint(false, VerifyOutcome::Match), PresenceOutcome::Timeout));
    assert_eq!(call(&mut auth, BE, Some(capture())), Err(StatusCode::UserActionTimeout));
    // The enrollment is still in progress: the next touch counts.
    auth.reconfigure(fingerprint(false, VerifyOutcome::Match));
    let sample = call(&mut auth, BE, Some(capture())).unwrap();
    assert_eq!((int(&sample, 5), int(&sample, 6)), (0, 3));
}

#[test]
fn tokens_must_authenticate_the_modality_and_hold_be() {
    let (mut auth, _) = device(fingerprint(true, VerifyOutcome::Match));
    let be = uv_token(&mut auth, Permissions::BIO_ENROLLMENT).unwrap();
    // A param over the subcommand alone (credential management's message) is refused.
    let param = authenticate_with_token(PinUvAuthProtocol::Two, &be, &[ENUMERATE]);
    let request = unsigned(ENUMERATE, None).insert(4, 2).insert(5, Value::Bytes(param)).build();
    assert_eq!(call(&mut auth, BE, Some(request)), Err(StatusCode::PinAuthInvalid));
    let no_protocol = unsigned(ENUMERATE, None).insert(5, Value::Bytes(vec![0; 32])).build();
    assert_eq!(call(&mut auth, BE, Some(no_protocol)), Err(StatusCode::MissingParameter));
    // Cancel needs none.
    assert!(call(&mut auth, BE, Some(unsigned(CANCEL, None).build())).is_ok());
}

#[test]
fn reset_removes_the_templates() {
    let (mut auth, _) = device(fingerprint(true, VerifyOutcome::Match));
    assert!(call(&mut auth, code::RESET, None).is_ok());
    assert_eq!(auth.state().fingerprint_templates, Some(vec![]));
    assert_eq!((option(&mut auth, "uv"), option(&mut auth, "bioEnroll")), (Some(false), Some(false)));
}

#[test]
fn a_state_from_before_bio_enrollment_gets_the_configured_template() {
    let mut old = PersistentState { fingerprint_templates: None, ..PersistentState::new() };
    let config = fingerprint(true, VerifyOutcome::Match);
    let auth =
        Authenticator::new(config.clone(), crate::store::MemoryStore::with_state(old.clone())).unwrap();
    assert_eq!(auth.state().fingerprint_templates.as_ref().map(Vec::len), Some(1));
    // A state that says "none" keeps none, whatever the configuration says.
    old.fingerprint_templates = Some(Vec::new());
    let auth = Authenticator::new(config, crate::store::MemoryStore::with_state(old)).unwrap();
    assert_eq!(auth.state().fingerprint_templates, Some(vec![]));
}

/// getPinUvAuthTokenUsingUvWithPermissions with PIN protocol 1 (a 2.1-PRE key's only one).
fn uv_token_v1(auth: &mut Authenticator, permissions: Permissions) -> [u8; 32] {
    let (key, shared) = platform(auth, PinUvAuthProtocol::One);
    let request = MapBuilder::new()
        .insert(1, 1)
        .insert(2, 6)
        .insert(3, key)
        .insert(9, permissions.bits())
        .insert(0x0A, RP)
        .build();
    let response = call(auth, code::CLIENT_PIN, Some(request)).unwrap();
    shared.decrypt(field(&response, 2).as_bytes().unwrap()).unwrap().try_into().unwrap()
}

fn preview_enumerate(auth: &mut Authenticator, token: &[u8; 32]) -> Result<Value, StatusCode> {
    let param = authenticate_with_token(PinUvAuthProtocol::One, token, &[FINGERPRINT, ENUMERATE]);
    let request = unsigned(ENUMERATE, None).insert(4, 1).insert(5, Value::Bytes(param)).build();
    call(auth, BIO_ENROLLMENT_PREVIEW, Some(request))
}

#[test]
fn the_preview_answers_0x40_with_a_be_token() {
    let preview = Config { generation: Generation::Ctap21Pre, ..fingerprint(true, VerifyOutcome::Match) };
    let (mut auth, _) = device(preview);
    assert_eq!(option(&mut auth, "userVerificationMgmtPreview"), Some(true));
    assert_eq!((option(&mut auth, "bioEnroll"), option(&mut auth, "uvBioEnroll")), (None, None));
    let get_modality = MapBuilder::new().insert(6, true).build();
    assert_eq!(call(&mut auth, BE, Some(get_modality.clone())), Err(StatusCode::InvalidCommand));
    assert!(call(&mut auth, BIO_ENROLLMENT_PREVIEW, Some(get_modality.clone())).is_ok());
    // A token of 0x06 carries the permissions it was asked for: one limited to ga is refused.
    let ga = uv_token_v1(&mut auth, Permissions::GET_ASSERTION);
    assert_eq!(preview_enumerate(&mut auth, &ga), Err(StatusCode::PinAuthInvalid));
    let be = uv_token_v1(&mut auth, Permissions::BIO_ENROLLMENT);
    let list = preview_enumerate(&mut auth, &be).unwrap();
    assert_eq!(field(&list, 7).as_array().unwrap().len(), 1);
    // A makeCredential spends the token's permissions, be with them.
    let both = uv_token_v1(&mut auth, Permissions::BIO_ENROLLMENT | Permissions::MAKE_CREDENTIAL);
    assert!(preview_enumerate(&mut auth, &both).is_ok());
    let params = make_credential_params(false, |m| with_token(m, PinUvAuthProtocol::One, &both, 8));
    assert!(call(&mut auth, code::MAKE_CREDENTIAL, Some(params)).is_ok());
    assert_eq!(preview_enumerate(&mut auth, &both), Err(StatusCode::PinAuthInvalid));
    let (mut final_key, _) = device(fingerprint(true, VerifyOutcome::Match));
    assert_eq!(
        call(&mut final_key, BIO_ENROLLMENT_PREVIEW, Some(get_modality)),
        Err(StatusCode::InvalidCommand)
    );
}
