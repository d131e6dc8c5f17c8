use super::*;

#[test]
fn r12_acr_values_never_block() {
    let request = AcrRequest::parse(Some("phrh phr"), None).expect("valid");
    assert_eq!(request.voluntary, vec![RequestedAcr::Known(Acr::Phrh), RequestedAcr::Known(Acr::Phr)]);
    assert_eq!(request.outcome(Some(Acr::Phr)), AcrOutcome::Met);
    assert_eq!(request.outcome(None), AcrOutcome::Met);
    assert_eq!(request.highest(), Some(Acr::Phrh));
}

#[test]
fn r11_an_essential_phrh_needs_phrh() {
    let claims = r#"{"id_token":{"acr":{"essential":true,"value":"phrh"}}}"#;
    let request = AcrRequest::parse(None, Some(claims)).expect("valid");
    assert_eq!(request.essential, Some(vec![RequestedAcr::Known(Acr::Phrh)]));
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

/// OIDC Core §5.5.1.1: an essential acr whose values this provider does not know is unmet.
#[test]
fn an_essential_unknown_acr_is_unmet_not_dropped() {
    for claims in [
        r#"{"id_token":{"acr":{"essential":true,"values":["urn:example:unknown"]}}}"#,
        r#"{"id_token":{"acr":{"essential":true,"value":"gold"}}}"#,
    ] {
        let request = AcrRequest::parse(None, Some(claims)).expect("valid");
        assert!(
            request
                .essential
                .as_ref()
                .is_some_and(|e| e.iter().all(|v| matches!(v, RequestedAcr::Unknown(_)))),
            "{claims}"
        );
        assert_eq!(request.outcome(Some(Acr::Phrh)), AcrOutcome::Unmet, "{claims}");
        assert_eq!(request.outcome(None), AcrOutcome::Unmet, "{claims}");
    }
    // An unknown value beside a known one: the known one can still meet it.
    let mixed = r#"{"id_token":{"acr":{"essential":true,"values":["urn:example:unknown","phr"]}}}"#;
    let request = AcrRequest::parse(None, Some(mixed)).expect("valid");
    assert_eq!(request.outcome(Some(Acr::Phr)), AcrOutcome::Met);
}

/// OIDC Core §3.1.2.1 (R12): an unknown voluntary acr is kept as such and never blocks.
#[test]
fn a_voluntary_unknown_acr_is_ignored() {
    let request = AcrRequest::parse(Some("urn:example:unknown"), None).expect("valid");
    assert_eq!(request.voluntary, vec![RequestedAcr::Unknown("urn:example:unknown".into())]);
    assert_eq!(request.highest(), None);
    assert_eq!(request.outcome(Some(Acr::Phr)), AcrOutcome::Met);
    assert_eq!(request.outcome(None), AcrOutcome::Met);
}
