//! What the authenticator must sign for each combination of its flags, written from the
//! specs (CTAP 2.1 §6.1–§6.2, WebAuthn L3 §6.1, WebAuthn L2 §10.3, FIDO Registry §3) and
//! independently of the authenticator's code.

use super::scenario::{DeviceScenario, Uv};
use super::verify::VerifiedAttestation;
use crate::axes::{Attestation, Biometric, KeyProtection, Up, UvPerformed};

/// What the oracle expects of a sign-in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// A CTAP error status.
    Rejected(u8),
    /// A signed assertion with these properties.
    Signed {
        /// UP, UV, BE, BS bits of the flags byte.
        flags: u8,
        /// The `uvm` entry `[method, keyProtection, matcherProtection]`, when supported.
        uvm: Option<[u32; 3]>,
    },
}

impl DeviceScenario {
    /// The client asks for UV whenever the authenticator can do it (userVerification
    /// "preferred"): built-in UV with a template enrolled.
    pub fn client_requests_uv(&self) -> bool {
        matches!(self.uv, Uv::Builtin(_, UvPerformed::Yes | UvPerformed::Failed))
    }

    /// The attestation registration must yield (WebAuthn L3 §8.2 verification).
    pub fn expected_attestation(&self) -> VerifiedAttestation {
        match self.attestation {
            Attestation::None => VerifiedAttestation::None,
            Attestation::SelfAttestation => VerifiedAttestation::SelfSigned,
            Attestation::BasicTrusted => VerifiedAttestation::Basic { trusted: true },
            Attestation::BasicUntrusted => VerifiedAttestation::Basic { trusted: false },
        }
    }

    /// The platform holds a PIN token: a PIN is set, so it asks the user for it.
    pub fn client_uses_pin(&self) -> bool {
        matches!(self.uv, Uv::ClientPin(..))
    }

    /// Flags of the registration: presence always, UV when a biometric or a PIN verifies the
    /// user (registration always succeeds: the PIN is typed right).
    pub fn expected_registration_flags(&self) -> u8 {
        let verified = self.client_requests_uv() || self.client_uses_pin();
        0x01 | if verified { 0x04 } else { 0 } | self.backup_bits()
    }

    /// BE (bit 3) and BS (bit 4) of the flags byte (WebAuthn L3 §6.1).
    fn backup_bits(&self) -> u8 {
        (if self.backup.eligible() { 0x08 } else { 0 }) | (if self.backup.state() { 0x10 } else { 0 })
    }

    /// The sign-in outcome.
    pub fn expected_sign_in(&self) -> Expected {
        // The platform asks for the PIN before it talks to the authenticator about the
        // assertion: a wrong PIN ends the ceremony before any touch (CTAP2_ERR_PIN_INVALID).
        if matches!(self.uv, Uv::ClientPin(_, UvPerformed::Failed)) {
            return Expected::Rejected(0x31);
        }
        // Presence comes next: a biometric needs the user's touch too.
        match self.up {
            Up::Deny => return Expected::Rejected(0x27), // CTAP2_ERR_OPERATION_DENIED
            Up::Timeout => return Expected::Rejected(0x2F), // CTAP2_ERR_USER_ACTION_TIMEOUT
            Up::Approve => {}
        }
        let verified = match self.uv {
            Uv::Builtin(_, UvPerformed::Failed) => return Expected::Rejected(0x3F), // CTAP2_ERR_UV_INVALID
            Uv::Builtin(_, UvPerformed::Yes) | Uv::ClientPin(_, UvPerformed::Yes) => true,
            _ => false,
        };
        let flags = 0x01 | if verified { 0x04 } else { 0 } | self.backup_bits();
        let method = match self.uv {
            // FIDO Registry §3.1 user verification methods.
            Uv::Builtin(biometric, UvPerformed::Yes) => match biometric {
                Biometric::Fingerprint => 0x02,
                Biometric::Voice => 0x08,
                Biometric::Face => 0x10,
                Biometric::Iris => 0x40,
            },
            Uv::ClientPin(_, UvPerformed::Yes) => 0x0800, // USER_VERIFY_PASSCODE_EXTERNAL
            _ => 0x01,                                    // USER_VERIFY_PRESENCE_INTERNAL
        };
        // FIDO Registry §3.2 key protection and §3.3 matcher protection.
        let (key_protection, matcher) = match self.key_protection {
            KeyProtection::Software => (0x0001, 0x0001),
            KeyProtection::Hardware => (0x0002, 0x0004),
            KeyProtection::Tee => (0x0006, 0x0002),
            KeyProtection::SecureElement => (0x000A, 0x0004),
        };
        Expected::Signed { flags, uvm: self.uvm.then_some([method, key_protection, matcher]) }
    }
}
