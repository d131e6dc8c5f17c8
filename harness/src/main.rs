//! `softfido`: the virtual authenticator daemon, metadata export, and the matrix.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use softfido_authenticator::config::Generation;
use softfido_authenticator::store::{CredentialStore, FileStore, MemoryStore};
use softfido_authenticator::transport::udp::{PowerCyclePolicy, UdpServer};
use softfido_authenticator::{Authenticator, Profile, metadata};

use softfido_harness::{device, matrix};

/// mimalloc: the IdP, the browsers and the authenticators allocate many small, short-lived
/// buffers per ceremony, which glibc's allocator serves markedly slower.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// softfido: a virtual CTAP 2.1 authenticator and an end-to-end WebAuthn + OIDC harness.
#[derive(Parser, Debug)]
#[command(name = "softfido", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run every authenticator flag and RP setting combination end to end (register, sign in
    /// through the OIDC code flow, verify the ID token) and compare amr/acr with the rule table.
    Matrix(matrix::MatrixArgs),
    /// Work with the matrix's reports: `report merge` joins the reports of `matrix --shard K/N`
    /// runs into one.
    Report(matrix::merge::ReportArgs),
    /// The negative matrix: a lying authenticator, a cheating browser and a forging OAuth client
    /// against the IdP; each attack must be refused with its specific error and change nothing.
    Attack(softfido_harness::attack::AttackArgs),
    /// Run every authenticator flag combination through the CTAP2 bytes alone and check what
    /// the authenticator signs (flags, signature, attestation chain, AAGUID, uvm).
    DeviceMatrix(device::DeviceMatrixArgs),
    /// Whole ceremonies per second and the crypto-bound limit, measured in one run.
    Bench(softfido_harness::bench::BenchArgs),
    /// Many concurrent browsers signing in again and again against a `softfido serve` process:
    /// sign-ins per second, latency, errors and the server's memory, optionally under a flood.
    Load(softfido_harness::load::LoadArgs),
    /// Run the WebAuthn relying party and OpenID Connect provider with its web pages.
    Serve(softfido_harness::serve::ServeArgs),
    /// Host authenticators for real browsers: the WebAuthn client of the Playwright package's
    /// pages, over loopback HTTP (docs/bridge.md).
    Bridge(softfido_harness::bridge::BridgeArgs),
    /// What a correct IdP answers (amr/acr or the refusal) when an authenticator signs in, from
    /// the rule table's oracle, as JSON.
    Expect(softfido_harness::expect::ExpectArgs),
    /// Run the virtual authenticator as a CTAPHID-over-UDP daemon (SoloKeys simulator convention).
    Authenticator(AuthenticatorArgs),
    /// Write the FIDO MDS3 metadata statements (one per AAGUID) and the test root certificate.
    Metadata {
        /// Output directory.
        #[arg(long, default_value = "metadata")]
        out: PathBuf,
    },
}

#[derive(clap::Args, Debug)]
struct AuthenticatorArgs {
    /// UDP address to listen on.
    #[arg(long, default_value = "127.0.0.1:8111")]
    udp: String,
    /// Persist credentials and counters in this file (atomic writes); in memory otherwise.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Named profile: security-key, platform, synced-passkey, software-token,
    /// legacy-security-key (a CTAP 2.0 key), u2f-security-key (a U2F-only key).
    #[arg(long, default_value = "security-key", value_parser = parse_profile)]
    profile: Profile,
    /// The configuration as a TOML file (examples/authenticator.toml documents every key)
    /// instead of a profile; --pin, --no-pin and --reset-anytime still apply over it.
    #[arg(long, conflicts_with = "profile")]
    config: Option<PathBuf>,
    /// The generation of key: 2.1 (the default), 2.1-pre (FIDO_2_1_PRE), 2.0 (FIDO_2_0) or u2f; over the
    /// profile's or the file's.
    #[arg(long, value_parser = parse_generation)]
    generation: Option<Generation>,
    /// Allow authenticatorReset at any time instead of only within 10 s of power-up.
    #[arg(long)]
    reset_anytime: bool,
    /// Provision this clientPIN into a brand-new state (the security-key profile starts with
    /// 1234 unless told otherwise). Visible in the process list: prefer --pin-file or the
    /// SOFTFIDO_PIN environment variable.
    #[arg(long, conflicts_with_all = ["no_pin", "pin_file"])]
    pin: Option<String>,
    /// Read the clientPIN to provision from this file (its first line).
    #[arg(long, conflicts_with = "no_pin")]
    pin_file: Option<PathBuf>,
    /// Start a clientPIN device without a PIN.
    #[arg(long)]
    no_pin: bool,
    /// Who may send the power-cycle datagram: `owner` (a loopback sender that allocated a
    /// channel) or `any` (every sender, as the SoloKeys simulator).
    #[arg(long, default_value = "owner", value_parser = parse_power_cycle)]
    power_cycle: PowerCyclePolicy,
}

