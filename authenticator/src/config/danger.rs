//! Deliberate faults: ways in which the authenticator lies or breaks the protocol on purpose, so
//! that a test can prove a relying party refuses what it must refuse.
//!
//! Every fault is off by default, and with all of them off the authenticator's bytes are those of
//! a correct device. Each field is named `danger_…`, the name it has in a serialised
//! [`Config`](super::Config) and in the daemon's configuration file, so that a configuration that
//! switches one on says so in plain words.

use serde::{Deserialize, Serialize};

use super::{KeyProtection, Model, UvKind};

/// A fault in the attestation statement of makeCredential.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttestationFault {
    /// Format `packed`, basic, whose `x5c` is a single self-signed certificate that carries the
    /// AAGUID of a hardware model ([`claimed_hardware_model`]) in its AAGUID extension, the same
    /// AAGUID authData announces. A relying party must find no path from that certificate to a
    /// root its metadata lists for the AAGUID and must not believe the claim: refuse the
    /// registration, or record the attestation as untrusted and grant nothing it claims
    /// (WebAuthn L3 §7.1: the trust anchors, "assess the attestation trustworthiness"; §8.2).
    /// softfido's IdP does the latter.
    SelfSignedBatchClaimingHardware,
    /// Format `packed`, basic, with the model's genuine batch certificate chaining to softfido's
    /// test root, while authData announces the AAGUID of another model ([`claimed_hardware_model`]).
    /// A relying party must refuse it: WebAuthn L3 §8.2 verification procedure ("if attestnCert
    /// contains an extension with OID 1.3.6.1.4.1.45724.1.1.4 (id-fido-gen-ce-aaguid) verify that
    /// the value of this extension matches the aaguid in authenticatorData"), §8.2.1.
    CertificateAaguidMismatch,
    /// Format `packed`, self attestation signed by the credential's ES256 key, whose `alg`
    /// announces RS256 (-257), an algorithm the relying party offers. A relying party must
    /// refuse it: WebAuthn L3 §8.2 verification procedure, self attestation ("validate that alg
    /// matches the algorithm of the credentialPublicKey in authenticatorData").
    SelfAttestationAlgorithmMismatch,
}

impl AttestationFault {
    /// Every attestation fault.
    pub const ALL: [AttestationFault; 3] = [
        Self::SelfSignedBatchClaimingHardware,
        Self::CertificateAaguidMismatch,
        Self::SelfAttestationAlgorithmMismatch,
    ];

    /// The value's name in a configuration file.
    pub fn name(self) -> &'static str {
        match self {
            Self::SelfSignedBatchClaimingHardware => "self_signed_batch_claiming_hardware",
            Self::CertificateAaguidMismatch => "certificate_aaguid_mismatch",
            Self::SelfAttestationAlgorithmMismatch => "self_attestation_algorithm_mismatch",
        }
    }
}

/// A fault in the layout of authenticator data (WebAuthn L3 §6.1), applied after the data is
/// built and before it is signed, so the signature covers the malformed bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthDataFault {
    /// The last byte is cut off. A relying party must refuse the truncated structure (WebAuthn
    /// L3 §6.1: at least 37 bytes, the attested credential data and extensions CBOR of exact
    /// length).
    TruncatedByOne,
    /// Two garbage bytes ([`AuthDataFault::TRAILING_BYTES`]) follow the last field. WebAuthn L3
    /// §6.1: authData is exactly its fields, nothing follows the extensions; a relying party must
    /// refuse it.
    TrailingBytes,
    /// ED=1 with no extension map. WebAuthn L3 §6.1: ED says extension data is included;
    /// a relying party must refuse the flag with nothing behind it.
    ExtensionFlagWithoutExtensions,
    /// An extension map appended while ED=0: bytes that §6.1 does not allow after the attested
    /// credential data (or the counter); a relying party must refuse them.
    ExtensionsWithoutFlag,
}

impl AuthDataFault {
    /// Every authData fault.
    pub const ALL: [AuthDataFault; 4] = [
        Self::TruncatedByOne,
        Self::TrailingBytes,
        Self::ExtensionFlagWithoutExtensions,
        Self::ExtensionsWithoutFlag,
    ];

    /// The garbage [`AuthDataFault::TrailingBytes`] appends.
    pub const TRAILING_BYTES: [u8; 2] = [0xDE, 0xAD];

    /// The value's name in a configuration file.
    pub fn name(self) -> &'static str {
        match self {
            Self::TruncatedByOne => "truncated_by_one",
            Self::TrailingBytes => "trailing_bytes",
            Self::ExtensionFlagWithoutExtensions => "extension_flag_without_extensions",
            Self::ExtensionsWithoutFlag => "extensions_without_flag",
        }
    }
}

