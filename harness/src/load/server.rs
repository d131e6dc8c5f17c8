//! The IdP under load: a `softfido serve` process started from this executable (so that its
//! memory is its own and measurable), or one the user points `--rp-url` at.

use std::io::Write as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::idp::matrix_provider_config;
use crate::matrix::ceremony::Target;

/// How long a started server has to answer its discovery document.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The server's memory, read from `/proc/PID/status` (proc(5)), in KiB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Memory {
    /// `VmHWM`: the peak resident set size since the process started.
    pub peak_kib: u64,
    /// `VmRSS`: the resident set size now.
    pub resident_kib: u64,
}

impl Memory {
    /// Reads `VmHWM` and `VmRSS` from the text of a `/proc/PID/status` file.
    pub fn parse(status: &str) -> Option<Self> {
        let field = |name: &str| {
            status.lines().find_map(|line| {
                let value = line.strip_prefix(name)?.strip_prefix(':')?;
                value.trim().strip_suffix("kB")?.trim().parse::<u64>().ok()
            })
        };
        Some(Self { peak_kib: field("VmHWM")?, resident_kib: field("VmRSS")? })
    }
}

/// A `softfido serve --db :memory:` child process with the load client registered; it is
/// killed when this is dropped.
#[derive(Debug)]
pub struct ServeProcess {
    child: Child,
    /// `http://localhost:PORT`: its issuer and WebAuthn origin.
    pub issuer: String,
    /// Kept until the process has read it.
    _config: tempfile::NamedTempFile,
}

impl ServeProcess {
    /// Starts the server on a free loopback port and waits until it answers discovery.
    pub async fn start() -> anyhow::Result<(Self, Target)> {
        let executable = std::env::current_exe().context("this executable's path")?;
        Self::start_with(&executable, |issuer| Ok(matrix_provider_config(issuer))).await
    }

    /// Starts `softfido serve` from `executable` with the provider configuration `config(issuer)`,
    /// and waits until it answers discovery.
    pub async fn start_with(
        executable: &std::path::Path,
        config: impl FnOnce(&str) -> anyhow::Result<serde_json::Value>,
    ) -> anyhow::Result<(Self, Target)> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .context("finding a free loopback port")?
            .port();
        let issuer = format!("http://localhost:{port}");
        let provider = config(&issuer)?;
        let mut config = tempfile::NamedTempFile::new().context("the provider configuration file")?;
        config.write_all(provider.to_string().as_bytes()).context("writing the provider configuration")?;
        let child = Command::new(executable)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--db", ":memory:", "--config"])
            .arg(config.path())
            // The browsers' authenticators attest with softfido's batch certificates.
            .arg("--trust-softfido-test-root")
            // Refusals under flood are expected; the server logs only what is worse.
            .env("RUST_LOG", "warn,webauthn_rs_core=off")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .context("starting softfido serve")?;
        let mut server = Self { child, issuer, _config: config };
        let target = server.wait_until_ready().await?;
        Ok((server, target))
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its memory now.
    pub fn memory(&self) -> anyhow::Result<Memory> {
        let path = format!("/proc/{}/status", self.pid());
        let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
        Memory::parse(&status).with_context(|| format!("no VmHWM and VmRSS in {path}"))
    }

    async fn wait_until_ready(&mut self) -> anyhow::Result<Target> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().context("watching softfido serve")? {
                anyhow::bail!("softfido serve exited before answering: {status}");
            }
            match Target::discover(&self.issuer).await {
                Ok(target) => return Ok(target),
                Err(error) if started.elapsed() > START_TIMEOUT => {
                    return Err(error.context("softfido serve did not answer in time"));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests;
