use super::*;
use crate::matrix::oracle::Expectation;
use crate::matrix::scenario::all_scenarios;

fn token(amr: &[&str], acr: Option<&str>) -> Verdict {
    Verdict {
        outcome: Outcome::Token,
        amr: amr.iter().map(|v| (*v).to_owned()).collect(),
        acr: acr.map(str::to_owned),
        error: None,
    }
}

fn refused(outcome: Outcome, error: &str) -> Verdict {
    Verdict { outcome, amr: Vec::new(), acr: None, error: Some(error.to_owned()) }
}

/// Records over distinct scenarios: (expected, rules, actual).
fn records(cases: Vec<(Verdict, Vec<&'static str>, Verdict)>) -> Vec<Record> {
    let scenarios = all_scenarios();
    cases
        .into_iter()
        .zip(scenarios)
        .map(|((verdict, rules, actual), scenario)| Record {
            scenario,
            expected: Expectation { verdict, rules },
            actual,
            ms: 1.0,
            comparison: crate::matrix::report::Comparison::Exact,
        })
        .collect()
}

fn rule<'a>(findings: &'a Findings, name: &str) -> &'a RuleFinding {
    findings.rules.iter().find(|f| f.rule == name).expect("the rule is listed")
}

const HWK_PIN: [&str; 5] = ["hwk", "mfa", "pin", "pop", "user"];
const HWK_PIN_RULES: [&str; 5] = ["R1", "R2", "R3", "R5", "R6"];

#[test]
fn a_passing_run_applies_rules_and_violates_none() {
    let found = findings(&records(vec![(
        token(&HWK_PIN, Some("phrh")),
        HWK_PIN_RULES.to_vec(),
        token(&HWK_PIN, Some("phrh")),
    )]));
    assert_eq!(rule(&found, "R6").applied, Some(1));
    assert_eq!(rule(&found, "R0").applied, Some(0));
    assert_eq!(found.violated().count(), 0);
    assert_eq!(found.rules.len(), RULES.len(), "every rule, no pseudo-rule");
    assert!(found.statements.is_empty(), "{:?}", found.statements);
}

#[test]
fn zitadel_like_tokens_break_the_rules_that_grant_the_missing_values() {
    let expected = token(&HWK_PIN, Some("phrh"));
    let broken = attribute(&expected, &HWK_PIN_RULES, &token(&["mfa", "user"], None));
    assert_eq!(broken, BTreeSet::from(["R1", "R3", "R6"]));
}

#[test]
fn an_unverified_hwk_breaks_r6_and_unregistered_values_are_named() {
    // Authelia: a software key whose client claims cross-platform.
    let expected = token(&["pop", "swk", "user"], Some("phr"));
    let rules = ["R1", "R2", "R7"];
    assert_eq!(
        attribute(&expected, &rules, &token(&["hwk", "pop", "user"], None)),
        BTreeSet::from(["R6", "R7"])
    );
    // Hanko: `passkey` instead of everything.
    let hanko = attribute(&expected, &rules, &token(&["passkey"], None));
    assert_eq!(hanko, BTreeSet::from(["R1", "R2", "R7", NOT_RFC_8176]));
}

#[test]
fn pwd_and_mfa_are_blamed_on_the_rule_of_the_sign_in() {
    // A passkey sign-in that says pwd (ASP.NET Core): pwd without a password contradicts R9.
    let expected = token(&["pop", "user"], Some("phr"));
    let broken = attribute(&expected, &["R1", "R2", "R8"], &token(&["pwd"], None));
    assert!(broken.contains("R9") && broken.contains("R1") && broken.contains("R8"), "{broken:?}");
    // A password and a key without mfa break R9, not R5.
    let both = token(&["mfa", "pop", "pwd", "user"], Some("phr"));
    let rules = ["R1", "R2", "R8", "R9"];
    assert_eq!(
        attribute(&both, &rules, &token(&["pop", "pwd", "user"], Some("phr"))),
        BTreeSet::from(["R9"])
    );
    // A password only with an acr breaks R10.
    assert_eq!(
        attribute(&token(&["pwd"], None), &["R10"], &token(&["pwd"], Some("1"))),
        BTreeSet::from(["R10"])
    );
}

