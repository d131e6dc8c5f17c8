//! The legitimate users: browsers that registered a passkey once and then sign in again and
//! again through the authorization code flow (`/authorize` → WebAuthn sign-in →
//! `/authorize/continue` → `/token` with PKCE → the ID token verified), each sign-in timed whole.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::matrix::ceremony::{Registered, Target, register, sign_in};
use crate::matrix::oracle::{self, Verdict};
use crate::matrix::scenario::Scenario;

/// A pause after a failed step, so that a failing server is not hammered by a tight loop.
const AFTER_ERROR: Duration = Duration::from_millis(20);

/// The ceremony each browser runs: the one `softfido bench` measures (a platform
/// authenticator: TEE, fingerprint, uvm; a discoverable passkey, UV preferred; it earns hwk and
/// phrh).
pub fn load_scenario() -> anyhow::Result<Scenario> {
    crate::bench::measured_scenario()
}

/// What the browsers share: the IdP, the ceremony and the verdict every sign-in must end in.
pub struct Browsers {
    target: Arc<Target>,
    scenario: Scenario,
    expected: Verdict,
}

/// One browser: its account and authenticator once registered.
#[derive(Default)]
pub struct Browser {
    registered: Option<Registered>,
}

/// What a set of browsers did in one phase.
#[derive(Debug, Default)]
pub struct Tally {
    /// The duration of each successful sign-in.
    pub latencies: Vec<Duration>,
    /// Failures by kind (a registration's kind starts with `register `).
    pub errors: BTreeMap<String, u64>,
}

impl Tally {
    fn error(&mut self, kind: String) {
        *self.errors.entry(kind).or_default() += 1;
    }

    fn add(&mut self, other: Self) {
        self.latencies.extend(other.latencies);
        for (kind, count) in other.errors {
            *self.errors.entry(kind).or_default() += count;
        }
    }
}

/// The kind of a failed verdict: its error up to the first detail in parentheses, or how the
/// token differs from the expected one.
fn error_kind(actual: &Verdict, expected: &Verdict) -> String {
    match &actual.error {
        Some(error) => error.split(" (").next().unwrap_or(error).to_owned(),
        None if actual.outcome != expected.outcome => format!("outcome {:?}", actual.outcome),
        None => format!("amr {:?} acr {:?}", actual.amr, actual.acr),
    }
}

impl Browsers {
    /// Browsers signing in to `target` with `scenario`.
    pub fn new(target: Arc<Target>, scenario: Scenario) -> Self {
        let expected = oracle::expect(&scenario).verdict;
        Self { target, scenario, expected }
    }

    /// Registers every browser concurrently; a failed registration is tallied and retried when
    /// that browser next runs.
    pub async fn register_all(self: &Arc<Self>, count: usize) -> anyhow::Result<(Vec<Browser>, Tally)> {
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..count {
            let browsers = Arc::clone(self);
            tasks.spawn(async move {
                let mut browser = Browser::default();
                let mut tally = Tally::default();
                browsers.ensure_registered(&mut browser, &mut tally).await;
                (browser, tally)
            });
        }
        self.join(tasks).await
    }

    /// Runs every browser until `deadline`; each finishes the sign-in it is in.
    pub async fn run_until(
        self: &Arc<Self>,
        browsers: Vec<Browser>,
        deadline: Instant,
    ) -> anyhow::Result<(Vec<Browser>, Tally)> {
        let mut tasks = tokio::task::JoinSet::new();
        for browser in browsers {
            let this = Arc::clone(self);
            tasks.spawn(async move { this.sign_in_until(browser, deadline).await });
        }
        self.join(tasks).await
    }

    async fn join(
        &self,
        mut tasks: tokio::task::JoinSet<(Browser, Tally)>,
    ) -> anyhow::Result<(Vec<Browser>, Tally)> {
        let mut browsers = Vec::with_capacity(tasks.len());
        let mut tally = Tally::default();
        while let Some(joined) = tasks.join_next().await {
            let (browser, its_tally) = joined.context("a browser task panicked")?;
            browsers.push(browser);
            tally.add(its_tally);
        }
        Ok((browsers, tally))
    }

    async fn ensure_registered(&self, browser: &mut Browser, tally: &mut Tally) -> bool {
        if browser.registered.is_some() {
            return true;
        }
        match register(&self.target, &self.scenario).await {
            Ok(registered) => {
                browser.registered = Some(registered);
                true
            }
            Err(verdict) => {
                tally.error(format!("register {}", error_kind(&verdict, &self.expected)));
                tokio::time::sleep(AFTER_ERROR).await;
                false
            }
        }
    }

    async fn sign_in_until(&self, mut browser: Browser, deadline: Instant) -> (Browser, Tally) {
        let mut tally = Tally::default();
        while Instant::now() < deadline {
            if !self.ensure_registered(&mut browser, &mut tally).await {
                continue;
            }
            let Some(registered) = browser.registered.as_mut() else { continue };
            let started = Instant::now();
            let verdict = sign_in(&self.target, &self.scenario, registered).await;
            if verdict == self.expected {
                tally.latencies.push(started.elapsed());
            } else {
                tally.error(error_kind(&verdict, &self.expected));
                tokio::time::sleep(AFTER_ERROR).await;
            }
        }
        (browser, tally)
    }
}
