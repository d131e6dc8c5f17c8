#![allow(clippy::unwrap_used)]

use super::*;

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

#[test]
fn encode_sorts_keys_length_first_then_bytewise() {
    let map = Value::Map(vec![
        (Value::Text("up".into()), Value::Bool(true)),
        (Value::Text("rk".into()), Value::Bool(true)),
        (Value::Integer((-1).into()), Value::Integer(1.into())),
        (Value::Integer(24.into()), Value::Integer(2.into())),
        (Value::Integer(1.into()), Value::Integer(3.into())),
    ]);
    // 1 (0x01), -1 (0x20), 24 (0x1818), "rk" (0x62726b), "up" (0x627570)
    assert_eq!(encode(&map), hex("a50103200118180262726bf5627570f5"));
}

#[test]
fn decode_accepts_canonical_input() {
    let bytes = hex("a201020362686903");
    let err = decode_strict(&bytes).unwrap_err();
    // 0x62 "hi" then a stray 0x03: the map claims 2 entries, so bytes remain.
    assert_eq!(err, StatusCode::InvalidCbor);
    let ok = hex("a2010203626869");
    assert!(decode_strict(&ok).is_ok());
}

#[test]
fn decode_rejects_unsorted_map() {
    assert_eq!(decode_strict(&hex("a202010102")), Err(StatusCode::InvalidCbor));
}

#[test]
fn decode_rejects_non_minimal_integer() {
    // Key 1 encoded as 0x1801 instead of 0x01, and 500 as 0x1a000001f4 instead of 0x1901f4.
    assert_eq!(decode_strict(&hex("a1180101")), Err(StatusCode::InvalidCbor));
    assert_eq!(decode_strict(&hex("a1011a000001f4")), Err(StatusCode::InvalidCbor));
    assert!(decode_strict(&hex("a1011901f4")).is_ok());
}

#[test]
fn decode_rejects_indefinite_length_bytes() {
    assert_eq!(decode_strict(&hex("a1015f4101ff")), Err(StatusCode::InvalidCbor));
}

#[test]
fn decode_rejects_duplicate_keys() {
    assert_eq!(decode_strict(&hex("a201010101")), Err(StatusCode::InvalidCbor));
}

#[test]
fn decode_rejects_tags_floats_and_truncation() {
    assert_eq!(decode_strict(&hex("a101c100")), Err(StatusCode::InvalidCbor));
    assert_eq!(decode_strict(&hex("a101f93c00")), Err(StatusCode::InvalidCbor));
    assert_eq!(decode_strict(&hex("a20102")), Err(StatusCode::InvalidCbor));
    assert_eq!(decode_strict(&[]), Err(StatusCode::InvalidCbor));
}

#[test]
fn decode_rejects_deep_nesting() {
    let mut bytes = vec![0x81; 40];
    bytes.push(0x01);
    assert_eq!(decode_strict(&bytes), Err(StatusCode::InvalidCbor));
}

#[test]
fn encode_sorts_nested_maps_inside_arrays_and_tags() {
    let inner = Value::Map(vec![
        (Value::Text("type".into()), Value::Text("public-key".into())),
        (Value::Text("alg".into()), Value::Integer((-7).into())),
    ]);
    let value = Value::Tag(24, Box::new(Value::Array(vec![inner.clone(), Value::Bytes(vec![0xAB; 24])])));
    // tag 24, array(2), {"alg": -7, "type": "public-key"}, bytes(24)
    let expected = [
        hex("d818"),
        hex("82"),
        hex("a263616c672664747970656a7075626c69632d6b6579"),
        hex("5818"),
        vec![0xAB; 24],
    ]
    .concat();
    assert_eq!(encode(&value), expected);
}

#[test]
fn a_canonical_request_must_match_its_encoding_to_the_last_byte() {
    let canonical = hex("a2010203626869");
    assert!(encodes_to(&decode_strict(&canonical).unwrap(), &canonical));
    let value = decode_strict(&canonical).unwrap();
    assert!(!encodes_to(&value, &canonical[..canonical.len() - 1]), "shorter than the encoding");
    assert!(!encodes_to(&value, &[canonical.clone(), vec![0x00]].concat()), "longer than the encoding");
    assert!(!encodes_to(&value, &hex("a2010203626868")), "one byte differs");
}
