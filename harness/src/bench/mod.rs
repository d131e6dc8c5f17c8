//! `softfido bench`: whole ceremonies per second, end to end over loopback HTTP as the matrix
//! runs them, and in the same run the cost of the P-256 operations one ceremony needs; the
//! ratio of the two says how close the harness and the IdP come to the crypto-bound limit.
//!
//! The three measurements are interleaved in rounds of about a second (crypto, whole
//! ceremonies, sign-ins), so that a machine whose speed drifts, as shared virtual machines'
//! does, is measured at the same speed for the limit and for what is achieved.
//!
//! `softfido bench --pairs` measures something else: create()+get() pairs on one thread, in
//! process, as a browser benchmark's page does them ([`pairs`]).

mod crypto;
mod pairs;
mod workload;

use std::sync::Arc;

use softfido_rp::policy::Policy;

use self::crypto::{CryptoNeeds, CryptoRates};
use self::workload::{Worker, Workload};
use crate::args::Threads;
use crate::axes::RpUv;
use crate::idp::LocalIdp;
use crate::matrix::ceremony::Target;
use crate::matrix::scenario::Scenario;
use crate::matrix::selection::scenario_from_values;

/// Options of `softfido bench`.
#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    /// Seconds per measurement (each is spread over rounds of about a second).
    #[arg(long, default_value_t = 5.0)]
    pub seconds: f64,
    /// The threads the ceremonies run on (and the crypto is measured on).
    #[command(flatten)]
    pub threads: Threads,
    /// Instead: create()+get() pairs per second on one thread, client, authenticator and the
    /// RP's verification in process, and the same without the RP.
    #[arg(long, conflicts_with = "jobs")]
    pub pairs: bool,
    /// With `--pairs`: print one JSON line
    /// `{"pairs_per_second", "pairs", "seconds", "without_rp": {…}}`.
    #[arg(long, requires = "pairs")]
    pub json: bool,
}

/// Concurrent browsers per worker thread: enough to keep every thread busy while others wait
/// on loopback I/O.
const BROWSERS_PER_THREAD: usize = 8;
/// Sign-ins per registration in the sign-in measurement.
const SIGN_INS_PER_REGISTRATION: usize = 50;

/// The ceremony measured: a platform authenticator (TEE, fingerprint, trusted basic
/// attestation, uvm), a discoverable passkey, UV preferred; it earns hwk and phrh.
pub fn measured_scenario() -> anyhow::Result<Scenario> {
    scenario_from_values(&[
        ("up", "approve"),
        ("uv_capability", "fingerprint"),
        ("uv_performed", "yes"),
        ("pin_protocol", "n/a"),
        ("key_protection", "tee"),
        ("attestation", "basic_trusted"),
        ("backup", "be0_bs0"),
        ("uvm", "yes"),
        ("discoverable", "yes"),
        ("first_factor", "passkey"),
        ("rp_uv", "preferred"),
        ("acr_request", "none"),
        ("session", "none"),
        ("prompt", "absent"),
        ("max_age", "absent"),
    ])
}

/// Registration: the credential key pair and the attestation signature; the IdP verifies the
/// attestation signature and the batch certificate's signature by the root. Sign-in: the
/// assertion signature and its verification, the ID token's signature and its verification by
/// the client.
fn needs(sign_ins_per_registration: usize) -> CryptoNeeds {
    let registrations = 1.0 / sign_ins_per_registration as f64;
    CryptoNeeds { keygens: registrations, signs: 2.0 + registrations, verifies: 2.0 + 2.0 * registrations }
}

/// One measured kind of ceremony, its workers and what the rounds gave.
struct Measurement {
    name: &'static str,
    workload: Arc<Workload>,
    workers: Vec<Worker>,
    ceremonies: u64,
    seconds: f64,
    /// Per round: ceremonies per second over the limit of that round's crypto.
    round_ratios: Vec<f64>,
}

