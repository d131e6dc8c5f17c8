//! User presence and built-in user verification as makeCredential and getAssertion use them.

use super::Authenticator;
use crate::config::{Modality, UvCapability, VerifyOutcome};
use crate::proto::StatusCode;
use crate::proto::request::PinUvAuth;
use crate::signals::Signals;

/// How the user was verified in this ceremony.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UvMethod {
    /// A built-in biometric.
    Builtin(Modality),
}

/// What this ceremony established about the user.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Verification {
    /// User presence was tested and the user was present.
    pub presence: bool,
    /// User verification succeeded, and how.
    pub method: Option<UvMethod>,
}

impl Verification {
    /// Whether the user was verified.
    pub fn verified(&self) -> bool {
        self.method.is_some()
    }
}

impl Authenticator {
    /// Whether the device is "protected by some form of user verification" (CTAP 2.1 §6.1.2):
    /// built-in UV enrolled (a PIN is never set before clientPIN support lands).
    pub(super) fn uv_configured(&self) -> bool {
        matches!(self.config.uv, UvCapability::Builtin { enrolled: true, .. })
    }

    /// CTAP 2.1 §6.1.2 steps 1–2 and §6.2.2 steps 1–2: the pinUvAuthParam checks. The only
    /// token a platform could hold comes from clientPIN, which this device has not issued.
    pub(super) fn check_pin_uv_auth(
        &mut self,
        auth: &PinUvAuth,
        signals: &Signals,
    ) -> Result<(), StatusCode> {
        let supports_pin = self.config.uv == UvCapability::ClientPin;
        if auth.param.is_empty() && supports_pin {
            // Step 1: a zero-length pinUvAuthParam asks for a touch, then says whether a PIN is set.
            self.user.presence(signals)?;
            return Err(StatusCode::PinNotSet);
        }
        // Step 2: the protocol must be present and supported.
        match auth.protocol {
            None => Err(StatusCode::MissingParameter),
            Some(1 | 2) if supports_pin => Err(StatusCode::PinAuthInvalid),
            Some(_) => {
                Err(if supports_pin { StatusCode::InvalidParameter } else { StatusCode::PinAuthInvalid })
            }
        }
    }

    /// Validates the `uv` option (CTAP 2.1 §6.1.2 step 5, §6.2.2 step 5): only a device with
    /// built-in UV, enrolled, may be asked for it.
    pub(super) fn check_uv_option(&self, uv: bool) -> Result<(), StatusCode> {
        if uv && !self.uv_configured() { Err(StatusCode::InvalidOption) } else { Ok(()) }
    }

    /// Built-in user verification: the user touches the sensor (presence), then the sensor
    /// matches or not. A failure decrements the retries; at zero UV is blocked.
    pub(super) fn verify_builtin(&mut self, signals: &Signals) -> Result<Verification, StatusCode> {
        let UvCapability::Builtin { modality, enrolled: true, .. } = self.config.uv else {
            return Err(StatusCode::InvalidOption);
        };
        if self.uv_retries == 0 {
            return Err(StatusCode::UvBlocked);
        }
        self.user.presence(signals)?;
        match self.user.biometric(modality) {
            VerifyOutcome::Match => {
                self.uv_retries = super::MAX_UV_RETRIES;
                Ok(Verification { presence: true, method: Some(UvMethod::Builtin(modality)) })
            }
            VerifyOutcome::NoMatch => {
                self.uv_retries -= 1;
                tracing::info!(retries = self.uv_retries, "built-in user verification failed");
                Err(if self.uv_retries == 0 { StatusCode::UvBlocked } else { StatusCode::UvInvalid })
            }
        }
    }

    /// Tests user presence unless this ceremony already did.
    pub(super) fn ensure_presence(
        &mut self,
        verification: &mut Verification,
        signals: &Signals,
    ) -> Result<(), StatusCode> {
        if !verification.presence {
            self.user.presence(signals)?;
            verification.presence = true;
        }
        Ok(())
    }
}
