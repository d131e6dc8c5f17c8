//! `softfido serve`: the relying party and OpenID provider with its web pages.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use p256::elliptic_curve::Generate;
use softfido_rp::metadata::Metadata;
use softfido_rp::oidc::clients::ProviderConfig;
use softfido_rp::oidc::id_token::SigningKeys;
use softfido_rp::policy::Policy;
use softfido_rp::store::Store;
use softfido_rp::webauthn::{Ceremonies, PortMatching, RpConfig, UserVerificationRequirement};
use softfido_rp::{AppState, app};
use url::Url;

/// Options of `softfido serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// SQLite database file (`:memory:` for a throw-away one).
    #[arg(long, default_value = "softfido.db")]
    pub db: String,
    /// Provider configuration: issuer and clients (see examples/idp.json).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Directory of FIDO MDS3 metadata statements to trust (default: softfido's own models).
    #[arg(long)]
    pub metadata: Option<PathBuf>,
    /// The WebAuthn origin (default: http://localhost:PORT of --addr).
    #[arg(long)]
    pub origin: Option<Url>,
    /// userVerification for both ceremonies: required, preferred or discouraged.
    #[arg(long, default_value = "preferred", value_parser = parse_uv)]
    pub uv: UserVerificationRequirement,
    /// amr/acr behaviour: rfc8176 (correct) or aspnetcore-net10 (reproduces amr=pwd after passkeys).
    #[arg(long, default_value = "rfc8176", value_parser = crate::args::parse_policy)]
    pub policy: Policy,
}

fn parse_uv(value: &str) -> Result<UserVerificationRequirement, String> {
    match value {
        "required" => Ok(UserVerificationRequirement::Required),
        "preferred" => Ok(UserVerificationRequirement::Preferred),
        "discouraged" => Ok(UserVerificationRequirement::Discouraged),
        other => {
            Err(format!("unknown userVerification {other:?}; expected required, preferred or discouraged"))
        }
    }
}

/// Runs the server until Ctrl-C.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let origin = match args.origin {
        Some(origin) => origin,
        None => Url::parse(&format!("http://localhost:{}", args.addr.port())).context("origin")?,
    };
    let config = match &args.config {
        Some(path) => ProviderConfig::load(path).with_context(|| format!("reading {}", path.display()))?,
        None => ProviderConfig::from_json(&format!(
            r#"{{"issuer":"{}","clients":[]}}"#,
            origin.as_str().trim_end_matches('/')
        ))
        .context("default configuration")?,
    };
    // Keep the temporary directory alive while the metadata is loaded.
    let _default_dir;
    let metadata = match &args.metadata {
        Some(dir) => {
            Metadata::load_dir(dir).with_context(|| format!("loading metadata from {}", dir.display()))?
        }
        None => {
            let dir = tempfile::tempdir().context("temporary directory")?;
            softfido_authenticator::metadata::write_metadata_dir(dir.path())
                .context("writing softfido metadata")?;
            let metadata = Metadata::load_dir(dir.path()).context("loading softfido metadata")?;
            _default_dir = dir;
            metadata
        }
    };
    let rp = RpConfig {
        ports: PortMatching::Exact,
        user_verification: args.uv,
        ..RpConfig::for_origin(origin.clone())
    };
    let ceremonies = Ceremonies::new(rp, metadata).context("WebAuthn configuration")?;
    let store = Store::open(&args.db).with_context(|| format!("opening {}", args.db))?;
    let key = p256::ecdsa::SigningKey::generate_from_rng(&mut rand::rng());
    let keys = SigningKeys::new(&key).context("signing key")?;
    let issuer = config.issuer.clone();
    let state = AppState::new(config.issuer, keys, config.clients, store, ceremonies, args.policy);
    let runtime = tokio::runtime::Runtime::new().context("tokio runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("binding {}", args.addr))?;
        tracing::info!(address = %args.addr, %issuer, %origin, "relying party and OpenID provider listening");
        axum::serve(listener, app(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("serving")
    })?;
    tracing::info!("server stopped");
    Ok(())
}
