//! authenticatorClientPIN (CTAP 2.1 §6.5.5): PIN set-up and change, retries, key agreement, and
//! pinUvAuthTokens obtained with the PIN or with built-in user verification.

use ciborium::Value;

use super::verification::UvMethod;
use super::{Authenticator, ctap20};
use crate::config::UvCapability;
use crate::pin::policy;
use crate::pin::protocol::{PinUvAuthProtocol, SharedSecret};
use crate::pin::token::Permissions;
use crate::proto::StatusCode;
use crate::proto::client_pin::{ClientPinCommand, ClientPinRequest};
use crate::proto::pin_uv_auth::RequestedPermissions;
use crate::proto::response::{ClientPinResponse, Response};
use crate::signals::Signals;
use crate::store::MAX_PIN_RETRIES;

/// Consecutive wrong PINs that block PIN use until the next power cycle (CTAP 2.1 §6.5.2.2).
pub const MAX_CONSECUTIVE_PIN_FAILURES: u8 = 3;

/// Permissions every model with tokens can grant: mc, ga, cm, lbw (authenticatorLargeBlobs,
/// §6.10), acfg. `be` needs bio enrollment (§6.7), which only fingerprint models have
/// ([`Authenticator::grantable_permissions`]); elsewhere it is CTAP2_ERR_UNAUTHORIZED_PERMISSION
/// (§6.5.5.7).
const GRANTABLE: Permissions = Permissions::from_bits(
    Permissions::MAKE_CREDENTIAL.bits()
        | Permissions::GET_ASSERTION.bits()
        | Permissions::CREDENTIAL_MANAGEMENT.bits()
        | Permissions::LARGE_BLOB_WRITE.bits()
        | Permissions::AUTHENTICATOR_CONFIG.bits(),
);

impl Authenticator {
    /// The permissions this model grants: [`GRANTABLE`], and `be` with bio enrollment.
    fn grantable_permissions(&self) -> Permissions {
        if self.supports_bio_enrollment() { GRANTABLE | Permissions::BIO_ENROLLMENT } else { GRANTABLE }
    }

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

