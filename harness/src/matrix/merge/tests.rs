use std::process::ExitCode;

use serde_json::json;

use super::*;
use crate::axes::Session;
use crate::matrix::report::Comparison;
use crate::matrix::scenario::{Scenario, all_scenarios};
use crate::matrix::shard::Shard;

/// The session product's scenarios with a password session: several registration groups.
fn selection() -> Vec<Scenario> {
    all_scenarios().into_iter().filter(|s| s.session == Session::Password).collect()
}

/// Records as a run would make them: every seventh one a mismatch (the IdP said `pwd` only),
/// and times that survive the report's rounding exactly.
fn records(scenarios: &[Scenario]) -> Vec<Record> {
    scenarios
        .iter()
        .enumerate()
        .map(|(i, scenario)| {
            let expected = oracle::expect(scenario);
            let mut actual = expected.verdict.clone();
            if i % 7 == 3 {
                actual = Verdict { outcome: Outcome::Token, amr: vec!["pwd".into()], acr: None, error: None };
            }
            let ms = f64::from(u32::try_from(i).unwrap_or(0)) * 0.5 + 1.0;
            Record { scenario: *scenario, expected, actual, ms, comparison: Comparison::Exact }
        })
        .collect()
}

/// Writes the reports of shard `index` of `count` of `all` into `dir`, as `matrix --shard
/// --report` does, taking `seconds`.
fn write_shard(dir: &Path, all: &[Record], index: usize, count: usize, seconds: f64) {
    let shard = Shard::new(index, count).expect("valid");
    let scenarios: Vec<Scenario> = all.iter().map(|r| r.scenario).collect();
    let mine = shard.select(scenarios);
    let part: Vec<Record> = all.iter().filter(|r| mine.contains(&r.scenario)).cloned().collect();
    let totals = Totals::of(&part, seconds);
    let mut json = report::json_report(&part, totals);
    ShardOf { shard, selected: all.len() }.mark(&mut json);
    report::write_json_and_all(dir, &json, &part, totals).expect("written");
}

/// Three shard directories of `all`; the second took longest (7 s).
fn three_shards(root: &Path, all: &[Record]) -> Vec<PathBuf> {
    (1..=3)
        .map(|index| {
            let dir = root.join(format!("shard-{index}"));
            let seconds = if index == 2 { 7.0 } else { 4.0 };
            write_shard(&dir, all, index, 3, seconds);
            dir
        })
        .collect()
}

fn merged(dirs: &[PathBuf]) -> anyhow::Result<(Vec<Record>, Totals)> {
    let index = ScenarioIndex::new();
    let reports = dirs
        .iter()
        .map(|d| read_report(&d.join("matrix.json"), &index))
        .collect::<anyhow::Result<Vec<_>>>()?;
    merge(reports, &index)
}

fn error_of(result: anyhow::Result<(Vec<Record>, Totals)>) -> String {
    format!("{:#}", result.expect_err("refused"))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("read")).expect("JSON")
}

fn write_json(path: &Path, json: &Value) {
    std::fs::write(path, serde_json::to_vec_pretty(json).expect("encoded")).expect("written");
}

#[test]
fn merged_shards_write_what_the_whole_run_writes() {
    let root = tempfile::tempdir().expect("tempdir");
    let all = records(&selection());
    assert!(all.iter().any(|r| !r.pass()) && all.iter().any(Record::pass));
    let dirs = three_shards(root.path(), &all);
    // The whole run took as long as the longest shard, so even the times agree.
    let whole = root.path().join("whole");
    report::write_all(&whole, &all, Totals::of(&all, 7.0)).expect("written");
    let out = root.path().join("merged");
    let code = run(&MergeArgs { dirs: dirs.clone(), out: out.clone() }).expect("merged");
    assert_eq!(code, ExitCode::from(1), "some scenarios failed");
    for file in ["matrix.json", "junit.xml", "matrix.md"] {
        let (mine, theirs) = (std::fs::read(out.join(file)), std::fs::read(whole.join(file)));
        assert_eq!(mine.expect("merged file"), theirs.expect("whole file"), "{file}");
    }
    let (records, totals) = merged(&dirs).expect("merged");
    assert_eq!(records.len(), all.len());
    assert!((totals.seconds - 7.0).abs() < f64::EPSILON, "the longest shard's time: {}", totals.seconds);
}

#[test]
fn a_merge_of_passing_shards_exits_0() {
    let root = tempfile::tempdir().expect("tempdir");
    let mut all = records(&selection());
    for record in &mut all {
        record.actual = record.expected.verdict.clone();
    }
    let dirs = three_shards(root.path(), &all);
    let code = run(&MergeArgs { dirs, out: root.path().join("merged") }).expect("merged");
    assert_eq!(code, ExitCode::SUCCESS);
}

