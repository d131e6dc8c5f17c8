//! `softfido device-matrix`: every authenticator flag combination of every generation of key,
//! registered and signed in through the CTAP2 byte interface ([`check`]) or, on a U2F key,
//! through U2F's APDUs ([`u2f`]), with what was signed read independently ([`verify`]) and
//! checked against [`oracle`].

pub mod check;
pub mod generations;
pub mod oracle;
pub mod scenario;
pub mod u2f;
pub mod verify;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Instant;

use self::scenario::{DeviceScenario, scenarios};
use crate::args::Selection;
use crate::filter::Filter;

/// Options of `softfido device-matrix`.
#[derive(clap::Args, Debug, Clone)]
pub struct DeviceMatrixArgs {
    /// The scenarios to run and the threads to run them on.
    #[command(flatten)]
    pub selection: Selection,
}

/// The outcome of one scenario.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The scenario.
    pub scenario: DeviceScenario,
    /// `None` when everything matched, else what differed.
    pub mismatch: Option<String>,
}

/// Runs one scenario: register (presence given), then sign in with the scenario's answers.
pub fn run_scenario(s: &DeviceScenario) -> Outcome {
    Outcome { scenario: *s, mismatch: check::check_device(s, s.config()).err() }
}

/// Runs the matrix; exit status 1 on any mismatch.
pub fn run(args: &DeviceMatrixArgs) -> anyhow::Result<ExitCode> {
    let mut selected = scenarios();
    if let Some(filter) = &args.selection.filter {
        let filter = Filter::parse(filter, &selected)?;
        selected.retain(|s| filter.matches(s));
    }
    if selected.is_empty() {
        anyhow::bail!("the filter selects no scenario");
    }
    let jobs = args.selection.threads.count();
    println!("softfido matrix: {} authenticator scenarios on {jobs} threads", selected.len());
    let started = Instant::now();
    let progress = indicatif::ProgressBar::new(selected.len() as u64);
    progress.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} scenarios {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let chunk = selected.len().div_ceil(jobs);
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let handles: Vec<_> = selected
            .chunks(chunk)
            .map(|part| {
                let progress = progress.clone();
                scope.spawn(move || {
                    part.iter()
                        .map(|s| {
                            let outcome = run_scenario(s);
                            progress.inc(1);
                            outcome
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    progress.finish_and_clear();
    print!("{}", summary(&outcomes));
    let failed = outcomes.iter().filter(|o| o.mismatch.is_some()).count();
    if outcomes.len() != selected.len() {
        anyhow::bail!("{} scenarios did not report", selected.len() - outcomes.len());
    }
    println!("in {:.1} s", started.elapsed().as_secs_f64());
    println!("{} passed, {failed} failed", outcomes.len() - failed);
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// How many mismatches the summary shows in full.
const SHOWN_MISMATCHES: usize = 20;

/// The per-axis-value table of passed and failed scenarios, then the first mismatches.
pub fn summary(outcomes: &[Outcome]) -> String {
    let mut per_value: BTreeMap<(&'static str, &'static str), (usize, usize)> = BTreeMap::new();
    for outcome in outcomes {
        for (axis, value) in outcome.scenario.values() {
            let entry = per_value.entry((axis, value)).or_default();
            if outcome.mismatch.is_none() {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
    }
    let mut out = String::new();
    let _ = writeln!(out, "{:<16} {:<16} {:>8} {:>8}", "axis", "value", "passed", "failed");
    for ((axis, value), (passed, failed)) in &per_value {
        let _ = writeln!(out, "{axis:<16} {value:<16} {passed:>8} {failed:>8}");
    }
    for outcome in outcomes.iter().filter(|o| o.mismatch.is_some()).take(SHOWN_MISMATCHES) {
        let described: Vec<String> =
            outcome.scenario.values().into_iter().map(|(a, v)| format!("{a}={v}")).collect();
        let mismatch = outcome.mismatch.as_deref().unwrap_or_default();
        let _ = writeln!(out, "MISMATCH {}: {mismatch}", described.join(","));
    }
    out
}

#[cfg(test)]
mod tests;
