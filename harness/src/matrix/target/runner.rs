//! The Node side of a target run (packages/playwright/target-runner.mjs): one process, one
//! headless Chromium, several scenarios in flight at once. JSON lines on its stdin and stdout;
//! each scenario's answer is matched to its request by a sequence number.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::oneshot;

/// Where the repository keeps the runner and the browser tests' node_modules, for runs from
/// a checkout.
const REPOSITORY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// What the runner answers for one scenario.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct BrowserResult {
    /// The redirect URI the browser was sent to, with its query.
    pub callback: Option<String>,
    /// The step that did not succeed.
    pub failure: Option<StepFailure>,
}

/// A step of a scenario that did not succeed in the browser.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct StepFailure {
    /// `sign_up`, `register`, `sign_in` (or `harness`).
    pub stage: String,
    /// `refused` (the authenticator or the browser's client), `page` (the driver saw the
    /// page's error), `timeout`, `error`.
    pub kind: String,
    /// The refusal's status or check, or the page's message.
    pub detail: String,
}

/// The scenarios waiting for their answer; `None` once the runner's output has ended, so that
/// no scenario starts waiting for an answer that cannot come.
type Pending = Arc<Mutex<Option<HashMap<u64, oneshot::Sender<Value>>>>>;

/// How long one scenario may take in the runner before it is given up: its steps time out well
/// before this, so reaching it means the runner itself hangs.
const SCENARIO_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);
/// How long the runner may take to launch Chromium and load the driver.
const START_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// The running Node process.
pub struct Runner {
    child: Child,
    stdin: tokio::sync::Mutex<ChildStdin>,
    pending: Pending,
    next_seq: AtomicU64,
}

/// What the runner needs to start.
#[derive(Debug)]
pub struct RunnerSettings<'a> {
    /// The driver module.
    pub driver: &'a Path,
    /// The directory of the target file (searched for playwright-core first).
    pub target_dir: &'a Path,
    /// The issuer, as the driver's `base`.
    pub base: &'a str,
    /// The client's redirect URI, whose navigation is caught.
    pub redirect_uri: &'a str,
}

/// The runner script: `$SOFTFIDO_TARGET_RUNNER`, else the repository's.
fn runner_script() -> PathBuf {
    std::env::var_os("SOFTFIDO_TARGET_RUNNER")
        .map_or_else(|| Path::new(REPOSITORY).join("packages/playwright/target-runner.mjs"), PathBuf::from)
}

