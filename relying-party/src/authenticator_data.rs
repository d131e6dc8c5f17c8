//! Evidence from the signed authenticator data of a verified assertion (WebAuthn L3 §6.1):
//! the UP, UV, BE and BS flags and the `uvm` extension output (WebAuthn L2 §10.3), which
//! WebAuthn libraries verify but do not hand back.

use ciborium::Value;

use crate::evidence::{AssertionEvidence, Attestation, KeyStorage, UvMethod, UvmReport};

/// Flag bits (WebAuthn L3 §6.1).
const UP: u8 = 0x01;
const UV: u8 = 0x04;
const BE: u8 = 0x08;
const BS: u8 = 0x10;
const AT: u8 = 0x40;
const ED: u8 = 0x80;
/// FIDO Registry §3.2: KEY_PROTECTION_SOFTWARE.
const KEY_PROTECTION_SOFTWARE: u64 = 0x0001;

/// Why authenticator data could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthDataError {
    /// Shorter than the fixed 37-byte prefix.
    #[error("authenticator data of {0} bytes is shorter than 37")]
    TooShort(usize),
    /// Attested credential data in an assertion.
    #[error("an assertion's authenticator data carries attested credential data")]
    UnexpectedAttestedData,
    /// The extension map is not CBOR, or bytes follow it.
    #[error("malformed extension data: {0}")]
    Extensions(String),
    /// The `uvm` output is not `[[method, keyProtection, matcherProtection], ...]`.
    #[error("malformed uvm output")]
    Uvm,
}

/// Reads the evidence of an assertion's authenticator data (already signature-checked by the
/// caller), together with the attestation judged when the credential was registered.
pub fn assertion_evidence(
    auth_data: &[u8],
    attestation: Attestation,
) -> Result<AssertionEvidence, AuthDataError> {
    if auth_data.len() < 37 {
        return Err(AuthDataError::TooShort(auth_data.len()));
    }
    let flags = auth_data[32];
    if flags & AT != 0 {
        return Err(AuthDataError::UnexpectedAttestedData);
    }
    let uvm = if flags & ED != 0 { uvm_output(&auth_data[37..])? } else { None };
    Ok(AssertionEvidence {
        user_present: flags & UP != 0,
        user_verified: flags & UV != 0,
        backup_eligible: flags & BE != 0,
        backup_state: flags & BS != 0,
        uvm,
        attestation,
    })
}

/// The `uvm` entry of the extension map, if the authenticator sent one.
fn uvm_output(mut extensions: &[u8]) -> Result<Option<UvmReport>, AuthDataError> {
    let map: Value =
        ciborium::de::from_reader(&mut extensions).map_err(|e| AuthDataError::Extensions(e.to_string()))?;
    if !extensions.is_empty() {
        return Err(AuthDataError::Extensions(format!("{} bytes after the extension map", extensions.len())));
    }
    let entries = map.as_map().ok_or_else(|| AuthDataError::Extensions("not a map".into()))?;
    let Some((_, uvm)) = entries.iter().find(|(key, _)| key.as_text() == Some("uvm")) else {
        return Ok(None);
    };
    // The first entry is the method this ceremony used.
    let entry =
        uvm.as_array().and_then(|all| all.first()).and_then(Value::as_array).ok_or(AuthDataError::Uvm)?;
    let number = |i: usize| -> Result<u64, AuthDataError> {
        entry.get(i).and_then(Value::as_integer).and_then(|n| u64::try_from(n).ok()).ok_or(AuthDataError::Uvm)
    };
    let method = u32::try_from(number(0)?).ok().and_then(UvMethod::from_fido_bit);
    let key_protection = number(1)?;
    let key_storage = if key_protection & KEY_PROTECTION_SOFTWARE != 0 {
        Some(KeyStorage::Software)
    } else if key_protection != 0 {
        Some(KeyStorage::Hardware)
    } else {
        None
    };
    number(2)?;
    Ok(Some(UvmReport { method, key_storage }))
}

#[cfg(test)]
mod tests {
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
            evidence.user_present
                && evidence.user_verified
                && evidence.backup_eligible
                && evidence.backup_state
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
            assert_eq!(
                evidence.uvm,
                Some(UvmReport { method: expected_method, key_storage: expected_storage })
            );
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
                Value::Array(vec![Value::Map(vec![
                    (text("alg"), int(-7)),
                    (text("type"), text("public-key")),
                ])]),
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
        assert!(matches!(
            assertion_evidence(&truncated, Attestation::None),
            Err(AuthDataError::Extensions(_))
        ));
        let bad_uvm = Value::Map(vec![(Value::Text("uvm".into()), Value::Text("fingerprint".into()))]);
        assert_eq!(
            assertion_evidence(&auth_data(UP, Some(bad_uvm)), Attestation::None),
            Err(AuthDataError::Uvm)
        );
        let mut trailing = auth_data(UP, Some(uvm(2, 2)));
        trailing.push(0);
        assert!(matches!(
            assertion_evidence(&trailing, Attestation::None),
            Err(AuthDataError::Extensions(_))
        ));
    }
}