/// The deliberate faults of one authenticator; [`Faults::default`] has every one off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// authData UV=1 although no user verification was performed (no pinUvAuthToken, no
    /// built-in UV), in getAssertion and makeCredential requests that asked for none; a `uvm`
    /// output then names the model's own method (its sensor, or the PIN) though none was used.
    /// Flag and output are signed by the credential's own key: no relying party can detect this
    /// lie (WebAuthn L3 §7.1 / §7.2 trust UV as signed; WebAuthn L2 §10.3).
    #[serde(skip_serializing_if = "is_off")]
    pub danger_uv_without_verification: bool,
    /// The user presence test is not performed, yet makeCredential and getAssertion answer
    /// success with UP=0 instead of CTAP2_ERR_OPERATION_DENIED or CTAP2_ERR_USER_ACTION_TIMEOUT.
    /// A relying party must refuse it: WebAuthn L3 §7.1 step 14 / §7.2 step 16 ("verify that
    /// the UP bit of the flags in authData is set").
    #[serde(skip_serializing_if = "is_off")]
    pub danger_presence_not_tested: bool,
    /// authData's rpIdHash is SHA-256 of [`Faults::WRONG_RP_ID`] in both ceremonies, the
    /// signatures valid over those bytes. A relying party must refuse it: WebAuthn L3 §7.1
    /// step 13 / §7.2 step 15 ("verify that the rpIdHash in authData is the SHA-256 hash of the
    /// RP ID expected by the Relying Party").
    #[serde(skip_serializing_if = "is_off")]
    pub danger_wrong_rp_id_hash: bool,
    /// The assertion signature, and a packed attestation statement's `sig`, have one byte of r
    /// flipped (for Ed25519, the first byte of R). A relying party must refuse it: WebAuthn L3
    /// §7.2 step 22 (the signature must verify), §8.2 verification procedure.
    #[serde(skip_serializing_if = "is_off")]
    pub danger_corrupt_signature: bool,
    /// The assertion is signed by a freshly generated key of the credential's algorithm, not
    /// the credential's: a well-formed signature that does not verify under the stored public
    /// key. A relying party must refuse it: WebAuthn L3 §7.2 step 22.
    #[serde(skip_serializing_if = "is_off")]
    pub danger_sign_with_foreign_key: bool,
    /// Registration reports signCount [`Faults::REGRESSION_START_COUNTER`]; every assertion
    /// reports the credential's previous value minus one, never below 1. The counter stays
    /// nonzero, so a relying party must apply WebAuthn L3 §7.2 step 23, the signCount step ("this is a signal that
    /// the authenticator may be cloned") and refuse or flag the assertion.
    #[serde(skip_serializing_if = "is_off")]
    pub danger_counter_regression: bool,
    /// BS=1 with BE=0 in both ceremonies, whatever [`Config::backup`](super::Config::backup)
    /// says. WebAuthn L3 §6.1: BE=0 with BS=1 "is not allowed"; a relying party must
    /// refuse it (§7.1 step 16, §7.2 step 18).
    #[serde(skip_serializing_if = "is_off")]
    pub danger_backup_state_without_eligibility: bool,
    /// A fault in the attestation statement (see [`AttestationFault`]); it replaces
    /// [`Config::attestation`](super::Config::attestation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub danger_attestation: Option<AttestationFault>,
    /// A fault in the layout of authData, assertion and registration alike (see
    /// [`AuthDataFault`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub danger_auth_data: Option<AuthDataFault>,
    /// At registration the attested credential public key of an ES256 credential is announced
    /// as an Ed25519 COSE key (kty OKP, alg -8, crv Ed25519, the P-256 x coordinate as x) while
    /// the credential signs ES256 (self attestation keeps `alg: -7` and an ES256 `sig`). A
    /// relying party must refuse it: WebAuthn L3 §8.2 verification procedure (self attestation:
    /// "validate that alg matches the algorithm of the credentialPublicKey"), and every later
    /// assertion fails §7.2 step 22. An Ed25519 credential is announced as it is.
    #[serde(skip_serializing_if = "is_off")]
    pub danger_credential_key_algorithm_mismatch: bool,
}

/// `skip_serializing_if` for the boolean faults: a fault that is off is not written.
fn is_off(on: &bool) -> bool {
    !*on
}

impl Faults {
    /// The RP ID whose hash `danger_wrong_rp_id_hash` puts in authData.
    pub const WRONG_RP_ID: &'static str = "evil.example";

    /// The signCount registration reports under `danger_counter_regression`.
    pub const REGRESSION_START_COUNTER: u32 = 1000;

