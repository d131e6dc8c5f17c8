//! The client side of CTAP2, written independently of the authenticator's own wire types: it
//! builds canonical requests by hand (so a mistake in either side shows up as a rejection) and
//! splits responses into status and CBOR body.

pub mod pin;
pub mod status;
pub mod u2f;
pub mod uv;
pub mod webauthn;

use base64ct::{Base64UrlUnpadded, Encoding};
use ciborium::Value;

/// makeCredential (0x01).
pub const MAKE_CREDENTIAL: u8 = 0x01;
/// getAssertion (0x02).
pub const GET_ASSERTION: u8 = 0x02;

/// What a makeCredential request asks for. `Default` leaves every optional part out.
#[derive(Clone, Debug, Default)]
pub struct Registration<'a> {
    /// RP ID.
    pub rp_id: &'a str,
    /// RP name, when the RP gave one.
    pub rp_name: Option<&'a str>,
    /// User handle.
    pub user_id: &'a [u8],
    /// User name.
    pub user_name: &'a str,
    /// User display name, when the RP gave one.
    pub user_display_name: Option<&'a str>,
    /// SHA-256 of the client data.
    pub client_data_hash: [u8; 32],
    /// COSE algorithms acceptable to the RP, in its order of preference; empty means ES256.
    pub algorithms: &'a [i64],
    /// Credential IDs the authenticator must not already hold (excludeList).
    pub exclude: &'a [Vec<u8>],
    /// Discoverable credential.
    pub rk: bool,
    /// Ask for built-in user verification.
    pub uv: bool,
    /// Request the `uvm` extension.
    pub uvm: bool,
    /// Further authenticator extension inputs (name, value), besides `uvm`.
    pub extensions: Vec<(String, Value)>,
    /// pinUvAuthParam and pinUvAuthProtocol, when the platform holds a token.
    pub pin_uv_auth: Option<(Vec<u8>, i64)>,
}

/// What a getAssertion request asks for. `Default` leaves every optional part out.
#[derive(Clone, Debug, Default)]
pub struct SignIn<'a> {
    /// RP ID.
    pub rp_id: &'a str,
    /// SHA-256 of the client data.
    pub client_data_hash: [u8; 32],
    /// The allowList (username-first); empty for a discoverable sign-in.
    pub allow: &'a [Vec<u8>],
    /// Test user presence (`false`: a silent assertion, CTAP 2.1 §6.2.2 `up` option).
    pub up: bool,
    /// Ask for built-in user verification.
    pub uv: bool,
    /// Request the `uvm` extension.
    pub uvm: bool,
    /// Further authenticator extension inputs (name, value), besides `uvm`.
    pub extensions: Vec<(String, Value)>,
    /// pinUvAuthParam and pinUvAuthProtocol, when the platform holds a token.
    pub pin_uv_auth: Option<(Vec<u8>, i64)>,
}

