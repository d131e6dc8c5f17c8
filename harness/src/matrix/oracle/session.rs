//! Scenarios with a session, a `prompt` or a `max_age`: OIDC Core §3.1.2.1 (prompt, max_age),
//! §3.1.2.3 (the user must be authenticated) and §5.5.1.1 (essential acr) over the rule table,
//! read here on their own.

use super::{Expectation, Outcome, Verdict, expect, unmet_requirements};
use crate::axes::{AcrRequest, FirstFactor, MaxAge, Prompt, Session};
use crate::matrix::scenario::Scenario;

/// What a sign-in established: its amr (sorted) and acr.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Earned {
    amr: Vec<String>,
    acr: Option<String>,
}

/// What `key` earns signing in from a session-less browser with no acr request.
fn earned_by(key: &Scenario) -> Earned {
    let plain = Scenario {
        acr_request: Some(AcrRequest::None),
        session: Session::None,
        prompt: Prompt::Absent,
        max_age: MaxAge::Absent,
        ..*key
    };
    let verdict = expect(&plain).verdict;
    Earned { amr: verdict.amr, acr: verdict.acr }
}

/// What the browser's session established, if it has one.
fn session_context(s: &Scenario) -> Option<Earned> {
    match s.session {
        Session::None => None,
        Session::Password => Some(Earned { amr: vec!["pwd".into()], acr: None }),
        Session::WeakerPasskey | Session::StrongerPasskey => s.session_passkey().map(|p| earned_by(&p)),
    }
}

/// A new sign-in with the scenario's key. R9: after a password session of the same user (the
/// clock moves less than the second-factor window), a passkey makes it the second factor.
fn new_sign_in(s: &Scenario, rules: &mut Vec<&'static str>) -> Earned {
    let mut earned = earned_by(s);
    if s.session == Session::Password && s.first_factor == FirstFactor::Passkey {
        earned.amr.extend(["pwd".to_owned(), "mfa".to_owned()]);
        earned.amr.sort();
        earned.amr.dedup();
        rules.push("R9");
    }
    earned
}

/// Whether `acr` meets the request's essential acr (OIDC Core §5.5.1.1; an unknown value is
/// never met). Voluntary values never block (R12).
fn essential_met(request: Option<AcrRequest>, acr: Option<&str>) -> bool {
    match request {
        Some(AcrRequest::EssentialPhrh) => acr == Some("phrh"),
        Some(AcrRequest::EssentialUnknown) => false,
        _ => true,
    }
}

/// The strongest acr any passkey registered on the account could earn (R11's step-up).
fn best_possible_acr(s: &Scenario) -> Option<String> {
    let key = (s.first_factor != FirstFactor::Password).then(|| earned_by(s).acr).flatten();
    let session = s.session_passkey().and_then(|p| earned_by(&p).acr);
    [key, session].into_iter().flatten().max_by_key(|acr| acr == "phrh")
}

fn login_required(rules: Vec<&'static str>) -> Expectation {
    Expectation {
        verdict: Verdict {
            outcome: Outcome::LoginRequired,
            amr: Vec::new(),
            acr: None,
            error: Some("oauth:login_required".into()),
        },
        rules,
    }
}

fn token(earned: Earned, s: &Scenario, mut rules: Vec<&'static str>) -> Expectation {
    if matches!(
        s.acr_request,
        Some(AcrRequest::AcrValuesPhr | AcrRequest::AcrValuesPhrh | AcrRequest::VoluntaryUnknown)
    ) {
        rules.push("R12");
    }
    Expectation {
        verdict: Verdict { outcome: Outcome::Token, amr: earned.amr, acr: earned.acr, error: None },
        rules,
    }
}

/// The sign-in page: `login_required` under `prompt=none`, else the scenario's key signs in
/// and the essential acr is checked against what it earned.
fn sign_in_page(s: &Scenario, mut rules: Vec<&'static str>) -> Expectation {
    if s.prompt == Prompt::None {
        // OIDC Core §3.1.2.1: prompt=none and the user must authenticate.
        return login_required(rules);
    }
    let earned = new_sign_in(s, &mut rules);
    if !essential_met(s.acr_request, earned.acr.as_deref()) {
        rules.push("R11");
        return unmet_requirements(rules);
    }
    token(earned, s, rules)
}

/// The expected end of a scenario with a session, a prompt or a max_age.
pub fn expect_with_session(s: &Scenario) -> Expectation {
    let mut rules = vec!["§3.1.2.1"];
    let Some(session) = session_context(s) else {
        // OIDC Core §3.1.2.3: no session, the user must be authenticated.
        return sign_in_page(s, rules);
    };
    // OIDC Core §3.1.2.1: prompt=login, max_age=0 and an exceeded max_age re-authenticate.
    let reauthenticate = s.prompt == Prompt::Login || matches!(s.max_age, MaxAge::Zero | MaxAge::Elapsed);
    if reauthenticate {
        return sign_in_page(s, rules);
    }
    if essential_met(s.acr_request, session.acr.as_deref()) {
        // Single sign-on: the session's own amr/acr.
        return token(session, s, rules);
    }
    rules.push("R11");
    if essential_met(s.acr_request, best_possible_acr(s).as_deref()) {
        // R11: a registered passkey can meet the essential acr: step up.
        return sign_in_page(s, rules);
    }
    unmet_requirements(rules)
}
