//! User presence and user verification as makeCredential and getAssertion use them: built-in
//! UV through the `uv` option, or a pinUvAuthToken through pinUvAuthParam.

use super::{Authenticator, ctap20};
use crate::config::{Modality, UvCapability, VerifyOutcome};
use crate::pin::token::{Permissions, Usage};
use crate::proto::StatusCode;
use crate::proto::pin_uv_auth::{PinProtocol, SubcommandAuth};
use crate::proto::request::PinUvAuth;
use crate::signals::Signals;
use crate::store::MAX_UV_RETRIES;

/// How the user was verified: in this ceremony, or to obtain the pinUvAuthToken in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UvMethod {
    /// A built-in biometric.
    Builtin(Modality),
    /// A PIN typed on the platform (clientPIN).
    Pin,
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
    /// Built-in UV with a template enrolled: for a fingerprint sensor, a template enrolled
    /// through authenticatorBioEnrollment (or configured); for the other modalities, as
    /// configured.
    pub(super) fn uv_enrolled(&self) -> bool {
        match self.config.uv {
            UvCapability::Builtin { modality: Modality::Fingerprint, .. } => {
                !self.fingerprint_templates().is_empty()
            }
            UvCapability::Builtin { enrolled, .. } => enrolled,
            UvCapability::None | UvCapability::ClientPin => false,
        }
    }

    /// "Protected by some form of user verification" (CTAP 2.1 §6.1.2): a PIN is set or
    /// built-in UV is enrolled.
    pub(super) fn uv_configured(&self) -> bool {
        self.uv_enrolled() || self.client_pin_set()
    }

    /// The model has clientPIN and a PIN is set.
    pub(super) fn client_pin_set(&self) -> bool {
        self.supports_client_pin() && self.state.pin.is_some()
    }

    /// CTAP 2.1 §6.1.2 steps 1–2 and 11, §6.2.2 steps 1–2 and 6: a pinUvAuthParam must be
    /// authenticate(pinUvAuthToken, clientDataHash) for a token in use, holding `permission`,
    /// bound to this RP (or bound now), with its user-verified flag set.
    pub(super) fn check_pin_uv_auth(
        &mut self,
        auth: &PinUvAuth,
        client_data_hash: &[u8],
        permission: Permissions,
        rp_id: &str,
        signals: &Signals,
    ) -> Result<Verification, StatusCode> {
        let supported = self.supports_pin_uv_auth_token();
        if auth.param.is_empty() && supported {
            // Step 1: a zero-length pinUvAuthParam asks for a touch, then says whether a PIN is set.
            self.user.presence(signals)?;
            return Err(if self.state.pin.is_some() {
                StatusCode::PinInvalid
            } else {
                StatusCode::PinNotSet
            });
        }
        // Step 2: the protocol must be present and supported.
        let protocol = self.known_protocol(PinProtocol::required(auth.protocol)?)?;
        if !supported {
            return Err(StatusCode::PinAuthInvalid);
        }
        let now = self.clock.now();
        let usage = self
            .volatile
            .pin_token
            .verify(protocol, client_data_hash, &auth.param, now)
            .map_err(|_| StatusCode::PinAuthInvalid)?;
        if !usage.permissions.contains(permission) || !usage.user_verified {
            return Err(StatusCode::PinAuthInvalid);
        }
        match &usage.rp_id {
            Some(bound) if bound != rp_id => return Err(StatusCode::PinAuthInvalid),
            Some(_) => {}
            None if ctap20::binds_token_to_rp(self.config.generation) => {
                usage.rp_id = Some(rp_id.to_owned());
            }
            None => {}
        }
        let presence = usage.user_present;
        // A token obtained with built-in UV verifies the user by that modality, else by the PIN.
        let method = self.volatile.token_method.unwrap_or(UvMethod::Pin);
        Ok(Verification { presence, method: Some(method) })
    }

    /// The token in use, when the pinUvAuthParam = authenticate(token, `message_prefix` ||
    /// subCommand || subCommandParams) under the request's protocol and the token holds
    /// `permission` (CTAP 2.1 §6.8.2, §6.11.1): the check shared by credential management and
    /// authenticatorConfig. No param is PUAT_REQUIRED, then the protocol must be present and
    /// supported.
    pub(super) fn authorize(
        &mut self,
        auth: &SubcommandAuth,
        message_prefix: &[u8],
        permission: Permissions,
    ) -> Result<&mut Usage, StatusCode> {
        let param = auth.param.as_deref().ok_or(StatusCode::PuatRequired)?;
        let protocol = self.known_protocol(PinProtocol::required(auth.protocol)?)?;
        let message = [message_prefix, &auth.message].concat();
        let now = self.clock.now();
        let usage = self
            .volatile
            .pin_token
            .verify(protocol, &message, param, now)
            .map_err(|_| StatusCode::PinAuthInvalid)?;
        if usage.permissions.contains(permission) { Ok(usage) } else { Err(StatusCode::PinAuthInvalid) }
    }

    /// After a makeCredential, or a getAssertion with user presence, that used the token: its
    /// presence and verification are spent, and so are its permissions but lbw (CTAP 2.1
    /// §6.1.2, §6.2.2: clearUserPresentFlag, clearUserVerifiedFlag,
    /// clearPinUvAuthTokenPermissionsExceptLbw).
    /// A 2.0 pinToken is not spent (see [`ctap20::spends_token`]).
    pub(super) fn spend_token(&mut self) {
        if !ctap20::spends_token(self.config.generation) {
            return;
        }
        if let Some(usage) = self.volatile.pin_token.usage(self.clock.now()) {
            usage.user_present = false;
            usage.user_verified = false;
            usage.permissions = usage.permissions & Permissions::LARGE_BLOB_WRITE;
        }
    }

    /// Validates the `uv` option (CTAP 2.1 §6.1.2 step 5, §6.2.2 step 5): only a device with
    /// built-in UV, enrolled, may be asked for it.
    pub(super) fn check_uv_option(&self, uv: bool) -> Result<(), StatusCode> {
        if uv && !self.uv_enrolled() { Err(StatusCode::InvalidOption) } else { Ok(()) }
    }

    /// alwaysUv (CTAP 2.1 §6.11.2): without a token or the `uv` option, the ceremony is refused.
    pub(super) fn check_always_uv(&self, has_token: bool, uv: bool) -> Result<(), StatusCode> {
        if !self.state.always_uv || has_token || uv {
            return Ok(());
        }
        Err(if self.uv_configured() {
            StatusCode::PuatRequired
        } else if self.supports_client_pin() {
            StatusCode::PinNotSet
        } else {
            StatusCode::OperationDenied
        })
    }

    /// Built-in user verification: the user touches the sensor (presence), then the sensor
    /// matches or not. A failure decrements the (persisted) retries; at zero UV is blocked.
    pub(super) fn verify_builtin(&mut self, signals: &Signals) -> Result<Verification, StatusCode> {
        let UvCapability::Builtin { modality, .. } = self.config.uv else {
            return Err(StatusCode::InvalidOption);
        };
        if !self.uv_enrolled() {
            return Err(StatusCode::InvalidOption);
        }
        if self.state.uv_retries == 0 {
            return Err(StatusCode::UvBlocked);
        }
        self.user.presence(signals)?;
        match self.user.biometric(modality) {
            VerifyOutcome::Match => {
                if self.state.uv_retries != MAX_UV_RETRIES {
                    self.commit(|state| state.uv_retries = MAX_UV_RETRIES)?;
                }
                Ok(Verification { presence: true, method: Some(UvMethod::Builtin(modality)) })
            }
            VerifyOutcome::NoMatch => {
                self.commit(|state| state.uv_retries = state.uv_retries.saturating_sub(1))?;
                tracing::info!(retries = self.state.uv_retries, "built-in user verification failed");
                Err(if self.state.uv_retries == 0 { StatusCode::UvBlocked } else { StatusCode::UvInvalid })
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
