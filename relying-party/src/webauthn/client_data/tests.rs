use super::*;

#[test]
fn same_origin_client_data_passes() {
    let json =
        br#"{"type":"webauthn.get","challenge":"x","origin":"http://localhost:8080","crossOrigin":false}"#;
    assert!(check_not_embedded(json).is_ok());
    assert!(check_not_embedded(br#"{"type":"webauthn.get"}"#).is_ok());
}

#[test]
fn cross_origin_or_top_origin_is_refused() {
    assert!(matches!(check_not_embedded(br#"{"crossOrigin":true}"#), Err(CeremonyError::CrossOrigin)));
    assert!(matches!(
        check_not_embedded(br#"{"crossOrigin":false,"topOrigin":"https://evil.example"}"#),
        Err(CeremonyError::TopOrigin)
    ));
    assert!(matches!(check_not_embedded(b"not json"), Err(CeremonyError::Malformed(_))));
}
