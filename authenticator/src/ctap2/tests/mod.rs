//! Unit tests of the CTAP2 commands: each error path with its status code, each flag.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_pin;
mod get_assertion;
mod hmac_secret;
mod make_credential;
mod management;
mod misc;

use ciborium::Value;
use p256::ecdsa::signature::Verifier as _;

use super::Authenticator;
use crate::clock::ManualClock;
use crate::config::{Config, Modality, PresenceOutcome, Profile, UvCapability, VerifyOutcome};
use crate::proto::cbor::{self, MapBuilder};
use crate::proto::{StatusCode, request::code};
use crate::signals::Signals;
use crate::store::MemoryStore;

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
