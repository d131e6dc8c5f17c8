//! FIDO Metadata Statements (MDS 3.0 format) for softfido's authenticator models.
//!
//! One statement per [`Model`], keyed by its AAGUID. Each lists exactly that model's
//! `keyProtection` and `userVerificationDetails`, so a relying party that looks the AAGUID up can
//! tell models apart, and names the softfido test root in `attestationRootCertificates`, so
//! `packed` basic attestation from [`crate::attestation::batch_identity`] with
//! [`AttestationRoot::Trusted`] chains to a listed root (and the untrusted root's does not).
//!
//! A model used as a U2F key (generation `u2f`) has no AAGUID: its statement
//! ([`u2f_metadata_statement`]) names it by the key identifier of its batch certificate (FIDO
//! Metadata Statement §4 `attestationCertificateKeyIdentifiers`).
//!
//! [`write_metadata_dir`] writes the directory format the relying party loads: one
//! `<aaguid>.json` and one `u2f-<key identifier>.json` per model, plus the root as PEM.

use std::io;
use std::path::{Path, PathBuf};

use base64ct::{Base64, Encoding};
use serde_json::{Value, json};

use crate::attestation::{
    AttestationRoot, aaguid, aaguid_string, batch_identity, root_certificate_der, root_certificate_pem,
};
use crate::config::{KeyProtection, Model, UvKind};

/// The `legalHeader` of every softfido statement.
pub const LEGAL_HEADER: &str = "softfido test metadata. The attestation root's private key is derived from a \
     public label: trust it only to test relying parties, never to admit real authenticators.";

/// File name of the trusted root certificate (PEM) in a metadata directory.
pub const ROOT_PEM_FILE_NAME: &str = "softfido-test-root.pem";

/// FIDO Registry `userVerificationMethod` name for a touch (user presence).
const PRESENCE: &str = "presence_internal";
/// FIDO Registry name for a PIN entered on the platform and sent to the authenticator (CTAP
/// clientPIN): the authenticator verifies it, the platform collects it.
const PASSCODE_EXTERNAL: &str = "passcode_external";

/// The model's `userVerificationDetails`: alternatives (outer list, OR) of method combinations
/// (inner lists, AND), as FIDO Registry `userVerificationMethod` names.
///
/// Every model can be used with a touch alone (UP without UV); a model with UV also offers UV
/// together with the touch (CTAP collects presence with the PIN or the biometric).
pub fn user_verification_details(uv: UvKind) -> Vec<Vec<&'static str>> {
    match uv {
        UvKind::None => vec![vec![PRESENCE]],
        UvKind::ClientPin => vec![vec![PRESENCE], vec![PASSCODE_EXTERNAL, PRESENCE]],
        UvKind::Builtin(modality) => vec![vec![PRESENCE], vec![modality.fido_name(), PRESENCE]],
    }
}

/// The model's `matcherProtection`: where user verification is matched. Software keys imply a
/// software matcher, TEE keys a TEE one; hardware and secure-element models match on chip.
pub fn matcher_protection(key_protection: KeyProtection) -> &'static str {
    match key_protection {
        KeyProtection::Software => "software",
        KeyProtection::Tee => "tee",
        KeyProtection::Hardware | KeyProtection::SecureElement => "on_chip",
    }
}

/// The metadata statement of `model` (FIDO Metadata Statement 3.0, `schema` 3).
pub fn metadata_statement(model: Model) -> Value {
    let id = aaguid(model);
    let uv_details: Vec<Vec<Value>> = user_verification_details(model.uv)
        .into_iter()
        .map(|and| and.into_iter().map(|method| json!({ "userVerificationMethod": method })).collect())
        .collect();
    json!({
        "legalHeader": LEGAL_HEADER,
        "aaguid": aaguid_string(&id),
        "description": model.description(),
        "authenticatorVersion": 1,
        "protocolFamily": "fido2",
        "schema": 3,
        // FIDO2 upv: 1.1 is CTAP 2.1, 1.0 is CTAP 2.0.
        "upv": [{ "major": 1, "minor": 1 }, { "major": 1, "minor": 0 }],
        "authenticationAlgorithms": ["secp256r1_ecdsa_sha256_raw", "ed25519_eddsa_sha512_raw"],
        "publicKeyAlgAndEncodings": ["cose"],
        // packed basic = basic_full (batch certificate chain); packed self = basic_surrogate.
        "attestationTypes": ["basic_full", "basic_surrogate"],
        "userVerificationDetails": uv_details,
        "keyProtection": model.key_protection.fido_names(),
        "matcherProtection": [matcher_protection(model.key_protection)],
        "cryptoStrength": 128,
        "attachmentHint": ["external", "wired"],
        "tcDisplay": [],
        "attestationRootCertificates": [Base64::encode_string(root_certificate_der(AttestationRoot::Trusted))],
        "authenticatorGetInfo": authenticator_get_info(model, &id),
    })
}

