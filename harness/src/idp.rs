//! softfido's relying party / OpenID provider in process, on `127.0.0.1:0`, served by axum over
//! real TCP: what the matrix signs in to unless it is pointed at another IdP with `--rp-url`.

use anyhow::Context as _;
use axum::serve::ListenerExt as _;
use serde_json::json;
use softfido_authenticator::config::{KeyProtection, Model, UvKind};
use softfido_rp::clock::ManualClock;
use softfido_rp::metadata::{Metadata, Statement};
use softfido_rp::oidc::clients::ProviderConfig;
use softfido_rp::password::Cost;
use softfido_rp::policy::Policy;
use softfido_rp::webauthn::UserVerificationRequirement;
use softfido_rp::{AppState, app};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The OIDC client the matrix signs in to (`client_secret_basic`).
pub const MATRIX_CLIENT_ID: &str = "softfido-matrix";
/// Its secret.
pub const MATRIX_CLIENT_SECRET: &str = "softfido-matrix-secret";
/// Its redirect URI (never fetched: the harness reads the code from the `Location`).
pub const MATRIX_REDIRECT_URI: &str = "https://rp.matrix.softfido.test/callback";

/// The provider configuration (issuer and the matrix's client) for an IdP at `issuer`; the same
/// JSON `softfido serve --config` reads, so another IdP can be set up for `--rp-url`.
pub fn matrix_provider_config(issuer: &str) -> serde_json::Value {
    json!({
        "issuer": issuer,
        "clients": [{
            "client_id": MATRIX_CLIENT_ID,
            "redirect_uris": [MATRIX_REDIRECT_URI],
            "token_endpoint_auth_method": "client_secret_basic",
            "client_secret": MATRIX_CLIENT_SECRET,
        }],
    })
}

/// The model a U2F security key of the matrix is: hardware keys, no user verification. Its
/// batch certificate is the one its U2F registrations are signed with.
pub const U2F_MODEL: Model = Model { key_protection: KeyProtection::Hardware, uv: UvKind::None };

/// softfido's metadata statements (one per model, and one per model used as a U2F key) as the relying
/// party's trust list, built in memory.
pub fn softfido_metadata() -> anyhow::Result<Metadata> {
    let statements = Model::all()
        .map(softfido_authenticator::metadata::metadata_statement)
        .chain(Model::all().map(softfido_authenticator::metadata::u2f_metadata_statement))
        .map(|statement| Statement::from_json(&statement))
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::msg)
        .context("softfido's metadata statements")?;
    Metadata::from_statements(statements).context("softfido's metadata statements")
}

/// A running IdP; its server task stops when this is dropped.
#[derive(Debug)]
pub struct LocalIdp {
    /// `http://localhost:PORT`: the issuer, and the WebAuthn origin of its pages.
    pub issuer: String,
    /// Its state, for reading what it holds (its store's census, its sessions).
    pub state: AppState,
    server: JoinHandle<()>,
}

impl LocalIdp {
    /// Starts an IdP requiring `uv` in both ceremonies and deciding amr/acr by `policy`, trusting
    /// softfido's metadata statements and their test root explicitly (it listens on loopback
    /// only), with an in-memory store and minimal-cost password hashes (its accounts are
    /// throwaway); reading the time from `clock` when one is given, else from the system.
    pub async fn start(
        uv: UserVerificationRequirement,
        policy: Policy,
        clock: Option<ManualClock>,
    ) -> anyhow::Result<Self> {
        Self::start_with_clients(uv, policy, clock, Vec::new()).await
    }

    /// [`LocalIdp::start`] with more clients than the matrix's: `clients` are their entries of
    /// the provider configuration.
    pub async fn start_with_clients(
        uv: UserVerificationRequirement,
        policy: Policy,
        clock: Option<ManualClock>,
        clients: Vec<serde_json::Value>,
    ) -> anyhow::Result<Self> {
        Self::start_trusting(uv, policy, clock, clients, true).await
    }

    /// [`LocalIdp::start_with_clients`] with an empty trust list, as `softfido serve` runs by
    /// default: neither softfido's metadata statements nor its test root are trusted, so every
    /// attestation softfido's authenticators make is untrusted.
    pub async fn start_without_test_root(
        uv: UserVerificationRequirement,
        policy: Policy,
        clients: Vec<serde_json::Value>,
    ) -> anyhow::Result<Self> {
        Self::start_trusting(uv, policy, None, clients, false).await
    }

    async fn start_trusting(
        uv: UserVerificationRequirement,
        policy: Policy,
        clock: Option<ManualClock>,
        clients: Vec<serde_json::Value>,
        trusts_test_root: bool,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await.context("binding a loopback port")?;
        let port = listener.local_addr().context("bound address")?.port();
        let issuer = format!("http://localhost:{port}");
        let mut provider = matrix_provider_config(&issuer);
        if let Some(list) = provider["clients"].as_array_mut() {
            list.extend(clients);
        }
        let config = ProviderConfig::from_json(&provider.to_string()).context("provider configuration")?;
        let metadata = if trusts_test_root { softfido_metadata()? } else { Metadata::default() };
        let mut builder = AppState::builder(config)
            .metadata(metadata)
            .trusts_softfido_test_root(trusts_test_root)
            .user_verification(uv)
            .policy(policy)
            .password_cost(Cost::Minimal);
        if let Some(clock) = clock {
            builder = builder.clock(clock);
        }
        let state = builder.build().context("the IdP's state")?;
        // Answers leave at once (`TCP_NODELAY`), as the harness's requests do.
        let listener = listener.tap_io(|stream| {
            if let Err(error) = stream.set_nodelay(true) {
                tracing::debug!(%error, "TCP_NODELAY not set");
            }
        });
        let served = state.clone();
        let server = tokio::spawn(async move {
            let service = app(served).into_make_service_with_connect_info::<std::net::SocketAddr>();
            if let Err(error) = axum::serve(listener, service).await {
                tracing::error!(%error, "the in-process IdP stopped");
            }
        });
        Ok(Self { issuer, state, server })
    }
}

impl Drop for LocalIdp {
    fn drop(&mut self) {
        self.server.abort();
    }
}
