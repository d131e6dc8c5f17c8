//! Why a ceremony was rejected: one variant per check, each with a stable [`CeremonyError::code`].

use std::time::Duration;

use webauthn_rs_core::error::WebauthnError;

use crate::authenticator_data::AuthDataError;

/// A relying-party configuration `webauthn-rs-core` would accept but could never work with.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The RP ID is empty.
    #[error("the RP ID is empty")]
    EmptyRpId,
    /// No origin is configured.
    #[error("no origin is configured")]
    NoOrigin,
    /// An origin's host is neither the RP ID nor a subdomain of it (WebAuthn L3 §5.1.2).
    #[error("origin {origin} is not within RP ID {rp_id}")]
    OriginOutsideRpId {
        /// The origin.
        origin: String,
        /// The RP ID.
        rp_id: String,
    },
    /// The timeout does not fit the options' `u32` milliseconds.
    #[error("timeout {0:?} is longer than u32::MAX milliseconds")]
    TimeoutTooLong(Duration),
}

/// Why a ceremony failed. Every rejection of input is one of these; nothing panics.
#[derive(Debug, thiserror::Error)]
pub enum CeremonyError {
    /// The user entity of a registration is unusable (WebAuthn L3 §5.4.3).
    #[error("invalid user: {0}")]
    InvalidUser(&'static str),
    /// Username-first sign-in for a user without credentials.
    #[error("the user has no credential to sign in with")]
    NoCredentials,
    /// Username-first sign-in was started with credentials of different users.
    #[error("the credentials of one sign-in belong to different users")]
    MixedUsers,
    /// The response does not decode (JSON, base64url, CBOR, authenticator data, client data).
    #[error("malformed response: {0}")]
    Malformed(String),
    /// clientDataJSON.type is not this ceremony's (`webauthn.create` / `webauthn.get`).
    #[error("clientDataJSON.type is not the one of this ceremony")]
    WrongCeremonyType,
    /// clientDataJSON.challenge is not this ceremony's: a stale or replayed response.
    #[error("the response answers another challenge (stale or replayed)")]
    ChallengeMismatch,
    /// clientDataJSON.origin is not an origin of this RP.
    #[error("clientDataJSON.origin is not an origin of this relying party")]
    WrongOrigin,
    /// clientDataJSON.crossOrigin is true.
    #[error("the ceremony ran in a cross-origin iframe")]
    CrossOrigin,
    /// clientDataJSON.topOrigin is present: the ceremony ran in a frame, which this RP's pages
    /// forbid.
    #[error("the ceremony ran embedded under another top-level origin")]
    TopOrigin,
    /// The signed rpIdHash is not SHA-256 of this RP ID.
    #[error("the authenticator data is for another RP ID")]
    WrongRpId,
    /// UP = 0 (WebAuthn L3 §7.1 step 14, §7.2 step 16; rule R0).
    #[error("the user was not present (UP = 0)")]
    UserNotPresent,
    /// UV = 0 where the RP requires it, or where the credential was registered with UV.
    #[error("the user was not verified (UV = 0) and user verification is required")]
    UserNotVerified,
    /// BS = 1 with BE = 0, which WebAuthn L3 §6.1.3 calls invalid.
    #[error("backup state set without backup eligibility (BE = 0, BS = 1)")]
    BackupStateWithoutEligibility,
    /// BE differs from the value at registration (a credential cannot change what it is).
    #[error("backup eligibility changed since registration")]
    BackupEligibilityChanged,
    /// The public key algorithm is not one the options offered.
    #[error("the credential's algorithm was not offered")]
    AlgorithmNotAllowed,
    /// The attestation format is not supported.
    #[error("unsupported attestation format")]
    UnsupportedAttestation,
    /// The attestation statement does not verify (signature, certificate requirements, AAGUID).
    #[error("invalid attestation statement: {0}")]
    InvalidAttestation(String),
    /// The new credential is one the options excluded (already registered).
    #[error("the credential was excluded (already registered)")]
    CredentialExcluded,
    /// The credential is not in the sign-in's allowCredentials.
    #[error("the credential was not among those allowed")]
    CredentialNotAllowed,
    /// No stored credential has this ID.
    #[error("unknown credential")]
    UnknownCredential,
    /// The credential's user is not the user signing in, or userHandle names another user.
    #[error("the credential belongs to another user")]
    WrongUser,
    /// A discoverable sign-in response without userHandle (WebAuthn L3 §7.2 step 6).
    #[error("the response carries no userHandle")]
    MissingUserHandle,
    /// The assertion signature does not verify.
    #[error("the signature does not verify")]
    BadSignature,
    /// The signature counter did not increase: a cloned authenticator or a replayed response.
    #[error("signature counter {received} is not above the stored {stored} (cloned or replayed)")]
    CounterNotIncreased {
        /// The counter stored for the credential.
        stored: u32,
        /// The counter of this assertion.
        received: u32,
    },
    /// The verified authenticator data could not be read for evidence.
    #[error(transparent)]
    AuthenticatorData(#[from] AuthDataError),
    /// Any other rejection by `webauthn-rs-core`.
    #[error("rejected by webauthn-rs-core: {0}")]
    Library(#[source] WebauthnError),
}

impl CeremonyError {
    /// A stable snake_case name, for logs, reports and the negative matrix.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidUser(_) => "invalid_user",
            Self::NoCredentials => "no_credentials",
            Self::MixedUsers => "mixed_users",
            Self::Malformed(_) => "malformed",
            Self::WrongCeremonyType => "wrong_ceremony_type",
            Self::ChallengeMismatch => "challenge_mismatch",
            Self::WrongOrigin => "wrong_origin",
            Self::CrossOrigin => "cross_origin",
            Self::TopOrigin => "top_origin",
            Self::WrongRpId => "wrong_rp_id",
            Self::UserNotPresent => "user_not_present",
            Self::UserNotVerified => "user_not_verified",
            Self::BackupStateWithoutEligibility => "backup_state_without_eligibility",
            Self::BackupEligibilityChanged => "backup_eligibility_changed",
            Self::AlgorithmNotAllowed => "algorithm_not_allowed",
            Self::UnsupportedAttestation => "unsupported_attestation",
            Self::InvalidAttestation(_) => "invalid_attestation",
            Self::CredentialExcluded => "credential_excluded",
            Self::CredentialNotAllowed => "credential_not_allowed",
            Self::UnknownCredential => "unknown_credential",
            Self::WrongUser => "wrong_user",
            Self::MissingUserHandle => "missing_user_handle",
            Self::BadSignature => "bad_signature",
            Self::CounterNotIncreased { .. } => "counter_not_increased",
            Self::AuthenticatorData(_) => "malformed_authenticator_data",
            Self::Library(_) => "rejected",
        }
    }
}

impl From<WebauthnError> for CeremonyError {
    fn from(error: WebauthnError) -> Self {
        use WebauthnError as E;
        match error {
            E::InvalidClientDataType => Self::WrongCeremonyType,
            E::MismatchedChallenge => Self::ChallengeMismatch,
            E::InvalidRPOrigin => Self::WrongOrigin,
            E::CredentialCrossOrigin => Self::CrossOrigin,
            E::InvalidRPIDHash => Self::WrongRpId,
            E::UserNotPresent => Self::UserNotPresent,
            E::UserNotVerified => Self::UserNotVerified,
            // With `reject_synchronised_authenticators` off (we never set it), the library
            // raises this only for BS = 1 without BE = 1.
            E::CredentialMayNotBeHardwareBound => Self::BackupStateWithoutEligibility,
            E::CredentialBackupEligibilityInconsistent => Self::BackupEligibilityChanged,
            E::CredentialAlteredAlgFromRequest => Self::AlgorithmNotAllowed,
            // The options offer only what webauthn-rs-core verifies (ES256, ES384, RS256): a
            // credential public key announced as Ed25519 or Ed448 was not offered (WebAuthn L3
            // §7.1: its alg must be one of pubKeyCredParams). The library raises the SSH variant
            // for a COSE key too.
            E::COSEKeyEDUnsupported | E::SshPublicKeyEDUnsupported => Self::AlgorithmNotAllowed,
            E::AttestationNotSupported => Self::UnsupportedAttestation,
            E::CredentialNotFound => Self::UnknownCredential,
            E::AuthenticationFailure | E::SignatureInvalid => Self::BadSignature,
            E::InvalidUsername => Self::InvalidUser("empty user id, name or display name"),
            E::ParseBase64Failure(_)
            | E::ParseCBORFailure(_)
            | E::ParseJSONFailure(_)
            | E::ParseNOMFailure
            | E::ParseInsufficientBytesAvailable
            | E::MissingAttestationCredentialData
            | E::COSEKeyInvalidCBORValue
            | E::COSEKeyInvalidType
            | E::COSEKeyECDSAXYInvalid
            | E::COSEKeyECDSAInvalidCurve
            | E::COSEKeyEDDSAXInvalid
            | E::COSEKeyEDDSAInvalidCurve
            | E::COSEKeyInvalidAlgorithm
            | E::COSEKeyRSANEInvalid
            | E::EcdsaPointInvalid => Self::Malformed(format!("{error} ({error:?})")),
            e if is_attestation_statement_error(&e) => Self::InvalidAttestation(format!("{e} ({e:?})")),
            other => Self::Library(other),
        }
    }
}

/// The attestation-statement checks of WebAuthn L3 §8 (the statement itself, not trust in it).
fn is_attestation_statement_error(error: &WebauthnError) -> bool {
    use WebauthnError as E;
    matches!(
        error,
        E::AttestationStatementMapInvalid
            | E::AttestationStatementResponseMissing
            | E::AttestationStatementResponseInvalid
            | E::AttestationStatementSigMissing
            | E::AttestationStatementSigInvalid
            | E::AttestationStatementVerMissing
            | E::AttestationStatementVerInvalid
            | E::AttestationStatementVerUnsupported
            | E::AttestationStatementX5CMissing
            | E::AttestationStatementX5CInvalid
            | E::AttestationStatementAlgMissing
            | E::AttestationStatementMissingExtension
            | E::AttestationStatementAlgMismatch
            | E::AttestationStatementAlgInvalid
            | E::AttestationCertificateAAGUIDMismatch
            | E::AttestationCertificateRequirementsNotMet
            | E::AttestationCredentialSubjectKeyMismatch
            | E::CertificatePublicKeyInvalid
            | E::CertificatePublicKeyAlgorthimMismatch
            | E::X509DerInvalid
    )
}

#[cfg(test)]
mod tests;
