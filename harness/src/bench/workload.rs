//! Whole ceremonies run in slices: between slices every worker keeps its account and
//! authenticator, so a slice starts and ends without ramp-up or tail.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::matrix::ceremony::{Registered, Target, register, sign_in};
use crate::matrix::oracle::{self, Verdict};
use crate::matrix::scenario::Scenario;

/// One concurrent browser: its registration and how many sign-ins it has left before it
/// registers afresh.
#[derive(Default)]
pub struct Worker {
    registered: Option<Registered>,
    sign_ins_left: usize,
}

/// The ceremonies of one kind and what they share.
pub struct Workload {
    target: Arc<Target>,
    scenario: Scenario,
    /// Sign-ins per registration (1: every ceremony registers).
    pub sign_ins_per_registration: usize,
    expected: Verdict,
}

impl Workload {
    /// `scenario` against `target`, registering afresh every `sign_ins_per_registration` sign-ins.
    pub fn new(target: Arc<Target>, scenario: Scenario, sign_ins_per_registration: usize) -> Self {
        let expected = oracle::expect(&scenario).verdict;
        Self { target, scenario, sign_ins_per_registration: sign_ins_per_registration.max(1), expected }
    }

    /// Runs `workers` concurrently for about `seconds`; each finishes the ceremony it is in.
    /// Returns the workers, the ceremonies completed and the wall time. Every ceremony is
    /// checked against the oracle: a failing one is an error, not a figure.
    pub async fn slice(
        self: &Arc<Self>,
        workers: Vec<Worker>,
        seconds: f64,
    ) -> anyhow::Result<(Vec<Worker>, u64, f64)> {
        let started = Instant::now();
        let deadline = started + Duration::from_secs_f64(seconds);
        let mut tasks = tokio::task::JoinSet::new();
        for worker in workers {
            let workload = Arc::clone(self);
            tasks.spawn(async move { workload.run_until(worker, deadline).await });
        }
        let mut workers = Vec::with_capacity(tasks.len());
        let mut ceremonies = 0;
        while let Some(joined) = tasks.join_next().await {
            let (worker, done) = joined.context("a benchmark task panicked")??;
            workers.push(worker);
            ceremonies += done;
        }
        Ok((workers, ceremonies, started.elapsed().as_secs_f64()))
    }

    async fn run_until(&self, mut worker: Worker, deadline: Instant) -> anyhow::Result<(Worker, u64)> {
        let mut done = 0;
        while Instant::now() < deadline {
            let registered = match worker.registered.as_mut() {
                Some(registered) if worker.sign_ins_left > 0 => registered,
                _ => {
                    let registered = register(&self.target, &self.scenario).await.map_err(|verdict| {
                        anyhow::anyhow!("a benchmarked registration failed: {verdict:?}")
                    })?;
                    worker.sign_ins_left = self.sign_ins_per_registration;
                    worker.registered.insert(registered)
                }
            };
            let actual = sign_in(&self.target, &self.scenario, registered).await;
            anyhow::ensure!(actual == self.expected, "a benchmarked ceremony failed: {actual:?}");
            worker.sign_ins_left -= 1;
            done += 1;
        }
        Ok((worker, done))
    }
}
