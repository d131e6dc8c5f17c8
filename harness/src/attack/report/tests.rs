use super::*;
use crate::attack::case::{Group, Needs};

fn case(id: &'static str, expected: Expected) -> Case {
    Case {
        id,
        group: Group::Client,
        attack: "a | b",
        spec: "WebAuthn L3 §7.2 step 13",
        expected,
        needs: Needs::AnyIdp,
        run: |_| Box::pin(async { anyhow::bail!("not run") }),
    }
}

fn records() -> Vec<CaseRecord> {
    let refused = Expected::Refused("webauthn:wrong_origin");
    vec![
        CaseRecord {
            case: case("client.a", refused),
            outcome: Some(Outcome::Refused("webauthn:wrong_origin".into())),
            status: Status::Passed,
            ms: 2.0,
        },
        CaseRecord {
            case: case("client.b", refused),
            outcome: Some(Outcome::Accepted("a session".into())),
            status: Status::Failed("the attack succeeded: a <session>".into()),
            ms: 3.0,
        },
        CaseRecord {
            case: case(
                "client.c",
                Expected::Undetectable { why: "its own word", granted: "token amr=[user]" },
            ),
            outcome: Some(Outcome::Accepted("token amr=[user]".into())),
            status: Status::Undetectable,
            ms: 1.0,
        },
        CaseRecord {
            case: case("client.d", refused),
            outcome: None,
            status: Status::Skipped("it moves the IdP's clock".into()),
            ms: 0.0,
        },
    ]
}

#[test]
fn the_terminal_table_ends_with_the_totals() {
    let text = terminal(&records());
    assert_eq!(text.lines().last(), Some("1 passed, 1 failed"));
    assert!(text.contains("1 undetectable by design"));
    assert!(text.contains("1 skipped"));
    assert!(text.contains("FAIL: the attack succeeded"));
}

#[test]
fn json_junit_and_markdown_agree_on_the_totals() {
    let json = json_report("in-process IdP", &records());
    assert_eq!(
        json["totals"],
        serde_json::json!({ "passed": 1, "failed": 1, "undetectable": 1, "skipped": 1 })
    );
    assert_eq!(json["cases"][0]["expected"], serde_json::json!({ "refused": "webauthn:wrong_origin" }));
    assert_eq!(json["cases"][2]["undetectable_because"], "its own word");
    let xml = junit(&records());
    assert!(xml.contains(r#"tests="4" failures="1" skipped="2""#), "{xml}");
    assert!(xml.contains("a &lt;session&gt;"));
    let md = markdown("in-process IdP", &records());
    assert!(md.contains("1 passed, 1 failed, 1 undetectable by design, 1 skipped."));
    assert!(md.contains(r"a \| b"));
}
