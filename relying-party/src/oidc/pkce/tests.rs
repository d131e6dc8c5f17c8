use super::*;

// RFC 7636 Appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

#[test]
fn the_rfc_7636_example_verifies() {
    let challenge = CodeChallenge::from_request(Some(CHALLENGE), Some("S256")).expect("valid");
    assert_eq!(challenge.verify(VERIFIER), Ok(()));
}

#[test]
fn a_wrong_verifier_is_a_mismatch() {
    let challenge = CodeChallenge::from_request(Some(CHALLENGE), Some("S256")).expect("valid");
    let other = "aBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    assert_eq!(challenge.verify(other), Err(PkceError::Mismatch));
    assert_eq!(challenge.verify("short"), Err(PkceError::MalformedVerifier));
    assert_eq!(challenge.verify(&"a".repeat(129)), Err(PkceError::MalformedVerifier));
    assert_eq!(challenge.verify(&format!("{}!", &VERIFIER[..43])), Err(PkceError::MalformedVerifier));
}

#[test]
fn pkce_is_required_and_s256_only() {
    assert_eq!(CodeChallenge::from_request(None, Some("S256")), Err(PkceError::MissingChallenge));
    assert_eq!(CodeChallenge::from_request(Some(CHALLENGE), None), Err(PkceError::UnsupportedMethod));
    assert_eq!(
        CodeChallenge::from_request(Some(CHALLENGE), Some("plain")),
        Err(PkceError::UnsupportedMethod)
    );
    assert_eq!(CodeChallenge::from_request(Some("abc"), Some("S256")), Err(PkceError::MalformedChallenge));
}
