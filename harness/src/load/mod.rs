//! `softfido load`: many concurrent browsers signing in again and again through the OIDC
//! authorization code flow against a `softfido serve` process, with the sign-in rate, the
//! latency of whole sign-ins, the errors and the server's memory; `--flood` repeats the
//! measurement while one client floods `/authorize` and another guesses passwords.
//!
//! The browsers are tokio tasks on a few threads; their WebAuthn client and authenticator run
//! synchronously inside the task for one ceremony step at a time.

mod browsers;
mod flood;
mod report;
pub mod server;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::json;

use self::browsers::{Browser, Browsers, Tally, load_scenario};
use self::flood::Flood;
use self::report::{Latency, Phase, print_table};
use self::server::ServeProcess;
use crate::args::Threads;
use crate::matrix::ceremony::Target;

/// Options of `softfido load`.
#[derive(clap::Args, Debug, Clone)]
pub struct LoadArgs {
    /// Concurrent browsers signing in.
    #[arg(long, default_value_t = 200)]
    pub browsers: usize,
    /// Seconds each phase lasts.
    #[arg(long, default_value_t = 20.0)]
    pub seconds: f64,
    /// Run a clean phase, then a phase in which one client floods /authorize with
    /// unauthenticated requests and another guesses passwords.
    #[arg(long)]
    pub flood: bool,
    /// Requests each flooding client keeps in flight.
    #[arg(long, default_value_t = 16)]
    pub flood_concurrency: usize,
    /// Load an IdP already running at this issuer URL (set up with `softfido matrix
    /// --print-client-config`) instead of starting `softfido serve`; its memory is not read.
    #[arg(long)]
    pub rp_url: Option<String>,
    /// Write the figures to this JSON file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// The threads the browsers run on.
    #[command(flatten)]
    pub threads: Threads,
}

/// The IdP under load and, when this command started it, its process.
struct Idp {
    target: Arc<Target>,
    process: Option<ServeProcess>,
}

impl Idp {
    async fn connect(rp_url: Option<&str>) -> anyhow::Result<Self> {
        match rp_url {
            Some(url) => Ok(Self { target: Arc::new(Target::discover(url).await?), process: None }),
            None => {
                let (process, target) = ServeProcess::start().await?;
                Ok(Self { target: Arc::new(target), process: Some(process) })
            }
        }
    }
}

/// Runs the browsers for one phase (with the flood, of this concurrency, when `flood` is set)
/// and reads the server's memory.
async fn phase(
    name: &'static str,
    idp: &Idp,
    browsers: &Arc<Browsers>,
    workers: Vec<Browser>,
    seconds: f64,
    flood: Option<usize>,
) -> anyhow::Result<(Vec<Browser>, Phase)> {
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let flooding = match flood {
        Some(concurrency) => Some(Flood::start(&idp.target, concurrency, deadline).await?),
        None => None,
    };
    let (workers, Tally { mut latencies, errors }) = browsers.run_until(workers, deadline).await?;
    let elapsed = started.elapsed().as_secs_f64();
    let flood = flooding.map(Flood::stop);
    let memory = idp.process.as_ref().map(ServeProcess::memory).transpose()?;
    let latency = Latency::of(&mut latencies);
    let sign_ins = latencies.len() as u64;
    Ok((workers, Phase { name, sign_ins, seconds: elapsed, latency, errors, memory, flood }))
}

/// What one invocation measured.
struct Measured {
    /// The IdP's issuer.
    issuer: String,
    /// The `softfido serve` process this command started, if it started one.
    pid: Option<u32>,
    /// The registrations before the phases: their errors and the server's memory after them.
    registration: Phase,
    /// The clean phase, then the flooded one with `--flood`.
    phases: Vec<Phase>,
}

async fn measure(args: &LoadArgs) -> anyhow::Result<Measured> {
    let idp = Idp::connect(args.rp_url.as_deref()).await?;
    let browsers = Arc::new(Browsers::new(Arc::clone(&idp.target), load_scenario()?));
    let (workers, registration) = browsers.register_all(args.browsers).await?;
    let memory = idp.process.as_ref().map(ServeProcess::memory).transpose()?;
    let registration = Phase {
        name: "registration",
        sign_ins: 0,
        seconds: 0.0,
        latency: Latency::default(),
        errors: registration.errors,
        memory,
        flood: None,
    };
    let mut phases = Vec::new();
    let (workers, clean) = phase("clean", &idp, &browsers, workers, args.seconds, None).await?;
    phases.push(clean);
    if args.flood {
        let concurrency = Some(args.flood_concurrency);
        let (_, flooded) = phase("flooded", &idp, &browsers, workers, args.seconds, concurrency).await?;
        phases.push(flooded);
    }
    let pid = idp.process.as_ref().map(ServeProcess::pid);
    Ok(Measured { issuer: idp.target.issuer.clone(), pid, registration, phases })
}

/// Runs the load test, prints the table and writes the JSON; exit status 1 when any sign-in
/// or registration failed.
pub fn run(args: &LoadArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.seconds > 0.0, "--seconds must be positive");
    anyhow::ensure!(args.browsers > 0, "--browsers must be at least 1");
    anyhow::ensure!(args.flood_concurrency > 0, "--flood-concurrency must be at least 1");
    let jobs = args.threads.count();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(jobs).enable_all().build()?;
    // Ctrl-C drops the measurement, and with it the server process it started.
    let Measured { issuer, pid, registration, phases } = runtime.block_on(async {
        tokio::select! {
            measured = measure(args) => measured,
            _ = tokio::signal::ctrl_c() => anyhow::bail!("interrupted"),
        }
    })?;
    let server = pid.map_or("given by --rp-url".to_owned(), |pid| format!("softfido serve, pid {pid}"));
    println!(
        "softfido load: {} browsers on {jobs} threads, {:.0} s per phase, IdP {issuer} ({server})",
        args.browsers, args.seconds
    );
    print_table(&phases);
    for (kind, n) in &registration.errors {
        println!("registration error: {kind} ×{n}");
    }
    if let Some(path) = &args.json {
        let figures = json!({
            "browsers": args.browsers,
            "threads": jobs,
            "seconds_per_phase": args.seconds,
            "issuer": issuer,
            "server_pid": pid,
            "registration_errors": registration.errors,
            "server_memory_kib_after_registration": registration.json()["server_memory_kib"],
            "phases": phases.iter().map(Phase::json).collect::<Vec<_>>(),
        });
        let text = serde_json::to_string_pretty(&figures).context("the JSON figures")?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let failed = registration.error_count() + phases.iter().map(Phase::error_count).sum::<u64>();
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
