//! CTAP2 requests, parsed once into typed commands (CTAP 2.1 §6).

use ciborium::Value;

use super::StatusCode;
use super::bio_enrollment::BioEnrollmentRequest;
use super::cbor::{self, MapReader, ValueExt};
use super::client_pin::ClientPinCommand;
use super::config::ConfigRequest;
use super::credential_management::CredentialManagementRequest;
pub use super::entities::{CredentialDescriptor, MAX_USER_ID_LENGTH, RpEntity, UserEntity};
use super::entities::{parse_rp, parse_user};
use super::large_blobs::LargeBlobsRequest;
use super::pin_uv_auth::{PinProtocol, PinUvAuthProtocol};

/// Command bytes (CTAP 2.1 §6 table "Command codes").
pub mod code {
    /// authenticatorMakeCredential.
    pub const MAKE_CREDENTIAL: u8 = 0x01;
    /// authenticatorGetAssertion.
    pub const GET_ASSERTION: u8 = 0x02;
    /// authenticatorGetInfo.
    pub const GET_INFO: u8 = 0x04;
    /// authenticatorClientPIN.
    pub const CLIENT_PIN: u8 = 0x06;
    /// authenticatorReset.
    pub const RESET: u8 = 0x07;
    /// authenticatorGetNextAssertion.
    pub const GET_NEXT_ASSERTION: u8 = 0x08;
    /// authenticatorBioEnrollment.
    pub const BIO_ENROLLMENT: u8 = 0x09;
    /// authenticatorCredentialManagement.
    pub const CREDENTIAL_MANAGEMENT: u8 = 0x0A;
    /// authenticatorSelection.
    pub const SELECTION: u8 = 0x0B;
    /// authenticatorLargeBlobs.
    pub const LARGE_BLOBS: u8 = 0x0C;
    /// authenticatorConfig.
    pub const CONFIG: u8 = 0x0D;

    /// The spec's name of a command byte, for logs.
    pub fn name(command: u8) -> &'static str {
        match command {
            MAKE_CREDENTIAL => "authenticatorMakeCredential",
            GET_ASSERTION => "authenticatorGetAssertion",
            GET_INFO => "authenticatorGetInfo",
            CLIENT_PIN => "authenticatorClientPIN",
            RESET => "authenticatorReset",
            GET_NEXT_ASSERTION => "authenticatorGetNextAssertion",
            BIO_ENROLLMENT => "authenticatorBioEnrollment",
            CREDENTIAL_MANAGEMENT => "authenticatorCredentialManagement",
            SELECTION => "authenticatorSelection",
            LARGE_BLOBS => "authenticatorLargeBlobs",
            CONFIG => "authenticatorConfig",
            _ => "unknown",
        }
    }
}

/// A parsed CTAP2 command.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// authenticatorMakeCredential (0x01).
    MakeCredential(MakeCredentialRequest),
    /// authenticatorGetAssertion (0x02).
    GetAssertion(GetAssertionRequest),
    /// authenticatorGetInfo (0x04).
    GetInfo,
    /// authenticatorClientPIN (0x06).
    ClientPin(ClientPinCommand),
    /// authenticatorReset (0x07).
    Reset,
    /// authenticatorGetNextAssertion (0x08).
    GetNextAssertion,
    /// authenticatorBioEnrollment (0x09).
    BioEnrollment(BioEnrollmentRequest),
    /// authenticatorCredentialManagement (0x0A).
    CredentialManagement(CredentialManagementRequest),
    /// authenticatorSelection (0x0B).
    Selection,
    /// authenticatorLargeBlobs (0x0C).
    LargeBlobs(LargeBlobsRequest),
    /// authenticatorConfig (0x0D).
    Config(ConfigRequest),
}

