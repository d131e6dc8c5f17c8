//! WebAuthn extensions as a browser's client processes them (WebAuthn L3 §9, §10; CTAP 2.1 §12):
//! the page's inputs become authenticator extension inputs, and the authenticator's outputs
//! (in authenticator data) become the client extension results the page reads.

use base64ct::{Base64UrlUnpadded, Encoding};
use ciborium::Value as Cbor;
use serde_json::{Map, Value, json};

use super::dom::DomException;

/// credProtect levels (CTAP 2.1 §12.1) by their WebAuthn names.
fn cred_protect_level(policy: &str) -> Option<i64> {
    match policy {
        "userVerificationOptional" => Some(1),
        "userVerificationOptionalWithCredentialIDList" => Some(2),
        "userVerificationRequired" => Some(3),
        _ => None,
    }
}

/// The extension inputs of a `create()` call that the client forwards or answers itself.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CreateExtensions {
    /// `credProps` (§10.1.3): the client reports whether the credential is discoverable.
    pub cred_props: bool,
    /// `credProtect` level and `enforceCredentialProtectionPolicy` (CTAP 2.1 §12.1).
    pub cred_protect: Option<(i64, bool)>,
    /// `credBlob` bytes (CTAP 2.1 §12.2).
    pub cred_blob: Option<Vec<u8>>,
    /// `minPinLength` (CTAP 2.1 §12.4).
    pub min_pin_length: bool,
    /// `prf` (§10.1.4): enabled through `hmac-secret` at creation.
    pub prf: bool,
    /// `uvm` (WebAuthn L2 §10.3).
    pub uvm: bool,
}

/// The extension inputs of a `get()` call.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GetExtensions {
    /// `getCredBlob` (CTAP 2.1 §12.2).
    pub get_cred_blob: bool,
    /// `uvm`.
    pub uvm: bool,
}

impl CreateExtensions {
    /// Reads `options.extensions`; unknown extensions are ignored, as clients do (§9).
    pub fn read(extensions: &Value) -> Result<Self, DomException> {
        let cred_protect = match extensions["credentialProtectionPolicy"].as_str() {
            Some(policy) => {
                let level = cred_protect_level(policy)
                    .ok_or_else(|| DomException::type_error("credentialProtectionPolicy"))?;
                let enforce = extensions["enforceCredentialProtectionPolicy"].as_bool() == Some(true);
                Some((level, enforce))
            }
            None => None,
        };
        let cred_blob = match &extensions["credBlob"] {
            Value::Null => None,
            blob => Some(
                blob.as_str()
                    .and_then(|s| Base64UrlUnpadded::decode_vec(s.trim_end_matches('=')).ok())
                    .ok_or_else(|| DomException::type_error("credBlob"))?,
            ),
        };
        Ok(Self {
            cred_props: extensions["credProps"].as_bool() == Some(true),
            cred_protect,
            cred_blob,
            min_pin_length: extensions["minPinLength"].as_bool() == Some(true),
            prf: extensions.get("prf").is_some_and(Value::is_object),
            uvm: extensions["uvm"].as_bool() == Some(true),
        })
    }

    /// The authenticator extension inputs, for those `supported` (getInfo's extensions); a
    /// credProtect the authenticator lacks is dropped unless enforced (then `Err`: the client
    /// fails the call, CTAP 2.1 §12.1).
    pub fn authenticator_inputs(&self, supported: &[String]) -> Result<Vec<(String, Cbor)>, DomException> {
        let has = |name: &str| supported.iter().any(|s| s == name);
        let mut inputs = Vec::new();
        if let Some((level, enforce)) = self.cred_protect {
            if has("credProtect") {
                inputs.push(("credProtect".to_owned(), Cbor::Integer(level.into())));
            } else if enforce && level > 1 {
                return Err(DomException::new(
                    super::dom::DomExceptionName::NotAllowedError,
                    "the authenticator cannot enforce the credential protection policy",
                ));
            }
        }
        if let Some(blob) = self.cred_blob.as_ref().filter(|_| has("credBlob")) {
            inputs.push(("credBlob".to_owned(), Cbor::Bytes(blob.clone())));
        }
        if self.min_pin_length && has("minPinLength") {
            inputs.push(("minPinLength".to_owned(), Cbor::Bool(true)));
        }
        if self.prf && has("hmac-secret") {
            inputs.push(("hmac-secret".to_owned(), Cbor::Bool(true)));
        }
        Ok(inputs)
    }

    /// The client extension results of a registration.
    pub fn results(&self, discoverable: bool, outputs: Option<&Cbor>) -> Value {
        let mut results = Map::new();
        if self.cred_props {
            results.insert("credProps".into(), json!({ "rk": discoverable }));
        }
        if self.cred_blob.is_some() {
            let stored = output(outputs, "credBlob").and_then(Cbor::as_bool).unwrap_or(false);
            results.insert("credBlob".into(), Value::Bool(stored));
        }
        if self.prf {
            let enabled = output(outputs, "hmac-secret").and_then(Cbor::as_bool).unwrap_or(false);
            results.insert("prf".into(), json!({ "enabled": enabled }));
        }
        if self.uvm
            && let Some(uvm) = output(outputs, "uvm")
        {
            results.insert("uvm".into(), uvm_json(uvm));
        }
        Value::Object(results)
    }
}

impl GetExtensions {
    /// Reads `options.extensions`.
    pub fn read(extensions: &Value) -> Self {
        Self {
            get_cred_blob: extensions["getCredBlob"].as_bool() == Some(true),
            uvm: extensions["uvm"].as_bool() == Some(true),
        }
    }

    /// The authenticator extension inputs, for those `supported`.
    pub fn authenticator_inputs(&self, supported: &[String]) -> Vec<(String, Cbor)> {
        let mut inputs = Vec::new();
        if self.get_cred_blob && supported.iter().any(|s| s == "credBlob") {
            inputs.push(("credBlob".to_owned(), Cbor::Bool(true)));
        }
        inputs
    }

    /// The client extension results of an assertion.
    pub fn results(&self, outputs: Option<&Cbor>) -> Value {
        let mut results = Map::new();
        if self.get_cred_blob {
            let blob = output(outputs, "credBlob").and_then(Cbor::as_bytes).cloned().unwrap_or_default();
            results.insert("getCredBlob".into(), Value::String(Base64UrlUnpadded::encode_string(&blob)));
        }
        if self.uvm
            && let Some(uvm) = output(outputs, "uvm")
        {
            results.insert("uvm".into(), uvm_json(uvm));
        }
        Value::Object(results)
    }
}

fn output<'a>(outputs: Option<&'a Cbor>, name: &str) -> Option<&'a Cbor> {
    outputs?.as_map()?.iter().find(|(k, _)| k.as_text() == Some(name)).map(|(_, v)| v)
}

/// The `uvm` output (an array of [userVerificationMethod, keyProtectionType,
/// matcherProtectionType] entries) as JSON numbers.
fn uvm_json(uvm: &Cbor) -> Value {
    let number =
        |v: &Cbor| v.as_integer().and_then(|i| i64::try_from(i).ok()).map_or(Value::Null, Value::from);
    let entries = uvm.as_array().map(|entries| {
        entries
            .iter()
            .map(|entry| {
                Value::Array(entry.as_array().map(|e| e.iter().map(number).collect()).unwrap_or_default())
            })
            .collect()
    });
    Value::Array(entries.unwrap_or_default())
}

#[cfg(test)]
mod tests;