/// Base64url without padding, as WebAuthn's JSON encodings write binary values.
pub fn base64url(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// The bytes of a base64url JSON string (padding tolerated); `None` for anything else.
pub fn base64url_bytes(value: &serde_json::Value) -> Option<Vec<u8>> {
    value.as_str().and_then(|s| Base64UrlUnpadded::decode_vec(s.trim_end_matches('=')).ok())
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn int(i: i64) -> Value {
    Value::Integer(i.into())
}

/// The options map in canonical order (`rk` < `up` < `uv`), or `None` when empty; `up` is
/// written only when false (true is its default).
fn options(rk: bool, up: bool, uv: bool) -> Option<Value> {
    let mut entries = Vec::new();
    if rk {
        entries.push((text("rk"), Value::Bool(true)));
    }
    if !up {
        entries.push((text("up"), Value::Bool(false)));
    }
    if uv {
        entries.push((text("uv"), Value::Bool(true)));
    }
    (!entries.is_empty()).then_some(Value::Map(entries))
}

/// The extensions map, keys in CTAP2 canonical order (shorter first, then bytewise), or `None`
/// when no extension is requested.
fn extensions_map(uvm: bool, extensions: &[(String, Value)]) -> Option<Value> {
    let mut entries: Vec<(String, Value)> = extensions.to_vec();
    if uvm {
        entries.push(("uvm".to_owned(), Value::Bool(true)));
    }
    entries.sort_by(|(a, _), (b, _)| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    (!entries.is_empty()).then(|| Value::Map(entries.into_iter().map(|(k, v)| (Value::Text(k), v)).collect()))
}

/// A list of PublicKeyCredentialDescriptors (`id` < `type`).
fn descriptors(ids: &[Vec<u8>]) -> Value {
    Value::Array(
        ids.iter()
            .map(|id| {
                Value::Map(vec![(text("id"), Value::Bytes(id.clone())), (text("type"), text("public-key"))])
            })
            .collect(),
    )
}

/// An entity map with `id` (text or bytes) first, then `name`, then `displayName`.
fn entity(id: Value, name: Option<&str>, display_name: Option<&str>) -> Value {
    let mut entries = vec![(text("id"), id)];
    entries.extend(name.map(|name| (text("name"), text(name))));
    entries.extend(display_name.map(|display| (text("displayName"), text(display))));
    Value::Map(entries)
}

fn encode(command: u8, entries: Vec<(Value, Value)>) -> Vec<u8> {
    let mut out = vec![command];
    // Writing to a Vec cannot fail.
    let _ = ciborium::ser::into_writer(&Value::Map(entries), &mut out);
    out
}

/// An authenticatorMakeCredential request (CTAP 2.1 §6.1), keys in canonical order.
pub fn make_credential(request: &Registration<'_>) -> Vec<u8> {
    let rp = entity(text(request.rp_id), request.rp_name, None);
    let user =
        entity(Value::Bytes(request.user_id.to_vec()), Some(request.user_name), request.user_display_name);
    let algorithms = if request.algorithms.is_empty() { &[-7][..] } else { request.algorithms };
    let params = Value::Array(
        algorithms
            .iter()
            .map(|alg| Value::Map(vec![(text("alg"), int(*alg)), (text("type"), text("public-key"))]))
            .collect(),
    );
    let mut entries = vec![
        (int(1), Value::Bytes(request.client_data_hash.to_vec())),
        (int(2), rp),
        (int(3), user),
        (int(4), params),
    ];
    if !request.exclude.is_empty() {
        entries.push((int(5), descriptors(request.exclude)));
    }
    if let Some(extensions) = extensions_map(request.uvm, &request.extensions) {
        entries.push((int(6), extensions));
    }
    if let Some(options) = options(request.rk, true, request.uv) {
        entries.push((int(7), options));
    }
    if let Some((param, protocol)) = &request.pin_uv_auth {
        entries.push((int(8), Value::Bytes(param.clone())));
        entries.push((int(9), int(*protocol)));
    }
    encode(MAKE_CREDENTIAL, entries)
}

/// An authenticatorGetAssertion request (CTAP 2.1 §6.2), keys in canonical order.
pub fn get_assertion(request: &SignIn<'_>) -> Vec<u8> {
    let mut entries =
        vec![(int(1), text(request.rp_id)), (int(2), Value::Bytes(request.client_data_hash.to_vec()))];
    if !request.allow.is_empty() {
        entries.push((int(3), descriptors(request.allow)));
    }
    if let Some(extensions) = extensions_map(request.uvm, &request.extensions) {
        entries.push((int(4), extensions));
    }
    if let Some(options) = options(false, request.up, request.uv) {
        entries.push((int(5), options));
    }
    if let Some((param, protocol)) = &request.pin_uv_auth {
        entries.push((int(6), Value::Bytes(param.clone())));
        entries.push((int(7), int(*protocol)));
    }
    encode(GET_ASSERTION, entries)
}

/// A response split into its status byte and CBOR body.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// CTAP2_OK with a body.
    Ok(Value),
    /// An error status byte.
    Error(u8),
}

/// Splits an authenticator response; a malformed body is reported as an error string.
pub fn parse_reply(bytes: &[u8]) -> Result<Reply, String> {
    match bytes.split_first() {
        None => Err("empty response".into()),
        Some((0, body)) => ciborium::de::from_reader(body)
            .map(Reply::Ok)
            .map_err(|e| format!("response body is not CBOR: {e}")),
        Some((&status, _)) => Ok(Reply::Error(status)),
    }
}

/// Field `key` of an integer-keyed response map.
pub fn field(map: &Value, key: i64) -> Option<&Value> {
    map.as_map()?.iter().find(|(k, _)| k.as_integer() == Some(key.into())).map(|(_, v)| v)
}

/// The user handle of a getAssertion response (member 0x04 `user.id`), in base64url.
pub fn assertion_user_handle(body: &Value) -> Option<String> {
    field(body, 4).and_then(|user| text_field(user, "id")).and_then(Value::as_bytes).map(|id| base64url(id))
}

/// Field `key` of a text-keyed map.
pub fn text_field<'a>(map: &'a Value, key: &str) -> Option<&'a Value> {
    map.as_map()?.iter().find(|(k, _)| k.as_text() == Some(key)).map(|(_, v)| v)
}
