//! authenticatorConfig requests (CTAP 2.1 §6.11), one variant per subcommand.

use ciborium::Value;

use super::StatusCode;
use super::cbor::{MapReader, ValueExt};
use super::pin_uv_auth::SubcommandAuth;
use super::subcommand::{Envelope, Params};

/// authenticatorConfig subcommands (CTAP 2.1 §6.11).
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigRequest {
    /// toggleAlwaysUv (0x02, §6.11.2).
    ToggleAlwaysUv {
        /// pinUvAuthParam over `32×0xff || 0x0d || subCommand`.
        auth: SubcommandAuth,
    },
    /// setMinPINLength (0x03, §6.11.4).
    SetMinPinLength {
        /// subCommandParams.
        params: Params<MinPinLengthParams>,
        /// pinUvAuthParam over `32×0xff || 0x0d || subCommand || subCommandParams`.
        auth: SubcommandAuth,
    },
    /// Any other subcommand, including enableEnterpriseAttestation (0x01) and vendorPrototype
    /// (0xFF), which this authenticator does not offer (`CTAP2_ERR_INVALID_SUBCOMMAND`).
    Unsupported(i64),
}

/// setMinPINLength's subCommandParams (CTAP 2.1 §6.11.4).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MinPinLengthParams {
    /// 0x01 newMinPINLength (absent: unchanged).
    pub new_min_pin_length: Option<u8>,
    /// 0x02 minPinLengthRPIDs (absent: unchanged).
    pub rp_ids: Option<Vec<String>>,
    /// 0x03 forceChangePin.
    pub force_change_pin: bool,
}

impl ConfigRequest {
    /// Parses the request map.
    pub(super) fn parse(map: MapReader) -> Result<Self, StatusCode> {
        let envelope = Envelope::parse(map)?;
        let auth = envelope.auth.clone();
        Ok(match envelope.sub_command {
            0x02 => Self::ToggleAlwaysUv { auth },
            0x03 => Self::SetMinPinLength { params: min_pin_length_params(envelope.params), auth },
            other => Self::Unsupported(other),
        })
    }
}

/// setMinPINLength's parameters, all optional; a length outside a byte is
/// `CTAP2_ERR_PIN_POLICY_VIOLATION`.
fn min_pin_length_params(params: Option<Value>) -> Params<MinPinLengthParams> {
    let Some(params) = params else { return Ok(MinPinLengthParams::default()) };
    let mut params = params.map_value()?;
    let new_min_pin_length = match params.take(0x01) {
        Some(value) => Some(u8::try_from(value.int_value()?).map_err(|_| StatusCode::PinPolicyViolation)?),
        None => None,
    };
    let rp_ids = match params.take(0x02) {
        Some(value) => {
            Some(value.array_value()?.into_iter().map(ValueExt::text_value).collect::<Result<Vec<_>, _>>()?)
        }
        None => None,
    };
    let force_change_pin = params.take(0x03).map(ValueExt::bool_value).transpose()?.unwrap_or(false);
    Ok(MinPinLengthParams { new_min_pin_length, rp_ids, force_change_pin })
}
