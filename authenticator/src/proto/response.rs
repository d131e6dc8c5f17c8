//! CTAP2 responses (CTAP 2.1 §6): one typed value per command and subcommand answer, encoded to
//! canonical CBOR here and nowhere else, so behaviour returns values and never map keys.

use ciborium::Value;

use super::bio_enrollment::BioEnrollmentResponse;
use super::cbor::{self, MapBuilder};
use super::request::{RpEntity, UserEntity};

/// A successful response body; encoded as status 0x00 followed by the CBOR map (if any).
#[derive(Clone, Debug, PartialEq)]
pub enum Response {
    /// No body (reset, selection, setPIN, changePIN, deletion, config, …).
    Empty,
    /// authenticatorGetInfo.
    GetInfo(GetInfoResponse),
    /// authenticatorMakeCredential.
    MakeCredential(MakeCredentialResponse),
    /// authenticatorGetAssertion and authenticatorGetNextAssertion.
    GetAssertion(GetAssertionResponse),
    /// authenticatorClientPIN subcommands with a body.
    ClientPin(ClientPinResponse),
    /// authenticatorCredentialManagement subcommands with a body.
    CredentialManagement(CredentialManagementResponse),
    /// authenticatorBioEnrollment subcommands with a body.
    BioEnrollment(BioEnrollmentResponse),
    /// authenticatorLargeBlobs get (CTAP 2.1 §6.10.2): 0x01 config, the bytes read.
    LargeBlobs(Vec<u8>),
}

impl Response {
    /// Status byte `CTAP2_OK` followed by the canonical CBOR body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![0x00];
        if let Some(body) = self.body() {
            out.extend_from_slice(&cbor::encode(&body));
        }
        out
    }

    /// The response map, `None` for an empty body.
    pub fn body(&self) -> Option<Value> {
        match self {
            Self::Empty => None,
            Self::GetInfo(info) => Some(info.to_value()),
            Self::MakeCredential(response) => Some(response.to_value()),
            Self::GetAssertion(response) => Some(response.to_value()),
            Self::ClientPin(response) => Some(response.to_value()),
            Self::CredentialManagement(response) => Some(response.to_value()),
            Self::BioEnrollment(response) => Some(response.to_value()),
            Self::LargeBlobs(config) => {
                Some(MapBuilder::new().insert(0x01, Value::Bytes(config.clone())).build())
            }
        }
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
    /// 0x07 maxCredentialCountInList (absent on a CTAP 2.0 key).
    pub max_credential_count_in_list: Option<u32>,
    /// 0x08 maxCredentialIdLength (absent on a CTAP 2.0 key).
    pub max_credential_id_length: Option<u32>,
    /// 0x09 transports (absent on a CTAP 2.0 key).
    pub transports: Option<Vec<&'static str>>,
    /// 0x0A algorithms, COSE identifiers (absent on a CTAP 2.0 key).
    pub algorithms: Option<Vec<i64>>,
    /// 0x0B maxSerializedLargeBlobArray, with authenticatorLargeBlobs.
    pub max_serialized_large_blob_array: Option<u32>,
    /// 0x0C forcePINChange, with clientPIN.
    pub force_pin_change: Option<bool>,
    /// 0x0D minPINLength, with clientPIN.
    pub min_pin_length: Option<u32>,
    /// 0x0E firmwareVersion (CTAP 2.1 keys).
    pub firmware_version: Option<u32>,
    /// 0x0F maxCredBlobLength, when credBlob is supported.
    pub max_cred_blob_length: Option<u32>,
    /// 0x10 maxRPIDsForSetMinPINLength, with setMinPINLength.
    pub max_rp_ids_for_set_min_pin_length: Option<u32>,
    /// 0x12 uvModality (FIDO Registry user verification method bits), with built-in UV.
    pub uv_modality: Option<u32>,
    /// 0x14 remainingDiscoverableCredentials (CTAP 2.1 keys).
    pub remaining_discoverable_credentials: Option<u32>,
}

impl From<GetInfoResponse> for Response {
    fn from(info: GetInfoResponse) -> Self {
        Self::GetInfo(info)
    }
}

