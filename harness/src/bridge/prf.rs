//! The `prf` extension at `get()` (WebAuthn L3 §10.1.4) through CTAP's `hmac-secret` (CTAP 2.1
//! §12.5): the client hashes the page's inputs into salts, encrypts them under a secret shared
//! with the authenticator, and decrypts the outputs for the page.

use base64ct::{Base64UrlUnpadded, Encoding};
use ciborium::Value as Cbor;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use softfido_authenticator::pin::protocol::{KeyAgreementKey, SharedSecret};

use super::dom::DomException;

/// The salts of one evaluation: one or two 32-byte values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Salts {
    first: [u8; 32],
    second: Option<[u8; 32]>,
}

/// §10.1.4: salt = SHA-256("WebAuthn PRF" ‖ 0x00 ‖ input).
fn salt(input: &[u8]) -> [u8; 32] {
    Sha256::new().chain_update(b"WebAuthn PRF").chain_update([0]).chain_update(input).finalize().into()
}

fn input(value: &Value, what: &str) -> Result<Vec<u8>, DomException> {
    value
        .as_str()
        .and_then(|s| Base64UrlUnpadded::decode_vec(s.trim_end_matches('=')).ok())
        .ok_or_else(|| DomException::type_error(what))
}

impl Salts {
    /// The salts the page asks for: `evalByCredential` for `credential` when the call can only
    /// use that credential, else `eval`; `None` without a `prf` input.
    pub fn read(prf: &Value, credential: Option<&[u8]>) -> Result<Option<Self>, DomException> {
        let by_credential =
            credential.and_then(|id| prf["evalByCredential"].get(Base64UrlUnpadded::encode_string(id)));
        let Some(values) = by_credential.or_else(|| prf.get("eval")).filter(|v| v.is_object()) else {
            return Ok(None);
        };
        let first = salt(&input(&values["first"], "prf.eval.first")?);
        let second = match &values["second"] {
            Value::Null => None,
            second => Some(salt(&input(second, "prf.eval.second")?)),
        };
        Ok(Some(Self { first, second }))
    }

    /// The `hmac-secret` input of getAssertion (CTAP 2.1 §12.5): keyAgreement, saltEnc,
    /// saltAuth, pinUvAuthProtocol.
    pub fn hmac_secret_input(&self, platform: &KeyAgreementKey, shared: &SharedSecret) -> Option<Cbor> {
        let mut salts = self.first.to_vec();
        salts.extend(self.second.iter().flatten());
        let salt_enc = shared.encrypt(&salts).ok()?;
        let salt_auth = shared.authenticate(&salt_enc);
        let int = |i: i64| Cbor::Integer(i.into());
        Some(Cbor::Map(vec![
            (int(1), platform.cose_public_key()),
            (int(2), Cbor::Bytes(salt_enc)),
            (int(3), Cbor::Bytes(salt_auth)),
            (int(4), int(shared.protocol().id())),
        ]))
    }

    /// The page's `prf.results` from the authenticator's encrypted `hmac-secret` output.
    pub fn results(&self, shared: &SharedSecret, output: Option<&Cbor>) -> Option<Value> {
        let outputs = shared.decrypt(output?.as_bytes()?).ok()?;
        let encode = |bytes: &[u8]| Value::String(Base64UrlUnpadded::encode_string(bytes));
        let first = outputs.get(..32)?;
        Some(match self.second {
            Some(_) => {
                json!({ "results": { "first": encode(first), "second": encode(outputs.get(32..64)?) } })
            }
            None => json!({ "results": { "first": encode(first) } }),
        })
    }
}

#[cfg(test)]
mod tests;