impl Measurement {
    fn new(name: &'static str, workload: Workload, browsers: usize) -> Self {
        Self {
            name,
            workload: Arc::new(workload),
            workers: (0..browsers).map(|_| Worker::default()).collect(),
            ceremonies: 0,
            seconds: 0.0,
            round_ratios: Vec::new(),
        }
    }

    async fn round(&mut self, seconds: f64, crypto: &CryptoRates, jobs: usize) -> anyhow::Result<()> {
        let workers = std::mem::take(&mut self.workers);
        let (workers, ceremonies, elapsed) = self.workload.slice(workers, seconds).await?;
        self.workers = workers;
        self.ceremonies += ceremonies;
        self.seconds += elapsed;
        let limit = limit(crypto, self.needs(), jobs);
        self.round_ratios.push(ceremonies as f64 / elapsed / limit);
        Ok(())
    }

    fn needs(&self) -> CryptoNeeds {
        needs(self.workload.sign_ins_per_registration)
    }

    fn print(&self, crypto: &CryptoRates, jobs: usize) {
        let achieved = self.ceremonies as f64 / self.seconds;
        let needs = self.needs();
        let limit = limit(crypto, needs, jobs);
        let low = self.round_ratios.iter().copied().fold(f64::INFINITY, f64::min);
        let high = self.round_ratios.iter().copied().fold(0.0, f64::max);
        println!("{}: {achieved:.0}/s", self.name);
        println!(
            "  crypto-bound limit {limit:.0}/s ({:.2} key generations, {:.2} signatures, {:.2} verifications \
             = {:.0} µs per ceremony, {jobs} threads) → {:.2} of the limit (rounds {low:.2}–{high:.2})",
            needs.keygens,
            needs.signs,
            needs.verifies,
            crypto.cost(needs) * 1e6,
            achieved / limit,
        );
    }
}

/// Ceremonies per second if `jobs` threads did nothing but the ceremony's P-256 operations.
fn limit(crypto: &CryptoRates, needs: CryptoNeeds, jobs: usize) -> f64 {
    jobs as f64 / crypto.cost(needs)
}

/// Runs the benchmark and prints the figures.
pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    if args.pairs {
        return pairs::run(args.seconds, args.json);
    }
    let jobs = args.threads.count();
    anyhow::ensure!(args.seconds > 0.0, "--seconds must be positive");
    let rounds = args.seconds.round().max(2.0) as usize;
    let slice = args.seconds / rounds as f64;
    let scenario = measured_scenario()?;
    println!("softfido bench: {jobs} threads, {:.0} s per measurement in {rounds} rounds", args.seconds);
    println!("ceremony: {}", scenario.id());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(jobs).enable_all().build()?;
    let (crypto, measurements) = runtime.block_on(async {
        let idp = LocalIdp::start(RpUv::Preferred.into(), Policy::Rfc8176, None).await?;
        let target = Arc::new(Target::discover(&idp.issuer).await?);
        let browsers = jobs * BROWSERS_PER_THREAD;
        let mut measurements = [
            Measurement::new(
                "register + sign in + code flow + token",
                Workload::new(Arc::clone(&target), scenario, 1),
                browsers,
            ),
            Measurement::new(
                "sign in + code flow + token (1 registration per 50)",
                Workload::new(target, scenario, SIGN_INS_PER_REGISTRATION),
                browsers,
            ),
        ];
        let mut crypto = CryptoRates::default();
        for _ in 0..rounds {
            // The runtime's threads are idle while the crypto runs on threads of its own.
            let this_round = tokio::task::block_in_place(|| CryptoRates::measure(jobs, slice));
            crypto.add(&this_round);
            for measurement in &mut measurements {
                measurement.round(slice, &this_round, jobs).await?;
            }
        }
        drop(idp);
        anyhow::Ok((crypto, measurements))
    })?;
    let [keygen, sign, verify] = crypto.per_thread();
    println!(
        "P-256 per thread, {jobs} threads at once: key generation {keygen:.0}/s · sign {sign:.0}/s · verify {verify:.0}/s"
    );
    for measurement in &measurements {
        measurement.print(&crypto, jobs);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
