//! `softfido matrix`: every combination of authenticator flags and RP settings, end to end.
//! Each scenario registers (or shares the registration of scenarios that differ only in
//! sign-in axes), signs in through the OIDC authorization code flow over loopback HTTP against
//! softfido's IdP (in process, or another one with `--rp-url`), verifies the ID token with
//! `openidconnect`, and compares amr/acr, or the error, with [`oracle`].

pub mod ceremony;
pub mod findings;
pub mod golden;
pub mod group;
pub mod merge;
pub mod oracle;
pub mod report;
pub mod scenario;
pub mod selection;
pub mod shard;
pub mod target;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use softfido_rp::clock::ManualClock;
use softfido_rp::policy::Policy;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use self::ceremony::Target;
use self::group::Run;
use self::report::{Record, Totals};
use self::scenario::Scenario;
use self::shard::Shard;
use crate::args::{Selection, parse_policy};
use crate::axes::RpUv;
use crate::filter::Filter;
use crate::idp::LocalIdp;

/// Options of `softfido matrix`.
#[derive(clap::Args, Debug, Clone)]
pub struct MatrixArgs {
    /// The scenarios to run and the threads to run them on.
    #[command(flatten)]
    pub selection: Selection,
    /// A covering subset (every pair of axis values at least once) for fast loops.
    #[arg(long)]
    pub quick: bool,
    /// Run only shard K of N (1 ≤ K ≤ N) of the selected scenarios: a deterministic split that
    /// keeps each shared registration whole; `softfido report merge` joins the N reports.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Write matrix.json, junit.xml and matrix.md into this directory.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Sign in to the IdP at this issuer URL instead of an in-process one. It must accept the
    /// matrix's client (`softfido serve --config` with `softfido matrix --print-client-config`).
    #[arg(long)]
    pub rp_url: Option<String>,
    /// With --rp-url: the userVerification that IdP is configured with (only those scenarios run).
    #[arg(long, default_value = "preferred")]
    pub rp_uv: RpUv,
    /// The amr/acr policy of the in-process IdP: rfc8176 (correct), or one reproducing another
    /// IdP so that the matrix shows every mismatch: aspnetcore-net10 (amr=pwd after a passkey
    /// sign-in), authelia (hwk/swk from the client's unverified authenticatorAttachment),
    /// zitadel (mfa,user for a passkey), hanko (passkey), authgear (x_passkey),
    /// keycloak-default (no amr, acr "1"). Sources: docs/amr-acr.md "Profiles of other IdPs".
    #[arg(long, default_value = "rfc8176", value_parser = parse_policy)]
    pub rp_policy: Policy,
    /// Run against an IdP softfido did not write, through its pages in headless Chromium: a
    /// target file (targets/README.md). `--jobs` is then the number of browser contexts.
    #[arg(long, value_name = "FILE", conflicts_with = "rp_url")]
    pub target: Option<PathBuf>,
    /// Print the provider configuration (issuer and the matrix's client) for `softfido serve
    /// --config` at this issuer, and exit.
    #[arg(long, value_name = "ISSUER")]
    pub print_client_config: Option<String>,
}

/// The scenarios `args` select, in product order: [`select_all`], then only `--shard`'s part.
pub fn select(args: &MatrixArgs) -> anyhow::Result<Vec<Scenario>> {
    let scenarios = select_all(args)?;
    Ok(match args.shard {
        Some(shard) => shard.select(scenarios),
        None => scenarios,
    })
}

/// The scenarios `--filter`, `--quick` and `--rp-url` select, before `--shard` splits them.
pub fn select_all(args: &MatrixArgs) -> anyhow::Result<Vec<Scenario>> {
    let mut scenarios = scenario::all_scenarios();
    if let Some(filter) = &args.selection.filter {
        let filter = Filter::parse(filter, &scenarios)?;
        scenarios.retain(|s| filter.matches(s));
    }
    if let Some(path) = &args.target {
        let target = target::Target::load(path)?;
        scenarios.retain(|s| target.file.admits(s));
    } else if args.rp_url.is_some() {
        // Another IdP's clock cannot be moved: `max_age=elapsed` cannot run there.
        scenarios.retain(|s| s.rp_uv.is_none_or(|v| v == args.rp_uv) && !s.moves_the_clock());
    }
    if args.quick {
        // Each kind of key covered on its own, so that the FIDO2 subset does not move with the
        // U2F scenarios.
        let (u2f, fido2): (Vec<scenario::Scenario>, Vec<scenario::Scenario>) =
            scenarios.into_iter().partition(|s| s.kind == crate::axes::KeyKind::U2f);
        scenarios = selection::pairwise(&fido2);
        scenarios.extend(selection::pairwise(&u2f));
    }
    Ok(scenarios)
}

