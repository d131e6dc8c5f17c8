//! The end-to-end matrix's scenarios: one value per axis of [`crate::axes`], and their product.
//! An axis that cannot matter for a scenario is `None` (`n/a` in reports), so the product holds
//! no two scenarios that would run the same ceremony.

use crate::axes::{
    AXIS_NAMES, AcrRequest, Attestation, Backup, DISCOVERABLE, FirstFactor, KeyKind, KeyProtection, MaxAge,
    NOT_APPLICABLE, PinProtocol, Prompt, RpUv, Session, UVM, Up, UvCapability, UvPerformed,
    or_not_applicable, yes_no,
};

/// The end-to-end matrix's axes, in report order: the shared axes, then the kind of key.
pub const MATRIX_AXIS_NAMES: [&str; 16] = {
    let mut names = [KeyKind::AXIS; 16];
    let mut index = 0;
    while index < AXIS_NAMES.len() {
        names[index] = AXIS_NAMES[index];
        index += 1;
    }
    names
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
    /// `session`: what the browser is signed in with when the request arrives.
    pub session: Session,
    /// `prompt`.
    pub prompt: Prompt,
    /// `max_age`.
    pub max_age: MaxAge,
    /// `kind`: a FIDO2 key or a U2F-only security key.
    pub kind: KeyKind,
}

impl Scenario {
    /// The axis values by name, in [`MATRIX_AXIS_NAMES`] order.
    pub fn values(&self) -> [(&'static str, &'static str); 16] {
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
            (Session::AXIS, self.session.name()),
            (Prompt::AXIS, self.prompt.name()),
            (MaxAge::AXIS, self.max_age.name()),
            (KeyKind::AXIS, self.kind.name()),
        ]
    }

    /// A stable identifier: the axis values joined by `.` (`na` where an axis is n/a). The kind
    /// is written only for a U2F key, so the identifiers of FIDO2 scenarios are those they had
    /// before the axis existed.
    pub fn id(&self) -> String {
        let values = self.values();
        let shown = if self.kind == KeyKind::Fido2 { &values[..AXIS_NAMES.len()] } else { &values[..] };
        shown.iter().map(|(_, v)| if *v == NOT_APPLICABLE { "na" } else { v }).collect::<Vec<_>>().join(".")
    }

    /// Whether UV is attempted at sign-in: the RP asks for it (required or preferred) and the
    /// authenticator has it configured (WebAuthn L3 §6.3.3 as a client applies it).
    pub fn uv_attempted_at_sign_in(&self) -> bool {
        let asked = matches!(self.rp_uv, Some(RpUv::Required | RpUv::Preferred));
        let configured = matches!(self.uv_performed, Some(UvPerformed::Yes | UvPerformed::Failed));
        asked && configured
    }

    /// Whether registration can succeed: the flags are valid, UV is possible where the RP
    /// requires it (a browser does not offer an authenticator that cannot verify the user), and
    /// a discoverable credential is possible where the RP requires one (a U2F key keeps none).
    pub fn registration_possible(&self) -> bool {
        let uv_possible = matches!(self.uv_performed, Some(UvPerformed::Yes | UvPerformed::Failed));
        let discoverable_possible = self.kind != KeyKind::U2f || self.discoverable != Some(true);
        self.backup != Some(Backup::Be0Bs1)
            && (self.rp_uv != Some(RpUv::Required) || uv_possible)
            && discoverable_possible
    }

    /// The scenario with its sign-in axes (`up`, `acr_request`, `prompt`, `max_age`) cleared:
    /// scenarios with the same registration key share one authenticator, account and
    /// registration (the session's passkey too). `max_age=elapsed` stays: those scenarios move
    /// the clock, so they run on an IdP of their own.
    pub fn registration_key(&self) -> Self {
        let max_age = if self.max_age == MaxAge::Elapsed { MaxAge::Elapsed } else { MaxAge::Absent };
        Self { up: None, acr_request: None, prompt: Prompt::Absent, max_age, ..*self }
    }

    /// Whether the scenario moves the IdP's clock (`max_age=elapsed`).
    pub fn moves_the_clock(&self) -> bool {
        self.max_age == MaxAge::Elapsed
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
            out.extend(BASE_ACR_REQUESTS.iter().map(|&acr| (Some(up), Some(acr))));
        }
    }
    out
}

/// The acr requests of the authenticator product; the unknown values are crossed with the
/// session axes only (see [`session_scenarios`]).
const BASE_ACR_REQUESTS: &[AcrRequest] =
    &[AcrRequest::None, AcrRequest::AcrValuesPhr, AcrRequest::AcrValuesPhrh, AcrRequest::EssentialPhrh];

/// Every scenario: the authenticator product (no session, no prompt, no max_age), collapsed
/// where an axis cannot matter, then the session product, then the U2F key's.
pub fn all_scenarios() -> Vec<Scenario> {
    let mut out = authenticator_scenarios();
    let known: std::collections::HashSet<Scenario> = out.iter().copied().collect();
    out.extend(session_scenarios().into_iter().filter(|s| !known.contains(s)));
    out.extend(u2f_scenarios());
    out
}

