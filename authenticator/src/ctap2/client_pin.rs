//! authenticatorClientPIN (CTAP 2.1 §6.5.5): PIN set-up and change, retries, key agreement, and
//! pinUvAuthTokens obtained with the PIN or with built-in user verification.

use ciborium::Value;
use subtle::ConstantTimeEq;

use super::Authenticator;
use super::verification::UvMethod;
use crate::config::UvCapability;
use crate::pin::policy;
use crate::pin::protocol::{KeyAgreementKey, PinUvAuthProtocol, SharedSecret};
use crate::pin::token::Permissions;
use crate::proto::StatusCode;
use crate::proto::request::ClientPinRequest;
use crate::proto::response::{ClientPinResponse, Response};
use crate::signals::Signals;
use crate::store::MAX_PIN_RETRIES;

/// Consecutive wrong PINs that block PIN use until the next power cycle (CTAP 2.1 §6.5.2.2).
pub const MAX_CONSECUTIVE_PIN_FAILURES: u8 = 3;

/// clientPIN subcommands (CTAP 2.1 §6.5.5).
mod sub_command {
    pub const GET_PIN_RETRIES: i64 = 0x01;
    pub const GET_KEY_AGREEMENT: i64 = 0x02;
    pub const SET_PIN: i64 = 0x03;
    pub const CHANGE_PIN: i64 = 0x04;
    pub const GET_PIN_TOKEN: i64 = 0x05;
    pub const GET_TOKEN_USING_UV_WITH_PERMISSIONS: i64 = 0x06;
    pub const GET_UV_RETRIES: i64 = 0x07;
    pub const GET_TOKEN_USING_PIN_WITH_PERMISSIONS: i64 = 0x09;
}

/// Permissions this authenticator can grant: mc, ga, cm, acfg. `be` needs bio enrollment and
/// `lbw` large blobs, which it does not implement (§6.5.5.7: CTAP2_ERR_UNAUTHORIZED_PERMISSION).
const GRANTABLE: u8 = Permissions::MAKE_CREDENTIAL
    | Permissions::GET_ASSERTION
    | Permissions::CREDENTIAL_MANAGEMENT
    | Permissions::AUTHENTICATOR_CONFIG;

impl Authenticator {
    /// Whether the model has clientPIN.
    pub(super) fn supports_client_pin(&self) -> bool {
        self.config.uv == UvCapability::ClientPin
    }

    /// Whether the model can hand out pinUvAuthTokens (clientPIN or built-in UV).
    pub(super) fn supports_pin_uv_auth_token(&self) -> bool {
        self.config.uv != UvCapability::None
    }

    /// The PIN/UV auth protocols offered: both, whenever clientPIN, built-in UV or
    /// hmac-secret needs them.
    pub(super) fn pin_uv_auth_protocols(&self) -> Vec<u8> {
        if self.supports_pin_uv_auth_token() || self.config.extensions.hmac_secret {
            vec![2, 1]
        } else {
            Vec::new()
        }
    }

