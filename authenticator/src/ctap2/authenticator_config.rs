//! authenticatorConfig (CTAP 2.1 §6.11): toggleAlwaysUv and setMinPINLength, under a token with
//! the acfg permission.

use super::Authenticator;
use crate::pin::token::Permissions;
use crate::proto::StatusCode;
use crate::proto::cbor::ValueExt;
use crate::proto::request::SubcommandRequest;
use crate::proto::response::Response;

/// Subcommands (CTAP 2.1 §6.11).
mod sub_command {
    pub const TOGGLE_ALWAYS_UV: i64 = 0x02;
    pub const SET_MIN_PIN_LENGTH: i64 = 0x03;
}

impl Authenticator {
    pub(super) fn authenticator_config(
        &mut self,
        request: SubcommandRequest,
    ) -> Result<Response, StatusCode> {
        if !self.supports_pin_uv_auth_token() {
            return Err(StatusCode::InvalidCommand);
        }
        match request.sub_command {
            sub_command::TOGGLE_ALWAYS_UV => {
                self.authorize_config(&request)?;
                let always_uv = !self.state.always_uv;
                self.commit(|state| state.always_uv = always_uv)?;
                tracing::info!(always_uv, "alwaysUv toggled");
                Ok(Response::Empty)
            }
            sub_command::SET_MIN_PIN_LENGTH if self.supports_client_pin() => {
                self.authorize_config(&request)?;
                self.set_min_pin_length(&request)
            }
            // enableEnterpriseAttestation (0x01) and vendorPrototype (0xFF) are not offered.
            _ => Err(StatusCode::InvalidSubcommand),
        }
    }

    /// §6.11.1: on a UV-protected device, pinUvAuthParam = authenticate(token, 32×0xff || 0x0d
    /// || subCommand || subCommandParams) with the acfg permission.
    fn authorize_config(&mut self, request: &SubcommandRequest) -> Result<(), StatusCode> {
        if !self.uv_configured() && !self.state.always_uv {
            return Ok(());
        }
        let mut message = vec![0xFF; 32];
        message.push(0x0D);
        message.extend_from_slice(&request.authenticated_message());
        let param = request.pin_uv_auth_param.as_deref();
        self.authorize(param, request.protocol, &message, Permissions::AUTHENTICATOR_CONFIG).map(|_| ())
    }

    /// §6.11.4 setMinPINLength: raise (never lower) the minimum, choose the RPs that may read it,
    /// and force a PIN change when the current PIN is now too short or when asked.
    fn set_min_pin_length(&mut self, request: &SubcommandRequest) -> Result<Response, StatusCode> {
        let mut params = match request.params.clone() {
            Some(params) => Some(params.map_value()?),
            None => None,
        };
        let new_length = match params.as_mut().and_then(|p| p.take(0x01)) {
            Some(value) => u8::try_from(value.int_value()?).map_err(|_| StatusCode::PinPolicyViolation)?,
            None => self.state.min_pin_length,
        };
        let rp_ids = match params.as_mut().and_then(|p| p.take(0x02)) {
            Some(value) => Some(
                value.array_value()?.into_iter().map(ValueExt::text_value).collect::<Result<Vec<_>, _>>()?,
            ),
            None => None,
        };
        let force = match params.as_mut().and_then(|p| p.take(0x03)) {
            Some(value) => value.bool_value()?,
            None => false,
        };
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