    /// authenticatorClientPIN (CTAP 2.1 §6.5.5): a model without PIN/UV auth protocols refuses
    /// the command, then an unsupported protocol is refused, then a subcommand the model lacks.
    pub(super) fn client_pin(
        &mut self,
        command: ClientPinCommand,
        signals: &Signals,
    ) -> Result<Response, StatusCode> {
        if self.pin_uv_auth_protocols().is_empty() {
            return Err(StatusCode::InvalidCommand);
        }
        let protocol = command.protocol.map(|p| self.known_protocol(p.supported()?)).transpose()?;
        let pin = self.supports_client_pin();
        let builtin = matches!(self.config.uv, UvCapability::Builtin { .. });
        ctap20::check_client_pin_subcommand(self.config.generation, &command.request)?;
        match command.request {
            ClientPinRequest::GetPinRetries if pin => Ok(self.get_pin_retries().into()),
            ClientPinRequest::GetKeyAgreement => {
                protocol.ok_or(StatusCode::MissingParameter)?;
                let key_agreement = self.volatile.key_agreement().cose_public_key();
                Ok(ClientPinResponse::KeyAgreement { key_agreement }.into())
            }
            ClientPinRequest::SetPin { key_agreement, new_pin_enc, pin_uv_auth_param } if pin => {
                let new_pin_enc = new_pin_enc.ok_or(StatusCode::MissingParameter)?;
                let param = pin_uv_auth_param.ok_or(StatusCode::MissingParameter)?;
                let shared = self.shared_secret(protocol, key_agreement.as_ref())?;
                self.set_pin(&shared, &new_pin_enc, &param).map(|()| Response::Empty)
            }
            ClientPinRequest::ChangePin { key_agreement, pin_hash_enc, new_pin_enc, pin_uv_auth_param }
                if pin =>
            {
                let pin_hash_enc = pin_hash_enc.ok_or(StatusCode::MissingParameter)?;
                let new_pin_enc = new_pin_enc.ok_or(StatusCode::MissingParameter)?;
                let param = pin_uv_auth_param.ok_or(StatusCode::MissingParameter)?;
                let shared = self.shared_secret(protocol, key_agreement.as_ref())?;
                self.change_pin(&shared, &pin_hash_enc, &new_pin_enc, &param).map(|()| Response::Empty)
            }
            ClientPinRequest::GetPinToken { key_agreement, pin_hash_enc, permissions_or_rp_id_sent }
                if pin =>
            {
                // §6.5.5.7.1: getPinToken takes neither permissions nor an RP ID.
                if permissions_or_rp_id_sent {
                    return Err(StatusCode::InvalidParameter);
                }
                let pin_hash_enc = pin_hash_enc.ok_or(StatusCode::MissingParameter)?;
                let shared = self.shared_secret(protocol, key_agreement.as_ref())?;
                self.get_pin_token(&shared, &pin_hash_enc)
            }
            ClientPinRequest::GetTokenUsingPin { key_agreement, pin_hash_enc, permissions, rp_id } if pin => {
                let pin_hash_enc = pin_hash_enc.ok_or(StatusCode::MissingParameter)?;
                let permissions =
                    requested_permissions(permissions, rp_id.as_deref(), self.grantable_permissions())?;
                let shared = self.shared_secret(protocol, key_agreement.as_ref())?;
                self.get_token_using_pin(&shared, &pin_hash_enc, permissions, rp_id)
            }
            ClientPinRequest::GetTokenUsingUv { key_agreement, permissions, rp_id } if builtin => {
                let permissions =
                    requested_permissions(permissions, rp_id.as_deref(), self.grantable_permissions())?;
                let shared = self.shared_secret(protocol, key_agreement.as_ref())?;
                self.get_token_using_uv(&shared, permissions, rp_id, signals)
            }
            ClientPinRequest::GetUvRetries if builtin => {
                Ok(ClientPinResponse::UvRetries { uv_retries: self.state.uv_retries }.into())
            }
            _ => Err(ctap20::unknown_client_pin_subcommand(self.config.generation)),
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
            .key_agreement()
            .shared_secret(protocol, key_agreement)
            .map_err(|_| StatusCode::InvalidParameter)
    }

    /// §6.5.5.5 setPIN.
    fn set_pin(&mut self, shared: &SharedSecret, new_pin_enc: &[u8], param: &[u8]) -> Result<(), StatusCode> {
        // §6.5.5.5: "If a PIN has already been set, authenticator returns
        // CTAP2_ERR_PIN_AUTH_INVALID".
        if self.state.pin.is_some() {
            return Err(StatusCode::PinAuthInvalid);
        }
        shared.verify(new_pin_enc, param).map_err(|_| StatusCode::PinAuthInvalid)?;
        let padded = shared.decrypt(new_pin_enc).map_err(|_| StatusCode::PinPolicyViolation)?;
        let new_pin = policy::check_new_pin(&padded, self.state.min_pin_length)?;
        let cost = self.config.pin_hash_cost;
        self.commit(|state| {
            state.pin = Some(crate::store::StoredPin::new(&new_pin.hash, new_pin.code_points, cost));
            state.pin_retries = MAX_PIN_RETRIES;
            state.force_pin_change = false;
        })?;
        tracing::info!("PIN set");
        Ok(())
    }

    /// §6.5.5.6 changePIN.
    fn change_pin(
        &mut self,
        shared: &SharedSecret,
        pin_hash_enc: &[u8],
        new_pin_enc: &[u8],
        param: &[u8],
    ) -> Result<(), StatusCode> {
        self.check_pin_usable()?;
        // Step: verify(shared secret, newPinEnc || pinHashEnc, pinUvAuthParam).
        let message = [new_pin_enc, pin_hash_enc].concat();
        shared.verify(&message, param).map_err(|_| StatusCode::PinAuthInvalid)?;
        self.verify_pin_hash(shared, pin_hash_enc)?;
        let padded = shared.decrypt(new_pin_enc).map_err(|_| StatusCode::PinPolicyViolation)?;
        let new_pin = policy::check_new_pin(&padded, self.state.min_pin_length)?;
        if self.state.force_pin_change
            && self.state.pin.as_ref().is_some_and(|pin| pin.matches(&new_pin.hash))
        {
            return Err(StatusCode::PinPolicyViolation);
        }
        let cost = self.config.pin_hash_cost;
        self.commit(|state| {
            state.pin = Some(crate::store::StoredPin::new(&new_pin.hash, new_pin.code_points, cost));
            state.force_pin_change = false;
        })?;
        // Every token handed out under the old PIN is void.
        self.volatile.pin_token.reset();
        tracing::info!("PIN changed");
        Ok(())
    }

    /// §6.5.5.7.1 getPinToken (legacy): a token with mc and ga, no RP ID. A 2.1-PRE key's token
    /// has no permissions to check, so it also manages credentials (the preview's
    /// credentialMgmtPreview takes the pinToken of getPinToken).
    fn get_pin_token(&mut self, shared: &SharedSecret, pin_hash_enc: &[u8]) -> Result<Response, StatusCode> {
        self.check_pin_usable()?;
        self.verify_pin_hash(shared, pin_hash_enc)?;
        if self.state.force_pin_change {
            return Err(StatusCode::PinPolicyViolation);
        }
        let mut permissions = Permissions::MAKE_CREDENTIAL | Permissions::GET_ASSERTION;
        if self.config.generation == crate::config::Generation::Ctap21Pre {
            permissions = permissions | Permissions::CREDENTIAL_MANAGEMENT;
        }
        self.issue_token(shared, permissions, None, UvMethod::Pin)
    }

    /// §6.5.5.7.2 getPinUvAuthTokenUsingPinWithPermissions.
    fn get_token_using_pin(
        &mut self,
        shared: &SharedSecret,
        pin_hash_enc: &[u8],
        permissions: Permissions,
        rp_id: Option<String>,
    ) -> Result<Response, StatusCode> {
        self.check_pin_usable()?;
        self.verify_pin_hash(shared, pin_hash_enc)?;
        if self.state.force_pin_change {
            return Err(StatusCode::PinPolicyViolation);
        }
        self.issue_token(shared, permissions, rp_id, UvMethod::Pin)
    }

    /// §6.5.5.7.3 getPinUvAuthTokenUsingUvWithPermissions: built-in UV instead of the PIN.
    fn get_token_using_uv(
        &mut self,
        shared: &SharedSecret,
        permissions: Permissions,
        rp_id: Option<String>,
        signals: &Signals,
    ) -> Result<Response, StatusCode> {
        if !self.uv_enrolled() {
            return Err(StatusCode::NotAllowed);
        }
        let verification = self.verify_builtin(signals)?;
        let method = match verification.method {
            Some(method @ UvMethod::Builtin(_)) => method,
            _ => return Err(StatusCode::UvInvalid),
        };
        self.issue_token(shared, permissions, rp_id, method)
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
        let stored = self.state.pin.clone().ok_or(StatusCode::PinNotSet)?;
        self.commit(|state| state.pin_retries = state.pin_retries.saturating_sub(1))?;
        let matches = shared.decrypt(pin_hash_enc).is_ok_and(|hash| stored.matches(&hash));
        if !matches {
            self.volatile.regenerate_key_agreement();
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

/// The permissions parameter: present, non-zero, within `grantable`, with an RP ID where mc or
/// ga ask for one (§6.5.5.7.2 steps 1–3).
fn requested_permissions(
    permissions: Option<RequestedPermissions>,
    rp_id: Option<&str>,
    grantable: Permissions,
) -> Result<Permissions, StatusCode> {
    let permissions = match permissions.ok_or(StatusCode::MissingParameter)? {
        RequestedPermissions::Set(permissions) if !permissions.is_empty() => permissions,
        RequestedPermissions::Set(_) | RequestedPermissions::OutOfRange => {
            return Err(StatusCode::InvalidParameter);
        }
    };
    if !permissions.difference(grantable).is_empty() {
        return Err(StatusCode::UnauthorizedPermission);
    }
    let needs_rp_id = permissions.intersects(Permissions::MAKE_CREDENTIAL | Permissions::GET_ASSERTION);
    if needs_rp_id && rp_id.is_none() {
        return Err(StatusCode::MissingParameter);
    }
    Ok(permissions)
}

#[cfg(test)]
mod tests;
