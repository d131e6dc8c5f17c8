//! authenticatorCredentialManagement requests (CTAP 2.1 §6.8), one variant per subcommand.

use super::StatusCode;
use super::cbor::{MapReader, ValueExt};
use super::entities::UserEntity;
use super::pin_uv_auth::SubcommandAuth;
use super::subcommand::{Envelope, Params};

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

#[cfg(test)]
mod tests;
