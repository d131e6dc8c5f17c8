//! The authenticator configuration as a TOML file (`softfido authenticator --config FILE`,
//! `softfido bridge --config FILE`): a named profile as the base, and any setting of
//! [`Config`] over it, in flat, readable keys. `examples/authenticator.toml` documents every key.
//!
//! The `danger_…` keys switch on deliberate faults ([`Faults`]); all are off unless named.
//!
//! An unknown key or value is refused with the key's name and the values allowed, by serde's
//! `deny_unknown_fields` and enum errors, located by the TOML parser.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::{
    Algorithm, AttestationFault, AttestationKind, AuthDataFault, BackupFlags, Config, CounterMode,
    ExtensionSupport, Faults, Generation, KeyProtection, Modality, PresenceOutcome, Profile, UvCapability,
    VerifyOutcome,
};

/// Why a configuration file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigFileError {
    /// The file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The TOML is malformed, or a key or value is unknown.
    #[error("{0}")]
    Invalid(String),
}

/// The user verification a file names: the kind, and for a sensor its state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum UvSetting {
    None,
    ClientPin,
    Fingerprint,
    Face,
    Iris,
    Voice,
}

/// The `[extensions]` table: each one on or off.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtensionsTable {
    cred_protect: Option<bool>,
    hmac_secret: Option<bool>,
    uvm: Option<bool>,
    cred_blob: Option<bool>,
}

/// The file's keys; each one absent keeps the profile's value.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    profile: Option<Profile>,
    presence: Option<PresenceOutcome>,
    presence_timeout_ms: Option<u64>,
    uv: Option<UvSetting>,
    biometric_enrolled: Option<bool>,
    biometric_outcome: Option<VerifyOutcome>,
    pin: Option<String>,
    no_pin: Option<bool>,
    key_protection: Option<KeyProtection>,
    attestation: Option<AttestationKind>,
    backup_eligible: Option<bool>,
    backup_state: Option<bool>,
    counter: Option<CounterMode>,
    algorithms: Option<Vec<Algorithm>>,
    max_resident_credentials: Option<usize>,
    reset_window_ms: Option<u64>,
    reset_anytime: Option<bool>,
    generation: Option<Generation>,
    extensions: Option<ExtensionsTable>,
    danger_uv_without_verification: Option<bool>,
    danger_presence_not_tested: Option<bool>,
    danger_wrong_rp_id_hash: Option<bool>,
    danger_corrupt_signature: Option<bool>,
    danger_sign_with_foreign_key: Option<bool>,
    danger_counter_regression: Option<bool>,
    danger_backup_state_without_eligibility: Option<bool>,
    danger_attestation: Option<AttestationFault>,
    danger_auth_data: Option<AuthDataFault>,
    danger_credential_key_algorithm_mismatch: Option<bool>,
}

/// Reads the configuration file at `path`.
pub fn load(path: &Path) -> Result<Config, ConfigFileError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| ConfigFileError::Read { path: path.display().to_string(), source })?;
    parse(&text).map_err(|error| match error {
        ConfigFileError::Invalid(message) => {
            ConfigFileError::Invalid(format!("{}: {message}", path.display()))
        }
        other => other,
    })
}

/// Parses a configuration file's text.
pub fn parse(text: &str) -> Result<Config, ConfigFileError> {
    let file: ConfigFile = toml::from_str(text).map_err(|e| ConfigFileError::Invalid(e.to_string()))?;
    file.apply()
}

