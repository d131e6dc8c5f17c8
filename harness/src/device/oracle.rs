//! What the authenticator must sign for each combination of its flags, written from the
//! specs (CTAP 2.1 §6.1–§6.2, WebAuthn L3 §6.1, WebAuthn L2 §10.3, FIDO Registry §3, FIDO U2F
//! Raw Message Formats v1.2) and independently of the authenticator's code. The generations of
//! key sign alike; what a generation offers (PIN protocols, tokens with permissions) is read
//! in [`super::generations`], and a U2F key is judged by the U2F rules below.

use super::scenario::{DeviceScenario, Uv};
use super::verify::VerifiedAttestation;
use crate::axes::{Attestation, Biometric, KeyProtection, Up, UvPerformed};

/// The bits of the authenticator data flags byte the oracle predicts (WebAuthn L3 §6.1).
pub mod flags {
    /// User present.
    pub const UP: u8 = 0x01;
    /// User verified.
    pub const UV: u8 = 0x04;
    /// Backup eligible.
    pub const BE: u8 = 0x08;
    /// Backup state.
    pub const BS: u8 = 0x10;
    /// Every bit the oracle predicts (AT and ED depend on the message, not the scenario).
    pub const PREDICTED: u8 = UP | UV | BE | BS;
}

/// CTAP 2.1 §8.2.1 status codes a sign-in can end with.
mod status {
    pub const CTAP2_ERR_OPERATION_DENIED: u8 = 0x27;
    pub const CTAP2_ERR_USER_ACTION_TIMEOUT: u8 = 0x2F;
    pub const CTAP2_ERR_PIN_INVALID: u8 = 0x31;
    pub const CTAP2_ERR_UV_INVALID: u8 = 0x3F;
}

/// FIDO Registry §3.1 user verification methods, §3.2 key protection and §3.3 matcher
/// protection types, as the `uvm` extension reports them.
mod registry {
    pub const USER_VERIFY_PRESENCE_INTERNAL: u32 = 0x0001;
    pub const USER_VERIFY_FINGERPRINT_INTERNAL: u32 = 0x0002;
    pub const USER_VERIFY_VOICEPRINT_INTERNAL: u32 = 0x0008;
    pub const USER_VERIFY_FACEPRINT_INTERNAL: u32 = 0x0010;
    pub const USER_VERIFY_EYEPRINT_INTERNAL: u32 = 0x0040;
    pub const USER_VERIFY_PASSCODE_EXTERNAL: u32 = 0x0800;
    pub const KEY_PROTECTION_SOFTWARE: u32 = 0x0001;
    pub const KEY_PROTECTION_HARDWARE: u32 = 0x0002;
    pub const KEY_PROTECTION_TEE: u32 = 0x0004;
    pub const KEY_PROTECTION_SECURE_ELEMENT: u32 = 0x0008;
    pub const MATCHER_PROTECTION_SOFTWARE: u32 = 0x0001;
    pub const MATCHER_PROTECTION_TEE: u32 = 0x0002;
    pub const MATCHER_PROTECTION_ON_CHIP: u32 = 0x0004;
}

use self::registry::*;
use self::status::*;

/// "Authentication Response Message: Error: Test-of-User-Presence Required" (FIDO U2F Raw
/// Message Formats v1.2): SW_CONDITIONS_NOT_SATISFIED.
const SW_CONDITIONS_NOT_SATISFIED: [u8; 2] = [0x69, 0x85];

