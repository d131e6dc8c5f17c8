#![allow(clippy::unwrap_used)]

use super::*;
use crate::proto::Command;
use crate::proto::cbor::{self, MapBuilder};
use crate::proto::pin_uv_auth::{Permissions, PinUvAuthProtocol};

fn parse(map: MapBuilder) -> Result<Command, StatusCode> {
    let mut request = vec![0x06];
    request.extend_from_slice(&cbor::encode(&map.build()));
    Command::parse(&request)
}

#[test]
fn each_subcommand_keeps_its_own_parameters() {
    let key = MapBuilder::new().insert(1, 2).build();
    let command = parse(
        MapBuilder::new()
            .insert(1, 2)
            .insert(2, 9)
            .insert(3, key.clone())
            .insert(6, Value::Bytes(vec![1; 16]))
            .insert(9, 0x05)
            .insert(0x0A, "example.com")
            .insert(5, Value::Bytes(vec![2; 64])),
    )
    .unwrap();
    let expected = ClientPinCommand {
        protocol: Some(PinProtocol::Supported(PinUvAuthProtocol::Two)),
        request: ClientPinRequest::GetTokenUsingPin {
            key_agreement: Some(key),
            pin_hash_enc: Some(vec![1; 16]),
            permissions: Some(RequestedPermissions::Set(
                Permissions::MAKE_CREDENTIAL | Permissions::CREDENTIAL_MANAGEMENT,
            )),
            rp_id: Some("example.com".into()),
        },
    };
    assert_eq!(command, Command::ClientPin(expected));
}

#[test]
fn checks_ranked_after_the_device_are_kept_for_the_handler() {
    // An unknown protocol and subcommand, and a getPinToken with permissions, parse.
    let command = parse(MapBuilder::new().insert(1, 7).insert(2, 0x20)).unwrap();
    let expected = ClientPinCommand {
        protocol: Some(PinProtocol::Unsupported(7)),
        request: ClientPinRequest::Unsupported(0x20),
    };
    assert_eq!(command, Command::ClientPin(expected));
    let Command::ClientPin(command) = parse(MapBuilder::new().insert(2, 5).insert(9, 3)).unwrap() else {
        panic!("not clientPIN")
    };
    let ClientPinRequest::GetPinToken { permissions_or_rp_id_sent, .. } = command.request else {
        panic!("not getPinToken")
    };
    assert!(permissions_or_rp_id_sent);
}

#[test]
fn types_are_checked_while_parsing() {
    assert_eq!(parse(MapBuilder::new().insert(1, 2)), Err(StatusCode::MissingParameter));
    assert_eq!(parse(MapBuilder::new().insert(2, 2).insert(3, 1)), Err(StatusCode::CborUnexpectedType));
    assert_eq!(parse(MapBuilder::new().insert(2, 9).insert(9, "mc")), Err(StatusCode::CborUnexpectedType));
    assert_eq!(parse(MapBuilder::new().insert(1, "two").insert(2, 2)), Err(StatusCode::CborUnexpectedType));
}
