//! The request shape authenticatorCredentialManagement (CTAP 2.1 §6.8) and authenticatorConfig
//! (§6.11) share: `{1: subCommand, 2: subCommandParams, 3: pinUvAuthProtocol, 4: pinUvAuthParam}`.
//!
//! A subcommand's parameters are parsed once, but kept as a [`Params`] `Result`: CTAP 2.1
//! refuses the command on a model without it (`CTAP1_ERR_INVALID_COMMAND`), and for
//! authenticatorConfig checks the pinUvAuthParam, before it looks at them; the handler reports
//! their status there.

use ciborium::Value;

use super::StatusCode;
use super::cbor::{self, MapReader, ValueExt};
use super::pin_uv_auth::{PinProtocol, SubcommandAuth};

/// A subcommand's parameters, or the status they earn, reported in the spec's order.
pub type Params<T> = Result<T, StatusCode>;

/// The fields both commands share, taken from the request map.
pub(super) struct Envelope {
    /// 0x01 subCommand.
    pub(super) sub_command: i64,
    /// 0x02 subCommandParams, as sent.
    pub(super) params: Option<Value>,
    /// 0x03 pinUvAuthProtocol, 0x04 pinUvAuthParam, and the message the param authenticates.
    pub(super) auth: SubcommandAuth,
}

impl Envelope {
    /// Takes the shared fields from the request map, type-checking each.
    pub(super) fn parse(mut map: MapReader) -> Result<Self, StatusCode> {
        let sub_command = map.required(0x01)?.int_value()?;
        let params = map.take(0x02);
        if params.as_ref().is_some_and(|p| !matches!(p, Value::Map(_))) {
            return Err(StatusCode::CborUnexpectedType);
        }
        let protocol = map.take(0x03).map(PinProtocol::parse).transpose()?;
        let param = map.take(0x04).map(ValueExt::bytes_value).transpose()?;
        // §6.8.2: pinUvAuthParam authenticates `subCommand || subCommandParams`.
        let mut message = vec![u8::try_from(sub_command).unwrap_or(0xFF)];
        if let Some(params) = &params {
            message.extend_from_slice(&cbor::encode(params));
        }
        Ok(Self { sub_command, params, auth: SubcommandAuth { param, protocol, message } })
    }

    /// subCommandParams, `CTAP2_ERR_MISSING_PARAMETER` when absent.
    pub(super) fn params(&self) -> Result<MapReader, StatusCode> {
        self.params.clone().ok_or(StatusCode::MissingParameter)?.map_value()
    }
}
