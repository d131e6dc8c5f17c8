//! An independent reading of what the authenticator signed: authenticator data (WebAuthn L3
//! §6.1), COSE public keys, assertion signatures and packed attestation (§8.2).

use ciborium::Value;
use der::{Decode, Encode};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{DerSignature, VerifyingKey};
use x509_cert::Certificate;

use crate::client::text_field;

/// The FIDO AAGUID certificate extension (WebAuthn L3 §8.2.1).
const AAGUID_EXTENSION: &str = "1.3.6.1.4.1.45724.1.1.4";

/// Parsed authenticator data.
#[derive(Clone, Debug)]
pub struct AuthData {
    /// SHA-256 of the RP ID.
    pub rp_id_hash: [u8; 32],
    /// The flags byte.
    pub flags: u8,
    /// The signature counter.
    pub counter: u32,
    /// AAGUID, credential ID and public key, when attested credential data is present.
    pub attested: Option<([u8; 16], Vec<u8>, VerifyingKey)>,
    /// The extension outputs map.
    pub extensions: Option<Value>,
}

/// Parses authenticator data; every structural problem is a readable error.
pub fn parse_auth_data(bytes: &[u8]) -> Result<AuthData, String> {
    if bytes.len() < 37 {
        return Err(format!("authenticator data of {} bytes is too short", bytes.len()));
    }
    let rp_id_hash: [u8; 32] = bytes[..32].try_into().map_err(|_| "rpIdHash")?;
    let flags = bytes[32];
    let counter = u32::from_be_bytes([bytes[33], bytes[34], bytes[35], bytes[36]]);
    let mut rest = &bytes[37..];
    let attested = if flags & 0x40 != 0 {
        if rest.len() < 18 {
            return Err("attested credential data truncated".into());
        }
        let aaguid: [u8; 16] = rest[..16].try_into().map_err(|_| "aaguid")?;
        let id_len = usize::from(u16::from_be_bytes([rest[16], rest[17]]));
        let id = rest.get(18..18 + id_len).ok_or("credential ID truncated")?.to_vec();
        rest = &rest[18 + id_len..];
        let cose: Value = ciborium::de::from_reader(&mut rest).map_err(|e| format!("COSE key: {e}"))?;
        Some((aaguid, id, cose_es256_key(&cose)?))
    } else {
        None
    };
    let extensions = if flags & 0x80 != 0 {
        Some(ciborium::de::from_reader(&mut rest).map_err(|e| format!("extensions: {e}"))?)
    } else {
        None
    };
    if !rest.is_empty() {
        return Err(format!("{} trailing bytes after authenticator data", rest.len()));
    }
    Ok(AuthData { rp_id_hash, flags, counter, attested, extensions })
}

/// A COSE EC2 P-256 ES256 key (RFC 9053 §7.1.1).
pub fn cose_es256_key(cose: &Value) -> Result<VerifyingKey, String> {
    let get = |k: i64| {
        cose.as_map()
            .and_then(|m| m.iter().find(|(key, _)| key.as_integer() == Some(k.into())))
            .map(|(_, v)| v.clone())
            .ok_or(format!("COSE key lacks label {k}"))
    };
    let expect_int = |k: i64, want: i64| -> Result<(), String> {
        match get(k)?.as_integer() {
            Some(v) if v == want.into() => Ok(()),
            other => Err(format!("COSE label {k}: expected {want}, got {other:?}")),
        }
    };
    expect_int(1, 2)?;
    expect_int(3, -7)?;
    expect_int(-1, 1)?;
    let mut sec1 = vec![0x04];
    sec1.extend(get(-2)?.as_bytes().ok_or("x is not bytes")?);
    sec1.extend(get(-3)?.as_bytes().ok_or("y is not bytes")?);
    VerifyingKey::from_sec1_bytes(&sec1).map_err(|e| format!("COSE key is not a P-256 point: {e}"))
}

/// Verifies an ES256 (DER) signature over `authData || clientDataHash`.
pub fn verify_signature(
    key: &VerifyingKey,
    auth_data: &[u8],
    cdh: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    let signature = DerSignature::from_bytes(signature).map_err(|e| format!("signature is not DER: {e}"))?;
    let mut signed = auth_data.to_vec();
    signed.extend_from_slice(cdh);
    key.verify(&signed, &signature).map_err(|_| "signature does not verify".to_owned())
}

