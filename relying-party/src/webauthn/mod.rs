//! WebAuthn ceremonies (registration, authentication) on `webauthn-rs-core`, and the evidence
//! the amr/acr policy reads from them.
//!
//! `webauthn-rs-core` verifies the client data, the signed authenticator data, the attestation
//! statement and the assertion signature. What it does not hand back, this module adds:
//! - the attestation *judgement* (trusted chain to a metadata root, self, none, untrusted),
//!   with the facts of the trusted model's metadata statement ([`crate::metadata`]);
//! - the UP/UV/BE/BS flags and the `uvm` output of the assertion, read from the signed raw
//!   authenticator data ([`crate::authenticator_data::assertion_evidence`]);
//! - one specific [`CeremonyError`] per rejection, instead of the library's 80-variant enum.
//!
//! A ceremony is two calls: `start_*` returns the options for the browser and a state the
//! caller keeps server side; `finish_*` consumes that state with the browser's response.
//! States are serde-serialisable so they can live in a session store: the store must hand each
//! one out at most once (take it on read), since a replay of the same response against a kept
//! copy of the same state is caught only by the signature counter, which synced passkeys keep
//! at zero.

mod authentication;
mod client_data;
mod error;
mod fido_u2f;
mod record;
mod registration;

#[cfg(test)]
pub(crate) mod test_client;
#[cfg(test)]
pub(crate) mod tests;

use std::collections::HashMap;
use std::time::Duration;

use url::Url;
use webauthn_rs_core::WebauthnCore;
use webauthn_rs_core::proto::{AttestationCaList, UserVerificationPolicy};

use crate::metadata::{KeyIdentifier, Metadata};

pub use authentication::{AuthenticationState, VerifiedAssertion};
pub use client_data::check_not_embedded;
pub use error::{CeremonyError, ConfigError};
pub use registration::{Discoverability, RegisteredCredential, RegistrationState, UserIdentity};
pub use webauthn_rs_core::proto::{
    CreationChallengeResponse, Credential, CredentialID, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

/// The RP's `userVerification` for both ceremonies (WebAuthn L3 §5.10.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UserVerificationRequirement {
    /// A ceremony without UV fails.
    Required,
    /// The client asks for UV when the authenticator can do it; a credential registered with
    /// UV must then keep using it (a `webauthn-rs` rule).
    Preferred,
    /// The client asks for no UV.
    Discouraged,
}

impl UserVerificationRequirement {
    fn policy(self) -> UserVerificationPolicy {
        match self {
            Self::Required => UserVerificationPolicy::Required,
            Self::Preferred => UserVerificationPolicy::Preferred,
            Self::Discouraged => UserVerificationPolicy::Discouraged_DO_NOT_USE,
        }
    }
}

/// How a client origin's port is compared with the configured origins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PortMatching {
    /// The port must be the configured one.
    Exact,
    /// Any port on the configured scheme and host (an RP on an ephemeral loopback port).
    Any,
}

/// Who the relying party is and what it asks of authenticators.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpConfig {
    /// The RP name shown by authenticators.
    pub name: String,
    /// The RP ID (WebAuthn L3 §5.1.2): a domain equal to, or a parent of, each origin's host.
    pub id: String,
    /// The origins clientDataJSON may name.
    pub origins: Vec<Url>,
    /// Port comparison for those origins.
    pub ports: PortMatching,
    /// How long the client may take (the `timeout` of the options).
    pub timeout: Duration,
    /// UV for both ceremonies.
    pub user_verification: UserVerificationRequirement,
}

impl RpConfig {
    /// An RP whose ID is the host of `origin`, exact ports, a 5-minute timeout, UV preferred.
    pub fn for_origin(origin: Url) -> Self {
        let id = origin.host_str().unwrap_or_default().to_owned();
        Self {
            name: id.clone(),
            id,
            origins: vec![origin],
            ports: PortMatching::Exact,
            timeout: Duration::from_secs(300),
            user_verification: UserVerificationRequirement::Preferred,
        }
    }

    /// Checks what `webauthn-rs-core` takes on trust: an RP ID, at least one origin, every
    /// origin's host within the RP ID (§5.1.2), a timeout that fits the options' `u32` ms.
    fn validate(&self) -> Result<(), ConfigError> {
        if self.id.is_empty() {
            return Err(ConfigError::EmptyRpId);
        }
        if self.origins.is_empty() {
            return Err(ConfigError::NoOrigin);
        }
        for origin in &self.origins {
            let host = origin.host_str().unwrap_or_default();
            let within = host == self.id || host.strip_suffix(&self.id).is_some_and(|sub| sub.ends_with('.'));
            if !within {
                return Err(ConfigError::OriginOutsideRpId {
                    origin: origin.to_string(),
                    rp_id: self.id.clone(),
                });
            }
        }
        if u32::try_from(self.timeout.as_millis()).is_err() {
            return Err(ConfigError::TimeoutTooLong(self.timeout));
        }
        Ok(())
    }
}

/// The WebAuthn ceremonies of one relying party, with its attestation trust list.
#[derive(Clone, Debug)]
pub struct Ceremonies {
    core: WebauthnCore,
    rp_id: String,
    user_verification: UserVerificationRequirement,
    /// The trust list: an attestation chain is trusted when it leads to a root of the
    /// statement of the AAGUID it attests, and that statement's facts come along.
    metadata: Metadata,
    /// Each statement's roots, parsed once, by AAGUID (statements without a usable root have
    /// none).
    trust_lists: HashMap<[u8; 16], AttestationCaList>,
    /// The roots of each U2F statement, by the attestation key identifiers it lists.
    u2f_trust_lists: HashMap<KeyIdentifier, AttestationCaList>,
}

impl Ceremonies {
    /// The ceremonies of `config`, trusting the attestation roots of `metadata`'s statements,
    /// each root for its own statement's AAGUID only.
    pub fn new(config: RpConfig, metadata: Metadata) -> Result<Self, ConfigError> {
        config.validate()?;
        let core = WebauthnCore::new_unsafe_experts_only(
            &config.name,
            &config.id,
            config.origins,
            config.timeout,
            // Subdomain origins are listed explicitly, never implied.
            Some(false),
            Some(config.ports == PortMatching::Any),
        );
        let trust_lists = metadata
            .statements()
            .filter_map(|statement| Some((statement.aaguid?, registration::trust_list(statement))))
            .filter(|(_, list)| !list.is_empty())
            .collect();
        let u2f_trust_lists = metadata
            .statements()
            .flat_map(|statement| {
                let list = registration::trust_list(statement);
                statement.attestation_certificate_key_identifiers.iter().map(move |key| (*key, list.clone()))
            })
            .filter(|(_, list)| !list.is_empty())
            .collect();
        Ok(Self {
            core,
            rp_id: config.id,
            user_verification: config.user_verification,
            metadata,
            trust_lists,
            u2f_trust_lists,
        })
    }

    /// The RP ID.
    pub fn rp_id(&self) -> &str {
        &self.rp_id
    }

    /// The UV requirement of both ceremonies.
    pub fn user_verification(&self) -> UserVerificationRequirement {
        self.user_verification
    }
}