    pub(super) fn client_pin(
        &mut self,
        request: ClientPinRequest,
        signals: &Signals,
    ) -> Result<Response, StatusCode> {
        if self.pin_uv_auth_protocols().is_empty() {
            return Err(StatusCode::InvalidCommand);
        }
        let protocol = request
            .protocol
            .map(|id| PinUvAuthProtocol::from_id(id).ok_or(StatusCode::InvalidParameter))
            .transpose()?;
        let pin = self.supports_client_pin();
        let builtin = matches!(self.config.uv, UvCapability::Builtin { .. });
        match request.sub_command {
            sub_command::GET_PIN_RETRIES if pin => Ok(self.get_pin_retries().into()),
            sub_command::GET_KEY_AGREEMENT => {
                protocol.ok_or(StatusCode::MissingParameter)?;
                let key_agreement = self.volatile.key_agreement.cose_public_key();
                Ok(ClientPinResponse::KeyAgreement { key_agreement }.into())
            }
            sub_command::SET_PIN if pin => self.set_pin(protocol, &request).map(|()| Response::Empty),
            sub_command::CHANGE_PIN if pin => self.change_pin(protocol, &request).map(|()| Response::Empty),
            sub_command::GET_PIN_TOKEN if pin => self.get_pin_token(protocol, &request),
            sub_command::GET_TOKEN_USING_PIN_WITH_PERMISSIONS if pin => {
                self.get_token_using_pin(protocol, &request)
            }
            sub_command::GET_TOKEN_USING_UV_WITH_PERMISSIONS if builtin => {
                self.get_token_using_uv(protocol, &request, signals)
            }
            sub_command::GET_UV_RETRIES if builtin => {
                Ok(ClientPinResponse::UvRetries { uv_retries: self.state.uv_retries }.into())
            }
            _ => Err(StatusCode::InvalidSubcommand),
        }
    }

    /// §6.5.5.2: retries left, and whether a power cycle is needed before the next attempt.
    fn get_pin_retries(&self) -> ClientPinResponse {
        ClientPinResponse::PinRetries {
            pin_retries: self.state.pin_retries,
            power_cycle_state: self.volatile.consecutive_pin_failures >= MAX_CONSECUTIVE_PIN_FAILURES,
        }
    }

    /// The shared secret with the platform's keyAgreement key.
    fn shared_secret(
        &self,
        protocol: Option<PinUvAuthProtocol>,
        key_agreement: Option<&Value>,
    ) -> Result<SharedSecret, StatusCode> {
        let protocol = protocol.ok_or(StatusCode::MissingParameter)?;
        let key_agreement = key_agreement.ok_or(StatusCode::MissingParameter)?;
        self.volatile
            .key_agreement
            .shared_secret(protocol, key_agreement)
            .map_err(|_| StatusCode::InvalidParameter)
    }

    /// §6.5.5.5 setPIN.
    fn set_pin(
        &mut self,
        protocol: Option<PinUvAuthProtocol>,
        request: &ClientPinRequest,
    ) -> Result<(), StatusCode> {
        let new_pin_enc = request.new_pin_enc.as_deref().ok_or(StatusCode::MissingParameter)?;
        let param = request.pin_uv_auth_param.as_deref().ok_or(StatusCode::MissingParameter)?;
        let shared = self.shared_secret(protocol, request.key_agreement.as_ref())?;
        // §6.5.5.5: "If a PIN has already been set, authenticator returns
        // CTAP2_ERR_PIN_AUTH_INVALID".
        if self.state.pin.is_some() {
            return Err(StatusCode::PinAuthInvalid);
        }
        shared.verify(new_pin_enc, param).map_err(|_| StatusCode::PinAuthInvalid)?;
        let padded = shared.decrypt(new_pin_enc).map_err(|_| StatusCode::PinPolicyViolation)?;
        let new_pin = policy::check_new_pin(&padded, self.state.min_pin_length)?;
        self.commit(|state| {
            state.pin =
                Some(crate::store::StoredPin { hash: new_pin.hash, code_points: new_pin.code_points });
            state.pin_retries = MAX_PIN_RETRIES;
            state.force_pin_change = false;
        })?;
        tracing::info!("PIN set");
        Ok(())
    }

