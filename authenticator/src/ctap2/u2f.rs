//! The authenticator as a U2F token ([`crate::ctap1`]): key handles are CTAP2 credential IDs
//! and counters are CTAP2's, so the two protocols share credentials (CTAP 2.1 §10).
//!
//! - A U2F registration seals a new ES256 key as a non-discoverable credential for
//!   rpIdHash = the application parameter: getAssertion accepts its key handle when the platform
//!   sends the appId as the RP ID (CTAP 2.1 §10).
//! - A CTAP2 credential whose ID opens for the application parameter signs through
//!   U2F_AUTHENTICATE when its key is ES256 and its credProtect policy does not require user
//!   verification, which U2F cannot give (CTAP 2.1 §12.1).

use super::Authenticator;
use super::credential::{CredProtect, CredentialSecret};
use crate::attestation::{self, AttestationIdentity, AttestationRoot};
use crate::config::{Algorithm, AttestationKind, PresenceOutcome};
use crate::ctap1::{self, PARAMETER_LEN, StatusWord, U2fToken};
use crate::keys::PrivateKey;
use crate::signals::Signals;

impl Authenticator {
    /// Answers one CTAP1/U2F command APDU with its response APDU. Never panics on any input.
    pub fn process_apdu(&mut self, apdu: &[u8], signals: &Signals) -> Vec<u8> {
        // CTAP 2.1 §6.3, §6.8: any other command ends a getNextAssertion or an enumeration.
        self.volatile.pending_assertions = None;
        self.volatile.pending_enumeration = None;
        ctap1::process(self, apdu, signals)
    }
}

impl U2fToken for Authenticator {
    fn user_present(&mut self, signals: &Signals) -> bool {
        // A user who never touches the key has not touched it yet: U2F answers at once.
        if self.config.presence == PresenceOutcome::Timeout {
            return false;
        }
        self.user.presence(signals).is_ok()
    }

    fn create_key(&mut self, application: &[u8; PARAMETER_LEN]) -> Result<(PrivateKey, Vec<u8>), StatusWord> {
        let secret = CredentialSecret {
            key: PrivateKey::generate(Algorithm::Es256),
            cred_protect: CredProtect::UvOptional,
            discoverable: false,
            hmac_secret: false,
            cred_blob: None,
        };
        let key_handle = secret.seal(&self.state.master_key, application);
        Ok((secret.key, key_handle))
    }

    fn open_key(&self, key_handle: &[u8], application: &[u8; PARAMETER_LEN]) -> Option<PrivateKey> {
        let (secret, _) = self.live_credential(key_handle, application)?;
        let usable =
            secret.key.algorithm() == Algorithm::Es256 && secret.cred_protect != CredProtect::UvRequired;
        usable.then_some(secret.key)
    }

    fn next_counter(&mut self, key_handle: &[u8]) -> Result<u32, StatusWord> {
        self.advance_counter(key_handle).map_err(|_| StatusWord::NoPreciseDiagnosis)
    }

    fn attestation_identity(&self) -> &'static AttestationIdentity {
        // U2F has no self or none attestation: the model's batch certificate, under the root its
        // packed basic attestation would use.
        let root = match self.config.attestation {
            AttestationKind::PackedBasicUntrusted => AttestationRoot::Untrusted,
            AttestationKind::None | AttestationKind::PackedSelf | AttestationKind::PackedBasic => {
                AttestationRoot::Trusted
            }
        };
        attestation::batch_identity(self.config.model(), root)
    }
}

#[cfg(test)]
mod tests;
