//! A group of scenarios, those of one registration key: they share an account and an
//! authenticator (one [`register`]), then each signs in on its own ([`sign_in`]).

use std::time::{Duration, Instant};

use super::ceremony::{Target, register, sign_in};
use super::oracle::Verdict;
use super::scenario::Scenario;

/// One scenario's result.
#[derive(Clone, Debug)]
pub struct Run {
    /// The scenario.
    pub scenario: Scenario,
    /// What happened.
    pub actual: Verdict,
    /// Wall time of its sign-in, plus its share of the registration.
    pub elapsed: Duration,
}

/// Runs every scenario of one registration key: one account and registration, then one sign-in
/// per scenario. A registration that fails ends each of its scenarios with that failure.
pub async fn run_group(target: &Target, key: Scenario, scenarios: Vec<Scenario>) -> Vec<Run> {
    let started = Instant::now();
    let registered = register(target, &key).await;
    let share = started.elapsed() / u32::try_from(scenarios.len().max(1)).unwrap_or(u32::MAX);
    let mut registered = match registered {
        Ok(registered) => registered,
        Err(verdict) => {
            return scenarios
                .into_iter()
                .map(|scenario| Run { scenario, actual: verdict.clone(), elapsed: share })
                .collect();
        }
    };
    let mut runs = Vec::with_capacity(scenarios.len());
    for scenario in scenarios {
        let started = Instant::now();
        let actual = sign_in(target, &scenario, &mut registered).await;
        runs.push(Run { scenario, actual, elapsed: started.elapsed() + share });
    }
    runs
}
