//! The hand-checked amr/acr rows of `harness/golden/amr.csv`: the file cites every rule, and
//! both the oracle and the real IdP (in process, over loopback HTTP, tokens verified by
//! openidconnect) reproduce every row.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::BTreeSet;

use softfido_harness::args::{Selection, Threads};
use softfido_harness::axes::{AcrRequest, KeyKind, MaxAge, Prompt, RpUv, Session};
use softfido_harness::matrix::golden::{GOLDEN_CSV, GoldenRow, parse};
use softfido_harness::matrix::scenario::MATRIX_AXIS_NAMES;
use softfido_harness::matrix::{MatrixArgs, oracle, run_all};

fn rows() -> Vec<GoldenRow> {
    parse(GOLDEN_CSV).expect("the golden file parses")
}

fn args() -> MatrixArgs {
    MatrixArgs {
        selection: Selection { filter: None, threads: Threads { jobs: Some(2) } },
        quick: false,
        shard: None,
        report: None,
        rp_url: None,
        target: None,
        rp_uv: RpUv::Preferred,
        rp_policy: softfido_rp::policy::Policy::Rfc8176,
        print_client_config: None,
    }
}

#[test]
fn the_golden_file_has_at_least_forty_distinct_rows_citing_every_rule() {
    let rows = rows();
    assert!(rows.len() >= 40, "{} rows", rows.len());
    let scenarios: BTreeSet<_> = rows.iter().map(|r| r.scenario).collect();
    assert_eq!(scenarios.len(), rows.len(), "no scenario twice");
    let cited: BTreeSet<&str> = rows.iter().flat_map(|r| r.rules.split_whitespace()).collect();
    for rule in (0..=12).map(|n| format!("R{n}")) {
        assert!(cited.contains(rule.as_str()), "no row cites {rule}");
    }
}

#[test]
fn the_golden_file_covers_every_value_of_the_session_axes_of_acr_request_and_of_kind() {
    let rows = rows();
    let seen = |axis: &str| -> BTreeSet<&'static str> {
        let index = MATRIX_AXIS_NAMES.iter().position(|a| *a == axis).unwrap();
        rows.iter().map(|r| r.scenario.values()[index].1).collect()
    };
    let names = |all: &[&'static str]| all.iter().copied().collect::<BTreeSet<_>>();
    assert_eq!(seen(Session::AXIS), names(&Session::ALL.iter().map(|v| v.name()).collect::<Vec<_>>()));
    assert_eq!(seen(Prompt::AXIS), names(&Prompt::ALL.iter().map(|v| v.name()).collect::<Vec<_>>()));
    assert_eq!(seen(MaxAge::AXIS), names(&MaxAge::ALL.iter().map(|v| v.name()).collect::<Vec<_>>()));
    assert_eq!(seen(KeyKind::AXIS), names(&KeyKind::ALL.iter().map(|v| v.name()).collect::<Vec<_>>()));
    let acr = seen(AcrRequest::AXIS);
    assert!(AcrRequest::ALL.iter().all(|v| acr.contains(v.name())), "{acr:?}");
    let outcomes: BTreeSet<String> = rows.iter().map(|r| format!("{:?}", r.verdict.outcome)).collect();
    assert_eq!(outcomes.len(), 4, "{outcomes:?}");
}

#[test]
fn the_oracle_reproduces_every_golden_row() {
    let mismatches: Vec<String> = rows()
        .iter()
        .filter_map(|row| {
            let expected = oracle::expect(&row.scenario).verdict;
            (expected != row.verdict).then(|| {
                format!(
                    "line {}: {}\n  golden {:?}\n  oracle {:?}",
                    row.line,
                    row.scenario.id(),
                    row.verdict,
                    expected
                )
            })
        })
        .collect();
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn the_idp_reproduces_every_golden_row() {
    idp_reproduces(rows());
}

fn idp_reproduces(rows: Vec<GoldenRow>) {
    assert!(!rows.is_empty());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let records = runtime
        .block_on(run_all(&args(), rows.iter().map(|r| r.scenario).collect(), 2))
        .expect("the matrix runs");
    let mismatches: Vec<String> = rows
        .iter()
        .zip(&records)
        .filter(|(row, record)| row.verdict != record.actual)
        .map(|(row, record)| {
            format!(
                "line {}: {}\n  golden {:?}\n  IdP    {:?}",
                row.line,
                row.scenario.id(),
                row.verdict,
                record.actual
            )
        })
        .collect();
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
