//! What each axis value means to the authenticator's configuration and to the relying party's:
//! the one place where an axis becomes a setting.

use softfido_authenticator::config::{
    self as device, AttestationKind, BackupFlags, Modality, PresenceOutcome,
};
use softfido_authenticator::pin::protocol::PinUvAuthProtocol;
use softfido_rp::webauthn::UserVerificationRequirement;

use super::{Attestation, Backup, Biometric, KeyGeneration, KeyProtection, PinProtocol, RpUv, Up};

impl From<Up> for PresenceOutcome {
    fn from(up: Up) -> Self {
        match up {
            Up::Approve => Self::Approve,
            Up::Deny => Self::Deny,
            Up::Timeout => Self::Timeout,
        }
    }
}

impl From<KeyGeneration> for device::Generation {
    fn from(generation: KeyGeneration) -> Self {
        match generation {
            KeyGeneration::Ctap21 => Self::Ctap21,
            KeyGeneration::Ctap21Pre => Self::Ctap21Pre,
            KeyGeneration::Ctap20 => Self::Ctap20,
            KeyGeneration::U2f => Self::U2f,
        }
    }
}

impl From<Biometric> for Modality {
    fn from(biometric: Biometric) -> Self {
        match biometric {
            Biometric::Fingerprint => Self::Fingerprint,
            Biometric::Face => Self::Face,
            Biometric::Iris => Self::Iris,
            Biometric::Voice => Self::Voice,
        }
    }
}

impl From<PinProtocol> for PinUvAuthProtocol {
    fn from(protocol: PinProtocol) -> Self {
        match protocol {
            PinProtocol::One => Self::One,
            PinProtocol::Two => Self::Two,
        }
    }
}

impl From<KeyProtection> for device::KeyProtection {
    fn from(protection: KeyProtection) -> Self {
        match protection {
            KeyProtection::Software => Self::Software,
            KeyProtection::Hardware => Self::Hardware,
            KeyProtection::Tee => Self::Tee,
            KeyProtection::SecureElement => Self::SecureElement,
        }
    }
}

impl From<Attestation> for AttestationKind {
    fn from(attestation: Attestation) -> Self {
        match attestation {
            Attestation::None => Self::None,
            Attestation::SelfAttestation => Self::PackedSelf,
            Attestation::BasicTrusted => Self::PackedBasic,
            Attestation::BasicUntrusted => Self::PackedBasicUntrusted,
        }
    }
}

impl From<Backup> for BackupFlags {
    fn from(backup: Backup) -> Self {
        Self { eligible: backup.eligible(), state: backup.state() }
    }
}

impl From<RpUv> for UserVerificationRequirement {
    fn from(rp_uv: RpUv) -> Self {
        match rp_uv {
            RpUv::Required => Self::Required,
            RpUv::Preferred => Self::Preferred,
            RpUv::Discouraged => Self::Discouraged,
        }
    }
}