impl Command {
    /// Parses a request: one command byte, then (for commands that take them) CBOR parameters.
    pub fn parse(request: &[u8]) -> Result<Self, StatusCode> {
        let (&command, params) = request.split_first().ok_or(StatusCode::InvalidLength)?;
        match command {
            code::MAKE_CREDENTIAL => {
                Ok(Self::MakeCredential(MakeCredentialRequest::parse(params_map(params)?)?))
            }
            code::GET_ASSERTION => Ok(Self::GetAssertion(GetAssertionRequest::parse(params_map(params)?)?)),
            code::CLIENT_PIN => Ok(Self::ClientPin(ClientPinCommand::parse(params_map(params)?)?)),
            code::CREDENTIAL_MANAGEMENT => {
                Ok(Self::CredentialManagement(CredentialManagementRequest::parse(params_map(params)?)?))
            }
            code::BIO_ENROLLMENT => {
                Ok(Self::BioEnrollment(BioEnrollmentRequest::parse(params_map(params)?)?))
            }
            code::CONFIG => Ok(Self::Config(ConfigRequest::parse(params_map(params)?)?)),
            code::LARGE_BLOBS => Ok(Self::LargeBlobs(LargeBlobsRequest::parse(params_map(params)?)?)),
            code::GET_INFO => no_params(params, Self::GetInfo),
            code::RESET => no_params(params, Self::Reset),
            code::GET_NEXT_ASSERTION => no_params(params, Self::GetNextAssertion),
            code::SELECTION => no_params(params, Self::Selection),
            _ => Err(StatusCode::InvalidCommand),
        }
    }
}

/// Commands without parameters carry no CBOR; anything after the command byte is a length error.
fn no_params(params: &[u8], command: Command) -> Result<Command, StatusCode> {
    if params.is_empty() { Ok(command) } else { Err(StatusCode::InvalidLength) }
}

fn params_map(params: &[u8]) -> Result<MapReader, StatusCode> {
    if params.is_empty() {
        return Err(StatusCode::MissingParameter);
    }
    MapReader::new(cbor::decode_strict(params)?)
}

/// The `options` map of makeCredential / getAssertion; `None` means absent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `rk`: make a discoverable credential.
    pub rk: Option<bool>,
    /// `up`: require user presence.
    pub up: Option<bool>,
    /// `uv`: perform built-in user verification.
    pub uv: Option<bool>,
}

/// A pinUvAuthParam with its protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinUvAuth {
    /// pinUvAuthParam (may be empty: the "probe" of CTAP 2.1 §6.1.2 step 1).
    pub param: Vec<u8>,
    /// pinUvAuthProtocol, if sent.
    pub protocol: Option<PinProtocol>,
}

/// Extension inputs the authenticator understands; others are ignored (CTAP 2.1 §12).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExtensionInputs {
    /// `credProtect` policy requested (1..=3).
    pub cred_protect: Option<i64>,
    /// `hmac-secret`: `true` at makeCredential; the salt request at getAssertion.
    pub hmac_secret: Option<HmacSecretInput>,
    /// `uvm`: report the user verification method.
    pub uvm: bool,
    /// `credBlob`: the blob to store (makeCredential) or `Retrieve` (getAssertion).
    pub cred_blob: Option<CredBlobInput>,
    /// `minPinLength` (makeCredential): report the minimum PIN length to an allowed RP.
    pub min_pin_length: bool,
    /// `largeBlobKey` (CTAP 2.1 §12.3): the value sent, `None` when absent.
    pub large_blob_key: Option<bool>,
}

/// The `hmac-secret` extension input.
#[derive(Clone, Debug, PartialEq)]
pub enum HmacSecretInput {
    /// makeCredential: create the credential's random secrets.
    Create,
    /// getAssertion: `{1: keyAgreement, 2: saltEnc, 3: saltAuth, 4: pinUvAuthProtocol}`.
    Get {
        /// The platform's COSE ECDH public key.
        key_agreement: Value,
        /// Encrypted salt(s).
        salt_enc: Vec<u8>,
        /// Authentication of `salt_enc`.
        salt_auth: Vec<u8>,
        /// PIN/UV auth protocol (One when absent).
        protocol: PinProtocol,
    },
}

/// The `credBlob` extension input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredBlobInput {
    /// makeCredential: store these bytes.
    Store(Vec<u8>),
    /// getAssertion: return the stored bytes.
    Retrieve,
}