    /// §6.5.5.6 changePIN.
    fn change_pin(
        &mut self,
        protocol: Option<PinUvAuthProtocol>,
        request: &ClientPinRequest,
    ) -> Result<(), StatusCode> {
        let pin_hash_enc = request.pin_hash_enc.as_deref().ok_or(StatusCode::MissingParameter)?;
        let new_pin_enc = request.new_pin_enc.as_deref().ok_or(StatusCode::MissingParameter)?;
        let param = request.pin_uv_auth_param.as_deref().ok_or(StatusCode::MissingParameter)?;
        let shared = self.shared_secret(protocol, request.key_agreement.as_ref())?;
        self.check_pin_usable()?;
        // Step: verify(shared secret, newPinEnc || pinHashEnc, pinUvAuthParam).
        let message = [new_pin_enc, pin_hash_enc].concat();
        shared.verify(&message, param).map_err(|_| StatusCode::PinAuthInvalid)?;
        self.verify_pin_hash(&shared, pin_hash_enc)?;
        let padded = shared.decrypt(new_pin_enc).map_err(|_| StatusCode::PinPolicyViolation)?;
        let new_pin = policy::check_new_pin(&padded, self.state.min_pin_length)?;
        if self.state.force_pin_change && self.state.pin.as_ref().is_some_and(|pin| pin.hash == new_pin.hash)
        {
            return Err(StatusCode::PinPolicyViolation);
        }
        self.commit(|state| {
            state.pin =
                Some(crate::store::StoredPin { hash: new_pin.hash, code_points: new_pin.code_points });
            state.force_pin_change = false;
        })?;
        // Every token handed out under the old PIN is void.
        self.volatile.pin_token.reset();
        tracing::info!("PIN changed");
        Ok(())
    }

    /// §6.5.5.7.1 getPinToken (legacy): a token with mc and ga, no RP ID.
    fn get_pin_token(
        &mut self,
        protocol: Option<PinUvAuthProtocol>,
        request: &ClientPinRequest,
    ) -> Result<Response, StatusCode> {
        if request.permissions.is_some() || request.rp_id.is_some() {
            return Err(StatusCode::InvalidParameter);
        }
        let pin_hash_enc = request.pin_hash_enc.as_deref().ok_or(StatusCode::MissingParameter)?;
        let shared = self.shared_secret(protocol, request.key_agreement.as_ref())?;
        self.check_pin_usable()?;
        self.verify_pin_hash(&shared, pin_hash_enc)?;
        if self.state.force_pin_change {
            return Err(StatusCode::PinPolicyViolation);
        }
        let permissions = Permissions(Permissions::MAKE_CREDENTIAL | Permissions::GET_ASSERTION);
        self.issue_token(&shared, permissions, None, UvMethod::Pin)
    }

    /// §6.5.5.7.2 getPinUvAuthTokenUsingPinWithPermissions.
    fn get_token_using_pin(
        &mut self,
        protocol: Option<PinUvAuthProtocol>,
        request: &ClientPinRequest,
    ) -> Result<Response, StatusCode> {
        let pin_hash_enc = request.pin_hash_enc.as_deref().ok_or(StatusCode::MissingParameter)?;
        let permissions = requested_permissions(request)?;
        let shared = self.shared_secret(protocol, request.key_agreement.as_ref())?;
        self.check_pin_usable()?;
        self.verify_pin_hash(&shared, pin_hash_enc)?;
        if self.state.force_pin_change {
            return Err(StatusCode::PinPolicyViolation);
        }
        self.issue_token(&shared, permissions, request.rp_id.clone(), UvMethod::Pin)
    }

    /// §6.5.5.7.3 getPinUvAuthTokenUsingUvWithPermissions: built-in UV instead of the PIN.
    fn get_token_using_uv(
        &mut self,
        protocol: Option<PinUvAuthProtocol>,
        request: &ClientPinRequest,
        signals: &Signals,
    ) -> Result<Response, StatusCode> {
        let permissions = requested_permissions(request)?;
        let shared = self.shared_secret(protocol, request.key_agreement.as_ref())?;
        if !self.uv_enrolled() {
            return Err(StatusCode::NotAllowed);
        }
        let verification = self.verify_builtin(signals)?;
        let method = match verification.method {
            Some(method @ UvMethod::Builtin(_)) => method,
            _ => return Err(StatusCode::UvInvalid),
        };
        self.issue_token(&shared, permissions, request.rp_id.clone(), method)
    }

