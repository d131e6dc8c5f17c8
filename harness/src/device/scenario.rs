//! The device matrix's scenarios: one value per axis of [`crate::axes`] (the authenticator's
//! axes and its generation), and the authenticator configuration each stands for.
//!
//! Every combination a generation of key can do is run. What it cannot do is collapsed, as the
//! end-to-end matrix collapses axes that cannot matter: PIN protocol 2 exists only on a 2.1 key
//! (its getInfo's pinUvAuthProtocols), and a U2F key, which has neither user verification,
//! backup flags, extensions nor discoverable credentials, and attests with its batch
//! certificate only, varies in presence, key protection and the batch certificate's root alone
//! (`n/a` for the rest).

use std::time::Duration;

use softfido_authenticator::config::{
    ExtensionSupport, PinHashCost, PresenceOutcome, UvCapability as DeviceUv, VerifyOutcome,
};
use softfido_authenticator::{Config, Profile};

use super::generations;
use crate::axes::{
    Attestation, Backup, Biometric, DEVICE_AXIS_NAMES, DISCOVERABLE, KeyGeneration, KeyProtection,
    NOT_APPLICABLE, PinProtocol, UVM, Up, UvCapability, UvPerformed, or_not_applicable, yes_no,
};
use crate::filter::AxisValues;

/// The PIN set on clientPIN scenarios that have one.
pub const MATRIX_PIN: &str = "4711";

/// How many axes the device matrix has.
const DEVICE_AXES: usize = DEVICE_AXIS_NAMES.len();

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
    /// Every value a CTAP2 key of `generation` can have, in product order.
    fn all(generation: KeyGeneration) -> Vec<Self> {
        let mut all = vec![Self::None, Self::ClientPinUnset];
        for &protocol in generations::pin_protocols(generation) {
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
    /// The generation of key.
    pub generation: KeyGeneration,
}

/// Every scenario of the device matrix: for each generation, every combination it can do.
pub fn scenarios() -> Vec<DeviceScenario> {
    let mut out = Vec::new();
    for &generation in KeyGeneration::ALL {
        if generations::speaks_ctap2(generation) {
            out.extend(ctap2_scenarios(generation));
        } else {
            out.extend(u2f_scenarios());
        }
    }
    out
}

/// The full product of the authenticator's axes on a CTAP2 key of `generation`.
fn ctap2_scenarios(generation: KeyGeneration) -> Vec<DeviceScenario> {
    let mut out = Vec::new();
    for &up in Up::ALL {
        for uv in Uv::all(generation) {
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
                                    generation,
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

/// The U2F key's scenarios: presence at authentication, key protection (its model's batch
/// certificate) and the root that certificate chains to; the other axes are `n/a`.
fn u2f_scenarios() -> Vec<DeviceScenario> {
    let mut out = Vec::new();
    for &up in Up::ALL {
        for &key_protection in KeyProtection::ALL {
            for attestation in [Attestation::BasicTrusted, Attestation::BasicUntrusted] {
                out.push(DeviceScenario {
                    up,
                    uv: Uv::None,
                    key_protection,
                    attestation,
                    backup: Backup::Be0Bs0,
                    uvm: false,
                    discoverable: false,
                    generation: KeyGeneration::U2f,
                });
            }
        }
    }
    out
}

impl DeviceScenario {
    /// The axis values by name, in [`DEVICE_AXIS_NAMES`] order (used by `--filter` and the
    /// summary).
    pub fn values(&self) -> [(&'static str, &'static str); DEVICE_AXES] {
        let (capability, performed, protocol) = self.uv.axes();
        let ctap2 = |name: &'static str| {
            if generations::speaks_ctap2(self.generation) { name } else { NOT_APPLICABLE }
        };
        [
            (Up::AXIS, self.up.name()),
            (UvCapability::AXIS, ctap2(capability.name())),
            (UvPerformed::AXIS, ctap2(performed.name())),
            (PinProtocol::AXIS, or_not_applicable(protocol, PinProtocol::name)),
            (KeyProtection::AXIS, self.key_protection.name()),
            (Attestation::AXIS, self.attestation.name()),
            (Backup::AXIS, ctap2(self.backup.name())),
            (UVM, ctap2(yes_no(self.uvm))),
            (DISCOVERABLE, ctap2(yes_no(self.discoverable))),
            (KeyGeneration::AXIS, self.generation.name()),
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
            generation: self.generation.into(),
            ..Profile::SoftwareToken.config()
        }
    }
}

impl AxisValues for DeviceScenario {
    const AXES: &'static [&'static str] = &DEVICE_AXIS_NAMES;

    fn value(&self, index: usize) -> &'static str {
        self.values()[index].1
    }
}

#[cfg(test)]
mod tests;
