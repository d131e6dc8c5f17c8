//! The stored form of an attestation judgement: [`crate::evidence`] types carry no serde, so
//! [`super::RegisteredCredential`] serialises its [`Attestation`] through this mirror
//! (`#[serde(with = "record")]`). The metadata facts are kept as judged at registration.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::evidence::{Attestation, KeyStorage, MetadataFacts, UvMethod};

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "trust")]
enum AttestationRecord {
    None,
    SelfAttested,
    Untrusted,
    Trusted { key_storage: KeyStorageRecord, uv_methods: Vec<UvMethodRecord> },
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum KeyStorageRecord {
    Software,
    Hardware,
}

#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum UvMethodRecord {
    Knowledge,
    Fingerprint,
    Face,
    Iris,
    Voice,
    Retina,
}

impl From<&Attestation> for AttestationRecord {
    fn from(attestation: &Attestation) -> Self {
        match attestation {
            Attestation::None => Self::None,
            Attestation::SelfAttested => Self::SelfAttested,
            Attestation::Untrusted => Self::Untrusted,
            Attestation::Trusted(facts) => Self::Trusted {
                key_storage: match facts.key_storage {
                    KeyStorage::Software => KeyStorageRecord::Software,
                    KeyStorage::Hardware => KeyStorageRecord::Hardware,
                },
                uv_methods: facts.uv_methods.iter().map(|&m| m.into()).collect(),
            },
        }
    }
}

impl From<AttestationRecord> for Attestation {
    fn from(record: AttestationRecord) -> Self {
        match record {
            AttestationRecord::None => Self::None,
            AttestationRecord::SelfAttested => Self::SelfAttested,
            AttestationRecord::Untrusted => Self::Untrusted,
            AttestationRecord::Trusted { key_storage, uv_methods } => Self::Trusted(MetadataFacts {
                key_storage: match key_storage {
                    KeyStorageRecord::Software => KeyStorage::Software,
                    KeyStorageRecord::Hardware => KeyStorage::Hardware,
                },
                uv_methods: uv_methods.into_iter().map(Into::into).collect(),
            }),
        }
    }
}

impl From<UvMethod> for UvMethodRecord {
    fn from(method: UvMethod) -> Self {
        match method {
            UvMethod::Knowledge => Self::Knowledge,
            UvMethod::Fingerprint => Self::Fingerprint,
            UvMethod::Face => Self::Face,
            UvMethod::Iris => Self::Iris,
            UvMethod::Voice => Self::Voice,
            UvMethod::Retina => Self::Retina,
        }
    }
}

impl From<UvMethodRecord> for UvMethod {
    fn from(method: UvMethodRecord) -> Self {
        match method {
            UvMethodRecord::Knowledge => Self::Knowledge,
            UvMethodRecord::Fingerprint => Self::Fingerprint,
            UvMethodRecord::Face => Self::Face,
            UvMethodRecord::Iris => Self::Iris,
            UvMethodRecord::Voice => Self::Voice,
            UvMethodRecord::Retina => Self::Retina,
        }
    }
}

/// `serialize_with` for an [`Attestation`] field.
pub(super) fn serialize<S: Serializer>(attestation: &Attestation, serializer: S) -> Result<S::Ok, S::Error> {
    AttestationRecord::from(attestation).serialize(serializer)
}

/// `deserialize_with` for an [`Attestation`] field.
pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Attestation, D::Error> {
    AttestationRecord::deserialize(deserializer).map(Into::into)
}
