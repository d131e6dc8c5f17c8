//! Attestation statements (WebAuthn L3 §8.2 packed, §8.7 none).

use ciborium::Value;

use super::Authenticator;
use crate::attestation::{self, AttestationRoot};
use crate::config::{Algorithm, AttestationKind};
use crate::keys::PrivateKey;
use crate::proto::cbor::MapBuilder;

impl Authenticator {
    /// The attestation format and statement for a new credential.
    pub(super) fn attestation_statement(
        &self,
        credential_key: &PrivateKey,
        auth_data: &[u8],
        client_data_hash: &[u8],
    ) -> (&'static str, Value) {
        let mut signed = Vec::with_capacity(auth_data.len() + client_data_hash.len());
        signed.extend_from_slice(auth_data);
        signed.extend_from_slice(client_data_hash);
        let root = match self.config.attestation {
            AttestationKind::None => return ("none", Value::Map(Vec::new())),
            // §8.2: self attestation signs with the credential key and carries no x5c.
            AttestationKind::PackedSelf => {
                let statement = MapBuilder::new()
                    .insert("alg", credential_key.algorithm().cose_id())
                    .insert("sig", Value::Bytes(credential_key.sign(&signed)))
                    .build();
                return ("packed", statement);
            }
            AttestationKind::PackedBasic => AttestationRoot::Trusted,
            AttestationKind::PackedBasicUntrusted => AttestationRoot::Untrusted,
        };
        // §8.2: basic attestation signs with the batch key; x5c starts with its certificate.
        let identity = attestation::batch_identity(self.config.model(), root);
        let statement = MapBuilder::new()
            .insert("alg", Algorithm::Es256.cose_id())
            .insert("sig", Value::Bytes(identity.sign_der(&signed)))
            .insert("x5c", Value::Array(vec![Value::Bytes(identity.certificate_der.clone())]))
            .build();
        ("packed", statement)
    }
}
