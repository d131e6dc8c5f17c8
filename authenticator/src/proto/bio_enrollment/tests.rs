#![allow(clippy::unwrap_used, clippy::panic)]

use super::*;
use crate::proto::Command;

fn parse(map: MapBuilder) -> Result<Command, StatusCode> {
    let mut request = vec![0x09];
    request.extend_from_slice(&cbor::encode(&map.build()));
    Command::parse(&request)
}

fn subcommand(command: Command) -> (Option<i64>, BioSubcommand, SubcommandAuth) {
    let Command::BioEnrollment(BioEnrollmentRequest::Subcommand { modality, command, auth }) = command else {
        panic!("not a bio enrollment subcommand")
    };
    (modality, command, auth)
}

#[test]
fn get_modality_wins_over_everything_else() {
    let command = parse(MapBuilder::new().insert(6, true).insert(2, 1)).unwrap();
    assert_eq!(command, Command::BioEnrollment(BioEnrollmentRequest::GetModality));
}

#[test]
fn the_message_is_modality_subcommand_and_parameters_as_sent() {
    let params = MapBuilder::new().insert(1, Value::Bytes(vec![0, 1])).insert(3, 10_000).build();
    let command = parse(
        MapBuilder::new()
            .insert(1, 1)
            .insert(2, 2)
            .insert(3, params.clone())
            .insert(4, 2)
            .insert(5, Value::Bytes(vec![9; 32])),
    )
    .unwrap();
    let (modality, command, auth) = subcommand(command);
    assert_eq!(modality, Some(1));
    assert_eq!(
        command,
        BioSubcommand::EnrollCaptureNextSample {
            params: Ok((TemplateId(vec![0, 1]), Some(Duration::from_millis(10_000))))
        }
    );
    assert_eq!(auth.param, Some(vec![9; 32]));
    assert_eq!(auth.message, [vec![1, 2], cbor::encode(&params)].concat());
}

#[test]
fn enroll_begin_without_parameters_authenticates_two_bytes() {
    let (_, command, auth) = subcommand(parse(MapBuilder::new().insert(1, 1).insert(2, 1)).unwrap());
    assert_eq!(command, BioSubcommand::EnrollBegin { timeout: Ok(None) });
    assert_eq!(auth.message, vec![1, 1]);
}

#[test]
fn parameter_errors_wait_for_the_handler() {
    let (_, command, _) = subcommand(parse(MapBuilder::new().insert(1, 1).insert(2, 6)).unwrap());
    assert_eq!(command, BioSubcommand::RemoveEnrollment { template_id: Err(StatusCode::MissingParameter) });
    let name = MapBuilder::new().insert(1, Value::Bytes(vec![1])).insert(2, 7).build();
    let (_, command, _) =
        subcommand(parse(MapBuilder::new().insert(1, 1).insert(2, 5).insert(3, name)).unwrap());
    assert_eq!(command, BioSubcommand::SetFriendlyName { params: Err(StatusCode::CborUnexpectedType) });
    let negative = MapBuilder::new().insert(3, -1).build();
    let (_, command, _) =
        subcommand(parse(MapBuilder::new().insert(1, 1).insert(2, 1).insert(3, negative)).unwrap());
    assert_eq!(command, BioSubcommand::EnrollBegin { timeout: Err(StatusCode::InvalidParameter) });
}

#[test]
fn malformed_envelopes_are_refused_while_parsing() {
    assert_eq!(parse(MapBuilder::new().insert(1, 1)), Err(StatusCode::MissingParameter));
    assert_eq!(parse(MapBuilder::new().insert(1, "one").insert(2, 1)), Err(StatusCode::CborUnexpectedType));
    assert_eq!(
        parse(MapBuilder::new().insert(1, 1).insert(2, 4).insert(3, 5)),
        Err(StatusCode::CborUnexpectedType)
    );
    assert_eq!(parse(MapBuilder::new().insert(6, 1)), Err(StatusCode::CborUnexpectedType));
    let (_, command, _) = subcommand(parse(MapBuilder::new().insert(1, 1).insert(2, 9)).unwrap());
    assert_eq!(command, BioSubcommand::Unsupported(9));
}

#[test]
fn responses_use_the_member_numbers_of_section_6_7() {
    let begin = BioEnrollmentResponse::EnrollBegin {
        template_id: TemplateId(vec![0, 2]),
        status: LastEnrollSampleStatus::Good,
        remaining_samples: 3,
    };
    assert_eq!(cbor::encode(&begin.to_value()), [0xA3, 0x04, 0x42, 0x00, 0x02, 0x05, 0x00, 0x06, 0x03]);
    let sample = BioEnrollmentResponse::Sample {
        status: LastEnrollSampleStatus::NoUserActivity,
        remaining_samples: 2,
    };
    assert_eq!(cbor::encode(&sample.to_value()), [0xA2, 0x05, 0x0D, 0x06, 0x02]);
    let info = BioEnrollmentResponse::SensorInfo {
        modality: BioModality::Fingerprint,
        fingerprint_kind: FingerprintKind::Touch,
        max_capture_samples: 4,
        max_template_friendly_name: 64,
    };
    assert_eq!(cbor::encode(&info.to_value()), [0xA4, 0x01, 0x01, 0x02, 0x01, 0x03, 0x04, 0x08, 0x18, 0x40]);
    let list = BioEnrollmentResponse::Enrollments(vec![TemplateInfo {
        template_id: TemplateId(vec![0, 1]),
        friendly_name: "left".into(),
    }]);
    assert_eq!(
        cbor::encode(&list.to_value()),
        [0xA1, 0x07, 0x81, 0xA2, 0x01, 0x42, 0x00, 0x01, 0x02, 0x64, b'l', b'e', b'f', b't']
    );
}

#[test]
fn every_feedback_value_has_its_number() {
    use LastEnrollSampleStatus as S;
    let all = [
        S::Good,
        S::TooHigh,
        S::TooLow,
        S::TooLeft,
        S::TooRight,
        S::TooFast,
        S::TooSlow,
        S::PoorQuality,
        S::TooSkewed,
        S::TooShort,
        S::MergeFailure,
        S::Exists,
        S::NoUserActivity,
        S::NoUserPresenceTransition,
    ];
    let ids: Vec<u8> = all.iter().map(|s| s.id()).collect();
    assert_eq!(ids, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14]);
    assert_eq!(BioModality::from_id(1), Some(BioModality::Fingerprint));
    assert_eq!(BioModality::from_id(2), None);
}
