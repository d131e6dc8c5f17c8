//! `softfido serve`: the relying party and OpenID provider with its web pages.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use softfido_rp::metadata::Metadata;
use softfido_rp::oidc::clients::ProviderConfig;
use softfido_rp::policy::Policy;
use softfido_rp::routes::canonical_host::redirect_to_origin;
use softfido_rp::store::Store;
use softfido_rp::webauthn::UserVerificationRequirement;
use softfido_rp::{AppState, app};
use url::Url;

use crate::idp::softfido_metadata;

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
    /// Directory of FIDO MDS3 metadata statements to trust (default: none, so every
    /// attestation is untrusted).
    #[arg(long)]
    pub metadata: Option<PathBuf>,
    /// ID-token signing key file (PKCS#8 DER, created 0600 if missing; default: beside --db,
    /// none for an in-memory database, whose key lasts one run).
    #[arg(long)]
    pub signing_key: Option<PathBuf>,
    /// Also trust softfido's own models and their test attestation root, whose private keys
    /// anyone can derive: a forged attestation then passes as hardware. For test rigs only;
    /// refused unless --addr is a loopback address.
    #[arg(long)]
    pub trust_softfido_test_root: bool,
    /// The WebAuthn origin (default: http://localhost:PORT of --addr).
    #[arg(long)]
    pub origin: Option<Url>,
    /// userVerification for both ceremonies: required, preferred or discouraged.
    #[arg(long, default_value = "preferred", value_parser = parse_uv)]
    pub uv: UserVerificationRequirement,
    /// amr/acr behaviour: rfc8176 (correct), or a profile of another IdP: aspnetcore-net10,
    /// authelia, zitadel, hanko, authgear, keycloak-default (docs/amr-acr.md).
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

/// Why `serve` refuses its options.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ServeError {
    /// `--trust-softfido-test-root` on an address other machines can reach.
    #[error(
        "--trust-softfido-test-root is refused on the non-loopback address {0}: softfido's test \
         attestation root has public private keys, so anyone reaching this server could register \
         a forged \"hardware\" passkey; listen on 127.0.0.1 or ::1, or drop the flag"
    )]
    TestRootOffLoopback(SocketAddr),
}

/// Whether trusting softfido's test root is allowed on `addr`: only where no other machine can
/// connect (a loopback address), since its keys are public.
pub fn check_test_root_address(addr: SocketAddr, trust_test_root: bool) -> Result<(), ServeError> {
    if trust_test_root && !addr.ip().is_loopback() {
        return Err(ServeError::TestRootOffLoopback(addr));
    }
    Ok(())
}

/// The attestation trust list: the statements of `--metadata`, and softfido's models (with its
/// test root) only under `--trust-softfido-test-root`.
pub fn trust_list(args: &ServeArgs) -> anyhow::Result<Metadata> {
    check_test_root_address(args.addr, args.trust_softfido_test_root)?;
    let mut metadata = match &args.metadata {
        Some(dir) => {
            Metadata::load_dir(dir).with_context(|| format!("loading metadata from {}", dir.display()))?
        }
        None => Metadata::default(),
    };
    if args.trust_softfido_test_root {
        for statement in softfido_metadata()?.statements() {
            metadata.insert(statement.clone()).map_err(anyhow::Error::msg).context("softfido's models")?;
        }
    }
    Ok(metadata)
}

const TEST_ROOT_WARNING: &str = "WARNING: trusting softfido's test attestation root (--trust-softfido-test-root): \
     its private keys are public, so any attestation it vouches for may be forged; never for real accounts";

/// Runs the server until Ctrl-C.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let origin = match args.origin.clone() {
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
    let metadata = trust_list(&args)?;
    if args.trust_softfido_test_root {
        tracing::warn!("{TEST_ROOT_WARNING}");
    }
    let store = Store::open(&args.db).with_context(|| format!("opening {}", args.db))?;
    let key_path = args.signing_key.clone().or_else(|| signing_key::default_path(&args.db));
    let issuer = config.issuer.clone();
    let mut builder = AppState::builder(config);
    if let Some(path) = &key_path {
        builder = builder.signing_key(signing_key::load_or_create(path)?);
    }
    let state = builder
        .origin(origin.clone())
        .user_verification(args.uv)
        .metadata(metadata)
        .policy(args.policy)
        .trusts_softfido_test_root(args.trust_softfido_test_root)
        .store(store)
        .build()
        .context("the provider's state")?;
    // A page opened under another host name (127.0.0.1 for localhost) would fail its WebAuthn
    // ceremonies on the origin check: such requests are redirected to the origin.
    let router = redirect_to_origin(app(state), &origin);
    let runtime = tokio::runtime::Runtime::new().context("tokio runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("binding {}", args.addr))?;
        tracing::info!(address = %args.addr, %issuer, %origin, "relying party and OpenID provider listening");
        println!("softfido relying party listening on {}; open {origin}", args.addr);
        if args.trust_softfido_test_root {
            println!("{TEST_ROOT_WARNING}");
        }
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        connections::serve(listener, router, connections::DEFAULT_LIMITS, shutdown).await;
        anyhow::Ok(())
    })?;
    tracing::info!("server stopped");
    Ok(())
}

pub mod connections;
pub mod signing_key;

#[cfg(test)]
mod tests;
