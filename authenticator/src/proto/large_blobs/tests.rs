#![allow(clippy::unwrap_used)]

use ciborium::Value;

use super::*;
use crate::proto::cbor::{self, MapBuilder};
use crate::proto::{Command, PinUvAuthProtocol};

fn parse(map: MapBuilder) -> Result<Command, StatusCode> {
    let mut request = vec![0x0C];
    request.extend_from_slice(&cbor::encode(&map.build()));
    Command::parse(&request)
}

#[test]
fn a_read_is_count_and_offset() {
    let command = parse(MapBuilder::new().insert(1, 100).insert(3, 5)).unwrap();
    assert_eq!(command, Command::LargeBlobs(LargeBlobsRequest::Get { count: 100, offset: 5 }));
}

#[test]
fn a_write_carries_its_fragment_length_and_auth_message() {
    let command = parse(
        MapBuilder::new()
            .insert(2, Value::Bytes(vec![1, 2, 3]))
            .insert(3, 0)
            .insert(4, 20)
            .insert(5, Value::Bytes(vec![9; 16]))
            .insert(6, 1),
    )
    .unwrap();
    let Command::LargeBlobs(LargeBlobsRequest::Set(fragment)) = command else { panic!("not a write") };
    assert_eq!(fragment.data, [1, 2, 3]);
    assert_eq!(fragment.length, Some(20));
    assert_eq!(fragment.auth.param, Some(vec![9; 16]));
    assert_eq!(fragment.auth.protocol, Some(PinUvAuthProtocol::One.into()));
    assert_eq!(fragment.auth.message, write_message(0, &[1, 2, 3]));
}

#[test]
fn the_write_message_is_ff_padding_command_offset_and_digest() {
    let message = write_message(0x0102_0304, b"abc");
    assert_eq!(&message[..32], &[0xff; 32]);
    assert_eq!(&message[32..34], &[0x0c, 0x00]);
    assert_eq!(&message[34..38], &[0x04, 0x03, 0x02, 0x01]);
    assert_eq!(&message[38..], Sha256::digest(b"abc").as_slice());
}

#[test]
fn neither_or_both_of_get_and_set_is_invalid_parameter() {
    assert_eq!(parse(MapBuilder::new().insert(3, 0)), Err(StatusCode::InvalidParameter));
    let both = MapBuilder::new().insert(1, 1).insert(2, Value::Bytes(vec![1])).insert(3, 0);
    assert_eq!(parse(both), Err(StatusCode::InvalidParameter));
}

#[test]
fn a_read_with_length_or_pin_uv_auth_is_invalid_parameter() {
    let read = || MapBuilder::new().insert(1, 1).insert(3, 0);
    assert_eq!(parse(read().insert(4, 17)), Err(StatusCode::InvalidParameter));
    assert_eq!(parse(read().insert(5, Value::Bytes(vec![0; 16]))), Err(StatusCode::InvalidParameter));
    assert_eq!(parse(read().insert(6, 2)), Err(StatusCode::InvalidParameter));
}

#[test]
fn offset_is_required_and_typed() {
    assert_eq!(parse(MapBuilder::new().insert(1, 1)), Err(StatusCode::MissingParameter));
    assert_eq!(parse(MapBuilder::new().insert(1, 1).insert(3, "0")), Err(StatusCode::CborUnexpectedType));
    assert_eq!(parse(MapBuilder::new().insert(1, 1).insert(3, -1)), Err(StatusCode::InvalidParameter));
    assert_eq!(parse(MapBuilder::new().insert(1, -5).insert(3, 0)), Err(StatusCode::InvalidParameter));
    let text_set = MapBuilder::new().insert(2, "x").insert(3, 0);
    assert_eq!(parse(text_set), Err(StatusCode::CborUnexpectedType));
}

#[test]
fn no_parameters_is_missing_parameter() {
    assert_eq!(Command::parse(&[0x0C]), Err(StatusCode::MissingParameter));
}
