use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::Value;

use super::*;

/// Flips the last bit of the base64url field `name` of the response.
fn tamper(response: &mut Value, name: &str) {
    let field = &mut response["response"][name];
    let mut bytes =
        Base64UrlUnpadded::decode_vec(field.as_str().expect("a base64url field")).expect("base64url");
    *bytes.last_mut().expect("not empty") ^= 1;
    *field = Value::String(Base64UrlUnpadded::encode_string(&bytes));
}

#[test]
fn a_short_run_completes_verified_pairs_and_pairs_without_the_rp() {
    let figures = measure(0.2).expect("every ceremony verifies");
    assert!(figures.verified.pairs > 0 && figures.without_rp.pairs > 0, "{figures:?}");
    assert!(figures.verified.seconds >= 0.2 && figures.without_rp.seconds >= 0.2, "{figures:?}");
}

#[test]
fn each_pair_registers_a_fresh_credential_with_attestation_none() {
    let mut pairs = VerifiedPairs::new().expect("the RP and the authenticator");
    let first = pairs.register().expect("registers");
    let second = pairs.register().expect("registers");
    assert_eq!(first.attestation, Attestation::None);
    assert_ne!(first.id(), second.id());
    assert_ne!(first.user_id, second.user_id);
    let (response, state) = pairs.assertion(&first).expect("the client signs");
    let verified = pairs.verify(response, state, &first).expect("the RP accepts the assertion");
    assert!(verified.evidence.user_present && !verified.evidence.user_verified);
}

#[test]
fn a_tampered_signature_or_authenticator_data_is_refused() {
    let mut pairs = VerifiedPairs::new().expect("the RP and the authenticator");
    let stored = pairs.register().expect("registers");
    for field in ["signature", "authenticatorData", "clientDataJSON"] {
        let (mut response, state) = pairs.assertion(&stored).expect("the client signs");
        tamper(&mut response, field);
        assert!(pairs.verify(response, state, &stored).is_err(), "a tampered {field} is refused");
    }
}

#[test]
fn an_assertion_of_another_credential_is_refused() {
    let mut pairs = VerifiedPairs::new().expect("the RP and the authenticator");
    let first = pairs.register().expect("registers");
    let second = pairs.register().expect("registers");
    let (response, state) = pairs.assertion(&first).expect("the client signs");
    assert!(pairs.verify(response, state, &second).is_err());
}

#[test]
fn a_failing_pair_is_an_error_not_a_figure() {
    struct Refused;
    impl PairLoop for Refused {
        fn pair(&mut self) -> anyhow::Result<()> {
            anyhow::bail!("refused")
        }
    }
    assert!(run_for(&mut Refused, 0.05).is_err());
}

#[test]
fn the_json_line_has_the_figure_at_the_top_and_the_loop_without_rp_inside() {
    let figures = Figures {
        verified: Figure { pairs: 300, seconds: 2.0 },
        without_rp: Figure { pairs: 900, seconds: 2.0 },
    };
    let line: Value = serde_json::from_str(&figures.json_line()).expect("JSON");
    assert_eq!(line["pairs_per_second"], 150.0);
    assert_eq!(line["pairs"], 300);
    assert_eq!(line["seconds"], 2.0);
    assert_eq!(line["without_rp"]["pairs_per_second"], 450.0);
    assert!(!figures.json_line().contains('\n'));
}

#[test]
fn a_figure_of_no_time_is_zero_per_second() {
    assert_eq!(Figure::default().per_second(), 0.0);
}