impl GetInfoResponse {
    /// The response map.
    pub fn to_value(&self) -> Value {
        let info = self;
        let text_array =
            |items: &[&'static str]| Value::Array(items.iter().map(|&item| Value::from(item)).collect());
        let options =
            Value::Map(info.options.iter().map(|&(k, v)| (Value::from(k), Value::from(v))).collect());
        let algorithms = info.algorithms.as_ref().map(|algorithms| {
            Value::Array(
                algorithms
                    .iter()
                    .map(|&alg| MapBuilder::new().insert("alg", alg).insert("type", "public-key").build())
                    .collect(),
            )
        });
        let mut map = MapBuilder::new()
            .insert(0x01, text_array(&info.versions))
            .insert_opt(0x02, (!info.extensions.is_empty()).then(|| text_array(&info.extensions)))
            .insert(0x03, Value::Bytes(info.aaguid.to_vec()))
            .insert(0x04, options)
            .insert(0x05, info.max_msg_size);
        if !info.pin_uv_auth_protocols.is_empty() {
            let protocols = info.pin_uv_auth_protocols.iter().map(|&p| Value::from(p)).collect();
            map = map.insert(0x06, Value::Array(protocols));
        }
        let map = map
            .insert_opt(0x07, info.max_credential_count_in_list)
            .insert_opt(0x08, info.max_credential_id_length)
            .insert_opt(0x09, info.transports.as_deref().map(text_array))
            .insert_opt(0x0A, algorithms)
            .insert_opt(0x0B, info.max_serialized_large_blob_array)
            .insert_opt(0x0C, info.force_pin_change)
            .insert_opt(0x0D, info.min_pin_length)
            .insert_opt(0x0E, info.firmware_version)
            .insert_opt(0x0F, info.max_cred_blob_length)
            .insert_opt(0x10, info.max_rp_ids_for_set_min_pin_length)
            .insert_opt(0x12, info.uv_modality)
            .insert_opt(0x14, info.remaining_discoverable_credentials);
        map.build()
    }
}

/// An attestation statement (WebAuthn L3 §8.2 `packed`, §8.7 `none`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttestationStatement {
    /// `none`: an empty statement.
    None,
    /// `packed`: `alg`, `sig` and, for basic attestation, `x5c` (self attestation has none).
    Packed {
        /// The COSE algorithm of the signature.
        alg: i64,
        /// The signature over authenticatorData || clientDataHash.
        sig: Vec<u8>,
        /// The attestation certificate chain (DER), empty for self attestation.
        x5c: Vec<Vec<u8>>,
    },
}

impl AttestationStatement {
    /// The attestation statement format identifier.
    pub fn format(&self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Packed { .. } => "packed",
        }
    }

    /// The `attStmt` map.
    pub fn to_value(&self) -> Value {
        match self {
            Self::None => Value::Map(Vec::new()),
            Self::Packed { alg, sig, x5c } => MapBuilder::new()
                .insert("alg", *alg)
                .insert("sig", Value::Bytes(sig.clone()))
                .insert_opt(
                    "x5c",
                    (!x5c.is_empty()).then(|| Value::Array(x5c.iter().cloned().map(Value::Bytes).collect())),
                )
                .build(),
        }
    }
}

/// authenticatorMakeCredential response (CTAP 2.1 §6.1.3).
#[derive(Clone, Debug, PartialEq)]
pub struct MakeCredentialResponse {
    /// 0x02 authData.
    pub auth_data: Vec<u8>,
    /// 0x01 fmt and 0x03 attStmt.
    pub statement: AttestationStatement,
    /// 0x05 largeBlobKey (CTAP 2.1 §12.3), when the extension asked for it.
    pub large_blob_key: Option<[u8; 32]>,
}

impl From<MakeCredentialResponse> for Response {
    fn from(response: MakeCredentialResponse) -> Self {
        Self::MakeCredential(response)
    }
}

impl MakeCredentialResponse {
    /// The response map.
    pub fn to_value(&self) -> Value {
        MapBuilder::new()
            .insert(0x01, self.statement.format())
            .insert(0x02, Value::Bytes(self.auth_data.clone()))
            .insert(0x03, self.statement.to_value())
            .insert_opt(0x05, self.large_blob_key.map(|key| Value::Bytes(key.to_vec())))
            .build()
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
    /// 0x07 largeBlobKey (CTAP 2.1 §12.3), when the extension asked for it.
    pub large_blob_key: Option<[u8; 32]>,
}

impl From<GetAssertionResponse> for Response {
    fn from(response: GetAssertionResponse) -> Self {
        Self::GetAssertion(response)
    }
}

impl GetAssertionResponse {
    /// The response map.
    pub fn to_value(&self) -> Value {
        MapBuilder::new()
            .insert(0x01, credential_descriptor(&self.credential_id))
            .insert(0x02, Value::Bytes(self.auth_data.clone()))
            .insert(0x03, Value::Bytes(self.signature.clone()))
            .insert_opt(0x04, self.user.as_ref().map(user_entity))
            .insert_opt(0x05, self.number_of_credentials)
            .insert_opt(0x07, self.large_blob_key.map(|key| Value::Bytes(key.to_vec())))
            .build()
    }
}

/// authenticatorClientPIN responses (CTAP 2.1 §6.5.5).
#[derive(Clone, Debug, PartialEq)]
pub enum ClientPinResponse {
    /// getPinRetries (§6.5.5.2).
    PinRetries {
        /// 0x03 pinRetries.
        pin_retries: u8,
        /// 0x04 powerCycleState: a power cycle is needed before the next PIN attempt.
        power_cycle_state: bool,
    },
    /// getKeyAgreement (§6.5.5.4).
    KeyAgreement {
        /// 0x01 keyAgreement: the authenticator's COSE_Key.
        key_agreement: Value,
    },
    /// getPinToken, getPinUvAuthTokenUsingPinWithPermissions and
    /// getPinUvAuthTokenUsingUvWithPermissions (§6.5.5.7).
    PinUvAuthToken {
        /// 0x02 pinUvAuthToken, encrypted with the shared secret.
        encrypted_token: Vec<u8>,
    },
    /// getUVRetries (§6.5.5.3).
    UvRetries {
        /// 0x05 uvRetries.
        uv_retries: u8,
    },
}

impl From<ClientPinResponse> for Response {
    fn from(response: ClientPinResponse) -> Self {
        Self::ClientPin(response)
    }
}

impl ClientPinResponse {
    /// The response map.
    pub fn to_value(&self) -> Value {
        match self {
            Self::PinRetries { pin_retries, power_cycle_state } => {
                MapBuilder::new().insert(0x03, *pin_retries).insert(0x04, *power_cycle_state).build()
            }
            Self::KeyAgreement { key_agreement } => {
                MapBuilder::new().insert(0x01, key_agreement.clone()).build()
            }
            Self::PinUvAuthToken { encrypted_token } => {
                MapBuilder::new().insert(0x02, Value::Bytes(encrypted_token.clone())).build()
            }
            Self::UvRetries { uv_retries } => MapBuilder::new().insert(0x05, *uv_retries).build(),
        }
    }
}

/// One RP of an RP enumeration (CTAP 2.1 §6.8.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpEntry {
    /// 0x03 rp.
    pub rp: RpEntity,
    /// 0x04 rpIDHash.
    pub rp_id_hash: [u8; 32],
    /// 0x05 totalRPs, in the first entry only.
    pub total_rps: Option<u64>,
}

