//! Authenticator data (WebAuthn L3 §6.1) and its flags.

use ciborium::Value;

use super::cbor;

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
    /// Extension outputs (a CBOR map), when any.
    pub extensions: Option<Value>,
}

impl AuthenticatorData {
    /// The byte string that is signed and sent.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut flags = self.flags & !(flags::AT | flags::ED);
        if self.attested_credential.is_some() {
            flags |= flags::AT;
        }
        if self.extensions.is_some() {
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
        if let Some(extensions) = &self.extensions {
            out.extend_from_slice(&cbor::encode(extensions));
        }
        out
    }
}
