//! The volatile state of a powered-up authenticator.
//!
//! CTAP 2.1 ties this state to power: it is created at power-up and lost when the device loses
//! power, so a power cycle replaces it whole while the persistent state stays. What a power
//! cycle drops:
//! - the key agreement key: `initialize()` at power-up generates a fresh one (§6.5.4);
//! - the pinUvAuthToken and its in-use state: `resetPinUvAuthToken()` at power-up (§6.5.2.1,
//!   §6.5.5.1), and with it how the token was obtained;
//! - the count of consecutive wrong PINs, which blocks PIN use until the next power cycle after
//!   three (§6.5.2.2: `CTAP2_ERR_PIN_AUTH_BLOCKED`);
//! - the getNextAssertion state (§6.3) and the credential management enumeration state (§6.8);
//! - a large-blob write in progress: expectedLength and expectedNextOffset (§6.10.2);
//! - a fingerprint enrollment in progress (§6.7.4): its template is committed only when done;
//! - the power-up time, from which authenticatorReset's window is measured (§6.6).

use std::cell::OnceCell;
use std::time::Instant;

use super::bio_enrollment::PendingEnrollment;
use super::credential_management::Enumeration;
use super::get_assertion::PendingAssertions;
use super::large_blobs::PendingWrite;
use super::verification::UvMethod;
use crate::pin::protocol::KeyAgreementKey;
use crate::pin::token::PinUvAuthToken;

/// Everything an authenticator holds only until the next power cycle.
#[derive(Debug)]
pub(super) struct PowerOnState {
    /// When the device was powered up (authenticatorReset window).
    pub(super) powered_up_at: Instant,
    /// Continuation of a getAssertion with several discoverable credentials.
    pub(super) pending_assertions: Option<PendingAssertions>,
    /// Continuation of a credential management enumeration.
    pub(super) pending_enumeration: Option<Enumeration>,
    /// A large-blob write in progress (expectedNextOffset 0 when none).
    pub(super) large_blob_write: Option<PendingWrite>,
    /// A fingerprint enrollment in progress.
    pub(super) pending_enrollment: Option<PendingEnrollment>,
    /// The pinUvAuthToken.
    pub(super) pin_token: PinUvAuthToken,
    /// How the token in use was obtained (for `uvm` and the UV flag's method).
    pub(super) token_method: Option<UvMethod>,
    /// Wrong PINs in a row since power-up (three block PIN use until a power cycle).
    pub(super) consecutive_pin_failures: u8,
    /// The ECDH key of the PIN/UV auth protocols, once made (see [`PowerOnState::key_agreement`]).
    key_agreement: OnceCell<KeyAgreementKey>,
}

impl PowerOnState {
    /// The state of a device powered up at `now`: fresh keys and token, nothing pending.
    pub(super) fn new(now: Instant) -> Self {
        Self {
            powered_up_at: now,
            pending_assertions: None,
            pending_enumeration: None,
            large_blob_write: None,
            pending_enrollment: None,
            pin_token: PinUvAuthToken::new(),
            token_method: None,
            consecutive_pin_failures: 0,
            key_agreement: OnceCell::new(),
        }
    }

    /// The ECDH key of the PIN/UV auth protocols. CTAP 2.1 §6.5.4 has `initialize()` generate it
    /// at power-up; it is generated here at its first use instead, which no client can tell
    /// apart (it is the same key from then until the next power cycle or regeneration), and
    /// spares a key generation to every power-up that never runs clientPIN or hmac-secret.
    pub(super) fn key_agreement(&self) -> &KeyAgreementKey {
        self.key_agreement.get_or_init(KeyAgreementKey::generate)
    }

    /// Replaces the key agreement key with a fresh one (§6.5.5.7.1 step 5.2, after a wrong PIN).
    pub(super) fn regenerate_key_agreement(&mut self) {
        self.key_agreement = OnceCell::new();
    }
}

#[cfg(test)]
mod tests;
