//! softfido's relying party / OpenID provider in process, on `127.0.0.1:0`, served by axum over
//! real TCP: what the matrix signs in to unless it is pointed at another IdP with `--rp-url`.

use anyhow::Context as _;
use p256::elliptic_curve::Generate;
use serde_json::json;
use softfido_rp::metadata::Metadata;
use softfido_rp::oidc::clients::ProviderConfig;
use softfido_rp::oidc::id_token::SigningKeys;
use softfido_rp::password::Cost;
use softfido_rp::policy::Policy;
use softfido_rp::store::Store;
use softfido_rp::webauthn::{Ceremonies, RpConfig, UserVerificationRequirement};
use softfido_rp::{AppState, app};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use url::Url;

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

/// A running IdP; its server task stops when this is dropped.
#[derive(Debug)]
pub struct LocalIdp {
    /// `http://localhost:PORT`: the issuer, and the WebAuthn origin of its pages.
    pub issuer: String,
    server: JoinHandle<()>,
    _metadata: tempfile::TempDir,
}

impl LocalIdp {
    /// Starts an IdP requiring `uv` in both ceremonies and deciding amr/acr by `policy`, trusting
    /// softfido's metadata statements, with an in-memory store and minimal-cost password hashes
    /// (its accounts are throwaway).
    pub async fn start(uv: UserVerificationRequirement, policy: Policy) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await.context("binding a loopback port")?;
        let port = listener.local_addr().context("bound address")?.port();
        let issuer = format!("http://localhost:{port}");
        let metadata_dir = tempfile::tempdir().context("temporary directory")?;
        softfido_authenticator::metadata::write_metadata_dir(metadata_dir.path())
            .context("writing softfido's metadata")?;
        let metadata = Metadata::load_dir(metadata_dir.path()).context("loading softfido's metadata")?;
        let origin = Url::parse(&issuer).context("issuer URL")?;
        let rp = RpConfig { user_verification: uv, ..RpConfig::for_origin(origin) };
        let ceremonies = Ceremonies::new(rp, metadata).context("WebAuthn configuration")?;
        let config = ProviderConfig::from_json(&matrix_provider_config(&issuer).to_string())
            .context("provider configuration")?;
        let signing = p256::ecdsa::SigningKey::generate_from_rng(&mut rand::rng());
        let keys = SigningKeys::new(&signing).context("signing key")?;
        let store = Store::in_memory().context("in-memory store")?;
        let state = AppState::new(config.issuer.clone(), keys, config.clients, store, ceremonies, policy)
            .with_password_cost(Cost::Minimal);
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app(state)).await {
                tracing::error!(%error, "the in-process IdP stopped");
            }
        });
        Ok(Self { issuer, server, _metadata: metadata_dir })
    }
}

impl Drop for LocalIdp {
    fn drop(&mut self) {
        self.server.abort();
    }
}
