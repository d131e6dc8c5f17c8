//! `softfido matrix --shard K/N` and `softfido report merge` as CI runs them: three shards of a
//! filtered matrix, each its own process and report, merged into the report the whole run
//! writes (times aside); and `--shard` values that name no shard refused by the parser.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// Sixty scenarios in twelve registration groups (uv_performed × key_protection) of six
/// scenarios (UV performed or not configured: the user approving with each of four acr
/// requests, denying, timing out) or three (UV failed: approve, deny, time out).
const FILTER: &str = "first_factor=passkey,uv_capability=fingerprint,attestation=basic_trusted,\
                      backup=be0_bs0,rp_uv=preferred,discoverable=yes,uvm=no";

fn softfido(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_softfido")).args(args).output().expect("softfido runs")
}

fn matrix(report: &Path, shard: Option<&str>) -> Output {
    let report = report.to_str().unwrap();
    let mut args = vec!["matrix", "--jobs", "2", "--filter", FILTER, "--report", report];
    if let Some(shard) = shard {
        args.extend(["--shard", shard]);
    }
    let output = softfido(&args);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    output
}

/// matrix.json without its wall times (`ms`, `summary.seconds`).
fn without_times(path: &Path) -> Value {
    let mut json: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    for scenario in json["scenarios"].as_array_mut().unwrap() {
        scenario.as_object_mut().unwrap().remove("ms").expect("ms");
    }
    json["summary"].as_object_mut().unwrap().remove("seconds").expect("seconds");
    json
}

#[test]
fn three_shards_merge_into_the_whole_run() {
    let root = tempfile::tempdir().unwrap();
    let whole = root.path().join("whole");
    matrix(&whole, None);
    let whole_json = without_times(&whole.join("matrix.json"));
    let total = whole_json["scenarios"].as_array().unwrap().len();
    assert_eq!(total, 60);

    let mut dirs = Vec::new();
    let mut sizes = Vec::new();
    for k in 1..=3 {
        let dir = root.path().join(format!("shard-{k}"));
        let output = matrix(&dir, Some(&format!("{k}/3")));
        let stdout = String::from_utf8_lossy(&output.stdout);
        let first = stdout.lines().next().unwrap_or_default();
        let prefix = format!("shard {k}/3: ");
        let size: usize = first
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(&format!(" of {total} scenarios")))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("first line {first:?}"));
        let json = without_times(&dir.join("matrix.json"));
        assert_eq!(json["scenarios"].as_array().unwrap().len(), size);
        assert_eq!(json["shard"], serde_json::json!({ "index": k, "count": 3, "selected": total }));
        sizes.push(size);
        dirs.push(dir);
    }
    assert_eq!(sizes.iter().sum::<usize>(), total);
    // Balanced within the largest group.
    assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 6, "{sizes:?}");

    let merged = root.path().join("merged");
    let mut args = vec!["report", "merge"];
    args.extend(dirs.iter().map(|d| d.to_str().unwrap()));
    args.extend(["--out", merged.to_str().unwrap()]);
    let output = softfido(&args);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains(&format!("{total} passed, 0 failed")), "{stdout}");
    assert_eq!(without_times(&merged.join("matrix.json")), whole_json);
    let junit = std::fs::read_to_string(merged.join("junit.xml")).unwrap();
    assert_eq!(junit.matches("<testcase ").count(), total);
    assert!(merged.join("matrix.md").exists());

    // Two shards are not the run: the merge says which is missing, exit 2.
    let output = softfido(&["report", "merge", dirs[0].to_str().unwrap(), "--out", merged.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("shard 2/3 is missing"), "{stderr}");
}

#[test]
fn a_shard_that_does_not_exist_is_a_usage_error() {
    for (value, says) in [
        ("0/4", "K must be between 1 and 4"),
        ("5/4", "K must be between 1 and 4"),
        ("x", "is not K/N"),
        ("1/0", "N must be at least 1"),
    ] {
        let output = softfido(&["matrix", "--shard", value]);
        assert_eq!(output.status.code(), Some(2), "--shard {value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("invalid value") && stderr.contains(says), "--shard {value}: {stderr}");
    }
}

#[test]
fn a_merge_of_a_file_that_is_not_a_report_names_it() {
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join("matrix.json");
    std::fs::write(&path, "{\"scenarios\": 3}").unwrap();
    let output = softfido(&["report", "merge", root.path().to_str().unwrap(), "--out", "unused"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&path.display().to_string()) && stderr.contains("\"scenarios\""), "{stderr}");
}
