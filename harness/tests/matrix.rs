//! The end-to-end matrix as a library and as the `softfido matrix` command: the quick subset
//! passes against softfido's IdP, an IdP with ASP.NET Core's amr behaviour is caught (exit 1,
//! readable mismatches), and the reports have the shape docs/matrix.md fixes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeSet;
use std::process::Command;

use softfido_harness::args::{Selection, Threads};
use softfido_harness::axes::RpUv;
use softfido_harness::matrix::oracle::Outcome;
use softfido_harness::matrix::report::{self, Totals};
use softfido_harness::matrix::scenario::MATRIX_AXIS_NAMES;
use softfido_harness::matrix::{MatrixArgs, run_all, select};
use softfido_rp::policy::Policy;

fn args(filter: Option<&str>, quick: bool, policy: Policy) -> MatrixArgs {
    MatrixArgs {
        selection: Selection { filter: filter.map(str::to_owned), threads: Threads { jobs: Some(2) } },
        quick,
        shard: None,
        report: None,
        rp_url: None,
        target: None,
        rp_uv: RpUv::Preferred,
        rp_policy: policy,
        print_client_config: None,
    }
}

fn run(args: &MatrixArgs) -> Vec<report::Record> {
    let scenarios = select(args).expect("selection");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(run_all(args, scenarios, 2)).expect("the matrix runs")
}

#[test]
fn the_quick_subset_passes_and_touches_every_axis_value() {
    let records = run(&args(None, true, Policy::Rfc8176));
    let failures: Vec<String> = records
        .iter()
        .filter(|r| !r.pass())
        .map(|r| {
            format!(
                "{}: expected {} actual {}",
                r.scenario.id(),
                report::describe(&r.expected.verdict),
                report::describe(&r.actual)
            )
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let all = softfido_harness::matrix::scenario::all_scenarios();
    for (index, axis) in MATRIX_AXIS_NAMES.iter().enumerate() {
        let everywhere: BTreeSet<&str> = all.iter().map(|s| s.values()[index].1).collect();
        let quick: BTreeSet<&str> = records.iter().map(|r| r.scenario.values()[index].1).collect();
        assert_eq!(quick, everywhere, "axis {axis}");
    }
    // Every outcome occurs, so the comparison was not trivially between refusals.
    let outcomes: BTreeSet<String> = records.iter().map(|r| format!("{:?}", r.actual.outcome)).collect();
    assert_eq!(outcomes.len(), 4, "{outcomes:?}");
}

#[test]
fn an_idp_that_says_pwd_after_a_passkey_is_caught() {
    let filter = "first_factor=passkey,rp_uv=preferred,uv_capability=fingerprint,uv_performed=yes,\
                  attestation=basic_trusted,backup=be0_bs0,up=approve";
    let records = run(&args(Some(filter), false, Policy::AspNetCoreNet10));
    assert!(!records.is_empty());
    for record in &records {
        // Every sign-in here earns hwk/phrh; that IdP says pwd and no acr (so it also refuses
        // an essential phrh it should have granted).
        if record.expected.verdict.outcome == Outcome::Token {
            assert!(!record.pass(), "{} passed against a wrong IdP", record.scenario.id());
            if record.actual.outcome == Outcome::Token {
                assert_eq!(record.actual.amr, vec!["pwd".to_owned()], "{}", record.scenario.id());
            }
        }
    }
    let totals = Totals::of(&records, 1.0);
    let text = report::terminal(&records, totals);
    assert!(text.contains("expected  token amr=[fpt,hwk,mfa,pop,user] acr=phrh"), "{text}");
    assert!(text.contains("actual    token amr=[pwd] acr=(none)"), "{text}");
    assert!(text.trim_end().ends_with(&format!("{} passed, {} failed", totals.passed, totals.failed)));
}

#[test]
fn the_command_exits_1_on_mismatches_and_writes_the_reports() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_softfido"))
        .args([
            "matrix",
            "--rp-policy",
            "aspnetcore-net10",
            "--filter",
            "first_factor=password_and_key,uv_capability=client_pin,rp_uv=discouraged,backup=be0_bs0,\
             attestation=basic_trusted,key_protection=secure_element,uvm=yes,uv_performed=yes,pin_protocol=2",
            "--report",
        ])
        .arg(dir.path())
        .output()
        .expect("softfido runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let last = stdout.lines().rev().find(|l| !l.is_empty() && !l.starts_with("reports written")).unwrap();
    assert!(last.ends_with("failed") && !last.ends_with(" 0 failed"), "{last}");

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("matrix.json")).unwrap()).unwrap();
    let scenarios = json["scenarios"].as_array().unwrap();
    assert!(!scenarios.is_empty());
    let first = &scenarios[0];
    let axes: BTreeSet<&str> = first["axes"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(axes, MATRIX_AXIS_NAMES.iter().copied().collect());
    for side in ["expected", "actual"] {
        for key in ["outcome", "amr", "acr", "error"] {
            assert!(first[side].get(key).is_some(), "{side}.{key}");
        }
    }
    assert!(first["pass"].is_boolean() && first["ms"].is_number() && first["id"].is_string());
    let failed = scenarios.iter().filter(|s| s["pass"] == false).count();
    assert_eq!(json["summary"]["failed"], failed);
    assert!(failed > 0);

    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    assert!(junit.starts_with("<?xml"));
    assert_eq!(junit.matches("<testcase ").count(), scenarios.len());
    assert_eq!(junit.matches("<failure ").count(), failed);
    let markdown = std::fs::read_to_string(dir.path().join("matrix.md")).unwrap();
    assert!(markdown.contains("## What the IdP must emit") && markdown.contains("## Mismatches"));
}

#[test]
fn a_filter_with_a_typo_is_a_clear_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_softfido"))
        .args(["matrix", "--filter", "rp_uv=sometimes"])
        .output()
        .expect("softfido runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("axis rp_uv has no value \"sometimes\"; its values are"), "{stderr}");
}
