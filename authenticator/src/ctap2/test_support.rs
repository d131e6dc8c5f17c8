//! Fixtures shared by the unit tests of the CTAP2 commands.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

pub(super) use ciborium::Value;
pub(super) use p256::ecdsa::signature::Verifier as _;

pub(super) use super::Authenticator;
pub(super) use crate::clock::ManualClock;
pub(super) use crate::config::{Config, Modality, PresenceOutcome, Profile, UvCapability, VerifyOutcome};
use crate::pin::policy::pin_hash;
use crate::pin::protocol::{KeyAgreementKey, PinUvAuthProtocol, SharedSecret, authenticate_with_token};
pub(super) use crate::proto::cbor::{self, MapBuilder};
pub(super) use crate::proto::{StatusCode, request::code};
pub(super) use crate::signals::Signals;
pub(super) use crate::store::MemoryStore;

pub(super) const RP: &str = "example.com";
pub(super) const CDH: [u8; 32] = [0xCD; 32];

/// An authenticator on a manual clock with an in-memory store.
pub(super) fn device(config: Config) -> (Authenticator, ManualClock) {
    let clock = ManualClock::new();
    let auth =
        Authenticator::with_parts(config, Box::new(MemoryStore::new()), Box::new(clock.clone())).unwrap();
    (auth, clock)
}

pub(super) fn software_token() -> Config {
    Profile::SoftwareToken.config()
}

pub(super) fn fingerprint(enrolled: bool, outcome: VerifyOutcome) -> Config {
    Config {
        uv: UvCapability::Builtin { modality: Modality::Fingerprint, enrolled, outcome },
        ..Profile::Platform.config()
    }
}

pub(super) fn with_presence(config: Config, presence: PresenceOutcome) -> Config {
    Config { presence, presence_timeout: std::time::Duration::from_millis(5), ..config }
}

/// Sends `command` with `params` (a CBOR map) and splits the answer into status and body.
pub(super) fn call(
    auth: &mut Authenticator,
    command: u8,
    params: Option<Value>,
) -> Result<Value, StatusCode> {
    let mut request = vec![command];
    if let Some(params) = params {
        request.extend_from_slice(&cbor::encode(&params));
    }
    let response = auth.process(&request, &Signals::new());
    decode_response(&response)
}

pub(super) fn decode_response(response: &[u8]) -> Result<Value, StatusCode> {
    let (&status, body) = response.split_first().expect("a status byte");
    if status != 0 {
        return Err(StatusCode::from_byte(status).unwrap_or_else(|| panic!("unknown status 0x{status:02x}")));
    }
    if body.is_empty() {
        return Ok(Value::Null);
    }
    let value = cbor::decode_strict(body).expect("responses are canonical CBOR");
    Ok(value)
}

/// A makeCredential parameter map; `edit` may change it before encoding.
pub(super) fn make_credential_params(rk: bool, extra: impl FnOnce(MapBuilder) -> MapBuilder) -> Value {
    let rp = MapBuilder::new().insert("id", RP).insert("name", "Example").build();
    let user = MapBuilder::new()
        .insert("id", Value::Bytes(vec![1, 2, 3]))
        .insert("name", "alice")
        .insert("displayName", "Alice")
        .build();
    let params = Value::Array(vec![MapBuilder::new().insert("alg", -7).insert("type", "public-key").build()]);
    let map = MapBuilder::new()
        .insert(1, Value::Bytes(CDH.to_vec()))
        .insert(2, rp)
        .insert(3, user)
        .insert(4, params)
        .insert_opt(7, rk.then(|| MapBuilder::new().insert("rk", true).build()));
    extra(map).build()
}

pub(super) fn get_assertion_params(
    allow: Option<&[u8]>,
    extra: impl FnOnce(MapBuilder) -> MapBuilder,
) -> Value {
    let allow_list = allow.map(|id| {
        Value::Array(vec![
            MapBuilder::new().insert("id", Value::Bytes(id.to_vec())).insert("type", "public-key").build(),
        ])
    });
    extra(MapBuilder::new().insert(1, RP).insert(2, Value::Bytes(CDH.to_vec())).insert_opt(3, allow_list))
        .build()
}

/// Field `key` of a response map.
pub(super) fn field(value: &Value, key: i64) -> &Value {
    value
        .as_map()
        .unwrap()
        .iter()
        .find(|(k, _)| k.as_integer().map(i64::try_from) == Some(Ok(key)))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("field {key} missing"))
}

pub(super) fn has_field(value: &Value, key: i64) -> bool {
    value.as_map().unwrap().iter().any(|(k, _)| k.as_integer().map(i64::try_from) == Some(Ok(key)))
}

