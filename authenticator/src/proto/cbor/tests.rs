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
