//! The figures of a load run: per phase the sign-in rate, latency percentiles, errors by kind,
//! the server's memory and what the flooding clients got; printed as a table and as JSON.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

use super::flood::{FloodTally, StatusCounts};
use super::server::Memory;

/// Latency percentiles of whole sign-ins, in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Latency {
    /// The median.
    pub p50: f64,
    /// The 99th percentile.
    pub p99: f64,
    /// The slowest.
    pub max: f64,
}

impl Latency {
    /// Nearest-rank percentiles of `samples` (all zero when there are none).
    pub fn of(samples: &mut [Duration]) -> Self {
        samples.sort_unstable();
        let rank = |percent: usize| {
            let index = (samples.len() * percent).div_ceil(100).saturating_sub(1);
            samples.get(index).map_or(0.0, |d| d.as_secs_f64() * 1e3)
        };
        Self { p50: rank(50), p99: rank(99), max: rank(100) }
    }
}

/// One phase of the run.
#[derive(Debug)]
pub struct Phase {
    /// `clean` or `flooded`.
    pub name: &'static str,
    /// Successful sign-ins.
    pub sign_ins: u64,
    /// Wall time of the phase, until the last browser finished its sign-in.
    pub seconds: f64,
    /// Latency of the successful sign-ins.
    pub latency: Latency,
    /// Failures by kind.
    pub errors: BTreeMap<String, u64>,
    /// The server's memory at the end of the phase (none for a server given by `--rp-url`).
    pub memory: Option<Memory>,
    /// What the flooding clients got, in a flooded phase.
    pub flood: Option<FloodTally>,
}

impl Phase {
    /// Failures of every kind.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// Successful sign-ins per second.
    pub fn rate(&self) -> f64 {
        if self.seconds > 0.0 { self.sign_ins as f64 / self.seconds } else { 0.0 }
    }

    /// The phase as JSON.
    pub fn json(&self) -> Value {
        let rate =
            |counts: &StatusCounts| counts.values().sum::<u64>() as f64 / self.seconds.max(f64::MIN_POSITIVE);
        json!({
            "name": self.name,
            "sign_ins": self.sign_ins,
            "seconds": self.seconds,
            "sign_ins_per_second": self.rate(),
            "latency_ms": { "p50": self.latency.p50, "p99": self.latency.p99, "max": self.latency.max },
            "error_count": self.error_count(),
            "errors": self.errors,
            "server_memory_kib": self.memory.map(|m| json!({
                "peak": m.peak_kib,
                "resident_at_end": m.resident_kib,
            })),
            "flood": self.flood.as_ref().map(|f| json!({
                "authorize": f.authorize,
                "authorize_per_second": rate(&f.authorize),
                "password_guesses": f.password_guesses,
                "password_guesses_per_second": rate(&f.password_guesses),
            })),
        })
    }
}

/// The statuses of an IdP that bounds a flood: 429 Too Many Requests (RFC 6585 §4) and 503
/// Service Unavailable (RFC 9110 §15.6.4).
const BOUNDED: [&str; 2] = ["429", "503"];

fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

fn statuses(counts: &StatusCounts) -> String {
    let parts: Vec<String> = counts.iter().map(|(status, n)| format!("{status} ×{n}")).collect();
    if parts.is_empty() { "no answer".to_owned() } else { parts.join(", ") }
}

/// Prints the phases side by side, then the errors and the flood's answers.
pub fn print_table(phases: &[Phase]) {
    let row = |label: &str, cell: &dyn Fn(&Phase) -> String| {
        let cells: String = phases.iter().map(|p| format!("{:>14}", cell(p))).collect();
        println!("{label:<26}{cells}");
    };
    row("", &|p| p.name.to_owned());
    row("sign-ins", &|p| p.sign_ins.to_string());
    row("sign-ins/s", &|p| format!("{:.1}", p.rate()));
    row("latency p50 (ms)", &|p| format!("{:.1}", p.latency.p50));
    row("latency p99 (ms)", &|p| format!("{:.1}", p.latency.p99));
    row("latency max (ms)", &|p| format!("{:.1}", p.latency.max));
    row("errors", &|p| p.error_count().to_string());
    row("IdP peak VmHWM (MiB)", &|p| p.memory.map_or("n/a".into(), |m| mib(m.peak_kib)));
    row("IdP VmRSS at end (MiB)", &|p| p.memory.map_or("n/a".into(), |m| mib(m.resident_kib)));
    for phase in phases {
        for (kind, n) in &phase.errors {
            println!("{} error: {kind} ×{n}", phase.name);
        }
        if let Some(flood) = &phase.flood {
            let per_second = |counts: &StatusCounts| counts.values().sum::<u64>() as f64 / phase.seconds;
            let clients = [
                ("unauthenticated GET /authorize", &flood.authorize),
                ("wrong passwords POST /account/password", &flood.password_guesses),
            ];
            for (client, counts) in clients {
                println!("flood, {client}: {} ({:.1}/s)", statuses(counts), per_second(counts));
                if !counts.keys().any(|status| BOUNDED.contains(&status.as_str())) {
                    println!("  the IdP did not bound it (no 429 or 503)");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