#[test]
fn outcome_differences_go_to_r0_r11_r12_or_outcome() {
    let unmet = refused(Outcome::UnmetAuthenticationRequirements, "oauth:unmet_authentication_requirements");
    let mut rules = HWK_PIN_RULES.to_vec();
    rules.push("R11");
    assert_eq!(attribute(&token(&HWK_PIN, Some("phrh")), &rules, &unmet), BTreeSet::from(["R11"]));
    // An IdP that refuses without the rule having applied still broke R11's promise.
    assert_eq!(attribute(&token(&HWK_PIN, Some("phrh")), &HWK_PIN_RULES, &unmet), BTreeSet::from(["R11"]));
    let rejected = refused(Outcome::Rejected, "webauthn:user_not_present");
    assert_eq!(attribute(&rejected, &["R0"], &token(&["pop"], Some("phr"))), BTreeSet::from(["R0"]));
    let client = refused(Outcome::Rejected, "client:uv_unavailable");
    assert_eq!(attribute(&client, &["client"], &token(&["pop"], None)), BTreeSet::from([OUTCOME]));
}

#[test]
fn the_findings_count_violations_with_an_example_and_state_what_is_absent() {
    let cases = vec![
        (token(&HWK_PIN, Some("phrh")), HWK_PIN_RULES.to_vec(), token(&[], Some("1"))),
        (token(&HWK_PIN, Some("phrh")), HWK_PIN_RULES.to_vec(), token(&[], Some("1"))),
        (token(&["pwd"], None), vec!["R10"], token(&["passkey"], None)),
        (token(&["pop", "user"], Some("phr")), vec!["R1", "R2", "R8"], token(&["pop", "user"], Some("phr"))),
    ];
    let records = records(cases);
    let found = findings(&records);
    let r6 = rule(&found, "R6");
    assert_eq!((r6.applied, r6.violated), (Some(2), 2));
    assert_eq!(r6.example, Some(records[0].scenario.id()));
    assert_eq!(rule(&found, "R8").violated, 0);
    assert_eq!(rule(&found, NOT_RFC_8176).violated, 1);
    let statements = found.statements.join("\n");
    assert!(statements.contains("R6 hwk: never emitted (expected in 2 scenarios)"), "{statements}");
    assert!(statements.contains("amr absent in 50% of tokens (2 of 4)"), "{statements}");
    assert!(statements.contains("non-RFC 8176 amr value `passkey` in 1 tokens"), "{statements}");
    assert!(statements.contains("acr value `1` (not an EAP ACR value) in 2 tokens"), "{statements}");
    assert!(!statements.contains("R1 pop: never emitted"), "pop was emitted once: {statements}");
}

#[test]
fn the_reports_show_the_findings() {
    let records =
        records(vec![(token(&HWK_PIN, Some("phrh")), HWK_PIN_RULES.to_vec(), token(&["mfa", "user"], None))]);
    let found = findings(&records);
    let text = terminal(&found);
    assert!(text.contains("R6") && text.contains(&records[0].scenario.id()), "{text}");
    assert!(!text.contains("R0 "), "only violated rules on the terminal: {text}");
    let md = markdown(&found);
    assert!(md.contains("## Findings by rule") && md.contains("| R0 | 0 | 0 | — |"), "{md}");
    let json = found.json();
    let r6 = json.as_array().expect("array").iter().find(|f| f["rule"] == "R6").expect("R6");
    assert_eq!((r6["applied"].as_u64(), r6["violated"].as_u64()), (Some(1), Some(1)));
    assert!(json.as_array().expect("array").iter().any(|f| f["statement"].is_string()));
}

#[test]
fn a_harness_failure_is_not_judged_against_any_rule() {
    let expected = token(&HWK_PIN, Some("phrh"));
    let broken = refused(Outcome::Rejected, "harness:browser sign_in:timeout:nothing happened");
    let findings = findings(&records(vec![(expected, HWK_PIN_RULES.to_vec(), broken)]));
    assert_eq!(findings.violated().count(), 0, "{:?}", findings.rules);
    assert_eq!(rule(&findings, "R6").applied, Some(0), "a broken scenario counts for no rule");
    assert!(!findings.statements.iter().any(|s| s.contains("never emitted")), "{:?}", findings.statements);
    assert!(
        findings.statements.iter().any(|s| s.starts_with("1 scenarios not judged")),
        "{:?}",
        findings.statements
    );
}
