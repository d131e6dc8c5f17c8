//! The end-to-end matrix's scenarios: one value per axis of [`crate::axes`], and their product.
//! An axis that cannot matter for a scenario is `None` (`n/a` in reports), so the product holds
//! no two scenarios that would run the same ceremony.

use crate::axes::{
    AXIS_NAMES, AcrRequest, Attestation, Backup, DISCOVERABLE, FirstFactor, KeyProtection, NOT_APPLICABLE,
    PinProtocol, RpUv, UVM, Up, UvCapability, UvPerformed, or_not_applicable, yes_no,
};
use crate::filter::AxisValues;

/// One scenario: a value per axis, `None` where the axis cannot matter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Scenario {
    /// `up`.
    pub up: Option<Up>,
    /// `uv_capability`.
    pub uv_capability: Option<UvCapability>,
    /// `uv_performed`.
    pub uv_performed: Option<UvPerformed>,
    /// `pin_protocol`.
    pub pin_protocol: Option<PinProtocol>,
    /// `key_protection`.
    pub key_protection: Option<KeyProtection>,
    /// `attestation`.
    pub attestation: Option<Attestation>,
    /// `backup`.
    pub backup: Option<Backup>,
    /// `uvm`: the authenticator supports the extension (the client always asks for it).
    pub uvm: Option<bool>,
    /// `discoverable`: sign-in with an empty allowList, versus username-first.
    pub discoverable: Option<bool>,
    /// `first_factor`.
    pub first_factor: FirstFactor,
    /// `rp_uv`.
    pub rp_uv: Option<RpUv>,
    /// `acr_request`.
    pub acr_request: Option<AcrRequest>,
}

impl Scenario {
    /// The axis values by name, in [`AXIS_NAMES`] order.
    pub fn values(&self) -> [(&'static str, &'static str); 12] {
        [
            (Up::AXIS, or_not_applicable(self.up, Up::name)),
            (UvCapability::AXIS, or_not_applicable(self.uv_capability, UvCapability::name)),
            (UvPerformed::AXIS, or_not_applicable(self.uv_performed, UvPerformed::name)),
            (PinProtocol::AXIS, or_not_applicable(self.pin_protocol, PinProtocol::name)),
            (KeyProtection::AXIS, or_not_applicable(self.key_protection, KeyProtection::name)),
            (Attestation::AXIS, or_not_applicable(self.attestation, Attestation::name)),
            (Backup::AXIS, or_not_applicable(self.backup, Backup::name)),
            (UVM, or_not_applicable(self.uvm, yes_no)),
            (DISCOVERABLE, or_not_applicable(self.discoverable, yes_no)),
            (FirstFactor::AXIS, self.first_factor.name()),
            (RpUv::AXIS, or_not_applicable(self.rp_uv, RpUv::name)),
            (AcrRequest::AXIS, or_not_applicable(self.acr_request, AcrRequest::name)),
        ]
    }

    /// A stable identifier: the axis values joined by `.` (`na` where an axis is n/a).
    pub fn id(&self) -> String {
        self.values()
            .iter()
            .map(|(_, v)| if *v == NOT_APPLICABLE { "na" } else { v })
            .collect::<Vec<_>>()
            .join(".")
    }

    /// Whether UV is attempted at sign-in: the RP asks for it (required or preferred) and the
    /// authenticator has it configured (WebAuthn L3 §6.3.3 as a client applies it).
    pub fn uv_attempted_at_sign_in(&self) -> bool {
        let asked = matches!(self.rp_uv, Some(RpUv::Required | RpUv::Preferred));
        let configured = matches!(self.uv_performed, Some(UvPerformed::Yes | UvPerformed::Failed));
        asked && configured
    }

    /// Whether registration can succeed: the flags are valid, and UV is possible where the RP
    /// requires it (a browser does not offer an authenticator that cannot verify the user).
    pub fn registration_possible(&self) -> bool {
        let uv_possible = matches!(self.uv_performed, Some(UvPerformed::Yes | UvPerformed::Failed));
        self.backup != Some(Backup::Be0Bs1) && (self.rp_uv != Some(RpUv::Required) || uv_possible)
    }

    /// The scenario with its sign-in axes (`up`, `acr_request`) cleared: scenarios with the same
    /// registration key share one authenticator, account and registration.
    pub fn registration_key(&self) -> Self {
        Self { up: None, acr_request: None, ..*self }
    }
}

