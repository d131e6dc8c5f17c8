//! Attestation statements (WebAuthn L3 §8.2 packed, §8.7 none).

use super::Authenticator;
use crate::attestation::{self, AttestationIdentity, AttestationRoot};
use crate::config::{Algorithm, AttestationFault, AttestationKind, danger};
use crate::keys::PrivateKey;
use crate::proto::response::AttestationStatement;

impl Authenticator {
    /// The attestation statement for a new credential; under `danger_corrupt_signature` its
    /// `sig` has one byte flipped.
    pub(super) fn attestation_statement(
        &self,
        credential_key: &PrivateKey,
        auth_data: &[u8],
        client_data_hash: &[u8],
    ) -> AttestationStatement {
        let mut signed = Vec::with_capacity(auth_data.len() + client_data_hash.len());
        signed.extend_from_slice(auth_data);
        signed.extend_from_slice(client_data_hash);
        match self.genuine_or_faulty_statement(credential_key, &signed) {
            AttestationStatement::Packed { alg, sig, x5c } => {
                AttestationStatement::Packed { alg, sig: self.finish_signature(sig), x5c }
            }
            other => other,
        }
    }

    /// The statement the configured attestation gives over `signed`, or the one an attestation
    /// fault replaces it with.
    fn genuine_or_faulty_statement(
        &self,
        credential_key: &PrivateKey,
        signed: &[u8],
    ) -> AttestationStatement {
        let model = self.config.model();
        let root = match (self.config.danger.danger_attestation, self.config.attestation) {
            // A single self-signed certificate claiming a hardware model's AAGUID.
            (Some(AttestationFault::SelfSignedBatchClaimingHardware), _) => {
                return basic(
                    attestation::self_signed_batch_identity(danger::claimed_hardware_model(model)),
                    signed,
                );
            }
            // The genuine chain; authData claims another model's AAGUID (§8.2.1).
            (Some(AttestationFault::CertificateAaguidMismatch), _) => AttestationRoot::Trusted,
            // Self attestation by the credential key, announcing RS256 (§8.2: alg must match).
            (Some(AttestationFault::SelfAttestationAlgorithmMismatch), _) => {
                return AttestationStatement::Packed {
                    alg: RS256,
                    sig: credential_key.sign(signed),
                    x5c: Vec::new(),
                };
            }
            (None, AttestationKind::None) => return AttestationStatement::None,
            // §8.2: self attestation signs with the credential key and carries no x5c.
            (None, AttestationKind::PackedSelf) => {
                return AttestationStatement::Packed {
                    alg: credential_key.algorithm().cose_id(),
                    sig: credential_key.sign(signed),
                    x5c: Vec::new(),
                };
            }
            (None, AttestationKind::PackedBasic) => AttestationRoot::Trusted,
            (None, AttestationKind::PackedBasicUntrusted) => AttestationRoot::Untrusted,
        };
        basic(attestation::batch_identity(model, root), signed)
    }
}

/// COSE RS256, an algorithm relying parties commonly offer and softfido's keys never use.
const RS256: i64 = -257;

/// §8.2: basic attestation signs with the batch key; x5c starts with its certificate.
fn basic(identity: &AttestationIdentity, signed: &[u8]) -> AttestationStatement {
    AttestationStatement::Packed {
        alg: Algorithm::Es256.cose_id(),
        sig: identity.sign_der(signed),
        x5c: vec![identity.certificate_der.clone()],
    }
}