/// authenticatorMakeCredential parameters (CTAP 2.1 §6.1).
#[derive(Clone, Debug, PartialEq)]
pub struct MakeCredentialRequest {
    /// 0x01 clientDataHash.
    pub client_data_hash: Vec<u8>,
    /// 0x02 rp.
    pub rp: RpEntity,
    /// 0x03 user.
    pub user: UserEntity,
    /// 0x04 pubKeyCredParams: the `public-key` algorithms, in the RP's order.
    pub algorithms: Vec<i64>,
    /// 0x05 excludeList.
    pub exclude_list: Vec<CredentialDescriptor>,
    /// 0x06 extensions.
    pub extensions: ExtensionInputs,
    /// 0x07 options.
    pub options: Options,
    /// 0x08/0x09 pinUvAuthParam and pinUvAuthProtocol.
    pub pin_uv_auth: Option<PinUvAuth>,
    /// 0x0A enterpriseAttestation.
    pub enterprise_attestation: Option<i64>,
}

impl MakeCredentialRequest {
    fn parse(mut map: MapReader) -> Result<Self, StatusCode> {
        let client_data_hash = map.required(0x01)?.bytes_value()?;
        let rp = parse_rp(map.required(0x02)?)?;
        let user = parse_user(map.required(0x03)?)?;
        let algorithms = parse_cred_params(map.required(0x04)?)?;
        let exclude_list = map.take(0x05).map(parse_descriptors).transpose()?.unwrap_or_default();
        let extensions = map.take(0x06).map(|v| parse_extensions(v, true)).transpose()?.unwrap_or_default();
        let options = map.take(0x07).map(parse_options).transpose()?.unwrap_or_default();
        let pin_uv_auth = parse_pin_uv_auth(&mut map, 0x08, 0x09)?;
        let enterprise_attestation = map.take(0x0A).map(ValueExt::int_value).transpose()?;
        check_client_data_hash(&client_data_hash)?;
        Ok(Self {
            client_data_hash,
            rp,
            user,
            algorithms,
            exclude_list,
            extensions,
            options,
            pin_uv_auth,
            enterprise_attestation,
        })
    }
}

/// authenticatorGetAssertion parameters (CTAP 2.1 §6.2).
#[derive(Clone, Debug, PartialEq)]
pub struct GetAssertionRequest {
    /// 0x01 rpId.
    pub rp_id: String,
    /// 0x02 clientDataHash.
    pub client_data_hash: Vec<u8>,
    /// 0x03 allowList (`None` when absent; an empty list counts as absent).
    pub allow_list: Option<Vec<CredentialDescriptor>>,
    /// 0x04 extensions.
    pub extensions: ExtensionInputs,
    /// 0x05 options.
    pub options: Options,
    /// 0x06/0x07 pinUvAuthParam and pinUvAuthProtocol.
    pub pin_uv_auth: Option<PinUvAuth>,
}

impl GetAssertionRequest {
    fn parse(mut map: MapReader) -> Result<Self, StatusCode> {
        let rp_id = map.required(0x01)?.text_value()?;
        let client_data_hash = map.required(0x02)?.bytes_value()?;
        let allow_list = map.take(0x03).map(parse_descriptors).transpose()?.filter(|list| !list.is_empty());
        let extensions = map.take(0x04).map(|v| parse_extensions(v, false)).transpose()?.unwrap_or_default();
        let options = map.take(0x05).map(parse_options).transpose()?.unwrap_or_default();
        let pin_uv_auth = parse_pin_uv_auth(&mut map, 0x06, 0x07)?;
        check_client_data_hash(&client_data_hash)?;
        Ok(Self { rp_id, client_data_hash, allow_list, extensions, options, pin_uv_auth })
    }
}

/// clientDataHash is a SHA-256 output (CTAP 2.1 §6.1: "Hash of the ClientData").
fn check_client_data_hash(hash: &[u8]) -> Result<(), StatusCode> {
    if hash.len() == 32 { Ok(()) } else { Err(StatusCode::InvalidLength) }
}

