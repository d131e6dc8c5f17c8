use super::*;

fn padded(pin: &[u8]) -> Vec<u8> {
    let mut out = pin.to_vec();
    out.resize(PADDED_PIN_LENGTH, 0);
    out
}

#[test]
fn a_pin_is_unpadded_and_hashed() {
    let pin = check_new_pin(&padded(b"1234"), 4).unwrap();
    assert_eq!(pin.code_points, 4);
    assert_eq!(pin.hash, pin_hash(b"1234"));
}

#[test]
fn length_is_counted_in_code_points() {
    // Four code points, eight bytes.
    assert_eq!(check_new_pin(&padded("ÄÖÜß".as_bytes()), 4).unwrap().code_points, 4);
    assert_eq!(check_new_pin(&padded(b"123"), 4), Err(StatusCode::PinPolicyViolation));
    assert_eq!(check_new_pin(&padded(b"123456"), 7), Err(StatusCode::PinPolicyViolation));
}

#[test]
fn malformed_pins_violate_the_policy() {
    assert_eq!(check_new_pin(&[b'1'; 64], 4), Err(StatusCode::PinPolicyViolation), "no padding byte left");
    assert!(check_new_pin(&padded(&[b'1'; 63]), 4).is_ok());
    assert_eq!(check_new_pin(&padded(&[0xff, 0xfe, 0x31, 0x32]), 4), Err(StatusCode::PinPolicyViolation));
    assert_eq!(check_new_pin(&[b'1'; 32], 4), Err(StatusCode::PinPolicyViolation), "not 64 bytes");
    assert_eq!(check_new_pin(&padded(b""), 4), Err(StatusCode::PinPolicyViolation));
}