/// What the oracle expects of a U2F_AUTHENTICATE with enforce-user-presence-and-sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum U2fExpected {
    /// A refusal with this status word.
    Refused([u8; 2]),
    /// A signature with this user presence byte, and a counter that grows from 1.
    Signed {
        /// The user presence byte.
        user_presence: u8,
    },
}

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

    /// U2F_AUTHENTICATE with enforce-user-presence-and-sign (FIDO U2F Raw Message Formats
    /// v1.2, "Authentication Request Message"): signed with user presence 1 after a touch, and
    /// no UV bit, which U2F does not have; without a touch (refused, or not yet given: U2F has
    /// no keepalive) the test of user presence is required, SW_CONDITIONS_NOT_SATISFIED.
    pub fn expected_u2f_authentication(&self) -> U2fExpected {
        match self.up {
            Up::Approve => U2fExpected::Signed { user_presence: flags::UP },
            Up::Deny | Up::Timeout => U2fExpected::Refused(SW_CONDITIONS_NOT_SATISFIED),
        }
    }

    /// Whether a U2F registration's attestation certificate chains to the trusted test root:
    /// U2F has only batch attestation ("Registration Response Message: Success"), so every
    /// model's batch certificate but the one configured under the untrusted root does.
    pub fn expected_u2f_trusted(&self) -> bool {
        self.attestation != Attestation::BasicUntrusted
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
        flags::UP | if verified { flags::UV } else { 0 } | self.backup_bits()
    }

    /// BE and BS of the flags byte.
    fn backup_bits(&self) -> u8 {
        (if self.backup.eligible() { flags::BE } else { 0 })
            | (if self.backup.state() { flags::BS } else { 0 })
    }

    /// The sign-in outcome.
    pub fn expected_sign_in(&self) -> Expected {
        // The platform asks for the PIN before it talks to the authenticator about the
        // assertion: a wrong PIN ends the ceremony before any touch (CTAP2_ERR_PIN_INVALID).
        if matches!(self.uv, Uv::ClientPin(_, UvPerformed::Failed)) {
            return Expected::Rejected(CTAP2_ERR_PIN_INVALID);
        }
        // Presence comes next: a biometric needs the user's touch too.
        match self.up {
            Up::Deny => return Expected::Rejected(CTAP2_ERR_OPERATION_DENIED),
            Up::Timeout => return Expected::Rejected(CTAP2_ERR_USER_ACTION_TIMEOUT),
            Up::Approve => {}
        }
        let verified = match self.uv {
            Uv::Builtin(_, UvPerformed::Failed) => return Expected::Rejected(CTAP2_ERR_UV_INVALID),
            Uv::Builtin(_, UvPerformed::Yes) | Uv::ClientPin(_, UvPerformed::Yes) => true,
            _ => false,
        };
        let flags = flags::UP | if verified { flags::UV } else { 0 } | self.backup_bits();
        let method = match self.uv {
            // FIDO Registry §3.1 user verification methods.
            Uv::Builtin(biometric, UvPerformed::Yes) => match biometric {
                Biometric::Fingerprint => USER_VERIFY_FINGERPRINT_INTERNAL,
                Biometric::Voice => USER_VERIFY_VOICEPRINT_INTERNAL,
                Biometric::Face => USER_VERIFY_FACEPRINT_INTERNAL,
                Biometric::Iris => USER_VERIFY_EYEPRINT_INTERNAL,
            },
            Uv::ClientPin(_, UvPerformed::Yes) => USER_VERIFY_PASSCODE_EXTERNAL,
            _ => USER_VERIFY_PRESENCE_INTERNAL,
        };
        // FIDO Registry §3.2 key protection and §3.3 matcher protection.
        let (key_protection, matcher) = match self.key_protection {
            KeyProtection::Software => (KEY_PROTECTION_SOFTWARE, MATCHER_PROTECTION_SOFTWARE),
            KeyProtection::Hardware => (KEY_PROTECTION_HARDWARE, MATCHER_PROTECTION_ON_CHIP),
            KeyProtection::Tee => (KEY_PROTECTION_HARDWARE | KEY_PROTECTION_TEE, MATCHER_PROTECTION_TEE),
            KeyProtection::SecureElement => {
                (KEY_PROTECTION_HARDWARE | KEY_PROTECTION_SECURE_ELEMENT, MATCHER_PROTECTION_ON_CHIP)
            }
        };
        Expected::Signed { flags, uvm: self.uvm.then_some([method, key_protection, matcher]) }
    }
}
