//! authenticatorClientPIN requests (CTAP 2.1 §6.5.5), one variant per subcommand.

use ciborium::Value;

use super::StatusCode;
use super::cbor::{MapReader, ValueExt};
use super::pin_uv_auth::{PinProtocol, RequestedPermissions};

/// clientPIN subcommand numbers (CTAP 2.1 §6.5.5).
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

/// authenticatorClientPIN: the protocol every subcommand is checked against, and the subcommand.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientPinCommand {
    /// 0x01 pinUvAuthProtocol. Checked for every subcommand, after the authenticator has said
    /// whether it has clientPIN at all.
    pub protocol: Option<PinProtocol>,
    /// 0x02 subCommand with its parameters.
    pub request: ClientPinRequest,
}

/// A clientPIN subcommand with its typed parameters.
///
/// A parameter the subcommand requires is an `Option`: CTAP 2.1 answers
/// `CTAP1_ERR_INVALID_COMMAND` (no clientPIN), `CTAP1_ERR_INVALID_PARAMETER` (an unsupported
/// protocol) and `CTAP2_ERR_INVALID_SUBCOMMAND` (a subcommand this model lacks) before
/// `CTAP2_ERR_MISSING_PARAMETER`, and those depend on the device, so the handler checks
/// presence in the order of each subcommand's steps. `keyAgreement` is the platform's COSE_Key,
/// decoded by the key agreement (an invalid key is `CTAP1_ERR_INVALID_PARAMETER`, ranked after
/// every missing parameter).
#[derive(Clone, Debug, PartialEq)]
pub enum ClientPinRequest {
    /// getPinRetries (0x01, §6.5.5.2).
    GetPinRetries,
    /// getKeyAgreement (0x02, §6.5.5.4).
    GetKeyAgreement,
    /// setPIN (0x03, §6.5.5.5).
    SetPin {
        /// 0x03 keyAgreement.
        key_agreement: Option<Value>,
        /// 0x05 newPinEnc.
        new_pin_enc: Option<Vec<u8>>,
        /// 0x04 pinUvAuthParam.
        pin_uv_auth_param: Option<Vec<u8>>,
    },
    /// changePIN (0x04, §6.5.5.6).
    ChangePin {
        /// 0x03 keyAgreement.
        key_agreement: Option<Value>,
        /// 0x06 pinHashEnc.
        pin_hash_enc: Option<Vec<u8>>,
        /// 0x05 newPinEnc.
        new_pin_enc: Option<Vec<u8>>,
        /// 0x04 pinUvAuthParam.
        pin_uv_auth_param: Option<Vec<u8>>,
    },
    /// getPinToken (0x05, §6.5.5.7.1), the legacy token with mc and ga.
    GetPinToken {
        /// 0x03 keyAgreement.
        key_agreement: Option<Value>,
        /// 0x06 pinHashEnc.
        pin_hash_enc: Option<Vec<u8>>,
        /// Whether permissions (0x09) or rpId (0x0A) came along, which getPinToken does not take
        /// (`CTAP1_ERR_INVALID_PARAMETER`, before anything else of this subcommand).
        permissions_or_rp_id_sent: bool,
    },
    /// getPinUvAuthTokenUsingUvWithPermissions (0x06, §6.5.5.7.3).
    GetTokenUsingUv {
        /// 0x03 keyAgreement.
        key_agreement: Option<Value>,
        /// 0x09 permissions.
        permissions: Option<RequestedPermissions>,
        /// 0x0A rpId.
        rp_id: Option<String>,
    },
    /// getUVRetries (0x07, §6.5.5.3).
    GetUvRetries,
    /// getPinUvAuthTokenUsingPinWithPermissions (0x09, §6.5.5.7.2).
    GetTokenUsingPin {
        /// 0x03 keyAgreement.
        key_agreement: Option<Value>,
        /// 0x06 pinHashEnc.
        pin_hash_enc: Option<Vec<u8>>,
        /// 0x09 permissions.
        permissions: Option<RequestedPermissions>,
        /// 0x0A rpId.
        rp_id: Option<String>,
    },
    /// Any other subcommand number (`CTAP2_ERR_INVALID_SUBCOMMAND` once the command itself is
    /// accepted).
    Unsupported(i64),
}

impl ClientPinCommand {
    /// Parses the parameter map: every field is type-checked whatever the subcommand.
    pub(super) fn parse(mut map: MapReader) -> Result<Self, StatusCode> {
        let protocol = map.take(0x01).map(PinProtocol::parse).transpose()?;
        let sub_command = map.required(0x02)?.int_value()?;
        let key_agreement = map.take(0x03);
        if key_agreement.as_ref().is_some_and(|k| !matches!(k, Value::Map(_))) {
            return Err(StatusCode::CborUnexpectedType);
        }
        let pin_uv_auth_param = map.take(0x04).map(ValueExt::bytes_value).transpose()?;
        let new_pin_enc = map.take(0x05).map(ValueExt::bytes_value).transpose()?;
        let pin_hash_enc = map.take(0x06).map(ValueExt::bytes_value).transpose()?;
        let permissions = map.take(0x09).map(RequestedPermissions::parse).transpose()?;
        let rp_id = map.take(0x0A).map(ValueExt::text_value).transpose()?;
        let request = match sub_command {
            sub_command::GET_PIN_RETRIES => ClientPinRequest::GetPinRetries,
            sub_command::GET_KEY_AGREEMENT => ClientPinRequest::GetKeyAgreement,
            sub_command::SET_PIN => {
                ClientPinRequest::SetPin { key_agreement, new_pin_enc, pin_uv_auth_param }
            }
            sub_command::CHANGE_PIN => {
                ClientPinRequest::ChangePin { key_agreement, pin_hash_enc, new_pin_enc, pin_uv_auth_param }
            }
            sub_command::GET_PIN_TOKEN => ClientPinRequest::GetPinToken {
                key_agreement,
                pin_hash_enc,
                permissions_or_rp_id_sent: permissions.is_some() || rp_id.is_some(),
            },
            sub_command::GET_TOKEN_USING_UV_WITH_PERMISSIONS => {
                ClientPinRequest::GetTokenUsingUv { key_agreement, permissions, rp_id }
            }
            sub_command::GET_UV_RETRIES => ClientPinRequest::GetUvRetries,
            sub_command::GET_TOKEN_USING_PIN_WITH_PERMISSIONS => {
                ClientPinRequest::GetTokenUsingPin { key_agreement, pin_hash_enc, permissions, rp_id }
            }
            other => ClientPinRequest::Unsupported(other),
        };
        Ok(Self { protocol, request })
    }
}

#[cfg(test)]
mod tests;