impl ConfigFile {
    fn apply(self) -> Result<Config, ConfigFileError> {
        let mut config = self.profile.unwrap_or(Profile::SecurityKey).config();
        config.danger = self.faults(config.danger);
        if let Some(presence) = self.presence {
            config.presence = presence;
        }
        if let Some(ms) = self.presence_timeout_ms {
            config.presence_timeout = Duration::from_millis(ms);
        }
        config.uv = self.user_verification(config.uv);
        if config.uv != UvCapability::ClientPin {
            config.pin = None;
        }
        if let Some(pin) = self.pin {
            config.pin = Some(pin);
        }
        if self.no_pin == Some(true) {
            config.pin = None;
        }
        if config.pin.is_some() && config.uv != UvCapability::ClientPin {
            return Err(ConfigFileError::Invalid("`pin` needs `uv = \"client_pin\"`".into()));
        }
        config.key_protection = self.key_protection.unwrap_or(config.key_protection);
        config.attestation = self.attestation.unwrap_or(config.attestation);
        config.backup = BackupFlags {
            eligible: self.backup_eligible.unwrap_or(config.backup.eligible),
            state: self.backup_state.unwrap_or(config.backup.state),
        };
        config.counter = self.counter.unwrap_or(config.counter);
        if let Some(algorithms) = self.algorithms {
            if algorithms.is_empty() {
                return Err(ConfigFileError::Invalid(
                    "`algorithms` needs at least one of es256, ed_dsa".into(),
                ));
            }
            config.algorithms = algorithms;
        }
        config.max_resident_credentials =
            self.max_resident_credentials.unwrap_or(config.max_resident_credentials);
        if let Some(ms) = self.reset_window_ms {
            config.reset_window = Some(Duration::from_millis(ms));
        }
        if self.reset_anytime == Some(true) {
            config.reset_window = None;
        }
        config.generation = self.generation.unwrap_or(config.generation);
        config.extensions = self.extensions.map_or(config.extensions, |table| ExtensionSupport {
            cred_protect: table.cred_protect.unwrap_or(config.extensions.cred_protect),
            hmac_secret: table.hmac_secret.unwrap_or(config.extensions.hmac_secret),
            uvm: table.uvm.unwrap_or(config.extensions.uvm),
            cred_blob: table.cred_blob.unwrap_or(config.extensions.cred_blob),
        });
        Ok(config)
    }

    /// The deliberate faults: each `danger_…` key present overrides the profile's (none).
    fn faults(&self, base: Faults) -> Faults {
        let switch = |key: Option<bool>, profile: bool| key.unwrap_or(profile);
        Faults {
            danger_uv_without_verification: switch(
                self.danger_uv_without_verification,
                base.danger_uv_without_verification,
            ),
            danger_presence_not_tested: switch(
                self.danger_presence_not_tested,
                base.danger_presence_not_tested,
            ),
            danger_wrong_rp_id_hash: switch(self.danger_wrong_rp_id_hash, base.danger_wrong_rp_id_hash),
            danger_corrupt_signature: switch(self.danger_corrupt_signature, base.danger_corrupt_signature),
            danger_sign_with_foreign_key: switch(
                self.danger_sign_with_foreign_key,
                base.danger_sign_with_foreign_key,
            ),
            danger_counter_regression: switch(self.danger_counter_regression, base.danger_counter_regression),
            danger_backup_state_without_eligibility: switch(
                self.danger_backup_state_without_eligibility,
                base.danger_backup_state_without_eligibility,
            ),
            danger_attestation: self.danger_attestation.or(base.danger_attestation),
            danger_auth_data: self.danger_auth_data.or(base.danger_auth_data),
            danger_credential_key_algorithm_mismatch: switch(
                self.danger_credential_key_algorithm_mismatch,
                base.danger_credential_key_algorithm_mismatch,
            ),
        }
    }

    /// The UV capability: the file's kind, with the sensor's enrollment and verdict.
    fn user_verification(&self, base: UvCapability) -> UvCapability {
        let sensor = |modality| {
            let (enrolled, outcome) = match base {
                UvCapability::Builtin { enrolled, outcome, .. } => (enrolled, outcome),
                _ => (true, VerifyOutcome::Match),
            };
            UvCapability::Builtin {
                modality,
                enrolled: self.biometric_enrolled.unwrap_or(enrolled),
                outcome: self.biometric_outcome.unwrap_or(outcome),
            }
        };
        let base_modality = match base {
            UvCapability::Builtin { modality, .. } => Some(modality),
            _ => None,
        };
        match self.uv {
            Some(UvSetting::None) => UvCapability::None,
            Some(UvSetting::ClientPin) => UvCapability::ClientPin,
            Some(UvSetting::Fingerprint) => sensor(Modality::Fingerprint),
            Some(UvSetting::Face) => sensor(Modality::Face),
            Some(UvSetting::Iris) => sensor(Modality::Iris),
            Some(UvSetting::Voice) => sensor(Modality::Voice),
            None => base_modality.map_or(base, sensor),
        }
    }
}

#[cfg(test)]
mod tests;
