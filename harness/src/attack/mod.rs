//! `softfido attack`: the negative matrix. Each case plays a lying authenticator, a cheating
//! browser or a forging OAuth client against softfido's IdP (in process, or another one with
//! `--rp-url`), and passes only when the IdP refuses with the specific error the specification
//! step calls for and nothing changed: no credential stored, no counter advanced, no code or token
//! issued, no session altered. Attacks that no relying party can detect are run, shown and marked
//! "undetectable by design", never counted as passed.

pub mod case;
pub mod cases;
pub mod census;
pub mod clients;
pub mod flow;
pub mod hid_client;
pub mod jws;
pub mod oauth;
pub mod report;
pub mod trial;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use softfido_rp::clock::ManualClock;
use softfido_rp::policy::Policy;
use softfido_rp::webauthn::UserVerificationRequirement;

use self::case::{Case, Needs, Status, judge};
use self::report::CaseRecord;
use self::trial::Trial;
use crate::idp::LocalIdp;
use crate::matrix::ceremony::Target;

/// Options of `softfido attack`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct AttackArgs {
    /// Keep only the cases whose id contains one of these comma-separated terms (e.g.
    /// `oidc.,client.wrong_origin`).
    #[arg(long)]
    pub filter: Option<String>,
    /// Write attack.json, junit.xml and attack.md into this directory.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Attack the IdP at this issuer URL instead of an in-process one. It must accept the
    /// attack's clients (`softfido serve --config` with `softfido attack --print-client-config`)
    /// and speak softfido's sign-in API. Cases that move the IdP's clock are skipped.
    #[arg(long)]
    pub rp_url: Option<String>,
    /// Print the provider configuration (issuer, the matrix's and the attacks' clients) for
    /// `softfido serve --config` at this issuer, and exit.
    #[arg(long, value_name = "ISSUER")]
    pub print_client_config: Option<String>,
    /// List the cases (id, spec step, expected result) and exit.
    #[arg(long)]
    pub list: bool,
}

/// The cases `filter` keeps, in catalogue order.
pub fn select(filter: Option<&str>) -> Vec<Case> {
    let terms: Vec<&str> =
        filter.map(|f| f.split(',').map(str::trim).filter(|t| !t.is_empty()).collect()).unwrap_or_default();
    cases::all()
        .into_iter()
        .filter(|case| terms.is_empty() || terms.iter().any(|t| case.id.contains(t)))
        .collect()
}

/// Runs `softfido attack`; exit status 1 when any attack succeeded or got the wrong error.
pub fn run(args: &AttackArgs) -> anyhow::Result<ExitCode> {
    if let Some(issuer) = &args.print_client_config {
        println!("{:#}", clients::attack_provider_config(issuer.trim_end_matches('/'))?);
        return Ok(ExitCode::SUCCESS);
    }
    let cases = select(args.filter.as_deref());
    if args.list {
        for case in &cases {
            println!("{:<44} {:<34} {}", case.id, case.spec, report::expected_text(case.expected));
        }
        return Ok(ExitCode::SUCCESS);
    }
    anyhow::ensure!(!cases.is_empty(), "no case matches the filter");
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("tokio runtime")?;
    let target = args.rp_url.as_deref().unwrap_or("in-process IdP").to_owned();
    println!("softfido attack: {} cases against {target}", cases.len());
    let records = runtime.block_on(run_cases(args.rp_url.as_deref(), cases))?;
    print!("{}", report::terminal(&records));
    if let Some(dir) = &args.report {
        report::write_all(dir, &target, &records)?;
        println!("reports written to {}", dir.display());
    }
    let failed = report::Totals::of(&records).failed;
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Runs `cases` one after another (each checkpoint must see only its own case's effects)
/// against the IdP at `rp_url`, or an in-process one.
pub async fn run_cases(rp_url: Option<&str>, cases: Vec<Case>) -> anyhow::Result<Vec<CaseRecord>> {
    let (shared, local) = match rp_url {
        Some(url) => (Arc::new(Target::discover(url).await?), None),
        None => {
            let idp = start_idp(None).await?;
            (Arc::new(Target::discover(&idp.issuer).await?), Some(idp))
        }
    };
    let shared_state = local.as_ref().map(|idp| idp.state.clone());
    let mut records = Vec::with_capacity(cases.len());
    for case in cases {
        let started = Instant::now();
        let (outcome, status) = match (case.needs, rp_url) {
            (Needs::OwnClock, Some(_)) => (None, Status::Skipped("it moves the IdP's clock".to_owned())),
            (Needs::InProcess, Some(_)) => {
                (None, Status::Skipped("it reads what the in-process IdP holds in memory".to_owned()))
            }
            (Needs::UntrustingIdp, Some(_)) => (
                None,
                Status::Skipped("it needs an IdP of its own that does not trust the test root".to_owned()),
            ),
            (Needs::OwnClock | Needs::UntrustingIdp, None) => match own_idp(case.needs).await {
                // Kept alive until the case is judged.
                Ok((_idp, trial)) => attempt(&case, trial).await,
                Err(error) => (None, Status::Failed(format!("harness: its IdP did not start: {error:#}"))),
            },
            (Needs::AnyIdp, _) | (Needs::InProcess, None) => {
                attempt(&case, Trial::new(Arc::clone(&shared), shared_state.clone(), None)).await
            }
        };
        records.push(CaseRecord { case, outcome, status, ms: started.elapsed().as_secs_f64() * 1000.0 });
    }
    Ok(records)
}

/// An in-process IdP of the case's own: with a clock the case may move, or without trust in
/// softfido's test root; and the trial on it.
async fn own_idp(needs: Needs) -> anyhow::Result<(LocalIdp, Trial)> {
    let clock = (needs == Needs::OwnClock).then(ManualClock::starting_now);
    let idp = match needs {
        Needs::UntrustingIdp => {
            let uv = UserVerificationRequirement::Preferred;
            LocalIdp::start_without_test_root(uv, Policy::Rfc8176, clients::attack_clients()?).await?
        }
        _ => start_idp(clock.clone()).await?,
    };
    let mut target = Target::discover(&idp.issuer).await?;
    target.clock.clone_from(&clock);
    let trial = Trial::new(Arc::new(target), Some(idp.state.clone()), clock);
    Ok((idp, trial))
}

/// The IdP the attacks run against: softfido's, with the matrix's and the attacks' clients,
/// userVerification `preferred`, the RFC 8176 policy.
async fn start_idp(clock: Option<ManualClock>) -> anyhow::Result<LocalIdp> {
    let uv = UserVerificationRequirement::Preferred;
    LocalIdp::start_with_clients(uv, Policy::Rfc8176, clock, clients::attack_clients()?).await
}

/// Runs one case and judges it; a harness error is a failure that says so.
async fn attempt(case: &Case, trial: Trial) -> (Option<case::Outcome>, Status) {
    let outcome = match (case.run)(trial.clone()).await {
        Ok(outcome) => outcome,
        Err(error) => return (None, Status::Failed(format!("harness: {error:#}"))),
    };
    match trial.changes().await {
        Ok(changes) => {
            let status = judge(case.expected, &outcome, &changes);
            (Some(outcome), status)
        }
        Err(error) => (Some(outcome), Status::Failed(format!("harness: {error:#}"))),
    }
}

#[cfg(test)]
mod tests;