fn parse_power_cycle(name: &str) -> Result<PowerCyclePolicy, String> {
    match name {
        "owner" => Ok(PowerCyclePolicy::ChannelOwner),
        "any" => Ok(PowerCyclePolicy::Any),
        _ => Err(format!("unknown power-cycle policy {name:?}; expected owner or any")),
    }
}

/// The environment variable that may hold the clientPIN to provision.
const PIN_ENV: &str = "SOFTFIDO_PIN";

impl AuthenticatorArgs {
    /// The PIN to provision, from --pin-file, --pin or SOFTFIDO_PIN (in that order); `None`
    /// when none is given. --pin is accepted with a warning, since every user of the machine
    /// can read a process's arguments.
    fn configured_pin(&self) -> anyhow::Result<Option<String>> {
        if let Some(path) = &self.pin_file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the PIN from {}", path.display()))?;
            let pin = text.lines().next().unwrap_or_default().to_owned();
            anyhow::ensure!(!pin.is_empty(), "{} holds no PIN", path.display());
            return Ok(Some(pin));
        }
        if let Some(pin) = &self.pin {
            tracing::warn!("--pin is visible in the process list; prefer --pin-file or {PIN_ENV}");
            return Ok(Some(pin.clone()));
        }
        Ok(std::env::var(PIN_ENV).ok().filter(|pin| !pin.is_empty()))
    }
}

fn parse_generation(name: &str) -> Result<Generation, String> {
    Generation::from_name(name).ok_or_else(|| {
        let names: Vec<_> = Generation::ALL.iter().map(|g| g.name()).collect();
        format!("unknown generation {name:?}; expected one of {}", names.join(", "))
    })
}

fn parse_profile(name: &str) -> Result<Profile, String> {
    Profile::from_name(name).ok_or_else(|| {
        let names: Vec<_> = Profile::ALL.iter().map(|p| p.name()).collect();
        format!("unknown profile {name:?}; expected one of {}", names.join(", "))
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The daemon logs every command; the matrix runs thousands of them and logs only problems.
    let default_level = match cli.command {
        Command::Authenticator(_) | Command::Serve(_) | Command::Bridge(_) => "info",
        // Every case is an attack the IdP warns of; the table shows each answer.
        Command::Attack(_) => "error,webauthn_rs_core=off",
        _ => {
            // The matrix makes the IdP refuse thousands of ceremonies on purpose; webauthn-rs-core
            // logs each refusal at error level, and the report already shows every one.
            "warn,webauthn_rs_core=off"
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level)),
        )
        .with_writer(std::io::stderr)
        // Colour codes only where a terminal renders them, not in files and CI logs.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Matrix(args) => matrix::run(&args),
        Command::Report(args) => matrix::merge::run_report(&args),
        Command::Attack(args) => softfido_harness::attack::run(&args),
        Command::DeviceMatrix(args) => device::run(&args),
        Command::Bench(args) => softfido_harness::bench::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Load(args) => softfido_harness::load::run(&args),
        Command::Serve(args) => softfido_harness::serve::run(args).map(|()| ExitCode::SUCCESS),
        Command::Expect(args) => softfido_harness::expect::run(&args),
        Command::Bridge(args) => softfido_harness::bridge::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Authenticator(args) => serve_authenticator(args).map(|()| ExitCode::SUCCESS),
        Command::Metadata { out } => {
            let written =
                metadata::write_metadata_dir(&out).with_context(|| format!("writing {}", out.display()))?;
            println!("wrote {} files to {}", written.len(), out.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn serve_authenticator(args: AuthenticatorArgs) -> anyhow::Result<()> {
    let mut config = match &args.config {
        Some(path) => softfido_authenticator::config::file::load(path)?,
        None => args.profile.config(),
    };
    if args.reset_anytime {
        config.reset_window = None;
    }
    if let Some(generation) = args.generation {
        config.generation = generation;
    }
    if let Some(pin) = args.configured_pin()? {
        config.pin = Some(pin);
    }
    if args.no_pin {
        config.pin = None;
    }
    // A device with deliberate faults says so at start, on stderr and in the log.
    if let Some(warning) = config.danger.warning() {
        eprintln!("{warning}");
        tracing::warn!(faults = ?config.danger.active(), "{warning}");
    }
    let store: Box<dyn CredentialStore> = match &args.state {
        Some(path) => Box::new(FileStore::new(path)),
        None => Box::new(MemoryStore::new()),
    };
    let authenticator =
        Authenticator::with_parts(config, store, Box::new(softfido_authenticator::clock::SystemClock))
            .context("loading the authenticator state")?;
    let server = UdpServer::bind(&args.udp)
        .with_context(|| format!("binding UDP {}", args.udp))?
        .with_power_cycle(args.power_cycle);
    let address = server.local_addr()?;
    let described =
        args.config.as_ref().map_or_else(|| args.profile.name().to_owned(), |p| p.display().to_string());
    tracing::info!(%address, configuration = described, state = ?args.state, "authenticator listening");
    let shutdown = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&shutdown);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .context("installing the Ctrl-C handler")?;
    server.run(authenticator, shutdown)?;
    tracing::info!("authenticator stopped");
    Ok(())
}
