//! What a run shows: the terminal summary (per axis value: passed/failed, then each mismatch),
//! and with `--report DIR` the JSON report whose shape docs/matrix.md fixes, JUnit XML for CI, and a
//! Markdown report with the amr/acr table.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;
use serde_json::{Value, json};

use super::findings;
use super::oracle::{Expectation, Verdict};
use super::scenario::MATRIX_AXIS_NAMES;
use super::scenario::Scenario;

/// One scenario's result, compared.
#[derive(Clone, Debug)]
pub struct Record {
    /// The scenario.
    pub scenario: Scenario,
    /// What the oracle expects, and why.
    pub expected: Expectation,
    /// What happened.
    pub actual: Verdict,
    /// Milliseconds of wall time.
    pub ms: f64,
    /// How the two verdicts are compared.
    pub comparison: Comparison,
}

/// How a record's expected and actual verdicts are compared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Comparison {
    /// Everything, the error's stage and code included.
    #[default]
    Exact,
    /// Outcome, amr and acr, but not the error's wording: a browser stops at the
    /// authenticator's refusal where the in-process client goes on to submit what an absent
    /// user leaves behind (R0), and another IdP's pages word their refusals their own way.
    OutcomeAmrAcr,
}

impl Comparison {
    /// The name in matrix.json (`compared`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::OutcomeAmrAcr => "outcome_amr_acr",
        }
    }

    /// Whether `actual` is `expected` as this comparison reads them.
    pub fn agrees(self, expected: &Verdict, actual: &Verdict) -> bool {
        match self {
            Self::Exact => expected == actual,
            // A harness error (a step that timed out, a runner that broke) is no verdict.
            Self::OutcomeAmrAcr => {
                expected.outcome == actual.outcome
                    && expected.amr == actual.amr
                    && expected.acr == actual.acr
                    && !actual.error.as_deref().is_some_and(|error| error.starts_with("harness:"))
            }
        }
    }
}

impl Record {
    /// Whether the actual verdict is the expected one.
    pub fn pass(&self) -> bool {
        self.comparison.agrees(&self.expected.verdict, &self.actual)
    }
}

/// Totals of a run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Totals {
    /// Scenarios whose verdict matched.
    pub passed: usize,
    /// Scenarios whose verdict did not.
    pub failed: usize,
    /// Wall time of the run.
    pub seconds: f64,
}

impl Totals {
    /// Counts `records`.
    pub fn of(records: &[Record], seconds: f64) -> Self {
        let passed = records.iter().filter(|r| r.pass()).count();
        Self { passed, failed: records.len() - passed, seconds }
    }
}

/// A verdict in one line: `token amr=[…] acr=phr` or `rejected (error)`.
pub fn describe(verdict: &Verdict) -> String {
    let outcome = serde_json::to_value(verdict.outcome).ok().and_then(|v| v.as_str().map(str::to_owned));
    let mut line = outcome.unwrap_or_default();
    if !verdict.amr.is_empty() || verdict.acr.is_some() {
        let _ = write!(
            line,
            " amr=[{}] acr={}",
            verdict.amr.join(","),
            verdict.acr.as_deref().unwrap_or("(none)")
        );
    }
    if let Some(error) = &verdict.error {
        let _ = write!(line, " ({error})");
    }
    line
}

/// Passed and failed scenarios.
type Tally = (usize, usize);

/// Passed/failed by value of one axis.
type AxisTally = (&'static str, BTreeMap<&'static str, Tally>);