pub(super) fn text_field<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    value.as_map().unwrap().iter().find(|(k, _)| k.as_text() == Some(key)).map(|(_, v)| v)
}

/// Parsed authenticator data of a makeCredential response.
pub(super) struct Registered {
    pub auth_data: Vec<u8>,
    pub credential_id: Vec<u8>,
    pub public_key: p256::ecdsa::VerifyingKey,
    pub response: Value,
}

pub(super) fn register(auth: &mut Authenticator, rk: bool) -> Registered {
    registered(call(auth, code::MAKE_CREDENTIAL, Some(make_credential_params(rk, |m| m))).unwrap())
}

/// Takes a makeCredential response apart: authData, credential ID, public key.
pub(super) fn registered(response: Value) -> Registered {
    let auth_data = field(&response, 2).as_bytes().unwrap().clone();
    let id_len = u16::from_be_bytes([auth_data[53], auth_data[54]]) as usize;
    let credential_id = auth_data[55..55 + id_len].to_vec();
    let key: Value = ciborium::de::from_reader(&auth_data[55 + id_len..]).unwrap();
    let coord = |k: i64| {
        key.as_map()
            .unwrap()
            .iter()
            .find(|(kk, _)| kk.as_integer() == Some(k.into()))
            .unwrap()
            .1
            .as_bytes()
            .unwrap()
            .clone()
    };
    let mut sec1 = vec![0x04];
    sec1.extend(coord(-2));
    sec1.extend(coord(-3));
    let public_key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).unwrap();
    Registered { auth_data, credential_id, public_key, response }
}

/// The credential ID of a makeCredential response.
pub(super) fn credential_id(response: &Value) -> Vec<u8> {
    let auth_data = field(response, 2).as_bytes().unwrap();
    let id_len = u16::from_be_bytes([auth_data[53], auth_data[54]]) as usize;
    auth_data[55..55 + id_len].to_vec()
}

/// Checks an assertion signature over authData || clientDataHash.
pub(super) fn verify_assertion(public_key: &p256::ecdsa::VerifyingKey, response: &Value) {
    let auth_data = field(response, 2).as_bytes().unwrap();
    let signature = p256::ecdsa::DerSignature::from_bytes(field(response, 3).as_bytes().unwrap()).unwrap();
    let mut signed = auth_data.clone();
    signed.extend_from_slice(&CDH);
    public_key.verify(&signed, &signature).expect("assertion signature verifies");
}

pub(super) fn flags_of(auth_data: &[u8]) -> u8 {
    auth_data[32]
}

pub(super) fn counter_of(auth_data: &[u8]) -> u32 {
    u32::from_be_bytes(auth_data[33..37].try_into().unwrap())
}

pub(super) const BOTH: [PinUvAuthProtocol; 2] = [PinUvAuthProtocol::One, PinUvAuthProtocol::Two];

/// The platform side of clientPIN: its key agreement and the shared secret.
pub(super) fn platform(auth: &mut Authenticator, protocol: PinUvAuthProtocol) -> (Value, SharedSecret) {
    let request = MapBuilder::new().insert(1, protocol.id()).insert(2, 2).build();
    let response = call(auth, code::CLIENT_PIN, Some(request)).unwrap();
    let key = KeyAgreementKey::generate();
    let shared = key.shared_secret(protocol, field(&response, 1)).unwrap();
    (key.cose_public_key(), shared)
}

pub(super) fn padded(pin: &str) -> Vec<u8> {
    let mut out = pin.as_bytes().to_vec();
    out.resize(64, 0);
    out
}

pub(super) fn set_pin(
    auth: &mut Authenticator,
    protocol: PinUvAuthProtocol,
    pin: &str,
) -> Result<Value, StatusCode> {
    let (key, shared) = platform(auth, protocol);
    let new_pin_enc = shared.encrypt(&padded(pin)).unwrap();
    let request = MapBuilder::new()
        .insert(1, protocol.id())
        .insert(2, 3)
        .insert(3, key)
        .insert(4, Value::Bytes(shared.authenticate(&new_pin_enc)))
        .insert(5, Value::Bytes(new_pin_enc))
        .build();
    call(auth, code::CLIENT_PIN, Some(request))
}

