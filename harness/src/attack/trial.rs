//! What a case works with: the IdP under attack, HTTP browsers, virtual authenticators, and the
//! checkpoint after which nothing may change.

use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use serde_json::{Value, json};
use softfido_authenticator::store::MemoryStore;
use softfido_authenticator::{Authenticator, Config};
use softfido_rp::AppState;
use softfido_rp::clock::ManualClock;

use super::case::Outcome;
use super::census::{Checkpoint, observe};
use crate::client::webauthn::WebAuthnClient;
use crate::http::{Http, Reply};
use crate::matrix::ceremony::Target;

/// The PIN of every authenticator a case builds with one.
pub const PIN: &str = "246810";
/// Every account's password.
pub const PASSWORD: &str = "attack password 1";

/// One case's view of the IdP under attack. Cheap to clone.
#[derive(Clone)]
pub struct Trial(Arc<Inner>);

struct Inner {
    target: Arc<Target>,
    idp: Option<AppState>,
    clock: Option<ManualClock>,
    checkpoint: Mutex<Option<Checkpoint>>,
}

impl std::fmt::Debug for Trial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trial").field("issuer", &self.0.target.issuer).finish_non_exhaustive()
    }
}

impl Trial {
    /// A trial against `target`; `idp` is its state when it runs in process, `clock` its clock
    /// when the case may move it.
    pub fn new(target: Arc<Target>, idp: Option<AppState>, clock: Option<ManualClock>) -> Self {
        Self(Arc::new(Inner { target, idp, clock, checkpoint: Mutex::new(None) }))
    }

    /// The IdP.
    pub fn target(&self) -> &Target {
        &self.0.target
    }

    /// The IdP's issuer, also its pages' origin.
    pub fn issuer(&self) -> &str {
        &self.0.target.issuer
    }

