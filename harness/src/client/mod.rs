//! The client side of CTAP2, written independently of the authenticator's own wire types: it
//! builds canonical requests by hand (so a mistake in either side shows up as a rejection) and
//! splits responses into status and CBOR body.

pub mod pin;
pub mod status;
pub mod webauthn;

use ciborium::Value;

/// makeCredential (0x01).
pub const MAKE_CREDENTIAL: u8 = 0x01;
/// getAssertion (0x02).
pub const GET_ASSERTION: u8 = 0x02;

/// What a makeCredential request asks for.
#[derive(Clone, Debug)]
pub struct Registration<'a> {
    /// RP ID.
    pub rp_id: &'a str,
    /// User handle.
    pub user_id: &'a [u8],
    /// User name.
    pub user_name: &'a str,
    /// SHA-256 of the client data.
    pub client_data_hash: [u8; 32],
    /// Discoverable credential.
    pub rk: bool,
    /// Ask for built-in user verification.
    pub uv: bool,
    /// Request the `uvm` extension.
    pub uvm: bool,
    /// pinUvAuthParam and pinUvAuthProtocol, when the platform holds a token.
    pub pin_uv_auth: Option<(Vec<u8>, i64)>,
}

/// What a getAssertion request asks for.
#[derive(Clone, Debug)]
pub struct SignIn<'a> {
    /// RP ID.
    pub rp_id: &'a str,
    /// SHA-256 of the client data.
    pub client_data_hash: [u8; 32],
    /// The allowList (username-first); `None` for a discoverable sign-in.
    pub allow: Option<&'a [u8]>,
    /// Test user presence (`false`: a silent assertion, CTAP 2.1 §6.2.2 `up` option).
    pub up: bool,
    /// Ask for built-in user verification.
    pub uv: bool,
    /// Request the `uvm` extension.
    pub uvm: bool,
    /// pinUvAuthParam and pinUvAuthProtocol, when the platform holds a token.
    pub pin_uv_auth: Option<(Vec<u8>, i64)>,
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

fn uvm_extension(uvm: bool) -> Option<Value> {
    uvm.then(|| Value::Map(vec![(text("uvm"), Value::Bool(true))]))
}

fn encode(command: u8, entries: Vec<(Value, Value)>) -> Vec<u8> {
    let mut out = vec![command];
    // Writing to a Vec cannot fail.
    let _ = ciborium::ser::into_writer(&Value::Map(entries), &mut out);
    out
}

/// An authenticatorMakeCredential request (CTAP 2.1 §6.1), keys in canonical order.
pub fn make_credential(request: &Registration<'_>) -> Vec<u8> {
    let rp = Value::Map(vec![(text("id"), text(request.rp_id))]);
    let user = Value::Map(vec![
        (text("id"), Value::Bytes(request.user_id.to_vec())),
        (text("name"), text(request.user_name)),
    ]);
    let params =
        Value::Array(vec![Value::Map(vec![(text("alg"), int(-7)), (text("type"), text("public-key"))])]);
    let mut entries = vec![
        (int(1), Value::Bytes(request.client_data_hash.to_vec())),
        (int(2), rp),
        (int(3), user),
        (int(4), params),
    ];
    if let Some(extensions) = uvm_extension(request.uvm) {
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
    if let Some(id) = request.allow {
        let descriptor =
            Value::Map(vec![(text("id"), Value::Bytes(id.to_vec())), (text("type"), text("public-key"))]);
        entries.push((int(3), Value::Array(vec![descriptor])));
    }
    if let Some(extensions) = uvm_extension(request.uvm) {
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

/// Field `key` of a text-keyed map.
pub fn text_field<'a>(map: &'a Value, key: &str) -> Option<&'a Value> {
    map.as_map()?.iter().find(|(k, _)| k.as_text() == Some(key)).map(|(_, v)| v)
}
