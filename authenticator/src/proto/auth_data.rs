//! Authenticator data (WebAuthn L3 §6.1) and its flags.

use ciborium::Value;

use super::cbor::{self, MapBuilder};

/// Flag bits of authenticator data (WebAuthn L3 §6.1, table "flags").
pub mod flags {
    /// UP: user present.
    pub const UP: u8 = 0x01;
    /// UV: user verified.
    pub const UV: u8 = 0x04;
    /// BE: backup eligible.
    pub const BE: u8 = 0x08;
    /// BS: backup state.
    pub const BS: u8 = 0x10;
    /// AT: attested credential data included.
    pub const AT: u8 = 0x40;
    /// ED: extension data included.
    pub const ED: u8 = 0x80;
}

/// Attested credential data (WebAuthn L3 §6.5.2).
#[derive(Clone, Debug, PartialEq)]
pub struct AttestedCredentialData {
    /// The authenticator model's AAGUID.
    pub aaguid: [u8; 16],
    /// The credential ID (at most 1023 bytes, WebAuthn L3 §6.5.2).
    pub credential_id: Vec<u8>,
    /// The credential public key as a COSE_Key.
    pub public_key: Value,
}

/// Authenticator data; [`AuthenticatorData::to_bytes`] sets AT and ED from the optional parts.
#[derive(Clone, Debug, PartialEq)]
pub struct AuthenticatorData {
    /// SHA-256 of the RP ID.
    pub rp_id_hash: [u8; 32],
    /// UP, UV, BE, BS (AT and ED are derived).
    pub flags: u8,
    /// The signature counter.
    pub sign_count: u32,
    /// Present at registration.
    pub attested_credential: Option<AttestedCredentialData>,
    /// Extension outputs; ED is set and the map appended when any is present.
    pub extensions: ExtensionOutputs,
}

/// The `uvm` output entry (WebAuthn L2 §10.3): FIDO Registry bits of the method used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UvmEntry {
    /// userVerificationMethod (FIDO Registry §3.1).
    pub user_verification_method: u32,
    /// keyProtectionType (FIDO Registry §3.2).
    pub key_protection_type: u16,
    /// matcherProtectionType (FIDO Registry §3.3).
    pub matcher_protection_type: u16,
}

/// The `hmac-secret` output (CTAP 2.1 §12.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HmacSecretOutput {
    /// makeCredential: the credential has its secrets (`true`).
    Created,
    /// getAssertion: the encrypted HMAC output(s).
    Output(Vec<u8>),
}

/// The `credBlob` output (CTAP 2.1 §12.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredBlobOutput {
    /// makeCredential: whether the blob was stored.
    Stored(bool),
    /// getAssertion: the stored blob (empty when none).
    Blob(Vec<u8>),
}

/// Extension outputs in authenticator data (CTAP 2.1 §12, WebAuthn L2 §10.3); absent ones are
/// not sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExtensionOutputs {
    /// `credProtect`: the credential's policy level.
    pub cred_protect: Option<u8>,
    /// `hmac-secret`.
    pub hmac_secret: Option<HmacSecretOutput>,
    /// `credBlob`.
    pub cred_blob: Option<CredBlobOutput>,
    /// `uvm`: the method of this ceremony.
    pub uvm: Option<UvmEntry>,
    /// `minPinLength`: the minimum PIN length, for an RP allowed to read it.
    pub min_pin_length: Option<u8>,
}

impl ExtensionOutputs {
    /// Whether no output is present (authenticator data then carries no extension map).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The extension output map, `None` when empty.
    pub fn to_value(&self) -> Option<Value> {
        if self.is_empty() {
            return None;
        }
        let hmac_secret = self.hmac_secret.as_ref().map(|output| match output {
            HmacSecretOutput::Created => Value::Bool(true),
            HmacSecretOutput::Output(bytes) => Value::Bytes(bytes.clone()),
        });
        let cred_blob = self.cred_blob.as_ref().map(|output| match output {
            CredBlobOutput::Stored(stored) => Value::Bool(*stored),
            CredBlobOutput::Blob(blob) => Value::Bytes(blob.clone()),
        });
        let uvm = self.uvm.map(|entry| {
            let entry = vec![
                Value::from(entry.user_verification_method),
                Value::from(entry.key_protection_type),
                Value::from(entry.matcher_protection_type),
            ];
            Value::Array(vec![Value::Array(entry)])
        });
        let map = MapBuilder::new()
            .insert_opt("credProtect", self.cred_protect)
            .insert_opt("hmac-secret", hmac_secret)
            .insert_opt("credBlob", cred_blob)
            .insert_opt("uvm", uvm)
            .insert_opt("minPinLength", self.min_pin_length);
        Some(map.build())
    }
}

impl AuthenticatorData {
    /// The byte string that is signed and sent.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut flags = self.flags & !(flags::AT | flags::ED);
        if self.attested_credential.is_some() {
            flags |= flags::AT;
        }
        let extensions = self.extensions.to_value();
        if extensions.is_some() {
            flags |= flags::ED;
        }
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(&self.rp_id_hash);
        out.push(flags);
        out.extend_from_slice(&self.sign_count.to_be_bytes());
        if let Some(attested) = &self.attested_credential {
            out.extend_from_slice(&attested.aaguid);
            // Credential IDs are built by this crate and stay far below 2^16 bytes.
            out.extend_from_slice(&(attested.credential_id.len() as u16).to_be_bytes());
            out.extend_from_slice(&attested.credential_id);
            out.extend_from_slice(&cbor::encode(&attested.public_key));
        }
        if let Some(extensions) = &extensions {
            out.extend_from_slice(&cbor::encode(extensions));
        }
        out
    }
}

#[cfg(test)]
mod tests;