    /// An absolute URL of the IdP.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.0.target.issuer)
    }

    /// The IdP's clock, for cases that move it.
    pub fn clock(&self) -> anyhow::Result<&ManualClock> {
        self.0.clock.as_ref().context("this case needs the in-process IdP's clock")
    }

    /// A new browser profile (empty cookie jar).
    pub fn browser(&self) -> Http {
        self.0.target.http.fresh_browser()
    }

    /// A server-side HTTP client (no cookies).
    pub fn backend(&self) -> Http {
        self.0.target.http.clone()
    }

    /// Records what the IdP holds and what each of `browsers` sees (its session, its
    /// passkeys): after the attack, all of it must be as it was.
    pub async fn checkpoint(&self, browsers: &[&Http]) -> anyhow::Result<()> {
        let checkpoint = observe(self, browsers.iter().map(|b| (*b).clone()).collect()).await?;
        *self.0.checkpoint.lock().map_err(|_| anyhow::anyhow!("checkpoint lock poisoned"))? =
            Some(checkpoint);
        Ok(())
    }

    /// What changed since the checkpoint, one line per change; an error when none was taken.
    pub async fn changes(&self) -> anyhow::Result<Vec<String>> {
        let before = self
            .0
            .checkpoint
            .lock()
            .map_err(|_| anyhow::anyhow!("checkpoint lock poisoned"))?
            .take()
            .context("the case took no checkpoint before attacking")?;
        let after = observe(self, before.browsers()).await?;
        Ok(before.changes_to(&after))
    }

    /// The in-process IdP's state, when there is one.
    pub fn idp(&self) -> Option<&AppState> {
        self.0.idp.as_ref()
    }

    /// A new account, signed in on `browser`, with the password [`PASSWORD`] or none.
    pub async fn sign_up(&self, browser: &Http, with_password: bool) -> anyhow::Result<String> {
        let username = format!("{}-{:08x}", self.0.target.run, rand::random::<u32>());
        let password = with_password.then_some(PASSWORD);
        let reply = browser
            .post_json(&self.url("/account/signup"), &json!({ "username": username, "password": password }))
            .await?;
        ensure_ok(&reply, "sign-up")?;
        Ok(username)
    }

    /// A browser with a virtual authenticator of `config` (PIN [`PIN`] when it has one) on the
    /// IdP's pages.
    pub fn client(&self, config: Config) -> anyhow::Result<WebAuthnClient> {
        let authenticator = Authenticator::new(config, MemoryStore::new())
            .map_err(|e| anyhow::anyhow!("the authenticator does not start: {e:?}"))?;
        let mut client = WebAuthnClient::new(authenticator, self.issuer());
        client.pin = Some(PIN.to_owned());
        Ok(client)
    }

    /// Starts a registration on `browser`'s account: `{ceremony, options}`.
    pub async fn register_start(&self, browser: &Http, discoverable: bool) -> anyhow::Result<Value> {
        let reply = browser
            .post_json(&self.url("/webauthn/register/start"), &json!({ "discoverable": discoverable }))
            .await?;
        ensure_ok(&reply, "registration start")?;
        Ok(reply.json())
    }

    /// Finishes the registration `start` began with `credential`.
    pub async fn register_finish(
        &self,
        browser: &Http,
        start: &Value,
        credential: &Value,
    ) -> anyhow::Result<Outcome> {
        let body = json!({ "ceremony": start["ceremony"], "credential": credential, "name": "attack key" });
        let reply = browser.post_json(&self.url("/webauthn/register/finish"), &body).await?;
        Ok(outcome(&reply, "webauthn", "a credential stored"))
    }

    /// Registers `client`'s authenticator on `browser`'s account; the credential JSON. A refusal
    /// is an error: this is a case's set-up.
    pub async fn register(
        &self,
        browser: &Http,
        client: &mut WebAuthnClient,
        discoverable: bool,
    ) -> anyhow::Result<Value> {
        let start = self.register_start(browser, discoverable).await?;
        let credential = client.create(&start["options"]).context("the authenticator refused to register")?;
        match self.register_finish(browser, &start, &credential).await? {
            Outcome::Accepted(_) => Ok(credential),
            Outcome::Refused(error) => anyhow::bail!("the set-up registration was refused: {error}"),
        }
    }

    /// Starts a passkey sign-in, username-first or (`None`) discoverable: `{ceremony, options}`.
    pub async fn sign_in_start(&self, browser: &Http, username: Option<&str>) -> anyhow::Result<Value> {
        let body = username.map_or_else(|| json!({}), |username| json!({ "username": username }));
        let reply = browser.post_json(&self.url("/webauthn/login/start"), &body).await?;
        ensure_ok(&reply, "sign-in start")?;
        Ok(reply.json())
    }

    /// Finishes the sign-in `start` began with `credential`.
    pub async fn sign_in_finish(
        &self,
        browser: &Http,
        start: &Value,
        credential: &Value,
    ) -> anyhow::Result<Outcome> {
        let body = json!({ "ceremony": start["ceremony"], "credential": credential });
        let reply = browser.post_json(&self.url("/webauthn/login/finish"), &body).await?;
        Ok(outcome(&reply, "webauthn", "a signed-in session"))
    }

    /// A whole passkey sign-in of `client` on `browser`.
    pub async fn sign_in(
        &self,
        browser: &Http,
        client: &mut WebAuthnClient,
        username: Option<&str>,
    ) -> anyhow::Result<Outcome> {
        let start = self.sign_in_start(browser, username).await?;
        let credential = client.get(&start["options"]).context("the authenticator refused to sign in")?;
        self.sign_in_finish(browser, &start, &credential).await
    }

    /// A password sign-in on `browser`.
    pub async fn password_sign_in(
        &self,
        browser: &Http,
        username: &str,
        password: &str,
    ) -> anyhow::Result<Outcome> {
        let body = json!({ "username": username, "password": password });
        let reply = browser.post_json(&self.url("/account/password"), &body).await?;
        Ok(outcome(&reply, "account", "a signed-in session"))
    }

    /// `browser`'s session as the IdP reports it (`Null` when there is none).
    pub async fn session(&self, browser: &Http) -> anyhow::Result<Value> {
        let reply = browser.get(&self.url("/account/session")).await?;
        Ok(if reply.status.is_success() { reply.json() } else { Value::Null })
    }
}

/// The outcome a JSON API answer stands for: `stage:error` on refusal.
pub fn outcome(reply: &Reply, stage: &str, accepted: &str) -> Outcome {
    if reply.status.is_success() {
        return Outcome::Accepted(accepted.to_owned());
    }
    let error = reply.error().unwrap_or_else(|| format!("http_{}", reply.status.as_u16()));
    Outcome::Refused(format!("{stage}:{error}"))
}

fn ensure_ok(reply: &Reply, what: &str) -> anyhow::Result<()> {
    anyhow::ensure!(reply.status.is_success(), "{what} failed: {}", reply.summary());
    Ok(())
}
