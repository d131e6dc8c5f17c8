//! One way to assemble the provider's [`AppState`]: its configuration (issuer and clients), and
//! what differs between a server, the harness's in-process IdP and the tests: the WebAuthn
//! settings, the trust list, the store, the signing key, the amr/acr policy, the password cost.

use p256::ecdsa::SigningKey;
use p256::elliptic_curve::Generate;
use url::Url;

use std::sync::Arc;

use super::AppState;
use crate::clock::{Clock, SystemClock};
use crate::metadata::Metadata;
use crate::oidc::clients::ProviderConfig;
use crate::oidc::id_token::{IdTokenError, SigningKeys};
use crate::password::Cost;
use crate::policy::Policy;
use crate::store::{Store, StoreError};
use crate::webauthn::{Ceremonies, ConfigError, RpConfig, UserVerificationRequirement};

/// Why the state could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The issuer is no URL, so it cannot be the default WebAuthn origin.
    #[error("the issuer {issuer:?} is not a URL: {source}")]
    Issuer {
        /// The issuer.
        issuer: String,
        /// The parse error.
        source: url::ParseError,
    },
    /// The WebAuthn settings are inconsistent.
    #[error("WebAuthn configuration: {0}")]
    WebAuthn(#[from] ConfigError),
    /// The signing key could not be published.
    #[error("signing key: {0}")]
    SigningKey(#[from] IdTokenError),
    /// The in-memory store could not be created.
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

/// Assembles an [`AppState`]. Defaults: the WebAuthn origin is the issuer (exact port), UV
/// preferred, no trusted metadata, the RFC 8176 policy, an in-memory store, a fresh random
/// signing key, standard password hashes, the system clock.
#[derive(Debug)]
pub struct AppStateBuilder {
    config: ProviderConfig,
    origin: Option<Url>,
    user_verification: UserVerificationRequirement,
    metadata: Metadata,
    policy: Policy,
    store: Option<Store>,
    signing_key: Option<SigningKey>,
    password_cost: Cost,
    clock: Arc<dyn Clock>,
    trusts_softfido_test_root: bool,
}

impl AppStateBuilder {
    /// A builder for the provider of `config`.
    pub fn new(config: ProviderConfig) -> Self {
        Self {
            config,
            origin: None,
            user_verification: UserVerificationRequirement::Preferred,
            metadata: Metadata::default(),
            policy: Policy::default(),
            store: None,
            signing_key: None,
            password_cost: Cost::Standard,
            clock: Arc::new(SystemClock),
            trusts_softfido_test_root: false,
        }
    }

    /// The WebAuthn origin of the pages, when it is not the issuer.
    pub fn origin(mut self, origin: Url) -> Self {
        self.origin = Some(origin);
        self
    }

    /// `userVerification` for both ceremonies.
    pub fn user_verification(mut self, user_verification: UserVerificationRequirement) -> Self {
        self.user_verification = user_verification;
        self
    }

    /// The attestation trust list.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = metadata;
        self
    }

    /// The amr/acr behaviour.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// The store (instead of a fresh in-memory one).
    pub fn store(mut self, store: Store) -> Self {
        self.store = Some(store);
        self
    }

    /// The ID token signing key (instead of a fresh random one).
    pub fn signing_key(mut self, key: SigningKey) -> Self {
        self.signing_key = Some(key);
        self
    }

    /// What a new password hash costs.
    pub fn password_cost(mut self, cost: Cost) -> Self {
        self.password_cost = cost;
        self
    }

    /// Where the time comes from (instead of the system clock).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Declares that the trust list holds softfido's own test attestation root, whose private
    /// keys anyone can derive: the sign-in page then says so in a visible notice, since its
    /// `hwk` and `phrh` prove nothing about real hardware.
    pub fn trusts_softfido_test_root(mut self, trusted: bool) -> Self {
        self.trusts_softfido_test_root = trusted;
        self
    }

    /// The state.
    pub fn build(self) -> Result<AppState, BuildError> {
        let issuer = self.config.issuer;
        let origin = match self.origin {
            Some(origin) => origin,
            None => {
                Url::parse(&issuer).map_err(|source| BuildError::Issuer { issuer: issuer.clone(), source })?
            }
        };
        let web = origin.clone();
        let rp = RpConfig { user_verification: self.user_verification, ..RpConfig::for_origin(origin) };
        let ceremonies = Ceremonies::new(rp, self.metadata)?;
        let key = self.signing_key.unwrap_or_else(|| SigningKey::generate_from_rng(&mut rand::rng()));
        let keys = SigningKeys::new(&key)?;
        let store = match self.store {
            Some(store) => store,
            None => Store::in_memory()?,
        };
        Ok(AppState::new(
            issuer,
            keys,
            self.config.clients,
            store,
            ceremonies,
            self.policy,
            self.password_cost,
            self.clock,
            self.trusts_softfido_test_root,
            &web,
        ))
    }
}
