#![allow(clippy::unwrap_used)]

use ciborium::Value;

use super::*;
use crate::proto::Command;
use crate::proto::cbor::{self, MapBuilder};

fn parse(map: MapBuilder) -> Result<Command, StatusCode> {
    let mut request = vec![0x0A];
    request.extend_from_slice(&cbor::encode(&map.build()));
    Command::parse(&request)
}

#[test]
fn the_message_is_the_subcommand_and_its_parameters_as_sent() {
    let params = MapBuilder::new().insert(1, Value::Bytes(vec![7; 32])).build();
    let command = parse(
        MapBuilder::new()
            .insert(1, 4)
            .insert(2, params.clone())
            .insert(3, 1)
            .insert(4, Value::Bytes(vec![9])),
    )
    .unwrap();
    let Command::CredentialManagement(CredentialManagementRequest::EnumerateCredentialsBegin {
        rp_id_hash,
        auth,
    }) = command
    else {
        panic!("not enumerateCredentialsBegin")
    };
    assert_eq!(rp_id_hash, Ok([7; 32]));
    assert_eq!(auth.param, Some(vec![9]));
    assert_eq!(auth.message, [vec![4], cbor::encode(&params)].concat());
}

#[test]
fn parameter_errors_wait_for_the_handler() {
    // Missing and malformed subCommandParams parse; their status is reported by the handler.
    let Command::CredentialManagement(request) = parse(MapBuilder::new().insert(1, 6)).unwrap() else {
        panic!("not credential management")
    };
    let CredentialManagementRequest::DeleteCredential { credential_id, .. } = request else {
        panic!("not deleteCredential")
    };
    assert_eq!(credential_id, Err(StatusCode::MissingParameter));
    let short = MapBuilder::new().insert(1, Value::Bytes(vec![7; 31])).build();
    let Command::CredentialManagement(request) =
        parse(MapBuilder::new().insert(1, 4).insert(2, short)).unwrap()
    else {
        panic!("not credential management")
    };
    let CredentialManagementRequest::EnumerateCredentialsBegin { rp_id_hash, .. } = request else {
        panic!("not enumerateCredentialsBegin")
    };
    assert_eq!(rp_id_hash, Err(StatusCode::InvalidLength));
    // subCommandParams that are not a map are refused while parsing, as before.
    assert_eq!(parse(MapBuilder::new().insert(1, 4).insert(2, 1)), Err(StatusCode::CborUnexpectedType));
    assert_eq!(
        parse(MapBuilder::new().insert(1, 9)),
        Ok(Command::CredentialManagement(CredentialManagementRequest::Unsupported(9)))
    );
}
