//! `create()` and `get()` on a U2F-only key, as browsers fall back to one (CTAP 2.1 §10
//! "Interoperating with CTAP1/U2F authenticators"): the harness's U2F client
//! ([`crate::client::u2f`]) speaks the APDUs, and this module adds what the page sees: the
//! DOMException of each refusal, the attachment and transports, and the attestation withheld
//! unless the RP asked for it (WebAuthn L3 §5.1.3 step 20.3).
//!
//! A U2F key signs only with ES256, keeps no discoverable credential and cannot verify the user:
//! a ceremony that needs any of these ends before the key is asked.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::client::{Caller, Device};
use super::dom::{DomException, DomExceptionName};
use super::extensions::{CreateExtensions, GetExtensions};
use crate::client::base64url;
use crate::client::u2f::{SW_CONDITIONS_NOT_SATISFIED, U2fKey, U2fRefusal, status_word_name};

/// ES256, the one algorithm of U2F (FIDO U2F Raw Message Formats: P-256 keys, ECDSA over SHA-256).
const ES256: i64 = -7;

/// The options of a registration that a U2F key can serve.
pub struct U2fCreate<'a> {
    /// The RP ID the caller may use.
    pub rp_id: &'a str,
    /// The challenge.
    pub challenge: &'a [u8],
    /// `pubKeyCredParams`, public-key algorithms only.
    pub algorithms: &'a [i64],
    /// excludeCredentials' IDs.
    pub exclude: &'a [Vec<u8>],
    /// The options JSON (authenticatorSelection, attestation, extensions).
    pub options: &'a Value,
}

fn refused(detail: impl Into<String>) -> DomException {
    DomException::new(DomExceptionName::NotAllowedError, detail)
}

/// What a browser raises when the key refuses (U2F status words; a missing touch is the
/// browser's timeout).
fn exception(refusal: U2fRefusal) -> DomException {
    match refusal {
        U2fRefusal::Excluded => DomException::new(
            DomExceptionName::InvalidStateError,
            "the U2F key holds a credential of excludeCredentials",
        ),
        U2fRefusal::Status(SW_CONDITIONS_NOT_SATISFIED) => refused("the U2F key saw no touch"),
        U2fRefusal::Status(status) => refused(format!("the U2F key answered {}", status_word_name(status))),
        U2fRefusal::Malformed(what) => refused(format!("the U2F key's answer: {what}")),
    }
}

/// `create()` on a U2F key (CTAP 2.1 §10.2).
pub fn create(
    device: &mut Device<'_>,
    caller: &Caller,
    request: &U2fCreate<'_>,
) -> Result<Value, DomException> {
    if !request.algorithms.contains(&ES256) {
        return Err(DomException::new(
            DomExceptionName::NotSupportedError,
            "a U2F key signs with ES256 only",
        ));
    }
    let selection = &request.options["authenticatorSelection"];
    if selection["residentKey"].as_str() == Some("required") || selection["requireResidentKey"] == true {
        return Err(refused("a U2F key keeps no discoverable credential"));
    }
    if selection["userVerification"].as_str() == Some("required") {
        return Err(refused("a U2F key cannot verify the user"));
    }
    let extensions = CreateExtensions::read(&request.options["extensions"])?;
    let client_data = caller.client_data("webauthn.create", request.challenge);
    let client_data_hash: [u8; 32] = Sha256::digest(&client_data).into();
    let rp_id_hash: [u8; 32] = Sha256::digest(request.rp_id.as_bytes()).into();
    let mut key = U2fKey { authenticator: &mut *device.authenticator, signals: &device.signals };
    let registration = key.register(&client_data_hash, &rp_id_hash, request.exclude).map_err(exception)?;
    let wants_attestation =
        matches!(request.options["attestation"].as_str(), Some("direct" | "enterprise" | "indirect"));
    let attestation_object = registration.attestation_object(!wants_attestation);
    let public_key = super::auth_data::parse(&registration.auth_data)
        .and_then(|parsed| parsed.public_key)
        .and_then(|key| super::auth_data::subject_public_key_info(&key));
    Ok(json!({
        "id": base64url(&registration.key_handle),
        "rawId": base64url(&registration.key_handle),
        "type": "public-key",
        "authenticatorAttachment": device.attachment.name(),
        "response": {
            "clientDataJSON": base64url(&client_data),
            "attestationObject": base64url(&attestation_object),
            "authenticatorData": base64url(&registration.auth_data),
            "transports": ["usb"],
            "publicKey": public_key.map(|spki| base64url(&spki)),
            "publicKeyAlgorithm": ES256,
        },
        "clientExtensionResults": extensions.results(false, None),
    }))
}

/// `get()` on a U2F key (CTAP 2.1 §10.3): each allowed key handle is tried in turn.
pub fn get(
    device: &mut Device<'_>,
    caller: &Caller,
    rp_id: &str,
    challenge: &[u8],
    allow: &[Vec<u8>],
    options: &Value,
) -> Result<Value, DomException> {
    if options["userVerification"].as_str() == Some("required") {
        return Err(refused("a U2F key cannot verify the user"));
    }
    if allow.is_empty() {
        return Err(refused("a U2F key keeps no discoverable credential"));
    }
    let extensions = GetExtensions::read(&options["extensions"]);
    let client_data = caller.client_data("webauthn.get", challenge);
    let client_data_hash: [u8; 32] = Sha256::digest(&client_data).into();
    let rp_id_hash: [u8; 32] = Sha256::digest(rp_id.as_bytes()).into();
    let mut key = U2fKey { authenticator: &mut *device.authenticator, signals: &device.signals };
    let assertion = key.authenticate(&client_data_hash, &rp_id_hash, allow, true).map_err(exception)?;
    Ok(json!({
        "id": base64url(&assertion.key_handle),
        "rawId": base64url(&assertion.key_handle),
        "type": "public-key",
        "authenticatorAttachment": device.attachment.name(),
        "response": {
            "clientDataJSON": base64url(&client_data),
            "authenticatorData": base64url(&assertion.auth_data),
            "signature": base64url(&assertion.signature),
            "userHandle": null,
        },
        "clientExtensionResults": extensions.results(None),
    }))
}

#[cfg(test)]
mod tests;
