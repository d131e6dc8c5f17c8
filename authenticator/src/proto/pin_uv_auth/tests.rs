#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn a_protocol_is_parsed_once_and_checked_where_the_spec_ranks_it() {
    assert_eq!(PinProtocol::parse(Value::from(2)), Ok(PinProtocol::Supported(PinUvAuthProtocol::Two)));
    assert_eq!(PinProtocol::parse(Value::from(3)), Ok(PinProtocol::Unsupported(3)));
    assert_eq!(PinProtocol::parse(Value::from("2")), Err(StatusCode::CborUnexpectedType));
    assert_eq!(PinProtocol::Unsupported(3).supported(), Err(StatusCode::InvalidParameter));
    assert_eq!(PinProtocol::required(None), Err(StatusCode::MissingParameter));
    assert_eq!(PinProtocol::required(Some(PinProtocol::Unsupported(0))), Err(StatusCode::InvalidParameter));
    assert_eq!(PinProtocol::required(Some(PinUvAuthProtocol::One.into())), Ok(PinUvAuthProtocol::One));
}

#[test]
fn permissions_are_sets_of_named_bits() {
    let mc_ga = Permissions::MAKE_CREDENTIAL | Permissions::GET_ASSERTION;
    assert_eq!(mc_ga.bits(), 0x03);
    assert!(mc_ga.contains(Permissions::GET_ASSERTION));
    assert!(!mc_ga.contains(Permissions::CREDENTIAL_MANAGEMENT));
    assert!(mc_ga.intersects(Permissions::MAKE_CREDENTIAL | Permissions::AUTHENTICATOR_CONFIG));
    assert_eq!(mc_ga.difference(Permissions::MAKE_CREDENTIAL), Permissions::GET_ASSERTION);
    assert_eq!(mc_ga & Permissions::LARGE_BLOB_WRITE, Permissions::NONE);
    assert!(Permissions::NONE.is_empty());
    assert_eq!(Permissions::from_bits(0x20), Permissions::AUTHENTICATOR_CONFIG);
}

#[test]
fn requested_permissions_keep_numbers_outside_a_byte() {
    let parse = |n: i64| RequestedPermissions::parse(Value::from(n));
    assert_eq!(parse(0x04), Ok(RequestedPermissions::Set(Permissions::CREDENTIAL_MANAGEMENT)));
    assert_eq!(parse(256), Ok(RequestedPermissions::OutOfRange));
    assert_eq!(parse(-1), Ok(RequestedPermissions::OutOfRange));
    assert_eq!(RequestedPermissions::parse(Value::Bool(true)), Err(StatusCode::CborUnexpectedType));
}
