use super::*;

#[test]
fn names_follow_the_specification() {
    assert_eq!(status_name(0x31), "CTAP2_ERR_PIN_INVALID");
    assert_eq!(status_name(0x3F), "CTAP2_ERR_UV_INVALID");
    assert_eq!(status_name(0x3C), "CTAP2_ERR_UV_BLOCKED");
    assert_eq!(status_name(0xEE), "0xEE");
}
