//! FIDO Metadata Statements (MDS3 format): which authenticator models the relying party trusts,
//! their attestation roots, and what each model declares about key storage and user
//! verification. Loaded from a directory (one JSON file per model) or built from statements in
//! memory; no MDS download: the statements are the whole trust list.
//!
//! A FIDO2 model is found by its AAGUID; a U2F model has none (its authenticator data carries
//! the zero AAGUID), so FIDO MDS3 §3.1.1 finds it by the key identifiers of its attestation
//! certificates (`attestationCertificateKeyIdentifiers`).

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
    /// Two statements given in memory claim the same AAGUID or attestation key identifier.
    #[error("AAGUID or attestation key identifier {aaguid} is described by two statements")]
    DuplicateStatement {
        /// The AAGUID.
        aaguid: String,
    },
    /// Two statements claim the same AAGUID or attestation key identifier.
    #[error(
        "{path}: AAGUID or attestation key identifier {aaguid} is already described by another statement"
    )]
    Duplicate {
        /// The second file.
        path: PathBuf,
        /// The AAGUID.
        aaguid: String,
    },
}

/// An attestation certificate key identifier (FIDO Metadata Statement §4
/// `attestationCertificateKeyIdentifiers`): SHA-1 of the certificate's subjectPublicKey, the
/// BIT STRING's bytes without tag, length and unused-bits count (RFC 5280 §4.2.1.2 method 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyIdentifier(pub [u8; 20]);

impl KeyIdentifier {
    /// The identifier of a certificate whose subjectPublicKey holds `subject_public_key` (for an
    /// EC key, the uncompressed point 0x04 ‖ X ‖ Y).
    pub fn of_subject_public_key(subject_public_key: &[u8]) -> Self {
        use sha1::Digest as _;
        Self(sha1::Sha1::digest(subject_public_key).into())
    }

    /// The lower-case hex form metadata statements write.
    pub fn to_hex(self) -> String {
        hex::encode(self.0)
    }
}

/// One trusted model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// The model's AAGUID; `None` for a U2F model, which has none.
    pub aaguid: Option<[u8; 16]>,
    /// The key identifiers of the model's attestation certificates (MDS3 §3.1.1
    /// `attestationCertificateKeyIdentifiers`): how a U2F model is found.
    pub attestation_certificate_key_identifiers: Vec<KeyIdentifier>,
    /// Its description.
    pub description: String,
    /// What it declares about key storage and UV methods.
    pub facts: MetadataFacts,
    /// Its attestation root certificates (DER).
    pub roots: Vec<Vec<u8>>,
}

/// The statements of a directory, by AAGUID and by attestation key identifier.
#[derive(Clone, Debug, Default)]
pub struct Metadata {
    statements: Vec<Statement>,
    by_aaguid: HashMap<[u8; 16], usize>,
    by_key_identifier: HashMap<KeyIdentifier, usize>,
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

    /// Adds a statement; `Err(id)` (hex) when one for its AAGUID or for one of its attestation
    /// key identifiers exists.
    pub fn insert(&mut self, statement: Statement) -> Result<(), String> {
        if let Some(aaguid) = statement.aaguid.filter(|aaguid| self.by_aaguid.contains_key(aaguid)) {
            return Err(hex::encode(aaguid));
        }
        let keys = &statement.attestation_certificate_key_identifiers;
        if let Some(taken) = keys.iter().find(|key| self.by_key_identifier.contains_key(*key)) {
            return Err(taken.to_hex());
        }
        let index = self.statements.len();
        if let Some(aaguid) = statement.aaguid {
            self.by_aaguid.insert(aaguid, index);
        }
        for key in keys {
            self.by_key_identifier.insert(*key, index);
        }
        self.statements.push(statement);
        Ok(())
    }

    /// The statement of an AAGUID.
    pub fn get(&self, aaguid: &[u8; 16]) -> Option<&Statement> {
        self.by_aaguid.get(aaguid).map(|&index| &self.statements[index])
    }

    /// The statement listing an attestation certificate key identifier (MDS3 §3.1.1: how a
    /// U2F model, which has no AAGUID, is found).
    pub fn by_key_identifier(&self, key: &KeyIdentifier) -> Option<&Statement> {
        self.by_key_identifier.get(key).map(|&index| &self.statements[index])
    }

    /// Every statement, in the order they were added.
    pub fn statements(&self) -> impl Iterator<Item = &Statement> {
        self.statements.iter()
    }

    /// Number of statements.
    pub fn len(&self) -> usize {
        self.statements.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }
}

fn io_error(path: &Path, source: std::io::Error) -> MetadataError {
    MetadataError::Io { path: path.to_owned(), source }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawStatement {
    aaguid: Option<String>,
    #[serde(default)]
    attestation_certificate_key_identifiers: Vec<String>,
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
    let aaguid = raw.aaguid.as_deref().map(parse_aaguid).transpose()?;
    let key_identifiers = raw
        .attestation_certificate_key_identifiers
        .iter()
        .map(|id| parse_key_identifier(id))
        .collect::<Result<Vec<_>, _>>()?;
    // Metadata Statement §4: a FIDO2 model names its AAGUID, a U2F model its attestation
    // certificates' key identifiers; a statement with neither describes nothing findable.
    if aaguid.is_none() && key_identifiers.is_empty() {
        return Err("neither aaguid nor attestationCertificateKeyIdentifiers".into());
    }
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
        attestation_certificate_key_identifiers: key_identifiers,
        description: raw.description,
        facts: MetadataFacts { key_storage, uv_methods },
        roots,
    })
}

/// An AAGUID in its hyphenated or plain hex form.
fn parse_aaguid(text: &str) -> Result<[u8; 16], String> {
    let hex_id: String = text.chars().filter(|c| *c != '-').collect();
    hex::decode(&hex_id)
        .map_err(|e| format!("aaguid: {e}"))?
        .try_into()
        .map_err(|_| "aaguid is not 16 bytes".to_owned())
}

/// An attestation certificate key identifier: 20 bytes in hex (Metadata Statement §4).
fn parse_key_identifier(text: &str) -> Result<KeyIdentifier, String> {
    hex::decode(text)
        .map_err(|e| format!("attestationCertificateKeyIdentifiers: {e}"))?
        .try_into()
        .map(KeyIdentifier)
        .map_err(|_| "an attestationCertificateKeyIdentifier is not 20 bytes".to_owned())
}

#[cfg(test)]
pub(crate) mod tests;
