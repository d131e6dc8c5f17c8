use super::*;
use crate::matrix::scenario::{
    hardware_passkey, password_sign_in, proof_of_possession_passkey, software_passkey,
};

fn with(key: Scenario, session: Session, prompt: Prompt, max_age: MaxAge, acr: AcrRequest) -> Scenario {
    Scenario { session, prompt, max_age, acr_request: Some(acr), ..key }
}

fn outcome(s: &Scenario) -> (Outcome, Vec<String>, Option<String>) {
    let verdict = expect(s).verdict;
    (verdict.outcome, verdict.amr, verdict.acr)
}

fn amr(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

#[test]
fn the_session_axes_follow_oidc_core_and_the_rule_table() {
    use AcrRequest as A;
    use MaxAge as M;
    use Outcome::{LoginRequired, Token, UnmetAuthenticationRequirements as Unmet};
    use Prompt as P;
    use Session as S;
    let hwk = amr(&["hwk", "mfa", "pin", "pop", "user"]);
    let swk = amr(&["mfa", "pin", "pop", "swk", "user"]);
    let phrh = Some("phrh".to_owned());
    let phr = Some("phr".to_owned());
    let table = [
        // prompt=none without a session: login_required (§3.1.2.1).
        (with(hardware_passkey(), S::None, P::None, M::Absent, A::None), (LoginRequired, vec![], None)),
        // single sign-on: the session's amr/acr.
        (
            with(hardware_passkey(), S::WeakerPasskey, P::Absent, M::Absent, A::None),
            (Token, swk.clone(), phr.clone()),
        ),
        (
            with(hardware_passkey(), S::WeakerPasskey, P::None, M::Absent, A::None),
            (Token, swk.clone(), phr.clone()),
        ),
        // prompt=login, max_age=0 and an exceeded max_age sign in again with the key.
        (
            with(hardware_passkey(), S::WeakerPasskey, P::Login, M::Absent, A::None),
            (Token, hwk.clone(), phrh.clone()),
        ),
        (
            with(hardware_passkey(), S::WeakerPasskey, P::Absent, M::Zero, A::None),
            (Token, hwk.clone(), phrh.clone()),
        ),
        (
            with(hardware_passkey(), S::WeakerPasskey, P::Absent, M::Elapsed, A::None),
            (Token, hwk.clone(), phrh.clone()),
        ),
        (
            with(hardware_passkey(), S::WeakerPasskey, P::None, M::Elapsed, A::None),
            (LoginRequired, vec![], None),
        ),
        // an essential phrh the session misses: step up with the hardware key (R11).
        (
            with(hardware_passkey(), S::WeakerPasskey, P::Absent, M::Absent, A::EssentialPhrh),
            (Token, hwk.clone(), phrh.clone()),
        ),
        (
            with(hardware_passkey(), S::WeakerPasskey, P::None, M::Absent, A::EssentialPhrh),
            (LoginRequired, vec![], None),
        ),
        // the stronger session meets it; prompt=login then signs in with the weaker key: unmet.
        (
            with(software_passkey(), S::StrongerPasskey, P::Absent, M::Absent, A::EssentialPhrh),
            (Token, hwk.clone(), phrh.clone()),
        ),
        (
            with(software_passkey(), S::StrongerPasskey, P::Login, M::Absent, A::EssentialPhrh),
            (Unmet, vec![], None),
        ),
        // R9: a passkey after a password session is its second factor.
        (
            with(software_passkey(), S::Password, P::Login, M::Absent, A::None),
            (Token, amr(&["mfa", "pin", "pop", "pwd", "swk", "user"]), phr.clone()),
        ),
        (
            with(proof_of_possession_passkey(), S::Password, P::Absent, M::Absent, A::None),
            (Token, amr(&["pwd"]), None),
        ),
        // a password account without passkeys cannot step up.
        (
            with(password_sign_in(), S::Password, P::Absent, M::Absent, A::EssentialPhrh),
            (Unmet, vec![], None),
        ),
        // unknown acr values: essential is never met (§5.5.1.1), voluntary is ignored (R12).
        (with(hardware_passkey(), S::None, P::Absent, M::Absent, A::EssentialUnknown), (Unmet, vec![], None)),
        (
            with(hardware_passkey(), S::WeakerPasskey, P::Absent, M::Absent, A::EssentialUnknown),
            (Unmet, vec![], None),
        ),
        (
            with(hardware_passkey(), S::None, P::Absent, M::Absent, A::VoluntaryUnknown),
            (Token, hwk.clone(), phrh.clone()),
        ),
        (
            with(password_sign_in(), S::StrongerPasskey, P::Absent, M::Absent, A::VoluntaryUnknown),
            (Token, hwk, phrh),
        ),
    ];
    for (scenario, expected) in table {
        assert_eq!(outcome(&scenario), expected, "{}", scenario.id());
    }
}

#[test]
fn every_session_scenario_has_a_verdict_with_an_error_exactly_when_no_token() {
    for s in crate::matrix::scenario::session_scenarios() {
        let verdict = expect(&s).verdict;
        assert_eq!(verdict.outcome == Outcome::Token, verdict.error.is_none(), "{}", s.id());
    }
}

#[test]
fn a_u2f_key_earns_mfa_only_with_a_password_and_hwk_only_when_trusted() {
    use crate::axes::KeyKind;
    use crate::matrix::scenario::u2f_scenarios;
    let scenarios = u2f_scenarios();
    assert!(scenarios.iter().all(|s| s.kind == KeyKind::U2f));
    for s in scenarios {
        let verdict = expect(&s).verdict;
        let has = |value: &str| verdict.amr.iter().any(|a| a == value);
        let second_factor = s.first_factor == FirstFactor::PasswordAndKey;
        assert_eq!(has("mfa"), verdict.outcome == Outcome::Token && second_factor, "{}", s.id());
        assert_eq!(
            has("hwk"),
            verdict.outcome == Outcome::Token && s.attestation == Some(Attestation::BasicTrusted)
        );
        assert!(!has("pin") && !has("swk"), "{}", s.id());
    }
}
