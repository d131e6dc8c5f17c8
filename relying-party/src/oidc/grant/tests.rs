use super::*;

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn grant() -> Grant {
    let challenge = CodeChallenge::from_request(Some(CHALLENGE), Some("S256")).expect("valid");
    let context = AuthContext { amr: vec![Amr::Hwk, Amr::Pop, Amr::User], acr: Some(Acr::Phrh) };
    Grant::new("app", "https://app.example/cb", &challenge, "user-1", 100, Some("n".into()), &context)
}

#[test]
fn the_right_client_uri_and_verifier_redeem() {
    assert_eq!(check_redemption(&grant(), "app", Some("https://app.example/cb"), Some(VERIFIER)), Ok(()));
    assert_eq!(grant().amr, vec![Amr::Hwk, Amr::Pop, Amr::User]);
    assert_eq!(grant().acr, Some(Acr::Phrh));
}

#[test]
fn each_mismatch_is_invalid_grant() {
    let g = grant();
    let err = |r: Result<(), RedemptionError>| r.expect_err("refused").error.as_str();
    assert_eq!(
        err(check_redemption(&g, "other", Some("https://app.example/cb"), Some(VERIFIER))),
        "invalid_grant"
    );
    assert_eq!(
        err(check_redemption(&g, "app", Some("https://app.example/x"), Some(VERIFIER))),
        "invalid_grant"
    );
    let wrong = "aBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    assert_eq!(
        err(check_redemption(&g, "app", Some("https://app.example/cb"), Some(wrong))),
        "invalid_grant"
    );
    assert_eq!(err(check_redemption(&g, "app", None, Some(VERIFIER))), "invalid_request");
    assert_eq!(err(check_redemption(&g, "app", Some("https://app.example/cb"), None)), "invalid_request");
}

#[test]
fn a_grant_round_trips_through_json() {
    let json = serde_json::to_string(&grant()).expect("serialises");
    // The amr and acr keep their registered strings in the stored JSON.
    assert!(json.contains(r#""amr":["hwk","pop","user"],"acr":"phrh""#), "{json}");
    assert_eq!(serde_json::from_str::<Grant>(&json).expect("parses"), grant());
}
