//! `harness/golden/amr.csv`: hand-checked scenarios with the verdict the rule table gives
//! them. Both the oracle and the real IdP must reproduce every row (`harness/tests/golden.rs`).
//!
//! Columns: the sixteen axes (as in the JSON report), then `outcome`, `amr` (space-separated,
//! sorted), `acr`, `error` (empty for none) and `rules`. Lines starting with `#` are comments.

use super::oracle::{Outcome, Verdict};
use serde::Deserialize as _;
use serde::de::IntoDeserializer as _;

use super::scenario::MATRIX_AXIS_NAMES;
use super::scenario::Scenario;
use super::selection::scenario_from_values;

/// The file, as shipped.
pub const GOLDEN_CSV: &str = include_str!("../../golden/amr.csv");

/// One hand-checked row.
#[derive(Clone, Debug)]
pub struct GoldenRow {
    /// Line number in the file, for messages.
    pub line: usize,
    /// The scenario.
    pub scenario: Scenario,
    /// The verdict the rule table gives it.
    pub verdict: Verdict,
    /// The rules the row cites.
    pub rules: String,
}

/// An outcome by the name the JSON report gives it.
fn outcome(name: &str) -> anyhow::Result<Outcome> {
    let name: serde::de::value::StrDeserializer<'_, serde::de::value::Error> = name.into_deserializer();
    Outcome::deserialize(name).map_err(|e| anyhow::anyhow!("unknown outcome: {e}"))
}

/// Parses the golden file.
pub fn parse(text: &str) -> anyhow::Result<Vec<GoldenRow>> {
    let mut rows = Vec::new();
    let mut header_seen = false;
    for (number, line) in text.lines().enumerate() {
        let line_number = number + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if !header_seen {
            let expected: Vec<&str> = MATRIX_AXIS_NAMES
                .iter()
                .copied()
                .chain(["outcome", "amr", "acr", "error", "rules"])
                .collect();
            anyhow::ensure!(
                cells == expected,
                "line {line_number}: the header must be {}",
                expected.join(",")
            );
            header_seen = true;
            continue;
        }
        anyhow::ensure!(
            cells.len() == MATRIX_AXIS_NAMES.len() + 5,
            "line {line_number}: {} cells",
            cells.len()
        );
        let values: Vec<(&str, &str)> =
            MATRIX_AXIS_NAMES.iter().copied().zip(cells.iter().copied()).collect();
        let scenario =
            scenario_from_values(&values).map_err(|e| anyhow::anyhow!("line {line_number}: {e}"))?;
        let rest = &cells[MATRIX_AXIS_NAMES.len()..];
        let mut amr: Vec<String> = rest[1].split_whitespace().map(str::to_owned).collect();
        amr.sort();
        let optional = |cell: &str| (!cell.is_empty()).then(|| cell.to_owned());
        let verdict = Verdict {
            outcome: outcome(rest[0]).map_err(|e| anyhow::anyhow!("line {line_number}: {e}"))?,
            amr,
            acr: optional(rest[2]),
            error: optional(rest[3]),
        };
        rows.push(GoldenRow { line: line_number, scenario, verdict, rules: rest[4].to_owned() });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests;
