//! CTAP2 responses (CTAP 2.1 §6) and their canonical encoding.

use ciborium::Value;

use super::cbor::{self, MapBuilder};
use super::request::UserEntity;

/// A successful response body; encoded as status 0x00 followed by the CBOR map (if any).
#[derive(Clone, Debug, PartialEq)]
pub enum Response {
    /// No body (reset, selection, …).
    Empty,
    /// A CBOR map.
    Map(Value),
}

impl Response {
    /// Status byte `CTAP2_OK` followed by the canonical CBOR body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![0x00];
        if let Self::Map(value) = self {
            out.extend_from_slice(&cbor::encode(value));
        }
        out
    }
}

/// authenticatorGetInfo response (CTAP 2.1 §6.4).
#[derive(Clone, Debug, PartialEq)]
pub struct GetInfoResponse {
    /// 0x01 versions.
    pub versions: Vec<&'static str>,
    /// 0x02 extensions.
    pub extensions: Vec<&'static str>,
    /// 0x03 aaguid.
    pub aaguid: [u8; 16],
    /// 0x04 options.
    pub options: Vec<(&'static str, bool)>,
    /// 0x05 maxMsgSize.
    pub max_msg_size: u32,
    /// 0x06 pinUvAuthProtocols.
    pub pin_uv_auth_protocols: Vec<u8>,
    /// 0x07 maxCredentialCountInList.
    pub max_credential_count_in_list: u32,
    /// 0x08 maxCredentialIdLength.
    pub max_credential_id_length: u32,
    /// 0x09 transports.
    pub transports: Vec<&'static str>,
    /// 0x0A algorithms (COSE identifiers).
    pub algorithms: Vec<i64>,
    /// 0x0C forcePINChange, with clientPIN.
    pub force_pin_change: Option<bool>,
    /// 0x0D minPINLength, with clientPIN.
    pub min_pin_length: Option<u32>,
    /// 0x0E firmwareVersion.
    pub firmware_version: u32,
    /// 0x0F maxCredBlobLength, when credBlob is supported.
    pub max_cred_blob_length: Option<u32>,
    /// 0x10 maxRPIDsForSetMinPINLength, with setMinPINLength.
    pub max_rp_ids_for_set_min_pin_length: Option<u32>,
    /// 0x12 uvModality (FIDO Registry user verification method bits), with built-in UV.
    pub uv_modality: Option<u32>,
    /// 0x14 remainingDiscoverableCredentials.
    pub remaining_discoverable_credentials: u32,
}

impl From<GetInfoResponse> for Response {
    fn from(info: GetInfoResponse) -> Self {
        Self::Map(info.to_value())
    }
}

impl GetInfoResponse {
    /// The response map.
    pub fn to_value(self) -> Value {
        let info = self;
        let text_array =
            |items: Vec<&'static str>| Value::Array(items.into_iter().map(Value::from).collect());
        let options =
            Value::Map(info.options.into_iter().map(|(k, v)| (Value::from(k), Value::from(v))).collect());
        let algorithms = info
            .algorithms
            .into_iter()
            .map(|alg| MapBuilder::new().insert("alg", alg).insert("type", "public-key").build())
            .collect();
        let mut map = MapBuilder::new()
            .insert(0x01, text_array(info.versions))
            .insert_opt(0x02, (!info.extensions.is_empty()).then(|| text_array(info.extensions)))
            .insert(0x03, Value::Bytes(info.aaguid.to_vec()))
            .insert(0x04, options)
            .insert(0x05, info.max_msg_size);
        if !info.pin_uv_auth_protocols.is_empty() {
            let protocols = info.pin_uv_auth_protocols.into_iter().map(Value::from).collect();
            map = map.insert(0x06, Value::Array(protocols));
        }
        let map = map
            .insert(0x07, info.max_credential_count_in_list)
            .insert(0x08, info.max_credential_id_length)
            .insert(0x09, text_array(info.transports))
            .insert(0x0A, Value::Array(algorithms))
            .insert_opt(0x0C, info.force_pin_change)
            .insert_opt(0x0D, info.min_pin_length)
            .insert(0x0E, info.firmware_version)
            .insert_opt(0x0F, info.max_cred_blob_length)
            .insert_opt(0x10, info.max_rp_ids_for_set_min_pin_length)
            .insert_opt(0x12, info.uv_modality)
            .insert(0x14, info.remaining_discoverable_credentials);
        map.build()
    }
}

/// authenticatorMakeCredential response (CTAP 2.1 §6.1.3).
#[derive(Clone, Debug, PartialEq)]
pub struct MakeCredentialResponse {
    /// 0x01 fmt.
    pub format: &'static str,
    /// 0x02 authData.
    pub auth_data: Vec<u8>,
    /// 0x03 attStmt.
    pub att_stmt: Value,
}

impl From<MakeCredentialResponse> for Response {
    fn from(response: MakeCredentialResponse) -> Self {
        Self::Map(
            MapBuilder::new()
                .insert(0x01, response.format)
                .insert(0x02, Value::Bytes(response.auth_data))
                .insert(0x03, response.att_stmt)
                .build(),
        )
    }
}

/// authenticatorGetAssertion / GetNextAssertion response (CTAP 2.1 §6.2.3).
#[derive(Clone, Debug, PartialEq)]
pub struct GetAssertionResponse {
    /// 0x01 credential (a PublicKeyCredentialDescriptor).
    pub credential_id: Vec<u8>,
    /// 0x02 authData.
    pub auth_data: Vec<u8>,
    /// 0x03 signature.
    pub signature: Vec<u8>,
    /// 0x04 user: the handle always, name and displayName only after user verification.
    pub user: Option<UserEntity>,
    /// 0x05 numberOfCredentials (first response of a discoverable sign-in with several).
    pub number_of_credentials: Option<u32>,
}

impl From<GetAssertionResponse> for Response {
    fn from(response: GetAssertionResponse) -> Self {
        let credential = MapBuilder::new()
            .insert("id", Value::Bytes(response.credential_id))
            .insert("type", "public-key")
            .build();
        let user = response.user.map(|user| {
            MapBuilder::new()
                .insert("id", Value::Bytes(user.id))
                .insert_opt("name", user.name)
                .insert_opt("displayName", user.display_name)
                .build()
        });
        Self::Map(
            MapBuilder::new()
                .insert(0x01, credential)
                .insert(0x02, Value::Bytes(response.auth_data))
                .insert(0x03, Value::Bytes(response.signature))
                .insert_opt(0x04, user)
                .insert_opt(0x05, response.number_of_credentials)
                .build(),
        )
    }
}
