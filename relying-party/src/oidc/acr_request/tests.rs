use super::*;

#[test]
fn r12_acr_values_never_block() {
    let request = AcrRequest::parse(Some("phrh phr"), None).expect("valid");
    assert_eq!(request.voluntary, vec![Acr::Phrh, Acr::Phr]);
    assert_eq!(request.outcome(Some(Acr::Phr)), AcrOutcome::Met);
    assert_eq!(request.outcome(None), AcrOutcome::Met);
    assert_eq!(request.highest(), Some(Acr::Phrh));
}

#[test]
fn r11_an_essential_phrh_needs_phrh() {
    let claims = r#"{"id_token":{"acr":{"essential":true,"value":"phrh"}}}"#;
    let request = AcrRequest::parse(None, Some(claims)).expect("valid");
    assert_eq!(request.essential, Some(vec![Acr::Phrh]));
    assert_eq!(request.outcome(Some(Acr::Phrh)), AcrOutcome::Met);
    assert_eq!(request.outcome(Some(Acr::Phr)), AcrOutcome::Unmet);
    assert_eq!(request.outcome(None), AcrOutcome::Unmet, "a password alone earns no acr");
}

#[test]
fn r11_an_essential_phr_is_met_by_phrh() {
    let claims = r#"{"id_token":{"acr":{"essential":true,"values":["phr"]}}}"#;
    let request = AcrRequest::parse(None, Some(claims)).expect("valid");
    assert_eq!(request.outcome(Some(Acr::Phrh)), AcrOutcome::Met);
}

#[test]
fn non_essential_or_unknown_claims_requests_are_voluntary() {
    for claims in [
        r#"{"id_token":{"acr":{"value":"phrh"}}}"#,
        r#"{"id_token":{"acr":null}}"#,
        r#"{"id_token":{"acr":{"essential":true,"value":"gold"}}}"#,
        r#"{"userinfo":{"email":null}}"#,
    ] {
        let request = AcrRequest::parse(None, Some(claims)).expect("valid");
        assert_eq!(request.essential, None, "{claims}");
        assert_eq!(request.outcome(None), AcrOutcome::Met);
    }
}

#[test]
fn malformed_claims_are_invalid_requests() {
    for claims in ["not json", "[1,2]", r#"{"id_token":{"acr":"phrh"}}"#] {
        assert!(AcrRequest::parse(None, Some(claims)).is_err(), "{claims}");
    }
}