    /// No fault at all (the default).
    pub const NONE: Faults = Faults {
        danger_uv_without_verification: false,
        danger_presence_not_tested: false,
        danger_wrong_rp_id_hash: false,
        danger_corrupt_signature: false,
        danger_sign_with_foreign_key: false,
        danger_counter_regression: false,
        danger_backup_state_without_eligibility: false,
        danger_attestation: None,
        danger_auth_data: None,
        danger_credential_key_algorithm_mismatch: false,
    };

    /// Whether every fault is off.
    pub fn is_empty(&self) -> bool {
        *self == Self::NONE
    }

    /// The names of the faults switched on, in field order: the field name for a boolean fault,
    /// `field=value` for one with variants (e.g. `danger_auth_data=trailing_bytes`).
    pub fn active(&self) -> Vec<&'static str> {
        let switches = [
            (self.danger_uv_without_verification, "danger_uv_without_verification"),
            (self.danger_presence_not_tested, "danger_presence_not_tested"),
            (self.danger_wrong_rp_id_hash, "danger_wrong_rp_id_hash"),
            (self.danger_corrupt_signature, "danger_corrupt_signature"),
            (self.danger_sign_with_foreign_key, "danger_sign_with_foreign_key"),
            (self.danger_counter_regression, "danger_counter_regression"),
            (self.danger_backup_state_without_eligibility, "danger_backup_state_without_eligibility"),
        ];
        let mut names: Vec<&'static str> =
            switches.into_iter().filter(|(on, _)| *on).map(|(_, name)| name).collect();
        names.extend(self.danger_attestation.map(|fault| match fault {
            AttestationFault::SelfSignedBatchClaimingHardware => {
                "danger_attestation=self_signed_batch_claiming_hardware"
            }
            AttestationFault::CertificateAaguidMismatch => "danger_attestation=certificate_aaguid_mismatch",
            AttestationFault::SelfAttestationAlgorithmMismatch => {
                "danger_attestation=self_attestation_algorithm_mismatch"
            }
        }));
        names.extend(self.danger_auth_data.map(|fault| match fault {
            AuthDataFault::TruncatedByOne => "danger_auth_data=truncated_by_one",
            AuthDataFault::TrailingBytes => "danger_auth_data=trailing_bytes",
            AuthDataFault::ExtensionFlagWithoutExtensions => {
                "danger_auth_data=extension_flag_without_extensions"
            }
            AuthDataFault::ExtensionsWithoutFlag => "danger_auth_data=extensions_without_flag",
        }));
        if self.danger_credential_key_algorithm_mismatch {
            names.push("danger_credential_key_algorithm_mismatch");
        }
        names
    }

    /// The start-up warning of a device with faults on (`WARNING: deliberate faults are on: …`),
    /// `None` when every fault is off.
    pub fn warning(&self) -> Option<String> {
        (!self.is_empty()).then(|| format!("WARNING: deliberate faults are on: {}", self.active().join(", ")))
    }

    /// Every single fault, each alone in a [`Faults`] value, in field order: the catalogue a
    /// negative matrix walks.
    pub fn each() -> Vec<Faults> {
        let mut each = vec![
            Faults { danger_uv_without_verification: true, ..Self::NONE },
            Faults { danger_presence_not_tested: true, ..Self::NONE },
            Faults { danger_wrong_rp_id_hash: true, ..Self::NONE },
            Faults { danger_corrupt_signature: true, ..Self::NONE },
            Faults { danger_sign_with_foreign_key: true, ..Self::NONE },
            Faults { danger_counter_regression: true, ..Self::NONE },
            Faults { danger_backup_state_without_eligibility: true, ..Self::NONE },
        ];
        each.extend(
            AttestationFault::ALL.map(|fault| Faults { danger_attestation: Some(fault), ..Self::NONE }),
        );
        each.extend(AuthDataFault::ALL.map(|fault| Faults { danger_auth_data: Some(fault), ..Self::NONE }));
        each.push(Faults { danger_credential_key_algorithm_mismatch: true, ..Self::NONE });
        each
    }
}

/// The hardware model whose AAGUID an attestation fault claims for a device of model `actual`:
/// a secure-element key with clientPIN, or, when the device is that model, a hardware key with
/// clientPIN, so that the claim always names a model other than the device's.
pub fn claimed_hardware_model(actual: Model) -> Model {
    let secure_element = Model { key_protection: KeyProtection::SecureElement, uv: UvKind::ClientPin };
    if actual == secure_element {
        Model { key_protection: KeyProtection::Hardware, uv: UvKind::ClientPin }
    } else {
        secure_element
    }
}

#[cfg(test)]
mod tests;
