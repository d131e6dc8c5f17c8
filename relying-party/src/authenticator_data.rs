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
    /// Bytes that the flags do not announce: after the 37-byte prefix, the attested credential
    /// data (AT) and the extension map (ED).
    #[error("{0} bytes follow the authenticator data that its flags do not announce")]
    Unannounced(usize),
    /// The attestation object or its attested credential data does not decode.
    #[error("malformed attested credential data: {0}")]
    AttestedData(String),
}

/// WebAuthn L3 §6.1, §6.5.1: a registration's authenticator data is the 37-byte prefix, the
/// attested credential data (AAGUID, credential ID length and ID, the COSE key), then the
/// extension map only when ED is set. `webauthn-rs-core` verifies what it reads of
/// `attestation_object` and ignores what follows; this refuses anything that follows.
pub fn check_registration_layout(attestation_object: &[u8]) -> Result<(), AuthDataError> {
    let malformed = |what: &str| AuthDataError::AttestedData(what.to_owned());
    let object: Value =
        ciborium::de::from_reader(attestation_object).map_err(|e| malformed(&e.to_string()))?;
    let auth_data = object
        .as_map()
        .and_then(|map| map.iter().find(|(key, _)| key.as_text() == Some("authData")))
        .and_then(|(_, value)| value.as_bytes())
        .ok_or_else(|| malformed("no authData"))?;
    let flags = *auth_data.get(32).ok_or(AuthDataError::TooShort(auth_data.len()))?;
    let mut rest = auth_data.get(37..).ok_or(AuthDataError::TooShort(auth_data.len()))?;
    if flags & AT != 0 {
        let id_length = rest.get(16..18).map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])));
        rest = id_length.and_then(|length| rest.get(18 + length..)).ok_or_else(|| malformed("truncated"))?;
        let _key: Value = ciborium::de::from_reader(&mut rest).map_err(|e| malformed(&e.to_string()))?;
    }
    if flags & ED != 0 {
        let _extensions: Value =
            ciborium::de::from_reader(&mut rest).map_err(|e| AuthDataError::Extensions(e.to_string()))?;
    }
    if rest.is_empty() { Ok(()) } else { Err(AuthDataError::Unannounced(rest.len())) }
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
    // WebAuthn L3 §6.1: an assertion's authenticator data is the 37-byte prefix, then the
    // extension map only when ED is set; anything else after it was signed but is not data.
    let uvm = match (flags & ED != 0, auth_data.len()) {
        (true, _) => uvm_output(&auth_data[37..])?,
        (false, 37) => None,
        (false, length) => return Err(AuthDataError::Unannounced(length - 37)),
    };
    Ok(AssertionEvidence {
        user_present: flags & UP != 0,
        user_verified: flags & UV != 0,
        backup_eligible: flags & BE != 0,
        backup_state: flags & BS != 0,
        uvm,
        attestation,
        // Not in the authenticator data: the caller adds what the client reported.
        unverified_client_attachment: None,
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
mod tests;
