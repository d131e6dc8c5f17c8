//! The `fido-u2f` attestation statement format (WebAuthn L3 §8.6): the steps of its
//! verification procedure that `webauthn-rs-core` does not take, and the key identifier FIDO
//! MDS3 finds a U2F model by.
//!
//! `webauthn-rs-core` checks the CBOR of the statement, that x5c holds one certificate, that the
//! credential key is ES256, and the signature over verificationData
//! (0x00 ‖ rpIdHash ‖ clientDataHash ‖ credentialId ‖ publicKeyU2F). It does not check that the
//! *certificate's* key is an EC key on P-256, nor that the AAGUID is zero; this module does,
//! before the library runs, so that each refusal names its cause.

use ciborium::Value;
use der::Decode as _;
use der::asn1::ObjectIdentifier;
use x509_cert::Certificate;

use super::CeremonyError;
use crate::metadata::KeyIdentifier;

/// The statement format identifier (WebAuthn L3 §8.6).
pub const FORMAT: &str = "fido-u2f";

/// `id-ecPublicKey` (RFC 5480 §2.1.1).
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `secp256r1`, P-256 (RFC 5480 §2.1.1.1).
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

/// Where the AAGUID sits in authenticator data with attested credential data: after rpIdHash
/// (32 bytes), flags (1) and signCount (4) (WebAuthn L3 §6.5.2).
const AAGUID_RANGE: std::ops::Range<usize> = 37..53;

fn invalid(reason: impl Into<String>) -> CeremonyError {
    CeremonyError::InvalidAttestation(format!("fido-u2f: {}", reason.into()))
}

/// WebAuthn L3 §8.6 verification procedure, for an attestation object whose `fmt` is
/// `fido-u2f` (any other format passes untouched): x5c holds exactly one certificate, whose
/// public key is an EC key on P-256, and the attested AAGUID is zero (a U2F authenticator has
/// none; the client writes zeros, CTAP 2.1 §10.2).
pub(super) fn check_statement(attestation_object: &[u8]) -> Result<(), CeremonyError> {
    let object: Value = ciborium::de::from_reader(attestation_object)
        .map_err(|e| CeremonyError::Malformed(format!("attestationObject: {e}")))?;
    if member(&object, "fmt").and_then(Value::as_text) != Some(FORMAT) {
        return Ok(());
    }
    // "Check that x5c has exactly one element and let attCert be that element."
    let x5c = member(&object, "attStmt")
        .and_then(|statement| member(statement, "x5c"))
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("attStmt has no x5c array"))?;
    let [certificate] = x5c.as_slice() else {
        return Err(invalid(format!("x5c holds {} certificates; exactly one is allowed", x5c.len())));
    };
    let der = certificate.as_bytes().ok_or_else(|| invalid("the x5c element is not a byte string"))?;
    let certificate =
        Certificate::from_der(der).map_err(|e| invalid(format!("the attestation certificate: {e}")))?;
    // "If certificate public key is not an Elliptic Curve (EC) public key over the P-256 curve,
    // terminate this algorithm and return an appropriate error."
    if !is_p256_key(&certificate) {
        return Err(invalid("the attestation certificate's public key is not an EC key on P-256"));
    }
    let auth_data = member(&object, "authData").and_then(Value::as_bytes);
    match auth_data.and_then(|data| data.get(AAGUID_RANGE)) {
        Some(aaguid) if aaguid.iter().all(|&byte| byte == 0) => Ok(()),
        Some(_) => Err(invalid("the AAGUID of a U2F credential must be zero")),
        // Authenticator data without attested credential data: the library names that.
        None => Ok(()),
    }
}

/// Whether the certificate's subjectPublicKeyInfo is `id-ecPublicKey` with the named curve
/// `secp256r1`.
fn is_p256_key(certificate: &Certificate) -> bool {
    let algorithm = &certificate.tbs_certificate().subject_public_key_info().algorithm;
    let curve =
        algorithm.parameters.as_ref().and_then(|parameters| parameters.decode_as::<ObjectIdentifier>().ok());
    algorithm.oid == ID_EC_PUBLIC_KEY && curve == Some(SECP256R1)
}

/// The key identifier of an attestation certificate (MDS3 §3.1.1
/// `attestationCertificateKeyIdentifiers`).
pub(super) fn key_identifier(certificate: &Certificate) -> Option<KeyIdentifier> {
    let key = certificate.tbs_certificate().subject_public_key_info().subject_public_key.as_bytes()?;
    Some(KeyIdentifier::of_subject_public_key(key))
}

/// Member `name` of a text-keyed CBOR map.
fn member<'a>(map: &'a Value, name: &str) -> Option<&'a Value> {
    map.as_map()?.iter().find(|(key, _)| key.as_text() == Some(name)).map(|(_, value)| value)
}

#[cfg(test)]
mod tests;