/// The U2F security key crossed with the axes that can vary for it: its attestation (its batch
/// certificate under the trusted root or another, or replaced by `none` in the client), the
/// user's presence, discoverable or not, the first factor, the RP's UV and the acr request.
/// The rest is fixed by what a U2F key is: no UV, BE = BS = 0, no `uvm`, and hardware keys
/// (known to the RP only from the trusted metadata statement; n/a otherwise).
pub fn u2f_scenarios() -> Vec<Scenario> {
    let factors = [
        (FirstFactor::Passkey, Some(true)),
        (FirstFactor::Passkey, Some(false)),
        (FirstFactor::PasswordAndKey, None),
    ];
    let attestations = [Attestation::None, Attestation::BasicTrusted, Attestation::BasicUntrusted];
    let mut out = Vec::new();
    for attestation in attestations {
        for (first_factor, discoverable) in factors {
            for &rp_uv in RpUv::ALL {
                let key = Scenario {
                    up: None,
                    uv_capability: Some(UvCapability::None),
                    uv_performed: None,
                    pin_protocol: None,
                    key_protection: (attestation == Attestation::BasicTrusted)
                        .then_some(KeyProtection::Hardware),
                    attestation: Some(attestation),
                    backup: Some(Backup::Be0Bs0),
                    uvm: Some(false),
                    discoverable,
                    first_factor,
                    rp_uv: Some(rp_uv),
                    kind: KeyKind::U2f,
                    ..proof_of_possession_passkey()
                };
                for (up, acr_request) in sign_in_axes(&key) {
                    out.push(Scenario { up, acr_request, ..key });
                }
            }
        }
    }
    out
}

/// The product of the authenticator and sign-in axes, with no session, prompt or max_age.
fn authenticator_scenarios() -> Vec<Scenario> {
    let mut out = Vec::new();
    // Password only: no authenticator is involved.
    for &acr in BASE_ACR_REQUESTS {
        out.push(Scenario {
            acr_request: Some(acr),
            session: Session::None,
            prompt: Prompt::Absent,
            max_age: MaxAge::Absent,
            ..password_sign_in()
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
                            session: Session::None,
                            prompt: Prompt::Absent,
                            max_age: MaxAge::Absent,
                            kind: KeyKind::Fido2,
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

/// A passkey sign-in (username-first, `rp_uv=preferred`, the user approving) of one evidence
/// class; the other authenticator axes at their plainest.
fn passkey(
    uv_capability: UvCapability,
    protection: Option<KeyProtection>,
    attestation: Attestation,
    backup: Backup,
) -> Scenario {
    let pin = uv_capability == UvCapability::ClientPin;
    Scenario {
        up: Some(Up::Approve),
        uv_capability: Some(uv_capability),
        uv_performed: pin.then_some(UvPerformed::Yes),
        pin_protocol: pin.then_some(PinProtocol::Two),
        key_protection: protection,
        attestation: Some(attestation),
        backup: Some(backup),
        uvm: Some(false),
        discoverable: Some(false),
        first_factor: FirstFactor::Passkey,
        rp_uv: Some(RpUv::Preferred),
        acr_request: Some(AcrRequest::None),
        session: Session::None,
        prompt: Prompt::Absent,
        max_age: MaxAge::Absent,
        kind: KeyKind::Fido2,
    }
}

/// hwk + pin: a hardware key proven by a trusted attestation, PIN verified (`phrh`).
pub fn hardware_passkey() -> Scenario {
    passkey(UvCapability::ClientPin, Some(KeyProtection::Hardware), Attestation::BasicTrusted, Backup::Be0Bs0)
}

/// swk + pin: a synced (backup-eligible) key, PIN verified (`phr`).
pub fn software_passkey() -> Scenario {
    passkey(UvCapability::ClientPin, Some(KeyProtection::Software), Attestation::BasicTrusted, Backup::Be1Bs1)
}

/// pop only: no UV, no attestation (`phr`).
pub fn proof_of_possession_passkey() -> Scenario {
    passkey(UvCapability::None, None, Attestation::None, Backup::Be0Bs0)
}

/// A password alone (`pwd`, no acr).
pub fn password_sign_in() -> Scenario {
    Scenario {
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
        ..hardware_passkey()
    }
}

impl Scenario {
    /// The passkey the browser's session was signed in with, registered on the same account:
    /// the software passkey below a hardware one, the hardware passkey above the others.
    pub fn session_passkey(&self) -> Option<Scenario> {
        match self.session {
            Session::None | Session::Password => None,
            Session::WeakerPasskey => Some(software_passkey()),
            Session::StrongerPasskey => Some(hardware_passkey()),
        }
    }
}

/// The session axes interact with the key only through the evidence class its sign-in earns,
/// so they are crossed with one key per class: hwk+pin (`phrh`), swk+pin (`phr`), pop only
/// (`phr`) and a password (no acr). A hardware key has a weaker passkey session, the others a
/// stronger one. A session-less browser has no `auth_time` to exceed: `max_age=elapsed` is
/// crossed with a session only.
pub fn session_scenarios() -> Vec<Scenario> {
    let classes = [
        (hardware_passkey(), Session::WeakerPasskey),
        (software_passkey(), Session::StrongerPasskey),
        (proof_of_possession_passkey(), Session::StrongerPasskey),
        (password_sign_in(), Session::StrongerPasskey),
    ];
    let mut out = Vec::new();
    for (key, passkey_session) in classes {
        for session in [Session::None, Session::Password, passkey_session] {
            for &prompt in Prompt::ALL {
                for &max_age in MaxAge::ALL {
                    if session == Session::None && max_age == MaxAge::Elapsed {
                        continue;
                    }
                    for &acr in AcrRequest::ALL {
                        out.push(Scenario { session, prompt, max_age, acr_request: Some(acr), ..key });
                    }
                }
            }
        }
    }
    out
}

impl AxisValues for Scenario {
    const AXES: &'static [&'static str] = &MATRIX_AXIS_NAMES;

    fn value(&self, index: usize) -> &'static str {
        self.values()[index].1
    }
}

#[cfg(test)]
mod tests;