/// Passed/failed per value of each axis, in axis order.
fn per_axis(records: &[Record]) -> Vec<AxisTally> {
    let mut out: Vec<AxisTally> = MATRIX_AXIS_NAMES.iter().map(|&axis| (axis, BTreeMap::new())).collect();
    for record in records {
        for (index, (_, value)) in record.scenario.values().into_iter().enumerate() {
            let entry = out[index].1.entry(value).or_default();
            if record.pass() {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
    }
    out
}

/// How many mismatches the terminal shows in full.
const SHOWN_MISMATCHES: usize = 25;

/// The terminal summary, ending with `N passed, N failed`.
pub fn terminal(records: &[Record], totals: Totals) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n{} scenarios ({:.1} s)", records.len(), totals.seconds);
    let width = MATRIX_AXIS_NAMES.iter().map(|a| a.len()).max().unwrap_or(0);
    for (axis, values) in per_axis(records) {
        let cells: Vec<String> = values
            .iter()
            .map(|(value, (passed, failed))| {
                if *failed == 0 {
                    format!("{value} {passed}")
                } else {
                    format!("{value} {passed}/FAILED {failed}")
                }
            })
            .collect();
        let _ = writeln!(out, "  {axis:<width$}  {}", cells.join(" · "));
    }
    let failures: Vec<&Record> = records.iter().filter(|r| !r.pass()).collect();
    if !failures.is_empty() {
        let _ = writeln!(out, "\nMismatches (expected from the rule table, actual from the IdP):");
        for record in failures.iter().take(SHOWN_MISMATCHES) {
            let _ = writeln!(out, "  ✗ {}", record.scenario.id());
            let _ = writeln!(
                out,
                "      expected  {}  [{}]",
                describe(&record.expected.verdict),
                record.expected.rules.join(" ")
            );
            let _ = writeln!(out, "      actual    {}", describe(&record.actual));
        }
        if failures.len() > SHOWN_MISMATCHES {
            let _ = writeln!(out, "  … and {} more (see --report DIR)", failures.len() - SHOWN_MISMATCHES);
        }
        let _ = write!(out, "\n{}", findings::terminal(&findings::findings(records)));
    }
    let _ = writeln!(out, "\n{} passed, {} failed", totals.passed, totals.failed);
    out
}

fn verdict_json(verdict: &Verdict) -> Value {
    json!({ "outcome": verdict.outcome, "amr": verdict.amr, "acr": verdict.acr, "error": verdict.error })
}

/// The JSON report (docs/matrix.md, "Reports").
pub fn json_report(records: &[Record], totals: Totals) -> Value {
    let scenarios: Vec<Value> = records
        .iter()
        .map(|r| {
            let axes: serde_json::Map<String, Value> =
                r.scenario.values().iter().map(|(k, v)| ((*k).to_owned(), Value::from(*v))).collect();
            json!({
                "id": r.scenario.id(),
                "axes": axes,
                "expected": verdict_json(&r.expected.verdict),
                "actual": verdict_json(&r.actual),
                "rules": r.expected.rules,
                "compared": r.comparison.name(),
                "pass": r.pass(),
                "ms": (r.ms * 1000.0).round() / 1000.0,
            })
        })
        .collect();
    json!({
        "scenarios": scenarios,
        "summary": { "passed": totals.passed, "failed": totals.failed, "seconds": (totals.seconds * 10.0).round() / 10.0 },
        "findings": findings::findings(records).json(),
    })
}

/// `text` escaped for an XML attribute or element.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one test case per scenario, grouped by first factor.
pub fn junit(records: &[Record], totals: Totals) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"softfido matrix\" tests=\"{}\" failures=\"{}\" time=\"{:.3}\">",
        records.len(),
        totals.failed,
        totals.seconds
    );
    let mut suites: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
    for record in records {
        suites.entry(record.scenario.first_factor.name()).or_default().push(record);
    }
    for (suite, records) in suites {
        let failures = records.iter().filter(|r| !r.pass()).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{suite}\" tests=\"{}\" failures=\"{failures}\">",
            records.len()
        );
        for record in records {
            let name = xml_escape(&record.scenario.id());
            let _ = write!(
                out,
                "    <testcase classname=\"matrix.{suite}\" name=\"{name}\" time=\"{:.4}\"",
                record.ms / 1000.0
            );
            if record.pass() {
                out.push_str("/>\n");
            } else {
                let message = format!(
                    "expected {} [{}]; actual {}",
                    describe(&record.expected.verdict),
                    record.expected.rules.join(" "),
                    describe(&record.actual)
                );
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{}\"/>\n    </testcase>",
                    xml_escape(&message)
                );
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// The Markdown report: totals, per-axis results, the amr/acr table, mismatches.
pub fn markdown(records: &[Record], totals: Totals) -> String {
    let mut out = String::from("# softfido matrix\n\n");
    let _ = writeln!(
        out,
        "{} scenarios in {:.1} s: **{} passed, {} failed**.\n",
        records.len(),
        totals.seconds,
        totals.passed,
        totals.failed
    );
    out.push_str("## Per axis\n\n| axis | value | passed | failed |\n|---|---|---:|---:|\n");
    for (axis, values) in per_axis(records) {
        for (value, (passed, failed)) in values {
            let _ = writeln!(out, "| {axis} | {value} | {passed} | {failed} |");
        }
    }
    out.push_str("\n## What the IdP must emit\n\nEach distinct expected verdict, the rules behind it, and how many scenarios expect it.\n\n");
    out.push_str(
        "| outcome | amr | acr | error | rules | scenarios | failed |\n|---|---|---|---|---|---:|---:|\n",
    );
    // (outcome, amr, acr, error, rules) → scenarios, failed.
    type Row = (String, String, String, String, String);
    let mut table: BTreeMap<Row, Tally> = BTreeMap::new();
    for record in records {
        let v = &record.expected.verdict;
        let outcome = describe(&Verdict { amr: Vec::new(), acr: None, error: None, ..v.clone() });
        let key = (
            outcome,
            v.amr.join(" "),
            v.acr.clone().unwrap_or_else(|| "—".into()),
            v.error.clone().unwrap_or_else(|| "—".into()),
            record.expected.rules.join(" "),
        );
        let entry = table.entry(key).or_default();
        entry.0 += 1;
        if !record.pass() {
            entry.1 += 1;
        }
    }
    for ((outcome, amr, acr, error, rules), (count, failed)) in table {
        let amr = if amr.is_empty() { "—".to_owned() } else { format!("`{amr}`") };
        let _ = writeln!(out, "| {outcome} | {amr} | {acr} | {error} | {rules} | {count} | {failed} |");
    }
    out.push_str(&findings::markdown(&findings::findings(records)));
    let failures: Vec<&Record> = records.iter().filter(|r| !r.pass()).collect();
    if !failures.is_empty() {
        out.push_str("\n## Mismatches\n\n| scenario | expected | actual |\n|---|---|---|\n");
        for record in failures {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                record.scenario.id(),
                describe(&record.expected.verdict),
                describe(&record.actual)
            );
        }
    }
    out
}

/// Writes `matrix.json`, `junit.xml` and `matrix.md` into `dir`.
pub fn write_all(dir: &Path, records: &[Record], totals: Totals) -> anyhow::Result<()> {
    write_json_and_all(dir, &json_report(records, totals), records, totals)
}

/// Writes `json` (the [`json_report`] of `records`, perhaps with keys added) as `matrix.json`,
/// then `junit.xml` and `matrix.md` of `records`, into `dir`.
pub fn write_json_and_all(
    dir: &Path,
    json: &Value,
    records: &[Record],
    totals: Totals,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let json = serde_json::to_vec_pretty(json).context("encoding the JSON report")?;
    std::fs::write(dir.join("matrix.json"), json).context("writing matrix.json")?;
    std::fs::write(dir.join("junit.xml"), junit(records, totals)).context("writing junit.xml")?;
    std::fs::write(dir.join("matrix.md"), markdown(records, totals)).context("writing matrix.md")?;
    Ok(())
}