pub(super) fn change_pin(
    auth: &mut Authenticator,
    protocol: PinUvAuthProtocol,
    old: &str,
    new: &str,
) -> Result<Value, StatusCode> {
    let (key, shared) = platform(auth, protocol);
    let pin_hash_enc = shared.encrypt(&pin_hash(old.as_bytes())).unwrap();
    let new_pin_enc = shared.encrypt(&padded(new)).unwrap();
    let auth_param = shared.authenticate(&[new_pin_enc.clone(), pin_hash_enc.clone()].concat());
    let request = MapBuilder::new()
        .insert(1, protocol.id())
        .insert(2, 4)
        .insert(3, key)
        .insert(4, Value::Bytes(auth_param))
        .insert(5, Value::Bytes(new_pin_enc))
        .insert(6, Value::Bytes(pin_hash_enc))
        .build();
    call(auth, code::CLIENT_PIN, Some(request))
}

/// getPinUvAuthTokenUsingPinWithPermissions; returns the decrypted token.
pub(super) fn token(
    auth: &mut Authenticator,
    protocol: PinUvAuthProtocol,
    pin: &str,
    permissions: impl PermissionBits,
    rp_id: Option<&str>,
) -> Result<[u8; 32], StatusCode> {
    let (key, shared) = platform(auth, protocol);
    let request = MapBuilder::new()
        .insert(1, protocol.id())
        .insert(2, 9)
        .insert(3, key)
        .insert(6, Value::Bytes(shared.encrypt(&pin_hash(pin.as_bytes())).unwrap()))
        .insert(9, permissions.permission_bits())
        .insert_opt(0x0A, rp_id)
        .build();
    let response = call(auth, code::CLIENT_PIN, Some(request))?;
    Ok(shared.decrypt(field(&response, 2).as_bytes().unwrap()).unwrap().try_into().unwrap())
}

/// getPinToken (0x05) with PIN/UV auth protocol 1, the token of a pre-2.1 platform.
pub(super) fn pin_token_v1(auth: &mut Authenticator, pin: &str) -> [u8; 32] {
    let (key, shared) = platform(auth, PinUvAuthProtocol::One);
    let request = MapBuilder::new()
        .insert(1, 1)
        .insert(2, 5)
        .insert(3, key)
        .insert(6, Value::Bytes(shared.encrypt(&pin_hash(pin.as_bytes())).unwrap()))
        .build();
    let response = call(auth, code::CLIENT_PIN, Some(request)).unwrap();
    shared.decrypt(field(&response, 2).as_bytes().unwrap()).unwrap().try_into().unwrap()
}

pub(super) fn retries(auth: &mut Authenticator) -> (i64, bool) {
    let response =
        call(auth, code::CLIENT_PIN, Some(MapBuilder::new().insert(1, 2).insert(2, 1).build())).unwrap();
    let retries = i64::try_from(field(&response, 3).as_integer().unwrap()).unwrap();
    (retries, field(&response, 4).as_bool().unwrap())
}

pub(super) fn pin_param(protocol: PinUvAuthProtocol, token: &[u8; 32]) -> (Vec<u8>, i64) {
    (authenticate_with_token(protocol, token, &CDH), protocol.id())
}

pub(super) fn with_token(
    m: MapBuilder,
    protocol: PinUvAuthProtocol,
    token: &[u8; 32],
    param_key: i64,
) -> MapBuilder {
    let (param, id) = pin_param(protocol, token);
    m.insert(param_key, Value::Bytes(param)).insert(param_key + 1, id)
}

/// A security key fresh from the factory: clientPIN, no PIN yet.
pub(super) fn security_key() -> (Authenticator, ManualClock) {
    device(unprovisioned())
}

pub(super) fn unprovisioned() -> Config {
    Config { pin: None, ..Profile::SecurityKey.config() }
}

/// A permissions parameter for a token request: a typed set, or raw bits (malformed requests).
pub(super) trait PermissionBits {
    /// The number sent as the permissions parameter.
    fn permission_bits(self) -> i64;
}

impl PermissionBits for crate::pin::token::Permissions {
    fn permission_bits(self) -> i64 {
        i64::from(self.bits())
    }
}

impl PermissionBits for i32 {
    fn permission_bits(self) -> i64 {
        i64::from(self)
    }
}

/// A request of the shape credential management and config share (CTAP 2.1 §6.8, §6.11),
/// authenticated with protocol two over `prefix || subCommand || subCommandParams`.
pub(super) fn signed_request(
    prefix: &[u8],
    token: &[u8; 32],
    sub_command: u8,
    params: Option<Value>,
) -> Value {
    let mut message = prefix.to_vec();
    message.push(sub_command);
    if let Some(params) = &params {
        message.extend_from_slice(&cbor::encode(params));
    }
    let param = authenticate_with_token(PinUvAuthProtocol::Two, token, &message);
    MapBuilder::new()
        .insert(1, sub_command)
        .insert_opt(2, params)
        .insert(3, 2)
        .insert(4, Value::Bytes(param))
        .build()
}
