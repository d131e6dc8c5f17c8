//! authenticatorCredentialManagement (CTAP 2.1 §6.8) and authenticatorConfig (§6.11) requests:
//! `{1: subCommand, 2: subCommandParams, 3: pinUvAuthProtocol, 4: pinUvAuthParam}`, one variant
//! per subcommand.
//!
//! A subcommand's parameters are parsed here, but kept as a `Result`: CTAP 2.1 refuses the
//! command on a model without it (`CTAP1_ERR_INVALID_COMMAND`), and for authenticatorConfig
//! checks the pinUvAuthParam, before it looks at them; the handler reports their status there.

use ciborium::Value;

use super::StatusCode;
use super::cbor::{self, MapReader, ValueExt};
use super::entities::UserEntity;
use super::pin_uv_auth::{PinProtocol, SubcommandAuth};

/// A subcommand's parameters, or the status they earn, reported in the spec's order.
pub type Params<T> = Result<T, StatusCode>;

/// authenticatorCredentialManagement subcommands (CTAP 2.1 §6.8).
#[derive(Clone, Debug, PartialEq)]
pub enum CredentialManagementRequest {
    /// getCredsMetadata (0x01, §6.8.2).
    GetCredsMetadata {
        /// pinUvAuthParam over `subCommand`.
        auth: SubcommandAuth,
    },
    /// enumerateRPsBegin (0x02, §6.8.3).
    EnumerateRpsBegin {
        /// pinUvAuthParam over `subCommand`.
        auth: SubcommandAuth,
    },
    /// enumerateRPsGetNextRP (0x03, §6.8.3).
    EnumerateRpsGetNextRp,
    /// enumerateCredentialsBegin (0x04, §6.8.4).
    EnumerateCredentialsBegin {
        /// subCommandParams 0x01 rpIDHash.
        rp_id_hash: Params<[u8; 32]>,
        /// pinUvAuthParam over `subCommand || subCommandParams`.
        auth: SubcommandAuth,
    },
    /// enumerateCredentialsGetNextCredential (0x05, §6.8.4).
    EnumerateCredentialsGetNextCredential,
    /// deleteCredential (0x06, §6.8.5).
    DeleteCredential {
        /// subCommandParams 0x02 credentialID (its `id`).
        credential_id: Params<Vec<u8>>,
        /// pinUvAuthParam over `subCommand || subCommandParams`.
        auth: SubcommandAuth,
    },
    /// updateUserInformation (0x07, §6.8.6).
    UpdateUserInformation {
        /// subCommandParams 0x02 credentialID (its `id`) and 0x03 user.
        params: Params<(Vec<u8>, UserEntity)>,
        /// pinUvAuthParam over `subCommand || subCommandParams`.
        auth: SubcommandAuth,
    },
    /// Any other subcommand number (`CTAP2_ERR_INVALID_SUBCOMMAND`).
    Unsupported(i64),
}

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

/// The fields both commands share, taken from the request map.
struct Envelope {
    sub_command: i64,
    params: Option<Value>,
    auth: SubcommandAuth,
}

impl Envelope {
    fn parse(mut map: MapReader) -> Result<Self, StatusCode> {
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
    fn params(&self) -> Result<MapReader, StatusCode> {
        self.params.clone().ok_or(StatusCode::MissingParameter)?.map_value()
    }
}

impl CredentialManagementRequest {
    /// Parses the request map.
    pub(super) fn parse(map: MapReader) -> Result<Self, StatusCode> {
        let envelope = Envelope::parse(map)?;
        let auth = envelope.auth.clone();
        Ok(match envelope.sub_command {
            0x01 => Self::GetCredsMetadata { auth },
            0x02 => Self::EnumerateRpsBegin { auth },
            0x03 => Self::EnumerateRpsGetNextRp,
            0x04 => {
                let rp_id_hash = envelope.params().and_then(|mut params| rp_id_hash_param(&mut params));
                Self::EnumerateCredentialsBegin { rp_id_hash, auth }
            }
            0x05 => Self::EnumerateCredentialsGetNextCredential,
            0x06 => {
                let credential_id = envelope.params().and_then(|mut params| credential_id_param(&mut params));
                Self::DeleteCredential { credential_id, auth }
            }
            0x07 => {
                let params = envelope.params().and_then(|mut params| {
                    let credential_id = credential_id_param(&mut params)?;
                    Ok((credential_id, user_param(&mut params)?))
                });
                Self::UpdateUserInformation { params, auth }
            }
            other => Self::Unsupported(other),
        })
    }
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

fn rp_id_hash_param(params: &mut MapReader) -> Result<[u8; 32], StatusCode> {
    params.required(0x01)?.bytes_value()?.try_into().map_err(|_| StatusCode::InvalidLength)
}

fn credential_id_param(params: &mut MapReader) -> Result<Vec<u8>, StatusCode> {
    let mut descriptor = params.required(0x02)?.map_value()?;
    descriptor.take_text_key("id").ok_or(StatusCode::MissingParameter)?.bytes_value()
}

fn user_param(params: &mut MapReader) -> Result<UserEntity, StatusCode> {
    let mut user = params.required(0x03)?.map_value()?;
    Ok(UserEntity {
        id: user.take_text_key("id").ok_or(StatusCode::MissingParameter)?.bytes_value()?,
        name: user.take_text_key("name").map(ValueExt::text_value).transpose()?,
        display_name: user.take_text_key("displayName").map(ValueExt::text_value).transpose()?,
    })
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
