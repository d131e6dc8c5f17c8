//! The HTTP surface: thin axum handlers that extract, call a domain function and map errors.

pub mod account;
mod builder;
pub mod canonical_host;
pub mod discovery;
pub mod extract;
pub mod oidc;
pub mod pages;
pub mod passkeys;
pub mod same_origin;
mod session;

use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::routing::{get, post};

use crate::clock::Clock;
use crate::error::AppError;
use crate::expiring::ExpiringMap;
use crate::oidc::clients::ClientRegistry;
use crate::oidc::flow::Session;
use crate::oidc::id_token::SigningKeys;
use crate::policy::Policy;
use crate::sealed::Sealer;
use crate::store::Store;
use crate::webauthn::{AuthenticationState, Ceremonies};

pub use builder::{AppStateBuilder, BuildError};
pub use session::{CookieSecurity, SECURE_SESSION_COOKIE, SESSION_COOKIE};

#[cfg(test)]
mod tests;

/// How long a sign-in session lives.
const SESSION_TTL: u64 = 3600;
/// How long a WebAuthn ceremony or a pending authorization request may take.
pub const CEREMONY_TTL: u64 = 600;
/// At most this many live sessions.
const MAX_SESSIONS: usize = 100_000;
/// At most this many answered request ids remembered (one per code issued at
/// `/authorize/continue`, each for the ceremony lifetime): room for about 800 sign-ins a
/// second sustained, in tens of megabytes.
const MAX_ANSWERED_REQUESTS: usize = 500_000;
/// At most this many ceremonies of each kind in progress.
const MAX_CEREMONIES: usize = 10_000;

/// What every handler shares.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

/// The shared parts.
#[derive(Debug)]
pub struct Inner {
    /// The issuer URL (also the base of every endpoint).
    pub issuer: String,
    /// The ID token signing keys.
    pub keys: SigningKeys,
    /// The registered clients.
    pub clients: ClientRegistry,
    /// Accounts, passkeys, codes, tokens.
    pub store: Mutex<Store>,
    /// WebAuthn ceremonies for this RP.
    pub ceremonies: Ceremonies,
    /// The amr/acr policy.
    pub policy: Policy,
    /// What a new password hash costs.
    pub password_cost: crate::password::Cost,
    /// Browser sessions by cookie value.
    pub sessions: ExpiringMap<Session>,
    /// Seals the authorization requests waiting for a sign-in, which wait in the browser.
    pub sealer: Sealer,
    /// The ids of sealed requests already answered with a code (each is answered once).
    pub answered_requests: ExpiringMap<()>,
    /// Registration ceremonies in progress, each bound to the session that started it.
    pub registrations: ExpiringMap<passkeys::PendingRegistration>,
    /// Sign-in ceremonies in progress.
    pub authentications: ExpiringMap<AuthenticationState>,
    /// Failed password sign-ins, per username and per client address.
    pub password_throttle: crate::password::throttle::PasswordThrottle,
    /// Where the time comes from.
    pub clock: Arc<dyn Clock>,
    /// The pages' origin as `Origin` headers carry it (`scheme://host[:port]`).
    pub web_origin: String,
    /// The session cookie's name and flags, by the pages' origin.
    pub cookie_security: CookieSecurity,
    /// Whether the trust list holds softfido's test root (the sign-in page warns of it).
    pub trusts_softfido_test_root: bool,
}

impl AppState {
    /// A builder for the provider of `config` ([`AppStateBuilder`]).
    pub fn builder(config: crate::oidc::clients::ProviderConfig) -> AppStateBuilder {
        AppStateBuilder::new(config)
    }

    /// State from its parts.
    #[allow(clippy::too_many_arguments)]
    fn new(
        issuer: impl Into<String>,
        keys: SigningKeys,
        clients: ClientRegistry,
        store: Store,
        ceremonies: Ceremonies,
        policy: Policy,
        password_cost: crate::password::Cost,
        clock: Arc<dyn Clock>,
        trusts_softfido_test_root: bool,
        web: &url::Url,
    ) -> Self {
        Self(Arc::new(Inner {
            issuer: issuer.into().trim_end_matches('/').to_owned(),
            keys,
            clients,
            store: Mutex::new(store),
            ceremonies,
            policy,
            password_cost,
            sessions: ExpiringMap::new(SESSION_TTL, MAX_SESSIONS),
            sealer: Sealer::new(),
            answered_requests: ExpiringMap::new(CEREMONY_TTL, MAX_ANSWERED_REQUESTS),
            registrations: ExpiringMap::new(CEREMONY_TTL, MAX_CEREMONIES),
            authentications: ExpiringMap::new(CEREMONY_TTL, MAX_CEREMONIES),
            password_throttle: crate::password::throttle::PasswordThrottle::default(),
            clock,
            trusts_softfido_test_root,
            web_origin: web.origin().ascii_serialization(),
            cookie_security: CookieSecurity::for_scheme(web.scheme()),
        }))
    }

    /// Seconds since the Unix epoch, by the provider's clock.
    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// The store, locked.
    pub fn store(&self) -> Result<MutexGuard<'_, Store>, AppError> {
        self.store.lock().map_err(|_| AppError::internal("store lock poisoned"))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// The relying party and OpenID provider as an axum router.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery::configuration))
        .route("/jwks", get(discovery::jwks))
        .route("/authorize", get(oidc::authorize))
        .route("/authorize/continue", get(oidc::resume))
        .route("/par", post(oidc::par))
        .route("/token", post(oidc::token))
        .route("/userinfo", get(oidc::userinfo))
        .merge(browser_api(state.clone()))
        .route("/", get(pages::root))
        .route("/signin", get(pages::signin))
        .route("/signup", get(pages::signup))
        .route("/passkeys/manage", get(pages::manage_passkeys))
        .route("/me", get(pages::me))
        .route("/static/style.css", get(pages::style))
        .route("/static/passkeys.js", get(pages::script))
        .with_state(state)
}

/// The JSON API of the pages, whose state-changing requests must come from the pages' origin.
fn browser_api(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/account/signup", post(account::signup))
        .route("/account/password", post(account::password_sign_in))
        .route("/account/session", get(account::current_session))
        .route("/account/signout", post(account::sign_out))
        .route("/webauthn/register/start", post(passkeys::register_start))
        .route("/webauthn/register/finish", post(passkeys::register_finish))
        .route("/webauthn/login/start", post(passkeys::login_start))
        .route("/webauthn/login/finish", post(passkeys::login_finish))
        .route("/passkeys", get(passkeys::list))
        .route("/passkeys/{id}", post(passkeys::rename).delete(passkeys::delete))
        .route_layer(axum::middleware::from_fn_with_state(state, same_origin::require_same_origin))
}
