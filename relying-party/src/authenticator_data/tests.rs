use super::*;

fn auth_data(flags: u8, extensions: Option<Value>) -> Vec<u8> {
    let mut out = vec![0u8; 32];
    out.push(flags | if extensions.is_some() { ED } else { 0 });
    out.extend_from_slice(&7u32.to_be_bytes());
    if let Some(extensions) = extensions {
        ciborium::ser::into_writer(&extensions, &mut out).expect("encodes");
    }
    out
}

fn uvm(method: u64, key_protection: u64) -> Value {
    let entry = Value::Array(vec![method.into(), key_protection.into(), 4u64.into()]);
    Value::Map(vec![(Value::Text("uvm".into()), Value::Array(vec![entry]))])
}

#[test]
fn flags_are_read() {
    let evidence =
        assertion_evidence(&auth_data(UP | UV | BE | BS, None), Attestation::None).expect("parses");
    assert!(
        evidence.user_present && evidence.user_verified && evidence.backup_eligible && evidence.backup_state
    );
    let evidence = assertion_evidence(&auth_data(0, None), Attestation::None).expect("parses");
    assert!(!evidence.user_present && !evidence.user_verified && !evidence.backup_eligible);
    assert_eq!(evidence.uvm, None);
}

#[test]
fn uvm_names_the_method_and_the_key_storage() {
    let cases = [
        (0x0002, 0x0002, Some(UvMethod::Fingerprint), Some(KeyStorage::Hardware)),
        (0x0800, 0x000A, Some(UvMethod::Knowledge), Some(KeyStorage::Hardware)),
        (0x0010, 0x0001, Some(UvMethod::Face), Some(KeyStorage::Software)),
        (0x0001, 0x0006, None, Some(KeyStorage::Hardware)),
    ];
    for (method, protection, expected_method, expected_storage) in cases {
        let data = auth_data(UP | UV, Some(uvm(method, protection)));
        let evidence = assertion_evidence(&data, Attestation::None).expect("parses");
        assert_eq!(evidence.uvm, Some(UvmReport { method: expected_method, key_storage: expected_storage }));
    }
}

/// Authenticator data as the softfido platform profile signs it (fingerprint, TEE keys).
#[test]
fn a_real_platform_assertion_reads_as_fingerprint_on_hardware() {
    use softfido_authenticator::{Authenticator, Profile, Signals, store::MemoryStore};
    let text = |s: &str| Value::Text(s.into());
    let int = |i: i64| Value::Integer(i.into());
    let mut auth = Authenticator::new(Profile::Platform.config(), MemoryStore::new()).expect("starts");
    let mut request = vec![0x01];
    let make = Value::Map(vec![
        (int(1), Value::Bytes(vec![1; 32])),
        (int(2), Value::Map(vec![(text("id"), text("rp.example"))])),
        (int(3), Value::Map(vec![(text("id"), Value::Bytes(vec![1]))])),
        (
            int(4),
            Value::Array(vec![Value::Map(vec![(text("alg"), int(-7)), (text("type"), text("public-key"))])]),
        ),
        (int(7), Value::Map(vec![(text("rk"), Value::Bool(true)), (text("uv"), Value::Bool(true))])),
    ]);
    ciborium::ser::into_writer(&make, &mut request).expect("encodes");
    assert_eq!(auth.process(&request, &Signals::new())[0], 0);
    let mut request = vec![0x02];
    let get = Value::Map(vec![
        (int(1), text("rp.example")),
        (int(2), Value::Bytes(vec![2; 32])),
        (int(4), Value::Map(vec![(text("uvm"), Value::Bool(true))])),
        (int(5), Value::Map(vec![(text("uv"), Value::Bool(true))])),
    ]);
    ciborium::ser::into_writer(&get, &mut request).expect("encodes");
    let response = auth.process(&request, &Signals::new());
    assert_eq!(response[0], 0);
    let body: Value = ciborium::de::from_reader(&response[1..]).expect("cbor");
    let auth_data = body
        .as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.as_integer() == Some(2.into())))
        .and_then(|(_, v)| v.as_bytes())
        .expect("authData");
    let evidence = assertion_evidence(auth_data, Attestation::None).expect("parses");
    assert!(evidence.user_present && evidence.user_verified && !evidence.backup_eligible);
    assert_eq!(
        evidence.uvm,
        Some(UvmReport { method: Some(UvMethod::Fingerprint), key_storage: Some(KeyStorage::Hardware) })
    );
}

#[test]
fn malformed_data_is_named() {
    assert_eq!(assertion_evidence(&[0; 10], Attestation::None), Err(AuthDataError::TooShort(10)));
    assert_eq!(
        assertion_evidence(&auth_data(UP | AT, None), Attestation::None),
        Err(AuthDataError::UnexpectedAttestedData)
    );
    let mut truncated = auth_data(UP, None);
    truncated[32] |= ED;
    assert!(matches!(assertion_evidence(&truncated, Attestation::None), Err(AuthDataError::Extensions(_))));
    let bad_uvm = Value::Map(vec![(Value::Text("uvm".into()), Value::Text("fingerprint".into()))]);
    assert_eq!(assertion_evidence(&auth_data(UP, Some(bad_uvm)), Attestation::None), Err(AuthDataError::Uvm));
    let mut trailing = auth_data(UP, Some(uvm(2, 2)));
    trailing.push(0);
    assert!(matches!(assertion_evidence(&trailing, Attestation::None), Err(AuthDataError::Extensions(_))));
}

#[test]
fn bytes_the_flags_do_not_announce_are_refused() {
    // ED = 0: nothing may follow the 37-byte prefix (WebAuthn L3 §6.1), neither garbage nor an
    // extension map sent without its flag.
    let mut garbage = auth_data(UP, None);
    garbage.extend_from_slice(&[0xDE, 0xAD]);
    assert_eq!(assertion_evidence(&garbage, Attestation::None), Err(AuthDataError::Unannounced(2)));
    let mut unflagged = auth_data(UP, Some(uvm(2, 2)));
    unflagged[32] &= !ED;
    let extra = unflagged.len() - 37;
    assert_eq!(assertion_evidence(&unflagged, Attestation::None), Err(AuthDataError::Unannounced(extra)));
}
