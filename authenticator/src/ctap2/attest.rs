//! Attestation statements (WebAuthn L3 §8.2 packed, §8.7 none).

use super::Authenticator;
use crate::attestation::{self, AttestationRoot};
use crate::config::{Algorithm, AttestationKind};
use crate::keys::PrivateKey;
use crate::proto::response::AttestationStatement;

impl Authenticator {
    /// The attestation statement for a new credential.
    pub(super) fn attestation_statement(
        &self,
        credential_key: &PrivateKey,
        auth_data: &[u8],
        client_data_hash: &[u8],
    ) -> AttestationStatement {
        let mut signed = Vec::with_capacity(auth_data.len() + client_data_hash.len());
        signed.extend_from_slice(auth_data);
        signed.extend_from_slice(client_data_hash);
        let root = match self.config.attestation {
            AttestationKind::None => return AttestationStatement::None,
            // §8.2: self attestation signs with the credential key and carries no x5c.
            AttestationKind::PackedSelf => {
                return AttestationStatement::Packed {
                    alg: credential_key.algorithm().cose_id(),
                    sig: credential_key.sign(&signed),
                    x5c: Vec::new(),
                };
            }
            AttestationKind::PackedBasic => AttestationRoot::Trusted,
            AttestationKind::PackedBasicUntrusted => AttestationRoot::Untrusted,
        };
        // §8.2: basic attestation signs with the batch key; x5c starts with its certificate.
        let identity = attestation::batch_identity(self.config.model(), root);
        AttestationStatement::Packed {
            alg: Algorithm::Es256.cose_id(),
            sig: identity.sign_der(&signed),
            x5c: vec![identity.certificate_der.clone()],
        }
    }
}