/// What a verified attestation statement amounts to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifiedAttestation {
    /// Format `none`.
    None,
    /// `packed` self attestation, signature checked with the credential key.
    SelfSigned,
    /// `packed` basic: signature checked with the certificate key; `trusted` when the
    /// certificate chains to one of the given roots.
    Basic {
        /// Chains to a trusted root.
        trusted: bool,
    },
}

/// Verifies a packed or none attestation statement (WebAuthn L3 §8.2 verification procedure).
pub fn verify_attestation(
    format: &str,
    statement: &Value,
    auth_data: &[u8],
    cdh: &[u8],
    credential_key: &VerifyingKey,
    aaguid: &[u8; 16],
    trusted_roots: &[Vec<u8>],
) -> Result<VerifiedAttestation, String> {
    match format {
        "none" => {
            if statement.as_map().is_some_and(|m| m.is_empty()) {
                Ok(VerifiedAttestation::None)
            } else {
                Err("none attestation with a non-empty statement".into())
            }
        }
        "packed" => {
            let alg = text_field(statement, "alg").and_then(Value::as_integer).ok_or("packed: no alg")?;
            if alg != (-7).into() {
                return Err(format!("packed: unexpected alg {alg:?}"));
            }
            let sig = text_field(statement, "sig").and_then(Value::as_bytes).ok_or("packed: no sig")?;
            match text_field(statement, "x5c").and_then(Value::as_array) {
                None => verify_signature(credential_key, auth_data, cdh, sig)
                    .map(|()| VerifiedAttestation::SelfSigned),
                Some(chain) => {
                    let leaf = chain.first().and_then(Value::as_bytes).ok_or("packed: empty x5c")?;
                    let certificate = Certificate::from_der(leaf).map_err(|e| format!("x5c[0]: {e}"))?;
                    verify_signature(&certificate_key(&certificate)?, auth_data, cdh, sig)?;
                    check_aaguid_extension(&certificate, aaguid)?;
                    let trusted =
                        trusted_roots.iter().any(|root| issued_by(&certificate, root).unwrap_or(false));
                    Ok(VerifiedAttestation::Basic { trusted })
                }
            }
        }
        other => Err(format!("unexpected attestation format {other:?}")),
    }
}

pub(super) fn certificate_key(certificate: &Certificate) -> Result<VerifyingKey, String> {
    let spki = &certificate.tbs_certificate().subject_public_key_info();
    let bits = spki.subject_public_key.as_bytes().ok_or("certificate key has unused bits")?;
    VerifyingKey::from_sec1_bytes(bits).map_err(|e| format!("certificate key: {e}"))
}

/// §8.2.1: the AAGUID extension, when present, must equal the authData AAGUID.
pub(super) fn check_aaguid_extension(certificate: &Certificate, aaguid: &[u8; 16]) -> Result<(), String> {
    let extensions = certificate.tbs_certificate().extensions().map(|e| e.as_slice()).unwrap_or_default();
    let Some(extension) = extensions.iter().find(|e| e.extn_id.to_string() == AAGUID_EXTENSION) else {
        return Err("batch certificate lacks the AAGUID extension".into());
    };
    if extension.critical {
        return Err("the AAGUID extension must not be critical".into());
    }
    let inner = der::asn1::OctetString::from_der(extension.extn_value.as_bytes())
        .map_err(|e| format!("AAGUID extension: {e}"))?;
    if inner.as_bytes() != aaguid {
        return Err("the certificate AAGUID differs from the authenticator data".into());
    }
    Ok(())
}

/// Whether `root_der` signed `certificate`.
pub(super) fn issued_by(certificate: &Certificate, root_der: &[u8]) -> Result<bool, String> {
    let root = Certificate::from_der(root_der).map_err(|e| e.to_string())?;
    let key = certificate_key(&root)?;
    let tbs = certificate.tbs_certificate().to_der().map_err(|e| e.to_string())?;
    let signature = certificate.signature().as_bytes().ok_or("signature bits")?;
    let signature = DerSignature::from_bytes(signature).map_err(|e| e.to_string())?;
    Ok(key.verify(&tbs, &signature).is_ok())
}