/// The `authenticatorGetInfo` member: exactly what a provisioned device of this model (PIN set,
/// biometric enrolled) answers to authenticatorGetInfo, from the same code
/// ([`crate::ctap2::get_info::model_info`]), so the statement cannot claim what the device lacks.
fn authenticator_get_info(model: Model, id: &[u8; 16]) -> Value {
    let info = crate::ctap2::get_info::model_info(model);
    let options: serde_json::Map<String, Value> =
        info.options.iter().map(|(name, value)| ((*name).to_owned(), Value::Bool(*value))).collect();
    let algorithms: Vec<Value> =
        info.algorithms.iter().flatten().map(|alg| json!({ "type": "public-key", "alg": alg })).collect();
    let mut out = json!({
        "versions": info.versions,
        "extensions": info.extensions,
        "aaguid": hex::encode(id),
        "options": options,
        "maxMsgSize": info.max_msg_size,
        "maxCredentialCountInList": info.max_credential_count_in_list,
        "maxCredentialIdLength": info.max_credential_id_length,
        "transports": info.transports,
        "algorithms": algorithms,
        "firmwareVersion": info.firmware_version,
    });
    if !info.pin_uv_auth_protocols.is_empty() {
        out["pinUvAuthProtocols"] = json!(info.pin_uv_auth_protocols);
    }
    if let Some(min) = info.min_pin_length {
        out["minPINLength"] = json!(min);
    }
    if let Some(length) = info.max_cred_blob_length {
        out["maxCredBlobLength"] = json!(length);
    }
    if let Some(count) = info.max_rp_ids_for_set_min_pin_length {
        out["maxRPIDsForSetMinPINLength"] = json!(count);
    }
    if let Some(modality) = info.uv_modality {
        out["uvModality"] = json!(modality);
    }
    out
}

/// The key identifier of `model`'s batch certificate under the trusted root: the SHA-1 of the
/// certificate's subjectPublicKey bit string (the uncompressed P-256 point), as lower-case hex
/// (FIDO Metadata Statement §4 `attestationCertificateKeyIdentifiers`, RFC 5280 §4.2.1.2 (1)).
pub fn u2f_key_identifier(model: Model) -> String {
    use sha1::{Digest, Sha1};
    let batch = batch_identity(model, AttestationRoot::Trusted);
    let point = batch.signing_key.verifying_key().to_sec1_point(false);
    hex::encode(Sha1::digest(point.as_bytes()))
}

/// The statement of `model` used as a U2F key (FIDO Metadata Statement §4, `protocolFamily`
/// u2f): named by its batch certificate's key identifier, since U2F has no AAGUID; presence is
/// the only test U2F has (FIDO U2F Raw Message Formats §4.1: the user presence byte), whatever
/// the model could verify through CTAP2.
pub fn u2f_metadata_statement(model: Model) -> Value {
    json!({
        "legalHeader": LEGAL_HEADER,
        "attestationCertificateKeyIdentifiers": [u2f_key_identifier(model)],
        "description": format!("{} (U2F)", model.description()),
        "authenticatorVersion": 1,
        "protocolFamily": "u2f",
        "schema": 3,
        "upv": [{ "major": 1, "minor": 2 }],
        "authenticationAlgorithms": ["secp256r1_ecdsa_sha256_raw"],
        "publicKeyAlgAndEncodings": ["ecc_x962_raw"],
        "attestationTypes": ["basic_full"],
        "userVerificationDetails": [[{ "userVerificationMethod": PRESENCE }]],
        "keyProtection": model.key_protection.fido_names(),
        "matcherProtection": [matcher_protection(model.key_protection)],
        "cryptoStrength": 128,
        "attachmentHint": ["external", "wired"],
        "tcDisplay": [],
        "attestationRootCertificates": [Base64::encode_string(root_certificate_der(AttestationRoot::Trusted))],
    })
}

/// Writes one pretty-printed `<aaguid>.json` statement and one `u2f-<key identifier>.json` per
/// model and [`ROOT_PEM_FILE_NAME`] into `dir` (created if missing). Returns the paths written,
/// statements first.
pub fn write_metadata_dir(dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for model in Model::all() {
        let statements = [
            (format!("{}.json", aaguid_string(&aaguid(model))), metadata_statement(model)),
            (format!("u2f-{}.json", u2f_key_identifier(model)), u2f_metadata_statement(model)),
        ];
        for (name, statement) in statements {
            let path = dir.join(name);
            let mut text = serde_json::to_string_pretty(&statement)?;
            text.push('\n');
            std::fs::write(&path, text)?;
            written.push(path);
        }
    }
    let root = dir.join(ROOT_PEM_FILE_NAME);
    std::fs::write(&root, root_certificate_pem(AttestationRoot::Trusted))?;
    written.push(root);
    Ok(written)
}

#[cfg(test)]
mod tests;
