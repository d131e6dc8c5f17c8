//! The target's IdP as a child process: started on a free loopback port, polled until it
//! answers, killed (with its process group) when dropped.

use std::fs::File;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context as _;

use super::{ServerSpec, Target};
use crate::http::Http;

/// A running IdP server.
#[derive(Debug)]
pub struct IdpServer {
    child: Child,
    /// Its output (stdout and stderr), for the error of a run that went wrong, and kept with
    /// the reports.
    pub log: PathBuf,
    _scratch: tempfile::TempDir,
}

/// `text` with `{port}` replaced.
pub fn with_port(text: &str, port: Option<u16>) -> String {
    match port {
        Some(port) => text.replace("{port}", &port.to_string()),
        None => text.to_owned(),
    }
}

/// A free TCP port on 127.0.0.1 (the server binds it a moment later).
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("probing for a free port")?;
    Ok(listener.local_addr().context("the probe's address")?.port())
}

impl IdpServer {
    /// Starts the target's server, if it has one, and waits until `issuer + ready` answers
    /// 200. Its output goes to `log_dir/server.log` (kept), or to a temporary file. Returns the
    /// server and the port it was given.
    pub async fn start(target: &Target, log_dir: Option<&Path>) -> anyhow::Result<Option<(Self, u16)>> {
        let Some(spec) = &target.file.server else { return Ok(None) };
        let port = free_port()?;
        let mut server = Self::spawn(spec, &target.dir, port, log_dir)?;
        let issuer = with_port(&target.file.issuer, Some(port));
        server.wait_ready(&format!("{}{}", issuer.trim_end_matches('/'), spec.ready), spec).await?;
        Ok(Some((server, port)))
    }

    fn spawn(spec: &ServerSpec, dir: &Path, port: u16, log_dir: Option<&Path>) -> anyhow::Result<Self> {
        let softfido = std::env::current_exe().context("this executable's path")?;
        let words: Vec<String> = spec
            .command
            .iter()
            .map(|word| with_port(word, Some(port)).replace("{softfido}", &softfido.to_string_lossy()))
            .collect();
        let (program, args) = words.split_first().context("server.command is empty")?;
        let scratch = tempfile::tempdir().context("a directory for the server's log")?;
        let log = match log_dir {
            Some(log_dir) => {
                std::fs::create_dir_all(log_dir)
                    .with_context(|| format!("creating {}", log_dir.display()))?;
                log_dir.join("server.log")
            }
            None => scratch.path().join("server.log"),
        };
        let out = File::create(&log).context("the server's log")?;
        let child = Command::new(program)
            .args(args)
            .current_dir(dir)
            .env("SOFTFIDO_BIN", &softfido)
            .stdin(Stdio::null())
            .stdout(out.try_clone().context("the server's log")?)
            .stderr(out)
            // Its own process group, so that whatever it starts is killed with it.
            .process_group(0)
            .spawn()
            .with_context(|| format!("starting the IdP server {program:?} in {}", dir.display()))?;
        Ok(Self { child, log, _scratch: scratch })
    }

    async fn wait_ready(&mut self, url: &str, spec: &ServerSpec) -> anyhow::Result<()> {
        let http = Http::backend();
        let deadline = Instant::now() + Duration::from_secs(spec.timeout_seconds);
        loop {
            // A server that accepts and never answers must not outlast the deadline.
            if let Ok(Ok(reply)) = tokio::time::timeout(Duration::from_secs(5), http.get(url)).await
                && reply.status.is_success()
            {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                anyhow::bail!(
                    "the IdP server exited ({status}) before it answered {url}; its output:\n{}",
                    self.log_tail()
                );
            }
            if Instant::now() > deadline {
                anyhow::bail!(
                    "the IdP server did not answer {url} within {} s; its output:\n{}",
                    spec.timeout_seconds,
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The last lines of the server's output.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let start = text.len().saturating_sub(4000);
        text.get(start..).unwrap_or(&text).to_owned()
    }
}

impl Drop for IdpServer {
    fn drop(&mut self) {
        // The process group the child leads: what it started goes too (kill(1), as the
        // workspace has no unsafe code for kill(2)).
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
