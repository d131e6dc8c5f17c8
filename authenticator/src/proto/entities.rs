//! WebAuthn entities as CTAP2 requests carry them (WebAuthn L3 §5.4.2, §5.4.3, §5.8.3).

use ciborium::Value;

use super::StatusCode;
use super::cbor::ValueExt;

/// Longest user handle WebAuthn allows (WebAuthn L3 §5.4.3: at most 64 bytes).
pub const MAX_USER_ID_LENGTH: usize = 64;

/// PublicKeyCredentialRpEntity (WebAuthn L3 §5.4.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpEntity {
    /// The RP ID.
    pub id: String,
    /// A human-palatable name.
    pub name: Option<String>,
}

/// PublicKeyCredentialUserEntity (WebAuthn L3 §5.4.3).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UserEntity {
    /// The user handle (at most 64 bytes).
    pub id: Vec<u8>,
    /// The user name.
    pub name: Option<String>,
    /// The display name.
    pub display_name: Option<String>,
}

/// PublicKeyCredentialDescriptor (WebAuthn L3 §5.8.3); only `public-key` ones are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialDescriptor {
    /// The credential ID.
    pub id: Vec<u8>,
}

/// `icon` (CTAP 2.0 §5.1, dropped from WebAuthn L2 but still sent by CTAP 2.0 platforms) is
/// ignored, but must be a text string like every other optional entity field: anything else is
/// CTAP2_ERR_CBOR_UNEXPECTED_TYPE (CTAP 2.1 §6 "the authenticator MUST … check the type").
fn refuse_mistyped_icon(map: &mut super::cbor::MapReader) -> Result<(), StatusCode> {
    map.take_text_key("icon").map(ValueExt::text_value).transpose().map(|_| ())
}

pub(super) fn parse_rp(value: Value) -> Result<RpEntity, StatusCode> {
    let mut map = value.map_value()?;
    let id = map.take_text_key("id").ok_or(StatusCode::MissingParameter)?.text_value()?;
    let name = map.take_text_key("name").map(ValueExt::text_value).transpose()?;
    refuse_mistyped_icon(&mut map)?;
    Ok(RpEntity { id, name })
}

pub(super) fn parse_user(value: Value) -> Result<UserEntity, StatusCode> {
    let mut map = value.map_value()?;
    let id = map.take_text_key("id").ok_or(StatusCode::MissingParameter)?.bytes_value()?;
    if id.len() > MAX_USER_ID_LENGTH {
        return Err(StatusCode::InvalidLength);
    }
    let name = map.take_text_key("name").map(ValueExt::text_value).transpose()?;
    let display_name = map.take_text_key("displayName").map(ValueExt::text_value).transpose()?;
    refuse_mistyped_icon(&mut map)?;
    Ok(UserEntity { id, name, display_name })
}
