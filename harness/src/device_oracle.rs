//! What the authenticator must sign for each combination of its flags, written from the
//! specs (CTAP 2.1 §6.1–§6.2, WebAuthn L3 §6.1, WebAuthn L2 §10.3, FIDO Registry §3) and
//! independently of the authenticator's code.

use crate::verify::Attestation;

/// The user's answer when the authenticator asks for presence at sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Up {
    /// Touches the key.
    Approve,
    /// Refuses.
    Deny,
    /// Never answers.
    Timeout,
}

/// Built-in biometric kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Biometric {
    /// Fingerprint.
    Fingerprint,
    /// Face.
    Face,
    /// Iris.
    Iris,
    /// Voice.
    Voice,
}

/// Whether user verification happens at sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Performed {
    /// Enrolled, and the biometric matches.
    Yes,
    /// Capable, nothing enrolled: no UV possible.
    No,
    /// Enrolled, and the biometric does not match.
    Failed,
}

/// The PIN/UV auth protocol the platform speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PinProtocol {
    /// Protocol One.
    One,
    /// Protocol Two.
    Two,
}

/// The UV axis of the authenticator matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Uv {
    /// No UV capability.
    None,
    /// clientPIN capability, no PIN set: UV cannot happen (the protocol does not matter).
    ClientPinUnset,
    /// clientPIN with a PIN set; the user types it right (`Yes`) or wrong (`Failed`) at sign-in.
    ClientPin(PinProtocol, Performed),
    /// A built-in biometric.
    Builtin(Biometric, Performed),
}

/// Key storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Keys {
    /// Software.
    Software,
    /// Hardware.
    Hardware,
    /// Trusted execution environment.
    Tee,
    /// Secure element.
    SecureElement,
}

/// Attestation conveyed at registration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Attest {
    /// `none`.
    None,
    /// `packed` self.
    SelfAttestation,
    /// `packed` basic, chaining to the softfido test root.
    BasicTrusted,
    /// `packed` basic, chaining to a root no metadata lists.
    BasicUntrusted,
}

/// One authenticator scenario: one value per axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceScenario {
    /// Presence at sign-in.
    pub up: Up,
    /// UV capability and outcome.
    pub uv: Uv,
    /// Key storage.
    pub keys: Keys,
    /// Attestation.
    pub attestation: Attest,
    /// Backup eligibility and state (BE, BS).
    pub backup: (bool, bool),
    /// The authenticator supports `uvm` (the client always requests it).
    pub uvm: bool,
    /// Discoverable credential, signed in without an allowList.
    pub discoverable: bool,
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
        matches!(self.uv, Uv::Builtin(_, Performed::Yes | Performed::Failed))
    }

    /// The attestation registration must yield (WebAuthn L3 §8.2 verification).
    pub fn expected_attestation(&self) -> Attestation {
        match self.attestation {
            Attest::None => Attestation::None,
            Attest::SelfAttestation => Attestation::SelfSigned,
            Attest::BasicTrusted => Attestation::Basic { trusted: true },
            Attest::BasicUntrusted => Attestation::Basic { trusted: false },
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

    fn backup_bits(&self) -> u8 {
        (if self.backup.0 { 0x08 } else { 0 }) | (if self.backup.1 { 0x10 } else { 0 })
    }

    /// The sign-in outcome.
    pub fn expected_sign_in(&self) -> Expected {
        // The platform asks for the PIN before it talks to the authenticator about the
        // assertion: a wrong PIN ends the ceremony before any touch (CTAP2_ERR_PIN_INVALID).
        if matches!(self.uv, Uv::ClientPin(_, Performed::Failed)) {
            return Expected::Rejected(0x31);
        }
        // Presence comes next: a biometric needs the user's touch too.
        match self.up {
            Up::Deny => return Expected::Rejected(0x27), // CTAP2_ERR_OPERATION_DENIED
            Up::Timeout => return Expected::Rejected(0x2F), // CTAP2_ERR_USER_ACTION_TIMEOUT
            Up::Approve => {}
        }
        let verified = match self.uv {
            Uv::Builtin(_, Performed::Failed) => return Expected::Rejected(0x3F), // CTAP2_ERR_UV_INVALID
            Uv::Builtin(_, Performed::Yes) | Uv::ClientPin(_, Performed::Yes) => true,
            _ => false,
        };
        let flags = 0x01 | if verified { 0x04 } else { 0 } | self.backup_bits();
        let method = match self.uv {
            // FIDO Registry §3.1 user verification methods.
            Uv::Builtin(biometric, Performed::Yes) => match biometric {
                Biometric::Fingerprint => 0x02,
                Biometric::Voice => 0x08,
                Biometric::Face => 0x10,
                Biometric::Iris => 0x40,
            },
            Uv::ClientPin(_, Performed::Yes) => 0x0800, // USER_VERIFY_PASSCODE_EXTERNAL
            _ => 0x01,                                  // USER_VERIFY_PRESENCE_INTERNAL
        };
        // FIDO Registry §3.2 key protection and §3.3 matcher protection.
        let (key_protection, matcher) = match self.keys {
            Keys::Software => (0x0001, 0x0001),
            Keys::Hardware => (0x0002, 0x0004),
            Keys::Tee => (0x0006, 0x0002),
            Keys::SecureElement => (0x000A, 0x0004),
        };
        Expected::Signed { flags, uvm: self.uvm.then_some([method, key_protection, matcher]) }
    }
}
