//! `softfido bridge`: softfido authenticators inside real browsers. The bridge hosts
//! authenticators and plays the browser's WebAuthn client for them over loopback HTTP; the
//! Playwright package (`packages/playwright`) hands it what pages pass to
//! `navigator.credentials`. docs/bridge.md describes the API.

pub mod ask;
pub mod auth_data;
pub mod client;
pub mod dom;
pub mod extensions;
pub mod hosted;
pub mod origin;
pub mod prf;
pub mod routes;
pub mod u2f;

use std::io::Read as _;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;

use crate::serve::connections;

/// `softfido bridge` arguments.
#[derive(clap::Args, Debug)]
pub struct BridgeArgs {
    /// Loopback address to listen on (port 0: any free port, printed on stdout).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: SocketAddr,
    /// Stop when standard input reaches its end: a parent process that starts the bridge with
    /// a pipe on stdin takes it down with it, even when it dies without cleaning up.
    #[arg(long)]
    pub stop_on_stdin_eof: bool,
    /// The configuration (TOML, as examples/authenticator.toml) of authenticators added without
    /// a profile or a configuration of their own; the security-key profile otherwise.
    #[arg(long)]
    pub config: Option<std::path::PathBuf>,
    /// A person at this terminal answers every presence test no test scripted:
    /// "example.com asks for your touch to sign in: [a]pprove / [d]eny / [t]ime out?".
    #[arg(long)]
    pub ask: bool,
}

/// Runs the bridge until Ctrl-C (or the end of stdin with `--stop-on-stdin-eof`).
pub fn run(args: &BridgeArgs) -> anyhow::Result<()> {
    // The bridge drives authenticators with no PIN or touch of their own: anyone who reaches
    // it owns them, so it never listens beyond this machine.
    anyhow::ensure!(
        args.addr.ip().is_loopback(),
        "the bridge listens on loopback only; {} is not a loopback address",
        args.addr
    );
    let default_config = match &args.config {
        Some(path) => softfido_authenticator::config::file::load(path)?,
        None => softfido_authenticator::Profile::SecurityKey.config(),
    };
    let registry = Arc::new(hosted::Registry::new(
        default_config,
        if args.ask { hosted::Unscripted::Terminal } else { hosted::Unscripted::Configuration },
    ));
    let runtime = tokio::runtime::Runtime::new().context("tokio runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("binding {}", args.addr))?;
        let address = listener.local_addr()?;
        println!("softfido bridge listening on http://{address}");
        tracing::info!(%address, "bridge listening");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        if args.stop_on_stdin_eof {
            std::thread::spawn(move || {
                let _ = std::io::stdin().read_to_end(&mut Vec::new());
                let _ = stop.send(());
            });
        }
        let shutdown = async move {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = stopped, if args.stop_on_stdin_eof => {}
            }
        };
        connections::serve(listener, routes::router(registry), connections::DEFAULT_LIMITS, shutdown).await;
        anyhow::Ok(())
    })?;
    tracing::info!("bridge stopped");
    Ok(())
}
