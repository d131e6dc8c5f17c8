//! FIDO Metadata Statements (MDS3 format, one JSON file per AAGUID in a directory): which
//! authenticator models the relying party trusts, their attestation roots, and what each model
//! declares about key storage and user verification. No MDS download: the directory is the
//! whole trust list.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use base64ct::{Base64, Encoding};
use serde::Deserialize;

use crate::evidence::{KeyStorage, MetadataFacts, UvMethod};

/// Why metadata could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// A file or the directory could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A statement is malformed.
    #[error("{path}: {reason}")]
    Invalid {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Two statements claim the same AAGUID.
    #[error("{path}: AAGUID {aaguid} is already described by another statement")]
    Duplicate {
        /// The second file.
        path: PathBuf,
        /// The AAGUID.
        aaguid: String,
    },
}

/// One trusted model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// The model's AAGUID.
    pub aaguid: [u8; 16],
    /// Its description.
    pub description: String,
    /// What it declares about key storage and UV methods.
    pub facts: MetadataFacts,
    /// Its attestation root certificates (DER).
    pub roots: Vec<Vec<u8>>,
}

/// The statements of a directory, by AAGUID.
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    by_aaguid: HashMap<[u8; 16], Statement>,
}

impl Metadata {
    /// Loads every `*.json` statement of `dir`.
    pub fn load_dir(dir: &Path) -> Result<Self, MetadataError> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|source| io_error(dir, source))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        paths.sort();
        let mut metadata = Self::default();
        for path in paths {
            let text = std::fs::read_to_string(&path).map_err(|source| io_error(&path, source))?;
            let statement = parse_statement(&text)
                .map_err(|reason| MetadataError::Invalid { path: path.clone(), reason })?;
            metadata.insert(statement).map_err(|aaguid| MetadataError::Duplicate { path, aaguid })?;
        }
        Ok(metadata)
    }

    /// Adds a statement; `Err(aaguid)` when one for that AAGUID exists.
    pub fn insert(&mut self, statement: Statement) -> Result<(), String> {
        if self.by_aaguid.contains_key(&statement.aaguid) {
            return Err(hex::encode(statement.aaguid));
        }
        self.by_aaguid.insert(statement.aaguid, statement);
        Ok(())
    }

    /// The statement of an AAGUID.
    pub fn get(&self, aaguid: &[u8; 16]) -> Option<&Statement> {
        self.by_aaguid.get(aaguid)
    }

    /// Every statement, in no particular order.
    pub fn statements(&self) -> impl Iterator<Item = &Statement> {
        self.by_aaguid.values()
    }

    /// Number of statements.
    pub fn len(&self) -> usize {
        self.by_aaguid.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.by_aaguid.is_empty()
    }
}

