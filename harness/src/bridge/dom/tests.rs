use super::*;

#[test]
fn ctap_statuses_map_to_the_names_browsers_raise() {
    assert_eq!(DomException::from_ctap(0x19).name, DomExceptionName::InvalidStateError);
    assert_eq!(DomException::from_ctap(0x26).name, DomExceptionName::NotSupportedError);
    assert_eq!(DomException::from_ctap(0x2D).name, DomExceptionName::AbortError);
    for refusal in [0x27, 0x2E, 0x2F, 0x31, 0x32, 0x3F] {
        assert_eq!(DomException::from_ctap(refusal).name, DomExceptionName::NotAllowedError, "{refusal:#x}");
    }
}

#[test]
fn the_message_names_the_ctap_status() {
    assert!(DomException::from_ctap(0x27).message.contains("CTAP2_ERR_OPERATION_DENIED"));
}
