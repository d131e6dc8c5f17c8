//! `softfido report merge DIR... --out DIR`: the reports of `softfido matrix --shard K/N` runs
//! joined into the report one run of the whole selection would have written.
//!
//! Each scenario is rebuilt from its `axes`, and its expectation recomputed by this softfido's
//! oracle: a report whose `expected` or `rules` differ was made by another softfido version
//! and is refused, naming the scenario, rather than mixed into a report that no single oracle
//! stands behind. Unknown keys (top-level or per scenario) are ignored.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use serde_json::Value;

use super::oracle::{self, Outcome, Verdict};
use super::report::{self, Record, Totals};
use super::selection::ScenarioIndex;
use super::shard::{SHARD_KEY, ShardOf};

/// Options of `softfido report`.
#[derive(clap::Args, Debug, Clone)]
pub struct ReportArgs {
    /// What to do with reports.
    #[command(subcommand)]
    pub command: ReportCommand,
}

/// The subcommands of `softfido report`.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum ReportCommand {
    /// Join the reports of `softfido matrix --shard K/N --report DIR` runs into one
    /// matrix.json, junit.xml and matrix.md; exit status 1 if any scenario failed.
    Merge(MergeArgs),
}

/// Options of `softfido report merge`.
#[derive(clap::Args, Debug, Clone)]
pub struct MergeArgs {
    /// Report directories (each holding the matrix.json that `--report DIR` wrote), or
    /// matrix.json files.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Where to write the merged matrix.json, junit.xml and matrix.md.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Runs `softfido report`.
pub fn run_report(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        ReportCommand::Merge(merge) => run(merge),
    }
}