fn io_error(path: &Path, source: std::io::Error) -> MetadataError {
    MetadataError::Io { path: path.to_owned(), source }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawStatement {
    aaguid: String,
    description: String,
    key_protection: Vec<String>,
    user_verification_details: Vec<Vec<RawUvMethod>>,
    attestation_root_certificates: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawUvMethod {
    user_verification_method: String,
}

/// Parses one MDS3 metadata statement (FIDO Metadata Statement §4).
pub fn parse_statement(text: &str) -> Result<Statement, String> {
    let raw: RawStatement = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let hex_id: String = raw.aaguid.chars().filter(|c| *c != '-').collect();
    let aaguid: [u8; 16] = hex::decode(&hex_id)
        .map_err(|e| format!("aaguid: {e}"))?
        .try_into()
        .map_err(|_| "aaguid is not 16 bytes".to_owned())?;
    // keyProtection (FIDO Registry §3.2): any software storage makes the keys software keys.
    let names: Vec<&str> = raw.key_protection.iter().map(String::as_str).collect();
    let key_storage = if names.contains(&"software") || names.is_empty() {
        KeyStorage::Software
    } else if names.iter().any(|n| matches!(*n, "hardware" | "tee" | "secure_element" | "remote_handle")) {
        KeyStorage::Hardware
    } else {
        return Err(format!("unknown keyProtection {names:?}"));
    };
    // userVerificationDetails: alternatives (OR) of method combinations (AND).
    let mut uv_methods = Vec::new();
    for alternative in &raw.user_verification_details {
        for method in alternative {
            if let Some(method) = UvMethod::from_fido_name(&method.user_verification_method)
                && !uv_methods.contains(&method)
            {
                uv_methods.push(method);
            }
        }
    }
    let roots = raw
        .attestation_root_certificates
        .iter()
        .map(|b64| Base64::decode_vec(b64).map_err(|e| format!("attestationRootCertificates: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    if roots.is_empty() {
        return Err("no attestationRootCertificates".into());
    }
    Ok(Statement {
        aaguid,
        description: raw.description,
        facts: MetadataFacts { key_storage, uv_methods },
        roots,
    })
}

#[cfg(test)]
mod tests {
    use softfido_authenticator::attestation::{self, AttestationRoot};
    use softfido_authenticator::config::{KeyProtection, Modality, Model, UvKind};

    use super::*;

    #[test]
    fn softfido_statements_load_with_their_facts() {
        let dir = tempfile::tempdir().expect("temp dir");
        softfido_authenticator::metadata::write_metadata_dir(dir.path()).expect("written");
        let metadata = Metadata::load_dir(dir.path()).expect("loaded");
        assert_eq!(metadata.len(), 24);
        for model in Model::all() {
            let statement = metadata.get(&attestation::aaguid(model)).expect("every model");
            let expected_storage = match model.key_protection {
                KeyProtection::Software => KeyStorage::Software,
                _ => KeyStorage::Hardware,
            };
            assert_eq!(statement.facts.key_storage, expected_storage, "{model:?}");
            let expected_methods = match model.uv {
                UvKind::None => vec![],
                UvKind::ClientPin => vec![UvMethod::Knowledge],
                UvKind::Builtin(Modality::Fingerprint) => vec![UvMethod::Fingerprint],
                UvKind::Builtin(Modality::Face) => vec![UvMethod::Face],
                UvKind::Builtin(Modality::Iris) => vec![UvMethod::Iris],
                UvKind::Builtin(Modality::Voice) => vec![UvMethod::Voice],
            };
            assert_eq!(statement.facts.uv_methods, expected_methods, "{model:?}");
            assert_eq!(
                statement.roots,
                vec![attestation::root_certificate_der(AttestationRoot::Trusted).to_vec()]
            );
        }
    }

    #[test]
    fn malformed_statements_are_named() {
        assert!(parse_statement("{}").is_err());
        let base = |aaguid: &str, protection: &str, roots: &str| {
            format!(
                r#"{{"aaguid":"{aaguid}","description":"d","keyProtection":[{protection}],
                "userVerificationDetails":[[{{"userVerificationMethod":"presence_internal"}}]],
                "attestationRootCertificates":[{roots}]}}"#
            )
        };
        let good_id = "00112233-4455-6677-8899-aabbccddeeff";
        assert!(parse_statement(&base(good_id, r#""hardware""#, r#""AAEC""#)).is_ok());
        assert!(
            parse_statement(&base("0011", r#""hardware""#, r#""AAEC""#)).unwrap_err().contains("16 bytes")
        );
        assert!(
            parse_statement(&base(good_id, r#""quantum""#, r#""AAEC""#))
                .unwrap_err()
                .contains("keyProtection")
        );
        assert!(
            parse_statement(&base(good_id, r#""hardware""#, "")).unwrap_err().contains("attestationRoot")
        );
        assert!(parse_statement(&base(good_id, r#""hardware""#, r#""!!""#)).is_err());
    }

    #[test]
    fn duplicate_aaguids_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        softfido_authenticator::metadata::write_metadata_dir(dir.path()).expect("written");
        let first = std::fs::read_dir(dir.path())
            .expect("dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|x| x == "json"))
            .expect("a statement");
        std::fs::copy(&first, dir.path().join("zz-copy.json")).expect("copied");
        assert!(matches!(Metadata::load_dir(dir.path()), Err(MetadataError::Duplicate { .. })));
    }
}
