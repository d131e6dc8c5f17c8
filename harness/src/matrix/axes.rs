//! The axes of the end-to-end matrix and their product. A scenario holds one value per axis;
//! an axis that cannot matter for a scenario is `None` (`n/a` in reports), so the product holds
//! no two scenarios that would run the same ceremony. The names are those of the JSON report.

use std::fmt;

/// Declares an axis: an enum, its report names, and all its values in report order.
macro_rules! axis {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $(#[doc = concat!("`", $text, "`")] $variant),+ }

        impl $name {
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
    };
}

axis!(
    /// The user's answer to the presence test at sign-in (registration always has presence).
    Up { Approve => "approve", Deny => "deny", Timeout => "timeout" }
);
axis!(
    /// What user verification the authenticator is built with.
    UvCapability {
        None => "none", ClientPin => "client_pin", Fingerprint => "fingerprint", Face => "face",
        Iris => "iris", Voice => "voice",
    }
);
axis!(
    /// `yes`: configured (PIN set / enrolled) and it succeeds; `no`: not configured, so UV cannot
    /// happen; `failed`: configured, and the user fails it at sign-in (wrong PIN, no match).
    UvPerformed { Yes => "yes", No => "no", Failed => "failed" }
);
axis!(
    /// The PIN/UV auth protocol the client uses.
    PinProtocol { One => "1", Two => "2" }
);
axis!(
    /// Where the authenticator keeps its keys.
    KeyProtection { Software => "software", Hardware => "hardware", Tee => "tee", SecureElement => "secure_element" }
);
axis!(
    /// The attestation the authenticator gives at registration.
    Attestation { None => "none", SelfAttestation => "self", BasicTrusted => "basic_trusted", BasicUntrusted => "basic_untrusted" }
);
axis!(
    /// The backup eligibility and state flags (`be0_bs1` is invalid: WebAuthn L3 §6.1.3).
    Backup { Be0Bs0 => "be0_bs0", Be1Bs0 => "be1_bs0", Be1Bs1 => "be1_bs1", Be0Bs1 => "be0_bs1" }
);
axis!(
    /// How the user signs in.
    FirstFactor { Passkey => "passkey", PasswordAndKey => "password_and_key", Password => "password" }
);
axis!(
    /// The RP's `userVerification` for both ceremonies.
    RpUv { Required => "required", Preferred => "preferred", Discouraged => "discouraged" }
);
axis!(
    /// What the OIDC client asks for.
    AcrRequest {
        None => "none", AcrValuesPhr => "acr_values_phr", AcrValuesPhrh => "acr_values_phrh",
        EssentialPhrh => "essential_phrh",
    }
);

impl UvCapability {
    /// Whether this is a built-in biometric.
    pub fn is_biometric(self) -> bool {
        !matches!(self, Self::None | Self::ClientPin)
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

/// The axis names, in report order.
pub const AXIS_NAMES: [&str; 12] = [
    "up",
    "uv_capability",
    "uv_performed",
    "pin_protocol",
    "key_protection",
    "attestation",
    "backup",
    "uvm",
    "discoverable",
    "first_factor",
    "rp_uv",
    "acr_request",
];

/// How an axis that cannot matter is written.
pub const NOT_APPLICABLE: &str = "n/a";

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

impl Scenario {
    /// The axis values by name, in [`AXIS_NAMES`] order.
    pub fn values(&self) -> [(&'static str, &'static str); 12] {
        fn or_na<T>(value: Option<T>, name: impl Fn(T) -> &'static str) -> &'static str {
            value.map_or(NOT_APPLICABLE, name)
        }
        [
            ("up", or_na(self.up, Up::name)),
            ("uv_capability", or_na(self.uv_capability, UvCapability::name)),
            ("uv_performed", or_na(self.uv_performed, UvPerformed::name)),
            ("pin_protocol", or_na(self.pin_protocol, PinProtocol::name)),
            ("key_protection", or_na(self.key_protection, KeyProtection::name)),
            ("attestation", or_na(self.attestation, Attestation::name)),
            ("backup", or_na(self.backup, Backup::name)),
            ("uvm", or_na(self.uvm, yes_no)),
            ("discoverable", or_na(self.discoverable, yes_no)),
            ("first_factor", self.first_factor.name()),
            ("rp_uv", or_na(self.rp_uv, RpUv::name)),
            ("acr_request", or_na(self.acr_request, AcrRequest::name)),
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
            {
                for &backup in Backup::ALL {
                    {
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
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_product_has_no_duplicates_and_every_value_of_every_axis() {
        let all = all_scenarios();
        let ids: HashSet<String> = all.iter().map(Scenario::id).collect();
        assert_eq!(ids.len(), all.len());
        for (index, axis) in AXIS_NAMES.iter().enumerate() {
            let seen: HashSet<&str> = all.iter().map(|s| s.values()[index].1).collect();
            assert!(seen.len() >= 2, "{axis} takes several values: {seen:?}");
        }
        for &value in Up::ALL.iter().map(|u| u.name()).collect::<Vec<_>>().iter() {
            assert!(all.iter().any(|s| s.values()[0].1 == value));
        }
    }

    #[test]
    fn password_only_collapses_every_authenticator_axis() {
        let password: Vec<_> =
            all_scenarios().into_iter().filter(|s| s.first_factor == FirstFactor::Password).collect();
        assert_eq!(password.len(), AcrRequest::ALL.len());
        assert!(password.iter().all(|s| s.uv_capability.is_none() && s.rp_uv.is_none() && s.up.is_none()));
    }

    #[test]
    fn invalid_flags_and_impossible_uv_end_at_registration() {
        for s in all_scenarios() {
            if s.backup == Some(Backup::Be0Bs1) {
                assert!(s.up.is_none() && s.acr_request.is_none(), "{}", s.id());
            }
            if s.rp_uv == Some(RpUv::Required) && s.uv_capability == Some(UvCapability::None) {
                assert!(s.up.is_none(), "{}", s.id());
            }
        }
    }
}