/// Runs `softfido report merge`: exit status 1 if any merged scenario failed.
pub fn run(args: &MergeArgs) -> anyhow::Result<ExitCode> {
    let index = ScenarioIndex::new();
    let mut reports = Vec::with_capacity(args.dirs.len());
    for dir in &args.dirs {
        let path = if dir.is_file() { dir.clone() } else { dir.join("matrix.json") };
        reports.push(read_report(&path, &index)?);
    }
    let (records, totals) = merge(reports, &index)?;
    println!("softfido report merge: {} scenarios from {} reports", records.len(), args.dirs.len());
    print!("{}", report::terminal(&records, totals));
    report::write_all(&args.out, &records, totals)?;
    println!("reports written to {}", args.out.display());
    Ok(if totals.failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// One report, read and checked against this softfido's oracle.
#[derive(Clone, Debug)]
pub struct ShardReport {
    /// The matrix.json it came from.
    pub path: PathBuf,
    /// Its scenarios, in its order.
    pub records: Vec<Record>,
    /// Its `summary.seconds`.
    pub seconds: f64,
    /// Which shard it is, when it is one (`"shard"` in matrix.json).
    pub shard: Option<ShardOf>,
}

/// Reads the matrix.json at `path`: every error names the file, and a scenario's error names
/// the scenario.
pub fn read_report(path: &Path, index: &ScenarioIndex) -> anyhow::Result<ShardReport> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let json: Value =
        serde_json::from_slice(&bytes).with_context(|| format!("{} is not JSON", path.display()))?;
    parse_report(&json, path, index)
        .with_context(|| format!("{} is not a softfido matrix report", path.display()))
}

/// The report in `json`, read from `path`.
fn parse_report(json: &Value, path: &Path, index: &ScenarioIndex) -> anyhow::Result<ShardReport> {
    let scenarios = json.get("scenarios").and_then(Value::as_array).context("no \"scenarios\" array")?;
    let seconds = json
        .get("summary")
        .and_then(|s| s.get("seconds"))
        .and_then(Value::as_f64)
        .context("no \"summary\".\"seconds\" number")?;
    let shard = json.get(SHARD_KEY).map(ShardOf::from_json).transpose()?;
    let records = scenarios
        .iter()
        .enumerate()
        .map(|(position, entry)| {
            let id = entry.get("id").and_then(Value::as_str).unwrap_or("(no id)");
            record_from_json(entry, index).with_context(|| format!("scenario {} ({id})", position + 1))
        })
        .collect::<anyhow::Result<Vec<Record>>>()?;
    Ok(ShardReport { path: path.to_owned(), records, seconds, shard })
}

/// A record of the report, its scenario rebuilt from `axes` and its expectation recomputed.
fn record_from_json(entry: &Value, index: &ScenarioIndex) -> anyhow::Result<Record> {
    let axes = entry.get("axes").and_then(Value::as_object).context("no \"axes\" object")?;
    let values = axes
        .iter()
        .map(|(axis, value)| {
            let value = value.as_str().with_context(|| format!("axis {axis} is not a string"))?;
            Ok((axis.as_str(), value))
        })
        .collect::<anyhow::Result<Vec<(&str, &str)>>>()?;
    let scenario = index.find(&values).context("a scenario this softfido does not know")?;
    let id = entry.get("id").and_then(Value::as_str).context("no \"id\" string")?;
    anyhow::ensure!(id == scenario.id(), "its id is not that of its axes ({})", scenario.id());
    let expected = oracle::expect(&scenario);
    let reported = verdict_from_json(entry.get("expected"), "expected")?;
    let rules: Vec<&str> = entry
        .get("rules")
        .and_then(Value::as_array)
        .context("no \"rules\" array")?
        .iter()
        .map(|rule| rule.as_str().context("a rule that is not a string"))
        .collect::<anyhow::Result<_>>()?;
    if reported != expected.verdict || rules != expected.rules {
        anyhow::bail!(
            "the report expects {} [{}] where this softfido's oracle expects {} [{}]: the report \
             was made by another softfido version (run every shard and the merge with one)",
            report::describe(&reported),
            rules.join(" "),
            report::describe(&expected.verdict),
            expected.rules.join(" ")
        );
    }
    let actual = verdict_from_json(entry.get("actual"), "actual")?;
    let ms = entry.get("ms").and_then(Value::as_f64).context("no \"ms\" number")?;
    // Absent in reports older than browser runs: every comparison was exact then.
    let comparison = match entry.get("compared").and_then(Value::as_str) {
        None | Some("exact") => report::Comparison::Exact,
        Some("outcome_amr_acr") => report::Comparison::OutcomeAmrAcr,
        Some(other) => anyhow::bail!("unknown \"compared\": {other:?}"),
    };
    let record = Record { scenario, expected, actual, ms, comparison };
    let pass = entry.get("pass").and_then(Value::as_bool).context("no \"pass\" boolean")?;
    anyhow::ensure!(pass == record.pass(), "\"pass\": {pass} contradicts its expected and actual verdicts");
    Ok(record)
}

/// The verdict object `side` (`expected` or `actual`).
fn verdict_from_json(value: Option<&Value>, side: &str) -> anyhow::Result<Verdict> {
    let value = value.with_context(|| format!("no \"{side}\""))?;
    let field = |key: &str| value.get(key).with_context(|| format!("no \"{side}\".\"{key}\""));
    let text = |key: &str| -> anyhow::Result<Option<String>> {
        match field(key)? {
            Value::Null => Ok(None),
            Value::String(text) => Ok(Some(text.clone())),
            _ => anyhow::bail!("\"{side}\".\"{key}\" is neither a string nor null"),
        }
    };
    let outcome: Outcome = serde_json::from_value(field("outcome")?.clone())
        .with_context(|| format!("\"{side}\".\"outcome\" is not an outcome"))?;
    let amr = field("amr")?
        .as_array()
        .and_then(|amr| amr.iter().map(|v| v.as_str().map(str::to_owned)).collect::<Option<Vec<String>>>())
        .with_context(|| format!("\"{side}\".\"amr\" is not an array of strings"))?;
    Ok(Verdict { outcome, amr, acr: text("acr")?, error: text("error")? })
}

/// The records of `reports` as one report, in product order, with their totals.
/// `summary.seconds` is the longest report's: the wall time of shards run side by side.
/// Refuses a scenario in two reports, and shards that do not make up their whole selection.
pub fn merge(reports: Vec<ShardReport>, index: &ScenarioIndex) -> anyhow::Result<(Vec<Record>, Totals)> {
    check_shards(&reports)?;
    let seconds = reports.iter().map(|r| r.seconds).fold(0.0, f64::max);
    let mut from: HashMap<_, &Path> = HashMap::new();
    let mut merged: BTreeMap<usize, Record> = BTreeMap::new();
    for shard in &reports {
        for record in &shard.records {
            if let Some(first) = from.insert(record.scenario, &shard.path) {
                anyhow::bail!(
                    "scenario {} is in both {} and {}: the reports must be of disjoint shards",
                    record.scenario.id(),
                    first.display(),
                    shard.path.display()
                );
            }
            let position = index.position(&record.scenario).context("a scenario outside the product")?;
            merged.insert(position, record.clone());
        }
    }
    let records: Vec<Record> = merged.into_values().collect();
    let totals = Totals::of(&records, seconds);
    Ok((records, totals))
}

/// The reports that say they are shards: all of one split of one selection, each shard once,
/// none missing, and together as many scenarios as that selection.
fn check_shards(reports: &[ShardReport]) -> anyhow::Result<()> {
    let shards: Vec<(&ShardReport, ShardOf)> =
        reports.iter().filter_map(|r| r.shard.map(|s| (r, s))).collect();
    let Some(&(first, split)) = shards.first() else {
        return Ok(());
    };
    let mut seen: BTreeMap<usize, &Path> = BTreeMap::new();
    let mut scenarios = 0;
    for &(report, of) in &shards {
        if (of.shard.count(), of.selected) != (split.shard.count(), split.selected) {
            anyhow::bail!(
                "{} is shard {} of {} scenarios but {} is shard {} of {}: shards of different runs",
                first.path.display(),
                split.shard,
                split.selected,
                report.path.display(),
                of.shard,
                of.selected
            );
        }
        if let Some(other) = seen.insert(of.shard.index(), &report.path) {
            anyhow::bail!("{} and {} are both shard {}", other.display(), report.path.display(), of.shard);
        }
        scenarios += report.records.len();
    }
    let count = split.shard.count();
    if let Some(missing) = (1..=count).find(|k| !seen.contains_key(k)) {
        anyhow::bail!("shard {missing}/{count} is missing: merge all {count} shards of one run");
    }
    anyhow::ensure!(
        scenarios == split.selected,
        "the {count} shards hold {scenarios} scenarios, but their run selected {}",
        split.selected
    );
    Ok(())
}

#[cfg(test)]
mod tests;