/// UV capability, performed and PIN protocol as they combine: the protocol matters only when a
/// PIN is set, `uv_performed` only when there is a capability.
fn uv_combinations() -> Vec<(UvCapability, Option<UvPerformed>, Option<PinProtocol>)> {
    let mut out = Vec::new();
    for &capability in UvCapability::ALL {
        match capability {
            UvCapability::None => out.push((capability, None, None)),
            UvCapability::ClientPin => {
                for &performed in UvPerformed::ALL {
                    if performed == UvPerformed::No {
                        out.push((capability, Some(performed), None));
                    } else {
                        out.extend(PinProtocol::ALL.iter().map(|&p| (capability, Some(performed), Some(p))));
                    }
                }
            }
            _ => out.extend(UvPerformed::ALL.iter().map(|&performed| (capability, Some(performed), None))),
        }
    }
    out
}

/// Key protection × attestation × uvm. Key protection reaches the RP only through a trusted
/// attestation (its metadata statement) or the signed `uvm` output; with neither, it is n/a,
/// and the authenticator is a hardware model: the claim an RP must not believe unproven.
fn key_evidence() -> Vec<(Option<KeyProtection>, Attestation, bool)> {
    let mut out = Vec::new();
    for &attestation in Attestation::ALL {
        for uvm in [false, true] {
            if attestation == Attestation::BasicTrusted || uvm {
                out.extend(KeyProtection::ALL.iter().map(|&k| (Some(k), attestation, uvm)));
            } else {
                out.push((None, attestation, uvm));
            }
        }
    }
    out
}

/// The sign-in axes of a registered key: `up` × `acr_request`, except where the sign-in is
/// refused before the IdP weighs any acr (the user is absent, or fails UV), where
/// `acr_request` is n/a.
fn sign_in_axes(key: &Scenario) -> Vec<(Option<Up>, Option<AcrRequest>)> {
    if !key.registration_possible() {
        return vec![(None, None)];
    }
    let mut out = Vec::new();
    for &up in Up::ALL {
        let refused = up != Up::Approve
            || (key.uv_attempted_at_sign_in() && key.uv_performed == Some(UvPerformed::Failed));
        if refused {
            out.push((Some(up), None));
        } else {
            out.extend(AcrRequest::ALL.iter().map(|&acr| (Some(up), Some(acr))));
        }
    }
    out
}

/// Every scenario: the full product of the axes, collapsed where an axis cannot matter.
pub fn all_scenarios() -> Vec<Scenario> {
    let mut out = Vec::new();
    // Password only: no authenticator is involved.
    for &acr in AcrRequest::ALL {
        out.push(Scenario {
            up: None,
            uv_capability: None,
            uv_performed: None,
            pin_protocol: None,
            key_protection: None,
            attestation: None,
            backup: None,
            uvm: None,
            discoverable: None,
            first_factor: FirstFactor::Password,
            rp_uv: None,
            acr_request: Some(acr),
        });
    }
    // A passkey, alone or as the second factor after a password (then always username-first).
    let factors = [
        (FirstFactor::Passkey, Some(true)),
        (FirstFactor::Passkey, Some(false)),
        (FirstFactor::PasswordAndKey, None),
    ];
    for (capability, performed, protocol) in uv_combinations() {
        for (key_protection, attestation, uvm) in key_evidence() {
            for &backup in Backup::ALL {
                for (first_factor, discoverable) in factors {
                    for &rp_uv in RpUv::ALL {
                        let key = Scenario {
                            up: None,
                            uv_capability: Some(capability),
                            uv_performed: performed,
                            pin_protocol: protocol,
                            key_protection,
                            attestation: Some(attestation),
                            backup: Some(backup),
                            uvm: Some(uvm),
                            discoverable,
                            first_factor,
                            rp_uv: Some(rp_uv),
                            acr_request: None,
                        };
                        for (up, acr_request) in sign_in_axes(&key) {
                            out.push(Scenario { up, acr_request, ..key });
                        }
                    }
                }
            }
        }
    }
    out
}

impl AxisValues for Scenario {
    const AXES: &'static [&'static str] = &AXIS_NAMES;

    fn value(&self, index: usize) -> &'static str {
        self.values()[index].1
    }
}

#[cfg(test)]
mod tests;