/// Runs the matrix; exit status 1 on any mismatch.
pub fn run(args: &MatrixArgs) -> anyhow::Result<ExitCode> {
    if let Some(issuer) = &args.print_client_config {
        println!("{:#}", crate::idp::matrix_provider_config(issuer.trim_end_matches('/')));
        return Ok(ExitCode::SUCCESS);
    }
    let selected = select_all(args)?;
    if selected.is_empty() {
        anyhow::bail!("no scenario matches the filter");
    }
    let whole = selected.len();
    // A shard may be empty (more shards than registrations): it writes an empty report.
    let scenarios = match args.shard {
        Some(shard) => {
            let part = shard.select(selected);
            println!("shard {shard}: {} of {whole} scenarios", part.len());
            part
        }
        None => selected,
    };
    if let Some(path) = &args.target {
        return target::run::run(args, &target::Target::load(path)?, scenarios, whole);
    }
    let jobs = args.selection.threads.count();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(jobs)
        .enable_all()
        .build()
        .context("tokio runtime")?;
    let policy_note = match args.rp_policy {
        Policy::Rfc8176 => String::new(),
        other => format!(", IdP policy {}", other.name()),
    };
    let target = args.rp_url.as_deref().unwrap_or("in-process IdP");
    if args.rp_url.is_some() {
        let selection = MatrixArgs { rp_url: None, shard: None, ..args.clone() };
        let elapsed = select_all(&selection)?.iter().filter(|s| s.moves_the_clock()).count();
        if elapsed > 0 {
            println!("skipped {elapsed} max_age=elapsed scenarios: the clock of {target} cannot be moved");
        }
    }
    println!("softfido matrix: {} scenarios against {target}{policy_note}, {jobs} threads", scenarios.len());
    let started = Instant::now();
    let records = runtime.block_on(run_all(args, scenarios, jobs))?;
    let totals = Totals::of(&records, started.elapsed().as_secs_f64());
    print!("{}", report::terminal(&records, totals));
    if let Some(dir) = &args.report {
        let mut json = report::json_report(&records, totals);
        if let Some(shard) = args.shard {
            shard::ShardOf { shard, selected: whole }.mark(&mut json);
        }
        report::write_json_and_all(dir, &json, &records, totals)?;
        println!("reports written to {}", dir.display());
    }
    Ok(if totals.failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Runs `scenarios` against the IdPs `args` name (one per `rp_uv` value) and compares each with
/// the oracle. Records come back in the order of `scenarios`.
pub async fn run_all(
    args: &MatrixArgs,
    scenarios: Vec<Scenario>,
    jobs: usize,
) -> anyhow::Result<Vec<Record>> {
    let mut targets: BTreeMap<RpUv, Arc<Target>> = BTreeMap::new();
    let mut local = Vec::new();
    let needed: Vec<RpUv> = match &args.rp_url {
        Some(_) => vec![args.rp_uv],
        None => RpUv::ALL.to_vec(),
    };
    for rp_uv in needed {
        let issuer = match &args.rp_url {
            Some(url) => url.clone(),
            None => {
                let idp = LocalIdp::start(rp_uv.into(), args.rp_policy, None).await?;
                let issuer = idp.issuer.clone();
                local.push(idp);
                issuer
            }
        };
        targets.insert(rp_uv, Arc::new(Target::discover(&issuer).await?));
    }
    let order: BTreeMap<Scenario, usize> = scenarios.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let mut groups: BTreeMap<Scenario, Vec<Scenario>> = BTreeMap::new();
    for scenario in scenarios {
        groups.entry(scenario.registration_key()).or_default().push(scenario);
    }
    let progress = ProgressBar::new(order.len() as u64);
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} scenarios · {per_sec} · eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // Enough groups in flight to keep every thread busy while others wait on the IdP.
    let permits = Arc::new(Semaphore::new(jobs * 8));
    let mut tasks = JoinSet::new();
    for (key, members) in groups {
        // A password-only sign-in (rp_uv n/a) can go to any of the IdPs.
        let target = match key.rp_uv {
            Some(rp_uv) => targets.get(&rp_uv),
            None => targets.values().next(),
        };
        let mut target = target.cloned().context("no IdP for this userVerification")?;
        if key.moves_the_clock() && args.rp_url.is_none() {
            // An IdP of its own, so no other scenario's ceremony sees its clock jump.
            let clock = ManualClock::starting_now();
            let rp_uv = key.rp_uv.unwrap_or(RpUv::Preferred);
            let idp = LocalIdp::start(rp_uv.into(), args.rp_policy, Some(clock.clone())).await?;
            let mut own = Target::discover(&idp.issuer).await?;
            own.clock = Some(clock);
            local.push(idp);
            target = Arc::new(own);
        }
        let permits = Arc::clone(&permits);
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            group::run_group(&target, key, members).await
        });
    }
    let mut records: Vec<Option<Record>> = vec![None; order.len()];
    while let Some(joined) = tasks.join_next().await {
        let runs: Vec<Run> = joined.context("a scenario task panicked")?;
        progress.inc(runs.len() as u64);
        for run in runs {
            let expected = oracle::expect(&run.scenario);
            let index = order.get(&run.scenario).copied().context("a scenario that was not asked for")?;
            records[index] = Some(Record {
                scenario: run.scenario,
                expected,
                actual: run.actual,
                ms: run.elapsed.as_secs_f64() * 1000.0,
                comparison: report::Comparison::Exact,
            });
        }
    }
    progress.finish_and_clear();
    drop(local);
    records.into_iter().map(|r| r.context("a scenario did not run")).collect()
}
