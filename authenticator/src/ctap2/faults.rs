//! Where the deliberate faults of [`Faults`](crate::config::Faults) change what makeCredential
//! and getAssertion produce. With every fault off each helper returns what a correct device
//! sends, byte for byte.

use ciborium::Value;

use super::verification::Verification;
use super::{Authenticator, rp_id_hash};
use crate::attestation;
use crate::config::{Algorithm, AuthDataFault, Faults, danger};
use crate::keys::PrivateKey;
use crate::proto::StatusCode;
use crate::proto::auth_data::{AuthenticatorData, ExtensionOutputs, flags};
use crate::proto::cbor::MapBuilder;
use crate::signals::Signals;

/// The offset of the flags byte in authenticator data (WebAuthn L3 §6.1: after the 32-byte
/// rpIdHash).
const FLAGS_OFFSET: usize = 32;

impl Authenticator {
    /// The deliberate faults of this device.
    fn faults(&self) -> &Faults {
        &self.config.danger
    }

    /// The user presence test of a ceremony (CTAP 2.1 §6.1.2 step 14, §6.2.2 step 8). Under
    /// `danger_presence_not_tested` it is skipped and presence is reported absent (UP=0), where
    /// a correct device would test it and fail with OPERATION_DENIED or USER_ACTION_TIMEOUT.
    pub(super) fn test_presence(
        &mut self,
        verification: &mut Verification,
        signals: &Signals,
    ) -> Result<(), StatusCode> {
        if self.faults().danger_presence_not_tested {
            verification.presence = false;
            return Ok(());
        }
        self.ensure_presence(verification, signals)
    }

    /// UP and UV of authenticator data (WebAuthn L3 §6.1) for what the ceremony established;
    /// `danger_uv_without_verification` sets UV regardless.
    pub(super) fn presence_and_verification_flags(&self, verification: &Verification) -> u8 {
        let mut bits = 0;
        if verification.presence {
            bits |= flags::UP;
        }
        if verification.verified() || self.faults().danger_uv_without_verification {
            bits |= flags::UV;
        }
        bits
    }

    /// The rpIdHash put in authenticator data: the RP's, or under `danger_wrong_rp_id_hash` the
    /// hash of [`Faults::WRONG_RP_ID`].
    pub(super) fn announced_rp_id_hash(&self, rp_id_hash_of_request: [u8; 32]) -> [u8; 32] {
        if self.faults().danger_wrong_rp_id_hash {
            rp_id_hash(Faults::WRONG_RP_ID)
        } else {
            rp_id_hash_of_request
        }
    }

    /// The AAGUID in attested credential data: the model's, or under an attestation fault the
    /// AAGUID of [`danger::claimed_hardware_model`].
    pub(super) fn announced_aaguid(&self) -> [u8; 16] {
        let model = self.config.model();
        match self.faults().danger_attestation {
            Some(_) => attestation::aaguid(danger::claimed_hardware_model(model)),
            None => attestation::aaguid(model),
        }
    }

    /// The credential public key in attested credential data; under
    /// `danger_credential_key_algorithm_mismatch` an ES256 key is announced as Ed25519.
    pub(super) fn announced_public_key(&self, key: &PrivateKey) -> Value {
        let genuine = key.cose_public_key();
        if self.faults().danger_credential_key_algorithm_mismatch && key.algorithm() == Algorithm::Es256 {
            eddsa_shaped(&genuine)
        } else {
            genuine
        }
    }

    /// Authenticator data as sent and signed, with `danger_auth_data` applied.
    pub(super) fn encode_auth_data(&self, data: AuthenticatorData) -> Vec<u8> {
        encode_with_fault(data, self.faults().danger_auth_data)
    }

    /// The signCount of a new credential under `danger_counter_regression`, if on.
    pub(super) fn regressing_initial_counter(&self) -> Option<u32> {
        self.faults().danger_counter_regression.then_some(Faults::REGRESSION_START_COUNTER)
    }

