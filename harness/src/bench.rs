//! `softfido bench`: whole ceremonies per second, end to end over loopback HTTP as the matrix
//! runs them, and in the same run the cost of the P-256 operations one ceremony needs; the
//! ratio of the two says how close the harness and the IdP come to the crypto-bound limit.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::Generate;
use softfido_rp::policy::Policy;
use softfido_rp::webauthn::UserVerificationRequirement;

use crate::idp::LocalIdp;
use crate::matrix::axes::{RpUv, Scenario};
use crate::matrix::oracle;
use crate::matrix::run::{Target, run_group};
use crate::matrix::selection::scenario_from_values;

/// Options of `softfido bench`.
#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    /// Seconds per measurement.
    #[arg(long, default_value_t = 5.0)]
    pub seconds: f64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub jobs: Option<usize>,
}

/// The ceremony measured: a platform authenticator (TEE, fingerprint, trusted basic
/// attestation, uvm), a discoverable passkey, UV preferred; it earns hwk and phrh.
fn ceremony() -> anyhow::Result<Scenario> {
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
    ])
}

/// Operations per second of `operation`, on this thread, for about `seconds`.
fn rate(seconds: f64, mut operation: impl FnMut()) -> f64 {
    let started = Instant::now();
    let mut count = 0u64;
    while started.elapsed().as_secs_f64() < seconds {
        for _ in 0..16 {
            operation();
        }
        count += 16;
    }
    count as f64 / started.elapsed().as_secs_f64()
}

/// Single-thread rates of the P-256 operations a ceremony needs.
struct CryptoRates {
    keygen: f64,
    sign: f64,
    verify: f64,
}

impl CryptoRates {
    fn measure(seconds: f64) -> Self {
        let key = SigningKey::generate_from_rng(&mut rand::rng());
        let verifying = *key.verifying_key();
        let message = [0x5a_u8; 300];
        let signature: Signature = key.sign(&message);
        let keygen = rate(seconds, || {
            let key = SigningKey::generate_from_rng(&mut rand::rng());
            std::hint::black_box(key.verifying_key());
        });
        let sign = rate(seconds, || {
            let signature: Signature = key.sign(std::hint::black_box(&message));
            std::hint::black_box(signature);
        });
        let verify = rate(seconds, || {
            std::hint::black_box(verifying.verify(std::hint::black_box(&message), &signature).is_ok());
        });
        Self { keygen, sign, verify }
    }

    /// Seconds of crypto for `keygens`, `signs` and `verifies`.
    fn cost(&self, keygens: f64, signs: f64, verifies: f64) -> f64 {
        keygens / self.keygen + signs / self.sign + verifies / self.verify
    }
}

/// Runs `groups_of` sign-ins per registration, concurrently, for `seconds`; ceremonies per
/// second (each one checked against the oracle: a failing run is an error, not a figure).
async fn throughput(
    target: Arc<Target>,
    scenario: Scenario,
    sign_ins_per_registration: usize,
    seconds: f64,
    jobs: usize,
) -> anyhow::Result<f64> {
    let expected = oracle::expect(&scenario).verdict;
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..jobs * 8 {
        let (target, done, expected) = (Arc::clone(&target), Arc::clone(&done), expected.clone());
        tasks.spawn(async move {
            while Instant::now() < deadline {
                let runs = run_group(&target, scenario, vec![scenario; sign_ins_per_registration]).await;
                for run in runs {
                    anyhow::ensure!(
                        run.actual == expected,
                        "a benchmarked ceremony failed: {:?}",
                        run.actual
                    );
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
            Ok(())
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.context("a benchmark task panicked")??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}

/// Runs the benchmark and prints the figures.
pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let jobs =
        args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let scenario = ceremony()?;
    println!("softfido bench: {jobs} threads, {:.0} s per measurement", args.seconds);
    println!("ceremony: {}", scenario.id());
    let crypto = CryptoRates::measure(args.seconds / 3.0);
    println!(
        "P-256 on one core: key generation {:.0}/s · sign {:.0}/s · verify {:.0}/s",
        crypto.keygen, crypto.sign, crypto.verify
    );
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(jobs).enable_all().build()?;
    let (full, sign_ins) = runtime.block_on(async {
        let idp = LocalIdp::start(UserVerificationRequirement::Preferred, Policy::Rfc8176).await?;
        let target = Arc::new(Target::discover(&idp.issuer, RpUv::Preferred).await?);
        let full = throughput(Arc::clone(&target), scenario, 1, args.seconds, jobs).await?;
        let sign_ins = throughput(target, scenario, 50, args.seconds, jobs).await?;
        drop(idp);
        anyhow::Ok((full, sign_ins))
    })?;
    // Registration: the credential key pair, the attestation signature; the IdP verifies the
    // attestation signature and the batch certificate's signature by the root. Sign-in: the
    // assertion signature and its verification, the ID token's signature and its verification
    // by the client.
    let rows = [
        (
            "register + sign in + code flow + token",
            full,
            crypto.cost(1.0, 3.0, 4.0),
            "1 key generation, 3 signatures, 4 verifications",
        ),
        (
            "sign in + code flow + token (1 registration per 50)",
            sign_ins,
            crypto.cost(0.02, 2.06, 2.08),
            "2 signatures, 2 verifications",
        ),
    ];
    for (name, achieved, seconds_of_crypto, needs) in rows {
        let limit = jobs as f64 / seconds_of_crypto;
        println!("{name}: {achieved:.0}/s");
        println!(
            "  crypto-bound limit {limit:.0}/s ({needs} = {:.0} µs per ceremony, {jobs} threads) → {:.2} of the limit",
            seconds_of_crypto * 1e6,
            achieved / limit
        );
    }
    Ok(())
}