/// pubKeyCredParams: every element must be well formed; only `public-key` entries are kept.
fn parse_cred_params(value: Value) -> Result<Vec<i64>, StatusCode> {
    let mut algorithms = Vec::new();
    for item in value.array_value()? {
        let mut map = item.map_value()?;
        let alg = map.take_text_key("alg").ok_or(StatusCode::MissingParameter)?.int_value()?;
        let kind = map.take_text_key("type").ok_or(StatusCode::MissingParameter)?.text_value()?;
        if kind == "public-key" {
            algorithms.push(alg);
        }
    }
    Ok(algorithms)
}

fn parse_descriptors(value: Value) -> Result<Vec<CredentialDescriptor>, StatusCode> {
    let mut descriptors = Vec::new();
    for item in value.array_value()? {
        let mut map = item.map_value()?;
        let kind = map.take_text_key("type").ok_or(StatusCode::MissingParameter)?.text_value()?;
        let id = map.take_text_key("id").ok_or(StatusCode::MissingParameter)?.bytes_value()?;
        if let Some(transports) = map.take_text_key("transports") {
            transports.array_value()?;
        }
        if kind == "public-key" {
            descriptors.push(CredentialDescriptor { id });
        }
    }
    Ok(descriptors)
}

fn parse_options(value: Value) -> Result<Options, StatusCode> {
    let mut map = value.map_value()?;
    let mut take = |key| map.take_text_key(key).map(ValueExt::bool_value).transpose();
    Ok(Options { rk: take("rk")?, up: take("up")?, uv: take("uv")? })
}

fn parse_pin_uv_auth(
    map: &mut MapReader,
    param_key: i64,
    protocol_key: i64,
) -> Result<Option<PinUvAuth>, StatusCode> {
    let param = map.take(param_key).map(ValueExt::bytes_value).transpose()?;
    let protocol = map.take(protocol_key).map(PinProtocol::parse).transpose()?;
    Ok(param.map(|param| PinUvAuth { param, protocol }))
}

/// Extension inputs: known identifiers are type-checked, unknown ones ignored (CTAP 2.1 §12).
fn parse_extensions(value: Value, make_credential: bool) -> Result<ExtensionInputs, StatusCode> {
    let mut map = value.map_value()?;
    let mut inputs = ExtensionInputs {
        cred_protect: if make_credential {
            map.take_text_key("credProtect").map(ValueExt::int_value).transpose()?
        } else {
            None
        },
        uvm: map.take_text_key("uvm").map(ValueExt::bool_value).transpose()?.unwrap_or(false),
        min_pin_length: make_credential
            && map.take_text_key("minPinLength").map(ValueExt::bool_value).transpose()?.unwrap_or(false),
        large_blob_key: map.take_text_key("largeBlobKey").map(ValueExt::bool_value).transpose()?,
        ..ExtensionInputs::default()
    };
    if let Some(value) = map.take_text_key("hmac-secret") {
        inputs.hmac_secret = if make_credential {
            value.bool_value()?.then_some(HmacSecretInput::Create)
        } else {
            Some(parse_hmac_secret_get(value)?)
        };
    }
    if let Some(value) = map.take_text_key("credBlob") {
        inputs.cred_blob = if make_credential {
            Some(CredBlobInput::Store(value.bytes_value()?))
        } else {
            value.bool_value()?.then_some(CredBlobInput::Retrieve)
        };
    }
    Ok(inputs)
}

fn parse_hmac_secret_get(value: Value) -> Result<HmacSecretInput, StatusCode> {
    let mut map = value.map_value()?;
    let key_agreement = map.required(0x01)?;
    if !matches!(key_agreement, Value::Map(_)) {
        return Err(StatusCode::CborUnexpectedType);
    }
    let salt_enc = map.required(0x02)?.bytes_value()?;
    let salt_auth = map.required(0x03)?.bytes_value()?;
    let protocol = map
        .take(0x04)
        .map(PinProtocol::parse)
        .transpose()?
        .unwrap_or(PinProtocol::Supported(PinUvAuthProtocol::One));
    Ok(HmacSecretInput::Get { key_agreement, salt_enc, salt_auth, protocol })
}
