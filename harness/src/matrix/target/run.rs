//! A whole target run: the IdP started, the browser runner started, every selected scenario
//! through the browser (`--jobs` contexts at once), each compared with the oracle; then the
//! same scenarios against softfido's in-process IdP, for the speed ratio and, for a target of
//! softfido's own pages, scenario-by-scenario agreement.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::browser::{authorization, browser_refusal, scenario_message, verdict};
use super::runner::{Runner, RunnerSettings, StepFailure};
use super::server::{IdpServer, with_port};
use super::{ClientAuth, Target};
use crate::matrix::ceremony::{self, ClientRegistration};
use crate::matrix::report::{self, Comparison, Record, Totals};
use crate::matrix::scenario::Scenario;
use crate::matrix::shard::ShardOf;
use crate::matrix::{MatrixArgs, oracle, run_all};

/// Browser contexts at once when `--jobs` is not given.
const DEFAULT_CONTEXTS: usize = 2;

/// Runs `scenarios` against the target of `args`; exit status 1 on any mismatch, and, for a
/// target that must agree with the in-process IdP, on any disagreement.
/// `selected` counts the scenarios before `--shard` took its part.
pub fn run(
    args: &MatrixArgs,
    target: &Target,
    scenarios: Vec<Scenario>,
    selected: usize,
) -> anyhow::Result<ExitCode> {
    let contexts = args.selection.threads.jobs.unwrap_or(DEFAULT_CONTEXTS).max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("tokio runtime")?;
    if scenarios.is_empty() {
        // An empty shard: nothing to start, an empty report.
        if let Some(dir) = &args.report {
            let mut json = report::json_report(&[], Totals::default());
            if let Some(shard) = args.shard {
                ShardOf { shard, selected }.mark(&mut json);
            }
            report::write_json_and_all(dir, &json, &[], Totals::default())?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    runtime.block_on(async {
        // On Ctrl-C or SIGTERM the run's future is dropped, and with it the IdP server's
        // process group, the browser runner and its Chromium.
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("listening for SIGTERM")?;
        tokio::select! {
            result = run_async(args, target, scenarios, selected, contexts) => result,
            _ = tokio::signal::ctrl_c() => anyhow::bail!("interrupted: the IdP server and the browser are stopped"),
            _ = terminate.recv() => anyhow::bail!("terminated: the IdP server and the browser are stopped"),
        }
    })
}

async fn run_async(
    args: &MatrixArgs,
    target: &Target,
    scenarios: Vec<Scenario>,
    selected: usize,
    contexts: usize,
) -> anyhow::Result<ExitCode> {
    let file = &target.file;
    let server = IdpServer::start(target, args.report.as_deref()).await?;
    let port = server.as_ref().map(|(_, port)| *port);
    let issuer = with_port(&file.issuer, port);
    let registration = ClientRegistration {
        id: file.client.id.clone(),
        secret: file.client.secret.clone(),
        redirect_uri: with_port(&file.client.redirect_uri, port),
        auth: match file.client.auth_method {
            ClientAuth::ClientSecretBasic => openidconnect::AuthType::BasicAuth,
            ClientAuth::ClientSecretPost => openidconnect::AuthType::RequestBody,
        },
    };
    let oidc = Arc::new(ceremony::Target::discover_with(&issuer, &registration).await?);
    println!(
        "softfido matrix: {} scenarios against {} ({issuer}) through headless Chromium, {contexts} browser contexts",
        scenarios.len(),
        file.name
    );
    for line in file.fixed_axes() {
        println!("  fixed: {line}");
    }
    let driver = target.driver();
    let settings = RunnerSettings {
        driver: &driver,
        target_dir: &target.dir,
        base: &issuer,
        redirect_uri: &registration.redirect_uri,
    };
    let runner = Arc::new(Runner::start(&settings).await?);
    let started = Instant::now();
    let records = run_in_browser(&oidc, &runner, &file.client.scopes, scenarios.clone(), contexts).await;
    let browser_seconds = started.elapsed().as_secs_f64();
    if let Ok(runner) = Arc::try_unwrap(runner) {
        runner.stop().await;
    }
    drop(server);
    let records = records?;
    let totals = Totals::of(&records, browser_seconds);
    print!("{}", report::terminal(&records, totals));
    let agreement = compare_in_process(args, &records, scenarios, browser_seconds).await?;
    if let Some(dir) = &args.report {
        let mut json = report::json_report(&records, totals);
        if let Some(shard) = args.shard {
            ShardOf { shard, selected }.mark(&mut json);
        }
        report::write_json_and_all(dir, &json, &records, totals)?;
        println!("reports written to {}", dir.display());
    }
    let disagreeing = file.agrees_with_in_process && agreement > 0;
    Ok(if totals.failed == 0 && !disagreeing { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Every scenario in the browser, `contexts` at once; records in the order of `scenarios`.
async fn run_in_browser(
    oidc: &Arc<ceremony::Target>,
    runner: &Arc<Runner>,
    scopes: &[String],
    scenarios: Vec<Scenario>,
    contexts: usize,
) -> anyhow::Result<Vec<Record>> {
    let progress = ProgressBar::new(scenarios.len() as u64);
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} scenarios · {per_sec} · eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let permits = Arc::new(Semaphore::new(contexts));
    let mut tasks = JoinSet::new();
    for (index, scenario) in scenarios.into_iter().enumerate() {
        let (oidc, runner, permits) = (Arc::clone(oidc), Arc::clone(runner), Arc::clone(&permits));
        let scopes = scopes.to_vec();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let started = Instant::now();
            let actual = one_scenario(&oidc, &runner, &scopes, &scenario).await;
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            let expected = oracle::expect(&scenario);
            (index, Record { scenario, expected, actual, ms, comparison: Comparison::OutcomeAmrAcr })
        });
    }
    let mut records: Vec<Option<Record>> = vec![None; tasks.len()];
    while let Some(joined) = tasks.join_next().await {
        let (index, record) = joined.context("a scenario task panicked")?;
        progress.inc(1);
        records[index] = Some(record);
    }
    progress.finish_and_clear();
    records.into_iter().map(|r| r.context("a scenario did not run")).collect()
}

async fn one_scenario(
    oidc: &ceremony::Target,
    runner: &Runner,
    scopes: &[String],
    s: &Scenario,
) -> oracle::Verdict {
    let request = authorization(oidc, s, scopes);
    let message = match scenario_message(oidc, s, &request.url) {
        Ok(message) => message,
        Err(error) => return ceremony::refused(format!("harness:{error:#}")),
    };
    match runner.scenario(message).await {
        Ok(result) => verdict(oidc, request, result).await,
        Err(error) => browser_refusal(&StepFailure {
            stage: "harness".into(),
            kind: "error".into(),
            detail: format!("{error:#}"),
        }),
    }
}

/// Runs the same scenarios against softfido's in-process IdP, prints the speed of both runs
/// and how many scenarios' actual verdicts differ (outcome, amr, acr); answers that count.
async fn compare_in_process(
    args: &MatrixArgs,
    browser: &[Record],
    scenarios: Vec<Scenario>,
    browser_seconds: f64,
) -> anyhow::Result<usize> {
    let in_process_args = MatrixArgs { target: None, rp_url: None, shard: None, ..args.clone() };
    let jobs = args.selection.threads.count();
    let started = Instant::now();
    let local = run_all(&in_process_args, scenarios, jobs).await?;
    let local_seconds = started.elapsed().as_secs_f64().max(1e-9);
    let n = browser.len() as f64;
    let (browser_rate, local_rate) = (n / browser_seconds.max(1e-9), n / local_seconds);
    println!(
        "speed: {browser_rate:.2} scenarios/s through the browser ({browser_seconds:.1} s), \
         {local_rate:.1} scenarios/s in process ({local_seconds:.2} s): the browser path is {:.0}x slower",
        local_rate / browser_rate
    );
    let differing: Vec<(&Record, &Record)> = browser
        .iter()
        .zip(&local)
        .filter(|(b, l)| !Comparison::OutcomeAmrAcr.agrees(&l.actual, &b.actual))
        .collect();
    println!(
        "in-process IdP ({:?} policy) on the same scenarios: {} agree, {} differ",
        args.rp_policy,
        browser.len() - differing.len(),
        differing.len()
    );
    for (b, l) in differing.iter().take(20) {
        println!(
            "  {}\n    browser:    {}\n    in process: {}",
            b.scenario.id(),
            report::describe(&b.actual),
            report::describe(&l.actual)
        );
    }
    Ok(differing.len())
}
