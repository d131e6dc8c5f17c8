//! What `softfido attack` shows: a table (case, spec step, expected, actual, result) with the
//! totals last, and with `--report DIR` the same as JSON, JUnit XML and Markdown.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;
use serde_json::{Value, json};

use super::case::{Case, Expected, Outcome, Status};
use crate::matrix::report::xml_escape;

/// One case's result.
#[derive(Clone, Debug)]
pub struct CaseRecord {
    /// The case.
    pub case: Case,
    /// What the IdP did (none when the case was skipped or the harness failed).
    pub outcome: Option<Outcome>,
    /// The verdict.
    pub status: Status,
    /// Milliseconds of wall time.
    pub ms: f64,
}

/// Counts of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Refused as expected, nothing changed.
    pub passed: usize,
    /// Anything else.
    pub failed: usize,
    /// Accepted by design.
    pub undetectable: usize,
    /// Not run against this IdP.
    pub skipped: usize,
}

impl Totals {
    /// Counts `records`.
    pub fn of(records: &[CaseRecord]) -> Self {
        let mut totals = Self::default();
        for record in records {
            match record.status {
                Status::Passed => totals.passed += 1,
                Status::Failed(_) => totals.failed += 1,
                Status::Undetectable => totals.undetectable += 1,
                Status::Skipped(_) => totals.skipped += 1,
            }
        }
        totals
    }
}

/// The expected result in one line.
pub fn expected_text(expected: Expected) -> String {
    match expected {
        Expected::Refused(error) => format!("refused {error}"),
        Expected::Discounted(granted) => format!("accepted: {granted}"),
        Expected::Undetectable { granted, .. } => format!("accepted (undetectable by design): {granted}"),
    }
}

fn actual_text(record: &CaseRecord) -> String {
    record.outcome.as_ref().map_or_else(|| "-".to_owned(), Outcome::describe)
}

fn result_text(status: &Status) -> String {
    match status {
        Status::Passed => "pass".to_owned(),
        Status::Failed(reason) => format!("FAIL: {reason}"),
        Status::Undetectable => "UNDETECTABLE BY DESIGN".to_owned(),
        Status::Skipped(reason) => format!("skipped: {reason}"),
    }
}

/// The terminal table; the last line is `N passed, N failed`.
pub fn terminal(records: &[CaseRecord]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{:<44} {:<34} {:<44} {:<44} result", "case", "spec", "expected", "actual");
    for record in records {
        let _ = writeln!(
            out,
            "{:<44} {:<34} {:<44} {:<44} {}",
            record.case.id,
            record.case.spec,
            expected_text(record.case.expected),
            actual_text(record),
            result_text(&record.status)
        );
    }
    let totals = Totals::of(records);
    if totals.undetectable > 0 {
        let _ = writeln!(
            out,
            "{} undetectable by design: accepted as any relying party must; not counted as passed",
            totals.undetectable
        );
    }
    if totals.skipped > 0 {
        let _ = writeln!(
            out,
            "{} skipped (they need the in-process IdP: its memory, a clock to move, or no trust in the test root)",
            totals.skipped
        );
    }
    let _ = writeln!(out, "{} passed, {} failed", totals.passed, totals.failed);
    out
}

/// The JSON report.
pub fn json_report(target: &str, records: &[CaseRecord]) -> Value {
    let totals = Totals::of(records);
    let cases: Vec<Value> = records
        .iter()
        .map(|r| {
            let (expected, why) = match r.case.expected {
                Expected::Refused(error) => (json!({ "refused": error }), Value::Null),
                Expected::Discounted(granted) => (json!({ "accepted": granted }), Value::Null),
                Expected::Undetectable { why, granted } => (json!({ "undetectable": granted }), json!(why)),
            };
            json!({
                "id": r.case.id,
                "group": r.case.group,
                "attack": r.case.attack,
                "spec": r.case.spec,
                "expected": expected,
                "undetectable_because": why,
                "actual": r.outcome,
                "result": r.status,
                "ms": r.ms,
            })
        })
        .collect();
    json!({
        "target": target,
        "totals": {
            "passed": totals.passed,
            "failed": totals.failed,
            "undetectable": totals.undetectable,
            "skipped": totals.skipped,
        },
        "cases": cases,
    })
}

/// JUnit XML: a failure per failed case; undetectable and skipped cases are `skipped`, so no CI
/// counts them as passed.
pub fn junit(records: &[CaseRecord]) -> String {
    let totals = Totals::of(records);
    let seconds: f64 = records.iter().map(|r| r.ms).sum::<f64>() / 1000.0;
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuite name=\"softfido attack\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{seconds:.3}\">",
        records.len(),
        totals.failed,
        totals.undetectable + totals.skipped
    );
    for record in records {
        let _ = write!(
            xml,
            "  <testcase classname=\"attack.{}\" name=\"{}\" time=\"{:.3}\"",
            record.case.group.name(),
            xml_escape(record.case.id),
            record.ms / 1000.0
        );
        let inner = match &record.status {
            Status::Passed => None,
            Status::Failed(reason) => Some(format!("<failure message=\"{}\"/>", xml_escape(reason))),
            Status::Undetectable => Some(format!(
                "<skipped message=\"undetectable by design: {}\"/>",
                xml_escape(&actual_text(record))
            )),
            Status::Skipped(reason) => Some(format!("<skipped message=\"{}\"/>", xml_escape(reason))),
        };
        match inner {
            Some(inner) => {
                let _ = writeln!(xml, ">{inner}</testcase>");
            }
            None => xml.push_str("/>\n"),
        }
    }
    xml.push_str("</testsuite>\n");
    xml
}

/// The Markdown report: one table row per case.
pub fn markdown(target: &str, records: &[CaseRecord]) -> String {
    let totals = Totals::of(records);
    let mut md = format!("# softfido attack against {target}\n\n");
    let _ = writeln!(
        md,
        "{} passed, {} failed, {} undetectable by design, {} skipped.\n",
        totals.passed, totals.failed, totals.undetectable, totals.skipped
    );
    md.push_str("| case | attack | spec | expected | actual | result |\n|---|---|---|---|---|---|\n");
    for record in records {
        let _ = writeln!(
            md,
            "| `{}` | {} | {} | {} | {} | {} |",
            record.case.id,
            cell(record.case.attack),
            cell(record.case.spec),
            cell(&expected_text(record.case.expected)),
            cell(&actual_text(record)),
            cell(&result_text(&record.status))
        );
    }
    md
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Writes `attack.json`, `junit.xml` and `attack.md` into `dir`.
pub fn write_all(dir: &Path, target: &str, records: &[CaseRecord]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let json = serde_json::to_string_pretty(&json_report(target, records))?;
    for (name, text) in
        [("attack.json", json), ("junit.xml", junit(records)), ("attack.md", markdown(target, records))]
    {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
