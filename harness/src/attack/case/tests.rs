use super::*;

const REFUSED: Expected = Expected::Refused("webauthn:bad_signature");

#[test]
fn the_expected_refusal_with_nothing_changed_passes() {
    let outcome = Outcome::Refused("webauthn:bad_signature".into());
    assert_eq!(judge(REFUSED, &outcome, &[]), Status::Passed);
}

#[test]
fn the_expected_refusal_that_changed_state_fails() {
    let outcome = Outcome::Refused("webauthn:bad_signature".into());
    let status = judge(REFUSED, &outcome, &["credentials 1 -> 2".into()]);
    assert!(matches!(status, Status::Failed(reason) if reason.contains("credentials 1 -> 2")));
}

#[test]
fn another_error_or_an_acceptance_fails() {
    let other = judge(REFUSED, &Outcome::Refused("webauthn:malformed".into()), &[]);
    assert!(matches!(other, Status::Failed(reason) if reason.contains("webauthn:malformed")));
    let accepted = judge(REFUSED, &Outcome::Accepted("a session".into()), &[]);
    assert!(matches!(accepted, Status::Failed(reason) if reason.contains("succeeded")));
}

#[test]
fn an_undetectable_attack_is_never_a_pass_and_may_earn_no_more_than_its_lie() {
    let expected =
        Expected::Undetectable { why: "the flag is the authenticator's word", granted: "amr=[user]" };
    assert_eq!(judge(expected, &Outcome::Accepted("amr=[user]".into()), &[]), Status::Undetectable);
    let more = judge(expected, &Outcome::Accepted("amr=[hwk,user]".into()), &[]);
    assert!(matches!(more, Status::Failed(reason) if reason.contains("hwk")));
    let refused = judge(expected, &Outcome::Refused("webauthn:user_not_verified".into()), &[]);
    assert!(matches!(refused, Status::Failed(_)));
}

#[test]
fn a_discounted_claim_passes_only_with_exactly_the_expected_grant() {
    let expected = Expected::Discounted("token amr=[pop,swk,user] acr=phr");
    let exact = Outcome::Accepted("token amr=[pop,swk,user] acr=phr".into());
    assert_eq!(judge(expected, &exact, &["access tokens 1 -> 2".into()]), Status::Passed);
    let believed = Outcome::Accepted("token amr=[hwk,pop,user] acr=phrh".into());
    assert!(matches!(judge(expected, &believed, &[]), Status::Failed(reason) if reason.contains("hwk")));
    assert!(matches!(judge(expected, &Outcome::Refused("webauthn:x".into()), &[]), Status::Failed(_)));
}