    /// Under `danger_counter_regression`, the next signCount of a credential whose previous one
    /// was `previous` (none yet: [`Faults::REGRESSION_START_COUNTER`]): one lower, never below 1.
    pub(super) fn regressing_counter(&self, previous: Option<u32>) -> Option<u32> {
        self.faults()
            .danger_counter_regression
            .then(|| previous.unwrap_or(Faults::REGRESSION_START_COUNTER).saturating_sub(1).max(1))
    }

    /// The assertion signature over `signed` (WebAuthn L3 §6.3.3 step 11): by the credential's
    /// key, by a fresh key under `danger_sign_with_foreign_key`, with r corrupted under
    /// `danger_corrupt_signature`.
    pub(super) fn assertion_signature(&self, credential_key: &PrivateKey, signed: &[u8]) -> Vec<u8> {
        let signature = if self.faults().danger_sign_with_foreign_key {
            PrivateKey::generate(credential_key.algorithm()).sign(signed)
        } else {
            credential_key.sign(signed)
        };
        self.finish_signature(signature)
    }

    /// A signature as sent: under `danger_corrupt_signature` with one byte flipped.
    pub(super) fn finish_signature(&self, mut signature: Vec<u8>) -> Vec<u8> {
        if self.faults().danger_corrupt_signature {
            corrupt_signature(&mut signature);
        }
        signature
    }
}

/// Flips the low bit of the last byte of r in an ASN.1 DER ECDSA signature (`30 len 02 rlen r …`),
/// which leaves the encoding well-formed; in any other signature (Ed25519's raw R ‖ S) the first
/// byte.
pub(super) fn corrupt_signature(signature: &mut [u8]) {
    let index = match *signature {
        [0x30, _, 0x02, r_length, ..] if r_length > 0 && 4 + usize::from(r_length) <= signature.len() => {
            3 + usize::from(r_length)
        }
        _ => 0,
    };
    if let Some(byte) = signature.get_mut(index) {
        *byte ^= 0x01;
    }
}

/// `data` encoded (WebAuthn L3 §6.1), then broken as `fault` says.
pub(super) fn encode_with_fault(data: AuthenticatorData, fault: Option<AuthDataFault>) -> Vec<u8> {
    match fault {
        None => data.to_bytes(),
        Some(AuthDataFault::TruncatedByOne) => {
            let mut bytes = data.to_bytes();
            bytes.pop();
            bytes
        }
        Some(AuthDataFault::TrailingBytes) => {
            let mut bytes = data.to_bytes();
            bytes.extend_from_slice(&AuthDataFault::TRAILING_BYTES);
            bytes
        }
        Some(AuthDataFault::ExtensionFlagWithoutExtensions) => {
            let mut bytes = AuthenticatorData { extensions: ExtensionOutputs::default(), ..data }.to_bytes();
            bytes[FLAGS_OFFSET] |= flags::ED;
            bytes
        }
        Some(AuthDataFault::ExtensionsWithoutFlag) => {
            // A ceremony without extension outputs gets a credProtect output to carry.
            let extensions = if data.extensions.is_empty() {
                ExtensionOutputs { cred_protect: Some(1), ..ExtensionOutputs::default() }
            } else {
                data.extensions
            };
            let mut bytes = AuthenticatorData { extensions, ..data }.to_bytes();
            bytes[FLAGS_OFFSET] &= !flags::ED;
            bytes
        }
    }
}

/// An Ed25519-shaped COSE_Key (RFC 8037 §2: kty OKP, alg -8, crv Ed25519) whose x is the x
/// coordinate of the EC2 key `genuine`.
fn eddsa_shaped(genuine: &Value) -> Value {
    let x = genuine
        .as_map()
        .and_then(|map| map.iter().find(|(key, _)| key.as_integer() == Some((-2).into())))
        .map_or_else(|| Value::Bytes(vec![0; 32]), |(_, x)| x.clone());
    MapBuilder::new()
        .insert(1, 1) // kty: OKP
        .insert(3, Algorithm::EdDsa.cose_id()) // alg: EdDSA
        .insert(-1, 6) // crv: Ed25519
        .insert(-2, x)
        .build()
}

#[cfg(test)]
mod tests;
