//! The CTAP2 requests the benchmarks send, encoded once, map keys in canonical order.

use ciborium::Value;

/// The relying party every benchmark request names.
pub const RP_ID: &str = "bench.softfido.example.com";

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn command(code: u8, parameters: &Value) -> Vec<u8> {
    let mut out = vec![code];
    ciborium::ser::into_writer(parameters, &mut out).unwrap();
    out
}

/// authenticatorMakeCredential (0x01): a non-discoverable ES256 credential, no options, the
/// user entity as a browser sends it (WebAuthn L3 §5.4.3: `displayName` is required).
pub fn make_credential() -> Vec<u8> {
    let parameters = Value::Map(vec![
        (Value::Integer(1.into()), Value::Bytes(vec![0xCD; 32])),
        (Value::Integer(2.into()), Value::Map(vec![(text("id"), text(RP_ID))])),
        (
            Value::Integer(3.into()),
            Value::Map(vec![
                (text("id"), Value::Bytes(vec![1, 2, 3])),
                (text("name"), text("alice")),
                (text("displayName"), text("Alice")),
            ]),
        ),
        (
            Value::Integer(4.into()),
            Value::Array(vec![Value::Map(vec![
                (text("alg"), Value::Integer((-7).into())),
                (text("type"), text("public-key")),
            ])]),
        ),
    ]);
    command(0x01, &parameters)
}

/// authenticatorGetAssertion (0x02) with `credential_id` in the allowList.
pub fn get_assertion(credential_id: &[u8]) -> Vec<u8> {
    let descriptor = Value::Map(vec![
        (text("id"), Value::Bytes(credential_id.to_vec())),
        (text("type"), text("public-key")),
    ]);
    let parameters = Value::Map(vec![
        (Value::Integer(1.into()), text(RP_ID)),
        (Value::Integer(2.into()), Value::Bytes(vec![0xCD; 32])),
        (Value::Integer(3.into()), Value::Array(vec![descriptor])),
    ]);
    command(0x02, &parameters)
}

/// The credential ID in a successful makeCredential response (status byte first): read from
/// the attested credential data of authData (WebAuthn L3 §6.5.1).
pub fn credential_id(response: &[u8]) -> Vec<u8> {
    assert_eq!(response[0], 0, "makeCredential succeeds");
    let body: Value = ciborium::de::from_reader(&response[1..]).unwrap();
    let auth_data = body.as_map().unwrap().iter().find(|(k, _)| k.as_integer() == Some(2.into())).unwrap();
    let auth_data = auth_data.1.as_bytes().unwrap();
    let len = u16::from_be_bytes([auth_data[53], auth_data[54]]) as usize;
    auth_data[55..55 + len].to_vec()
}
