//! authenticatorConfig (CTAP 2.1 §6.11): toggleAlwaysUv and setMinPINLength, under a token with
//! the acfg permission.

use super::Authenticator;
use crate::pin::token::Permissions;
use crate::proto::StatusCode;
use crate::proto::config::{ConfigRequest, MinPinLengthParams};
use crate::proto::pin_uv_auth::SubcommandAuth;
use crate::proto::response::Response;
use crate::proto::subcommand::Params;

impl Authenticator {
    pub(super) fn authenticator_config(&mut self, request: ConfigRequest) -> Result<Response, StatusCode> {
        if !self.supports_pin_uv_auth_token() {
            return Err(StatusCode::InvalidCommand);
        }
        match request {
            ConfigRequest::ToggleAlwaysUv { auth } => {
                self.authorize_config(&auth)?;
                let always_uv = !self.state.always_uv;
                self.commit(|state| state.always_uv = always_uv)?;
                tracing::info!(always_uv, "alwaysUv toggled");
                Ok(Response::Empty)
            }
            ConfigRequest::SetMinPinLength { params, auth } if self.supports_client_pin() => {
                self.authorize_config(&auth)?;
                self.set_min_pin_length(params)
            }
            // enableEnterpriseAttestation (0x01) and vendorPrototype (0xFF) are not offered.
            _ => Err(StatusCode::InvalidSubcommand),
        }
    }

    /// §6.11.1: on a UV-protected device, pinUvAuthParam = authenticate(token, 32×0xff || 0x0d
    /// || subCommand || subCommandParams) with the acfg permission.
    fn authorize_config(&mut self, auth: &SubcommandAuth) -> Result<(), StatusCode> {
        if !self.uv_configured() && !self.state.always_uv {
            return Ok(());
        }
        let mut prefix = vec![0xFF; 32];
        prefix.push(0x0D);
        self.authorize(auth, &prefix, Permissions::AUTHENTICATOR_CONFIG).map(|_| ())
    }

    /// §6.11.4 setMinPINLength: raise (never lower) the minimum, choose the RPs that may read it,
    /// and force a PIN change when the current PIN is now too short or when asked.
    fn set_min_pin_length(&mut self, params: Params<MinPinLengthParams>) -> Result<Response, StatusCode> {
        let MinPinLengthParams { new_min_pin_length, rp_ids, force_change_pin: force } = params?;
        let new_length = new_min_pin_length.unwrap_or(self.state.min_pin_length);
        if rp_ids.as_ref().is_some_and(|ids| ids.len() > super::get_info::MAX_RP_IDS_FOR_SET_MIN_PIN_LENGTH) {
            return Err(StatusCode::LimitExceeded);
        }
        if new_length < self.state.min_pin_length {
            return Err(StatusCode::PinPolicyViolation);
        }
        if force && self.state.pin.is_none() {
            return Err(StatusCode::PinNotSet);
        }
        let too_short = self.state.pin.as_ref().is_some_and(|pin| pin.code_points < usize::from(new_length));
        self.commit(|state| {
            state.min_pin_length = new_length;
            if let Some(rp_ids) = rp_ids {
                state.min_pin_length_rp_ids = rp_ids;
            }
            state.force_pin_change |= force || too_short;
        })?;
        Ok(Response::Empty)
    }
}

#[cfg(test)]
mod tests;
