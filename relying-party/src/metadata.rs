//! FIDO Metadata Statements (MDS3 format): which authenticator models the relying party trusts,
//! their attestation roots, and what each model declares about key storage and user
//! verification. Loaded from a directory (one JSON file per AAGUID) or built from statements in
//! memory; no MDS download: the statements are the whole trust list.

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
    /// Two statements given in memory claim the same AAGUID.
    #[error("AAGUID {aaguid} is described by two statements")]
    DuplicateStatement {
        /// The AAGUID.
        aaguid: String,
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
    /// The trust list of these statements; two for one AAGUID are refused.
    pub fn from_statements(statements: impl IntoIterator<Item = Statement>) -> Result<Self, MetadataError> {
        let mut metadata = Self::default();
        for statement in statements {
            metadata.insert(statement).map_err(|aaguid| MetadataError::DuplicateStatement { aaguid })?;
        }
        Ok(metadata)
    }

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
    statement_from_raw(raw)
}

impl Statement {
    /// One MDS3 metadata statement (FIDO Metadata Statement §4) given as JSON.
    pub fn from_json(statement: &serde_json::Value) -> Result<Self, String> {
        statement_from_raw(RawStatement::deserialize(statement).map_err(|e| e.to_string())?)
    }
}

/// The checked statement of its raw JSON members.
fn statement_from_raw(raw: RawStatement) -> Result<Statement, String> {
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
pub(crate) mod tests;