#[test]
fn a_scenario_in_two_reports_is_refused() {
    let root = tempfile::tempdir().expect("tempdir");
    let all = records(&selection());
    let (a, b) = (root.path().join("a"), root.path().join("b"));
    report::write_all(&a, &all, Totals::of(&all, 1.0)).expect("written");
    report::write_all(&b, &all[all.len() - 2..], Totals::of(&all[all.len() - 2..], 1.0)).expect("written");
    let error = error_of(merged(&[a, b]));
    let id = all[all.len() - 2].scenario.id();
    assert!(error.contains(&format!("scenario {id} is in both")), "{error}");

    let dirs = three_shards(&root.path().join("shards"), &all);
    let twice = vec![dirs[0].clone(), dirs[1].clone(), dirs[2].clone(), dirs[0].clone()];
    let error = error_of(merged(&twice));
    assert!(error.contains("are both shard 1/3"), "{error}");
}

#[test]
fn a_missing_shard_or_a_shard_of_another_split_is_refused() {
    let root = tempfile::tempdir().expect("tempdir");
    let all = records(&selection());
    let dirs = three_shards(root.path(), &all);
    let error = error_of(merged(&[dirs[0].clone(), dirs[2].clone()]));
    assert!(error.contains("shard 2/3 is missing"), "{error}");
    let other = root.path().join("other");
    write_shard(&other, &all, 2, 2, 1.0);
    let error = error_of(merged(&[dirs[0].clone(), other]));
    assert!(error.contains("shards of different runs"), "{error}");
}

#[test]
fn a_report_of_another_oracle_is_refused_naming_the_scenario() {
    let root = tempfile::tempdir().expect("tempdir");
    let all = records(&selection());
    let dirs = three_shards(root.path(), &all);
    let path = dirs[1].join("matrix.json");
    let original = read_json(&path);
    let id = original["scenarios"][2]["id"].as_str().expect("id").to_owned();

    let mut amr = original.clone();
    amr["scenarios"][2]["expected"]["amr"] = json!(["hwk", "pop"]);
    write_json(&path, &amr);
    let error = error_of(merged(&dirs));
    assert!(error.contains(&id) && error.contains("another softfido version"), "{error}");
    assert!(error.contains(&path.display().to_string()), "{error}");

    let mut rules = original.clone();
    rules["scenarios"][2]["rules"] = json!(["R99"]);
    write_json(&path, &rules);
    let error = error_of(merged(&dirs));
    assert!(error.contains(&id) && error.contains("[R99]"), "{error}");

    let mut axis = original;
    axis["scenarios"][2]["axes"]["up"] = json!("maybe");
    write_json(&path, &axis);
    let error = error_of(merged(&dirs));
    assert!(error.contains(&id) && error.contains("does not know"), "{error}");
}

#[test]
fn unknown_keys_are_ignored() {
    let root = tempfile::tempdir().expect("tempdir");
    let all = records(&selection());
    let dirs = three_shards(root.path(), &all);
    let path = dirs[0].join("matrix.json");
    let mut json = read_json(&path);
    json["findings"] = json!([{ "kind": "note" }]);
    json["summary"]["browser"] = json!("chromium");
    json["scenarios"][0]["trace"] = json!("trace.zip");
    json["scenarios"][0]["actual"]["claims"] = json!({ "auth_time": 1 });
    write_json(&path, &json);
    let (records, _) = merged(&dirs).expect("merged");
    assert_eq!(records.len(), all.len());
}

#[test]
fn bad_input_is_an_error_naming_the_file() {
    let root = tempfile::tempdir().expect("tempdir");
    let missing = root.path().join("nowhere");
    let error = error_of(merged(std::slice::from_ref(&missing)));
    assert!(error.contains(&missing.join("matrix.json").display().to_string()), "{error}");

    let cases = [
        ("not-json", b"<html>".to_vec(), "is not JSON"),
        ("no-scenarios", br#"{"summary":{"seconds":1}}"#.to_vec(), "no \"scenarios\" array"),
        ("no-summary", br#"{"scenarios":[]}"#.to_vec(), "\"summary\""),
        ("bad-entry", br#"{"scenarios":[{"id":"x"}],"summary":{"seconds":1}}"#.to_vec(), "scenario 1 (x)"),
        (
            "bad-shard",
            br#"{"scenarios":[],"summary":{"seconds":1},"shard":{"index":0,"count":2,"selected":1}}"#
                .to_vec(),
            "shard 0 of 2 does not exist",
        ),
    ];
    for (name, bytes, says) in cases {
        let dir = root.path().join(name);
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("matrix.json"), bytes).expect("written");
        let error = error_of(merged(std::slice::from_ref(&dir)));
        assert!(error.contains(&dir.join("matrix.json").display().to_string()), "{name}: {error}");
        assert!(error.contains(says), "{name}: {error}");
    }
}