/// One credential of a credential enumeration (CTAP 2.1 §6.8.4).
#[derive(Clone, Debug, PartialEq)]
pub struct CredentialEntry {
    /// 0x06 user.
    pub user: UserEntity,
    /// 0x07 credentialID (a PublicKeyCredentialDescriptor).
    pub credential_id: Vec<u8>,
    /// 0x08 publicKey (COSE_Key).
    pub public_key: Value,
    /// 0x09 totalCredentials, in the first entry only.
    pub total_credentials: Option<u64>,
    /// 0x0A credProtect.
    pub cred_protect: u8,
}

/// authenticatorCredentialManagement responses (CTAP 2.1 §6.8).
#[derive(Clone, Debug, PartialEq)]
pub enum CredentialManagementResponse {
    /// getCredsMetadata (§6.8.2).
    CredsMetadata {
        /// 0x01 existingResidentCredentialsCount.
        existing_count: u64,
        /// 0x02 maxPossibleRemainingResidentCredentialsCount.
        remaining_count: u64,
    },
    /// enumerateRPsBegin / enumerateRPsGetNextRP (§6.8.3).
    Rp(RpEntry),
    /// enumerateCredentialsBegin / enumerateCredentialsGetNextCredential (§6.8.4).
    Credential(CredentialEntry),
}

impl From<CredentialManagementResponse> for Response {
    fn from(response: CredentialManagementResponse) -> Self {
        Self::CredentialManagement(response)
    }
}

impl From<BioEnrollmentResponse> for Response {
    fn from(response: BioEnrollmentResponse) -> Self {
        Self::BioEnrollment(response)
    }
}

impl CredentialManagementResponse {
    /// The response map.
    pub fn to_value(&self) -> Value {
        match self {
            Self::CredsMetadata { existing_count, remaining_count } => {
                MapBuilder::new().insert(0x01, *existing_count).insert(0x02, *remaining_count).build()
            }
            Self::Rp(entry) => {
                let rp = MapBuilder::new()
                    .insert("id", entry.rp.id.as_str())
                    .insert_opt("name", entry.rp.name.as_deref())
                    .build();
                MapBuilder::new()
                    .insert(0x03, rp)
                    .insert(0x04, Value::Bytes(entry.rp_id_hash.to_vec()))
                    .insert_opt(0x05, entry.total_rps)
                    .build()
            }
            Self::Credential(entry) => MapBuilder::new()
                .insert(0x06, user_entity(&entry.user))
                .insert(0x07, credential_descriptor(&entry.credential_id))
                .insert(0x08, entry.public_key.clone())
                .insert_opt(0x09, entry.total_credentials)
                .insert(0x0A, entry.cred_protect)
                .build(),
        }
    }
}

/// A PublicKeyCredentialDescriptor (WebAuthn L3 §5.8.3) of type `public-key`.
fn credential_descriptor(credential_id: &[u8]) -> Value {
    MapBuilder::new().insert("id", Value::Bytes(credential_id.to_vec())).insert("type", "public-key").build()
}

/// A PublicKeyCredentialUserEntity (WebAuthn L3 §5.4.3): the handle, name and displayName if known.
fn user_entity(user: &UserEntity) -> Value {
    MapBuilder::new()
        .insert("id", Value::Bytes(user.id.clone()))
        .insert_opt("name", user.name.clone())
        .insert_opt("displayName", user.display_name.clone())
        .build()
}
