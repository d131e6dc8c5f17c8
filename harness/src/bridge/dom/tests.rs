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

/// The page's message is the same for every refusal; only the detail names the CTAP status.
#[test]
fn only_the_detail_names_the_ctap_status() {
    let denied = DomException::from_ctap(0x27);
    let no_credentials = DomException::from_ctap(0x2E);
    assert_eq!(denied.message, no_credentials.message);
    assert_eq!(denied.message, NOT_ALLOWED_MESSAGE);
    assert!(denied.detail.contains("CTAP2_ERR_OPERATION_DENIED"));
    assert!(no_credentials.detail.contains("CTAP2_ERR_NO_CREDENTIALS"));
    let excluded = DomException::from_ctap(0x19);
    assert_eq!(excluded.message, excluded.detail);
}
