//! The device matrix's scenarios: one value per axis of [`crate::axes`] (the authenticator's
//! axes only, with no `n/a` collapse: every combination is run), and the authenticator
//! configuration each stands for.

use std::time::Duration;

use softfido_authenticator::config::{
    ExtensionSupport, PinHashCost, PresenceOutcome, UvCapability as DeviceUv, VerifyOutcome,
};
use softfido_authenticator::{Config, Profile};

use crate::axes::{
    AXIS_NAMES, Attestation, Backup, Biometric, DISCOVERABLE, KeyProtection, PinProtocol, UVM, Up,
    UvCapability, UvPerformed, or_not_applicable, yes_no,
};
use crate::filter::AxisValues;

/// The PIN set on clientPIN scenarios that have one.
pub const MATRIX_PIN: &str = "4711";

/// How many of [`AXIS_NAMES`] describe the authenticator: the device matrix's axes.
const DEVICE_AXES: usize = 9;

/// The user verification of a scenario: capability, whether it is configured and succeeds, and
/// the PIN protocol where a PIN is set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Uv {
    /// No UV capability.
    None,
    /// clientPIN capability, no PIN set: UV cannot happen (the protocol does not matter).
    ClientPinUnset,
    /// clientPIN with a PIN set; the user types it right (`Yes`) or wrong (`Failed`) at sign-in.
    ClientPin(PinProtocol, UvPerformed),
    /// A built-in biometric: enrolled and matching (`Yes`), not enrolled (`No`), or enrolled and
    /// not matching at sign-in (`Failed`).
    Builtin(Biometric, UvPerformed),
}

impl Uv {
    /// Every value, in product order.
    fn all() -> Vec<Self> {
        let mut all = vec![Self::None, Self::ClientPinUnset];
        for &protocol in PinProtocol::ALL {
            for performed in [UvPerformed::Yes, UvPerformed::Failed] {
                all.push(Self::ClientPin(protocol, performed));
            }
        }
        for &biometric in Biometric::ALL {
            all.extend(UvPerformed::ALL.iter().map(|&performed| Self::Builtin(biometric, performed)));
        }
        all
    }

    /// The `uv_capability`, `uv_performed` and `pin_protocol` axes.
    fn axes(self) -> (UvCapability, UvPerformed, Option<PinProtocol>) {
        match self {
            Self::None => (UvCapability::None, UvPerformed::No, None),
            Self::ClientPinUnset => (UvCapability::ClientPin, UvPerformed::No, None),
            Self::ClientPin(protocol, performed) => (UvCapability::ClientPin, performed, Some(protocol)),
            Self::Builtin(biometric, performed) => (biometric.into(), performed, None),
        }
    }
}

/// One authenticator scenario: one value per axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceScenario {
    /// Presence at sign-in.
    pub up: Up,
    /// UV capability and outcome.
    pub uv: Uv,
    /// Key storage.
    pub key_protection: KeyProtection,
    /// Attestation.
    pub attestation: Attestation,
    /// Backup eligibility and state (BE, BS).
    pub backup: Backup,
    /// The authenticator supports `uvm` (the client always requests it).
    pub uvm: bool,
    /// Discoverable credential, signed in without an allowList.
    pub discoverable: bool,
}

/// Every scenario of the authenticator matrix (the full product of the axes).
pub fn scenarios() -> Vec<DeviceScenario> {
    let mut out = Vec::new();
    for &up in Up::ALL {
        for uv in Uv::all() {
            for &key_protection in KeyProtection::ALL {
                for &attestation in Attestation::ALL {
                    for &backup in Backup::ALL {
                        for uvm in [false, true] {
                            for discoverable in [false, true] {
                                out.push(DeviceScenario {
                                    up,
                                    uv,
                                    key_protection,
                                    attestation,
                                    backup,
                                    uvm,
                                    discoverable,
                                });
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

impl DeviceScenario {
    /// The axis values by name, in [`AXIS_NAMES`] order (used by `--filter` and the summary).
    pub fn values(&self) -> [(&'static str, &'static str); DEVICE_AXES] {
        let (capability, performed, protocol) = self.uv.axes();
        [
            (Up::AXIS, self.up.name()),
            (UvCapability::AXIS, capability.name()),
            (UvPerformed::AXIS, performed.name()),
            (PinProtocol::AXIS, or_not_applicable(protocol, PinProtocol::name)),
            (KeyProtection::AXIS, self.key_protection.name()),
            (Attestation::AXIS, self.attestation.name()),
            (Backup::AXIS, self.backup.name()),
            (UVM, yes_no(self.uvm)),
            (DISCOVERABLE, yes_no(self.discoverable)),
        ]
    }

    /// The authenticator configuration the scenario stands for, with the user approving every
    /// presence test and a biometric matching (the sign-in answers are set by the runner).
    pub fn config(&self) -> Config {
        let uv = match self.uv {
            Uv::None => DeviceUv::None,
            Uv::ClientPinUnset | Uv::ClientPin(..) => DeviceUv::ClientPin,
            Uv::Builtin(biometric, performed) => DeviceUv::Builtin {
                modality: biometric.into(),
                enrolled: performed != UvPerformed::No,
                outcome: VerifyOutcome::Match,
            },
        };
        Config {
            presence: PresenceOutcome::Approve,
            presence_timeout: Duration::ZERO,
            uv,
            key_protection: self.key_protection.into(),
            attestation: self.attestation.into(),
            backup: self.backup.into(),
            extensions: ExtensionSupport { uvm: self.uvm, ..ExtensionSupport::ALL },
            pin: self.client_uses_pin().then(|| MATRIX_PIN.to_owned()),
            // Throwaway in-memory devices: a slow PIN verifier would only slow the matrix.
            pin_hash_cost: PinHashCost::Minimal,
            ..Profile::SoftwareToken.config()
        }
    }
}

impl AxisValues for DeviceScenario {
    const AXES: &'static [&'static str] = AXIS_NAMES.split_at(DEVICE_AXES).0;

    fn value(&self, index: usize) -> &'static str {
        self.values()[index].1
    }
}

#[cfg(test)]
mod tests;
