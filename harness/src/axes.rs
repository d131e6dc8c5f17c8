//! The axes both matrices are built from: each axis an enum whose values carry the names of the
//! JSON report, of `--filter` and of the summaries. [`Display`](fmt::Display), [`FromStr`] and
//! serde all read the one name table the [`axis!`] macro writes.
//!
//! The end-to-end matrix (`crate::matrix`) and the device matrix (`crate::device`) share this
//! vocabulary and nothing else: each reads the rules on its own.

mod conversions;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A name that is not one of an axis's values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {axis} {value:?}; expected one of {}", .expected.join(", "))]
pub struct UnknownValue {
    /// The axis.
    pub axis: &'static str,
    /// What was given.
    pub value: String,
    /// The axis's values.
    pub expected: Vec<&'static str>,
}

/// Declares an axis: an enum, its name and its values' names, and all its values in report
/// order.
macro_rules! axis {
    ($(#[$doc:meta])* $name:ident $axis:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        pub enum $name { $(#[doc = concat!("`", $text, "`")] #[serde(rename = $text)] $variant),+ }

        impl $name {
            /// The axis's name in reports and filters.
            pub const AXIS: &'static str = $axis;

            /// Every value, in report order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The value's name in reports and filters.
            pub fn name(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;

            fn from_str(text: &str) -> Result<Self, UnknownValue> {
                Self::ALL.iter().copied().find(|value| value.name() == text).ok_or_else(|| UnknownValue {
                    axis: Self::AXIS,
                    value: text.to_owned(),
                    expected: Self::ALL.iter().map(|value| value.name()).collect(),
                })
            }
        }
    };
}

axis!(
    /// The user's answer to the presence test at sign-in (registration always has presence).
    Up "up" { Approve => "approve", Deny => "deny", Timeout => "timeout" }
);
axis!(
    /// What user verification the authenticator is built with.
    UvCapability "uv_capability" {
        None => "none", ClientPin => "client_pin", Fingerprint => "fingerprint", Face => "face",
        Iris => "iris", Voice => "voice",
    }
);
axis!(
    /// A built-in biometric: the values of [`UvCapability`] that are sensors.
    Biometric "uv_capability" { Fingerprint => "fingerprint", Face => "face", Iris => "iris", Voice => "voice" }
);
axis!(
    /// `yes`: configured (PIN set / enrolled) and it succeeds; `no`: not configured, so UV cannot
    /// happen; `failed`: configured, and the user fails it at sign-in (wrong PIN, no match).
    UvPerformed "uv_performed" { Yes => "yes", No => "no", Failed => "failed" }
);
axis!(
    /// The PIN/UV auth protocol the client uses.
    PinProtocol "pin_protocol" { One => "1", Two => "2" }
);
axis!(
    /// Where the authenticator keeps its keys.
    KeyProtection "key_protection" {
        Software => "software", Hardware => "hardware", Tee => "tee", SecureElement => "secure_element",
    }
);
axis!(
    /// The attestation the authenticator gives at registration.
    Attestation "attestation" {
        None => "none", SelfAttestation => "self", BasicTrusted => "basic_trusted",
        BasicUntrusted => "basic_untrusted",
    }
);
axis!(
    /// The backup eligibility and state flags (`be0_bs1` is invalid: WebAuthn L3 §6.1.3).
    Backup "backup" { Be0Bs0 => "be0_bs0", Be1Bs0 => "be1_bs0", Be1Bs1 => "be1_bs1", Be0Bs1 => "be0_bs1" }
);
axis!(
    /// How the user signs in.
    FirstFactor "first_factor" { Passkey => "passkey", PasswordAndKey => "password_and_key", Password => "password" }
);
axis!(
    /// The RP's `userVerification` for both ceremonies.
    RpUv "rp_uv" { Required => "required", Preferred => "preferred", Discouraged => "discouraged" }
);
axis!(
    /// What the OIDC client asks for.
    AcrRequest "acr_request" {
        None => "none", AcrValuesPhr => "acr_values_phr", AcrValuesPhrh => "acr_values_phrh",
        EssentialPhrh => "essential_phrh", EssentialUnknown => "essential_unknown",
        VoluntaryUnknown => "voluntary_unknown",
    }
);
axis!(
    /// The session the browser already has when the authorization request arrives, by the
    /// evidence class of its sign-in: `weaker_passkey` earns a lower acr than the scenario's key
    /// (`phr` against `phrh`), `stronger_passkey` a higher one (`phrh` against `phr` or none).
    Session "session" {
        None => "none", Password => "password", WeakerPasskey => "weaker_passkey",
        StrongerPasskey => "stronger_passkey",
    }
);
axis!(
    /// The request's `prompt` (OIDC Core §3.1.2.1). `absent` is a value of its own: with a
    /// usable session it means single sign-on, where `none` and `login` differ.
    Prompt "prompt" { Absent => "absent", None => "none", Login => "login" }
);
axis!(
    /// The request's `max_age` (OIDC Core §3.1.2.1); `elapsed` is smaller than the time since
    /// the session's `auth_time`.
    MaxAge "max_age" { Absent => "absent", Zero => "0", Elapsed => "elapsed" }
);

axis!(
    /// The generation of key the device is (`softfido authenticator --generation`): the device
    /// matrix's own axis, which the end-to-end matrix leaves at `2.1`.
    KeyGeneration "generation" { Ctap21 => "2.1", Ctap21Pre => "2.1-pre", Ctap20 => "2.0", U2f => "u2f" }
);

/// `uvm`: the authenticator supports the extension (the client always asks for it).
pub const UVM: &str = "uvm";
/// `discoverable`: sign-in with an empty allowList, versus username-first.
pub const DISCOVERABLE: &str = "discoverable";

/// The axis names, in report order: the authenticator's axes (the device matrix's, the first
/// nine), then the sign-in's, then the session's.
pub const AXIS_NAMES: [&str; 15] = [
    Up::AXIS,
    UvCapability::AXIS,
    UvPerformed::AXIS,
    PinProtocol::AXIS,
    KeyProtection::AXIS,
    Attestation::AXIS,
    Backup::AXIS,
    UVM,
    DISCOVERABLE,
    FirstFactor::AXIS,
    RpUv::AXIS,
    AcrRequest::AXIS,
    Session::AXIS,
    Prompt::AXIS,
    MaxAge::AXIS,
];

/// The device matrix's axes, in report order: the authenticator's axes of [`AXIS_NAMES`] (its
/// first nine), then the generation.
pub const DEVICE_AXIS_NAMES: [&str; 10] = [
    Up::AXIS,
    UvCapability::AXIS,
    UvPerformed::AXIS,
    PinProtocol::AXIS,
    KeyProtection::AXIS,
    Attestation::AXIS,
    Backup::AXIS,
    UVM,
    DISCOVERABLE,
    KeyGeneration::AXIS,
];

/// How an axis that cannot matter for a scenario is written.
pub const NOT_APPLICABLE: &str = "n/a";

/// How a yes/no axis (`uvm`, `discoverable`) writes its value.
pub fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

/// The name of an axis value, or [`NOT_APPLICABLE`].
pub fn or_not_applicable<T>(value: Option<T>, name: impl Fn(T) -> &'static str) -> &'static str {
    value.map_or(NOT_APPLICABLE, name)
}

impl UvCapability {
    /// The sensor, when this is a built-in biometric.
    pub fn biometric(self) -> Option<Biometric> {
        match self {
            Self::None | Self::ClientPin => None,
            Self::Fingerprint => Some(Biometric::Fingerprint),
            Self::Face => Some(Biometric::Face),
            Self::Iris => Some(Biometric::Iris),
            Self::Voice => Some(Biometric::Voice),
        }
    }
}

impl From<Biometric> for UvCapability {
    fn from(biometric: Biometric) -> Self {
        match biometric {
            Biometric::Fingerprint => Self::Fingerprint,
            Biometric::Face => Self::Face,
            Biometric::Iris => Self::Iris,
            Biometric::Voice => Self::Voice,
        }
    }
}

impl KeyProtection {
    /// Hardware-backed (FIDO keyProtection hardware, TEE or secure element).
    pub fn is_hardware(self) -> bool {
        self != Self::Software
    }
}

impl Backup {
    /// BE: the credential may be backed up (synced).
    pub fn eligible(self) -> bool {
        matches!(self, Self::Be1Bs0 | Self::Be1Bs1)
    }

    /// BS: the credential is backed up.
    pub fn state(self) -> bool {
        matches!(self, Self::Be1Bs1 | Self::Be0Bs1)
    }
}

#[cfg(test)]
mod tests;

axis!(
    /// The kind of authenticator: a FIDO2 key the browser speaks CTAP2 to, or a U2F-only
    /// security key it drives over U2F messages (CTAP 2.1 §10). A U2F key has no user
    /// verification, no discoverable credentials, no backup flags and no `uvm` output.
    KeyKind "kind" { Fido2 => "fido2", U2f => "u2f" }
);