    /// Fails when the PIN cannot be tried at all: not set, blocked, or blocked until power cycle.
    fn check_pin_usable(&self) -> Result<(), StatusCode> {
        if self.state.pin.is_none() {
            return Err(StatusCode::PinNotSet);
        }
        if self.state.pin_retries == 0 {
            return Err(StatusCode::PinBlocked);
        }
        if self.volatile.consecutive_pin_failures >= MAX_CONSECUTIVE_PIN_FAILURES {
            return Err(StatusCode::PinAuthBlocked);
        }
        Ok(())
    }

    /// §6.5.5.7.2 steps: decrement the retries (persisted first, so that pulling the plug
    /// mid-attempt cannot save a guess), compare the PIN hash, and on a mismatch regenerate the
    /// key agreement key and count the consecutive failure.
    fn verify_pin_hash(&mut self, shared: &SharedSecret, pin_hash_enc: &[u8]) -> Result<(), StatusCode> {
        let stored = self.state.pin.as_ref().map(|pin| pin.hash).ok_or(StatusCode::PinNotSet)?;
        self.commit(|state| state.pin_retries = state.pin_retries.saturating_sub(1))?;
        let matches = shared.decrypt(pin_hash_enc).is_ok_and(|hash| bool::from(hash.ct_eq(&stored)));
        if !matches {
            self.volatile.key_agreement = KeyAgreementKey::generate();
            self.volatile.consecutive_pin_failures = self.volatile.consecutive_pin_failures.saturating_add(1);
            tracing::info!(
                retries = self.state.pin_retries,
                consecutive = self.volatile.consecutive_pin_failures,
                "wrong PIN"
            );
            return Err(if self.state.pin_retries == 0 {
                StatusCode::PinBlocked
            } else if self.volatile.consecutive_pin_failures >= MAX_CONSECUTIVE_PIN_FAILURES {
                StatusCode::PinAuthBlocked
            } else {
                StatusCode::PinInvalid
            });
        }
        self.volatile.consecutive_pin_failures = 0;
        self.commit(|state| state.pin_retries = MAX_PIN_RETRIES)
    }

    /// A fresh token in use with these permissions, encrypted for the platform (0x02).
    fn issue_token(
        &mut self,
        shared: &SharedSecret,
        permissions: Permissions,
        rp_id: Option<String>,
        method: UvMethod,
    ) -> Result<Response, StatusCode> {
        let now = self.clock.now();
        self.volatile.pin_token.reset();
        // Built-in UV includes the user's touch; a PIN typed on the platform does not.
        let user_present = matches!(method, UvMethod::Builtin(_));
        self.volatile.pin_token.begin_using(permissions, rp_id, user_present, now);
        self.volatile.token_method = Some(method);
        let encrypted = shared.encrypt(self.volatile.pin_token.secret()).map_err(|_| StatusCode::Other)?;
        Ok(ClientPinResponse::PinUvAuthToken { encrypted_token: encrypted }.into())
    }
}

/// The permissions parameter: present, non-zero, grantable, with an RP ID where mc or ga ask
/// for one (§6.5.5.7.2 steps 1–3).
fn requested_permissions(request: &ClientPinRequest) -> Result<Permissions, StatusCode> {
    let bits = request.permissions.ok_or(StatusCode::MissingParameter)?;
    let bits = u8::try_from(bits).map_err(|_| StatusCode::InvalidParameter)?;
    if bits == 0 {
        return Err(StatusCode::InvalidParameter);
    }
    if bits & !GRANTABLE != 0 {
        return Err(StatusCode::UnauthorizedPermission);
    }
    let permissions = Permissions(bits);
    let needs_rp_id = bits & (Permissions::MAKE_CREDENTIAL | Permissions::GET_ASSERTION) != 0;
    if needs_rp_id && request.rp_id.is_none() {
        return Err(StatusCode::MissingParameter);
    }
    Ok(permissions)
}

#[cfg(test)]
mod tests;