impl Runner {
    /// Starts Node with the runner, which launches Chromium and loads the driver.
    pub async fn start(settings: &RunnerSettings<'_>) -> anyhow::Result<Self> {
        let script = runner_script();
        anyhow::ensure!(
            script.exists(),
            "no target runner at {} (set SOFTFIDO_TARGET_RUNNER)",
            script.display()
        );
        let node = std::env::var_os("NODE_BIN").unwrap_or_else(|| "node".into());
        let mut child = Command::new(&node)
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {} {}", node.to_string_lossy(), script.display()))?;
        let stdin = child.stdin.take().context("the runner's stdin")?;
        let stdout = child.stdout.take().context("the runner's stdout")?;
        let pending: Pending = Arc::new(Mutex::new(Some(HashMap::new())));
        let (ready_tx, ready_rx) = oneshot::channel();
        tokio::spawn(read_answers(BufReader::new(stdout), Arc::clone(&pending), ready_tx));
        let runner =
            Self { child, stdin: tokio::sync::Mutex::new(stdin), pending, next_seq: AtomicU64::new(1) };
        let chromium = std::env::var("CHROMIUM_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let softfido = std::env::current_exe().context("this executable's path")?;
        let cwd = std::env::current_dir().unwrap_or_default();
        runner
            .send(&json!({
                "type": "start",
                "driver": settings.driver,
                "softfido": softfido,
                "chromium": chromium,
                "playwrightFrom": [settings.target_dir, cwd, Path::new(REPOSITORY).join("tests/browser")],
                "redirectUri": settings.redirect_uri,
                "base": settings.base,
                "actionMs": 10_000,
            }))
            .await?;
        match tokio::time::timeout(START_LIMIT, ready_rx).await {
            Ok(Ok(Ok(()))) => Ok(runner),
            Ok(Ok(Err(message))) => anyhow::bail!("the browser runner could not start: {message}"),
            Ok(Err(_)) => anyhow::bail!("the browser runner exited before it was ready"),
            Err(_) => anyhow::bail!("the browser runner was not ready within {} s", START_LIMIT.as_secs()),
        }
    }

    async fn send(&self, message: &Value) -> anyhow::Result<()> {
        let mut line = serde_json::to_vec(message).context("a runner message")?;
        line.push(b'\n');
        let mut stdin = self.stdin.lock().await;
        stdin.write_all(&line).await.context("writing to the browser runner")?;
        stdin.flush().await.context("writing to the browser runner")
    }

    /// Runs one scenario (`message` without its `type` and `seq`) and waits for its result.
    pub async fn scenario(&self, mut message: Value) -> anyhow::Result<BrowserResult> {
        let seq = self.next_seq.fetch_add(1, Ordering::Relaxed);
        message["type"] = json!("scenario");
        message["seq"] = json!(seq);
        let (tx, rx) = oneshot::channel();
        {
            let mut pending = self.pending.lock().map_err(|_| anyhow::anyhow!("runner state poisoned"))?;
            let waiting = pending.as_mut().context("the browser runner has exited")?;
            waiting.insert(seq, tx);
        }
        if let Err(error) = self.send(&message).await {
            self.forget(seq);
            return Err(error);
        }
        let answer = match tokio::time::timeout(SCENARIO_LIMIT, rx).await {
            Ok(answer) => answer.context("the browser runner exited during a scenario")?,
            Err(_) => {
                self.forget(seq);
                anyhow::bail!("the browser runner gave no answer within {} s", SCENARIO_LIMIT.as_secs());
            }
        };
        serde_json::from_value(answer).context("the browser runner's result")
    }

    fn forget(&self, seq: u64) {
        if let Ok(mut pending) = self.pending.lock()
            && let Some(waiting) = pending.as_mut()
        {
            waiting.remove(&seq);
        }
    }

    /// Closes the browser and waits for Node to exit.
    pub async fn stop(mut self) {
        let _ = self.send(&json!({"type": "stop"})).await;
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), self.child.wait()).await;
    }
}

/// Reads the runner's lines: `ready`/`fatal` before the first scenario, then results.
async fn read_answers(
    stdout: BufReader<tokio::process::ChildStdout>,
    pending: Pending,
    ready: oneshot::Sender<Result<(), String>>,
) {
    let mut ready = Some(ready);
    let mut lines = stdout.lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let Ok(message) = serde_json::from_str::<Value>(&line) else {
            tracing::warn!("browser runner: {line}");
            continue;
        };
        match message["type"].as_str() {
            Some("ready") => {
                if let Some(ready) = ready.take() {
                    let _ = ready.send(Ok(()));
                }
            }
            Some("fatal") => {
                let text = message["message"].as_str().unwrap_or("unknown").to_owned();
                match ready.take() {
                    Some(ready) => {
                        let _ = ready.send(Err(text));
                    }
                    None => tracing::error!("browser runner: {text}"),
                }
            }
            Some("result") => {
                let Some(seq) = message["seq"].as_u64() else {
                    tracing::warn!("browser runner: a result without seq: {line}");
                    continue;
                };
                let waiter =
                    pending.lock().ok().and_then(|mut pending| pending.as_mut().and_then(|w| w.remove(&seq)));
                if let Some(waiter) = waiter {
                    let _ = waiter.send(message);
                }
            }
            _ => tracing::warn!("browser runner: {line}"),
        }
    }
    // Node is gone: every waiter's channel drops, and each scenario reports it.
    if let Ok(mut pending) = pending.lock() {
        *pending = None;
    }
}
