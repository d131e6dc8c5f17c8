//! The amr/acr policy: pure, no I/O. It reads only [`Evidence`] the relying party verified and
//! decides the `amr` (RFC 8176) and `acr` (OpenID Connect EAP ACR Values 1.0) of the ID token.
//!
//! A claim that raises assurance (hardware-bound key) needs trusted attestation; a claim that
//! lowers it (software key, synced key) is believed from any source. Rule numbers refer to the
//! table in docs/amr-acr.md.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::evidence::{AssertionEvidence, Attestation, Evidence, KeyStorage, UvMethod};

mod profiles;

/// An Authentication Method Reference value: RFC 8176 §2, `pop` from EAP ACR Values 1.0, and
/// the [`UnregisteredAmr`] values other IdPs emit (only their profiles produce those).
/// Serialised as its value ([`Amr::as_str`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Amr {
    /// Face biometric.
    Face,
    /// Fingerprint biometric.
    Fpt,
    /// Proof-of-possession of a hardware-secured key.
    Hwk,
    /// Iris scan biometric.
    Iris,
    /// Knowledge-based authentication (RFC 8176 §2 `kba`).
    Kba,
    /// Multiple-factor authentication.
    Mfa,
    /// Personal Identification Number or pattern.
    Pin,
    /// Proof-of-possession of a key (EAP ACR Values 1.0 §2; unknown storage).
    Pop,
    /// Password-based authentication.
    Pwd,
    /// Retina scan biometric.
    Retina,
    /// Proof-of-possession of a software-secured key.
    Swk,
    /// User presence test.
    User,
    /// Voice biometric.
    Vbm,
    /// A value no registry holds, as another IdP emits it.
    Unregistered(UnregisteredAmr),
}

/// amr values that are not in the IANA "Authentication Method Reference Values" registry
/// (RFC 8176 §6.1), emitted by IdPs whose profiles [`Policy`] reproduces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnregisteredAmr {
    /// Hanko's `passkey`.
    Passkey,
    /// Hanko's `security_key` (a WebAuthn second factor).
    SecurityKey,
    /// Authgear's `x_passkey`.
    XPasskey,
}

impl UnregisteredAmr {
    /// The value as the IdP emits it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Passkey => "passkey",
            Self::SecurityKey => "security_key",
            Self::XPasskey => "x_passkey",
        }
    }
}

impl Amr {
    /// Every value, registered or not.
    pub const ALL: [Amr; 16] = [
        Self::Face,
        Self::Fpt,
        Self::Hwk,
        Self::Iris,
        Self::Kba,
        Self::Mfa,
        Self::Pin,
        Self::Pop,
        Self::Pwd,
        Self::Retina,
        Self::Swk,
        Self::User,
        Self::Vbm,
        Self::Unregistered(UnregisteredAmr::Passkey),
        Self::Unregistered(UnregisteredAmr::SecurityKey),
        Self::Unregistered(UnregisteredAmr::XPasskey),
    ];

    /// The value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Face => "face",
            Self::Fpt => "fpt",
            Self::Hwk => "hwk",
            Self::Iris => "iris",
            Self::Kba => "kba",
            Self::Mfa => "mfa",
            Self::Pin => "pin",
            Self::Pop => "pop",
            Self::Pwd => "pwd",
            Self::Retina => "retina",
            Self::Swk => "swk",
            Self::User => "user",
            Self::Vbm => "vbm",
            Self::Unregistered(value) => value.as_str(),
        }
    }

    /// The value named `value`, if it is one of [`Amr::ALL`].
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|amr| amr.as_str() == value)
    }
}

impl Serialize for Amr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Amr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Self::parse(&value).ok_or_else(|| serde::de::Error::custom(format!("unknown amr {value:?}")))
    }
}

/// An Authentication Context Class Reference: the EAP ACR Values 1.0 classes, or a level
/// another IdP emits ([`UnregisteredAcr`]; only its profile produces one). Serialised as its
/// value ([`Acr::as_str`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Acr {
    /// Phishing-resistant (§2.1 `phr`).
    Phr,
    /// Phishing-resistant with a hardware-protected key (§2.2 `phrh`).
    Phrh,
    /// A value of another IdP, which meets no request for `phr` or `phrh`.
    Unregistered(UnregisteredAcr),
}

/// acr values of other IdPs, which no registry defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnregisteredAcr {
    /// Keycloak's level of authentication `1`: a fresh sign-in where no step-up flow set a
    /// level (`AcrProtocolMapper`).
    KeycloakLoa1,
}

impl Acr {
    /// The value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Phr => "phr",
            Self::Phrh => "phrh",
            Self::Unregistered(UnregisteredAcr::KeycloakLoa1) => "1",
        }
    }

    /// The value for a request parameter, if it is a class softfido weighs (`phr`, `phrh`).
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "phr" => Some(Self::Phr),
            "phrh" => Some(Self::Phrh),
            _ => None,
        }
    }

    /// Whether achieving `self` meets a request for `requested` (`phrh` implies `phr`; an
    /// unregistered value meets only itself).
    pub fn satisfies(self, requested: Acr) -> bool {
        match (self, requested) {
            (Self::Phrh, Self::Phr | Self::Phrh) | (Self::Phr, Self::Phr) => true,
            (achieved, requested) => achieved == requested,
        }
    }

    /// The order of strength among the classes softfido weighs (`phrh` above `phr`, an
    /// unregistered value below both).
    pub fn rank(self) -> u8 {
        match self {
            Self::Unregistered(_) => 0,
            Self::Phr => 1,
            Self::Phrh => 2,
        }
    }
}

impl Serialize for Acr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Acr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        match value.as_str() {
            "1" => Ok(Self::Unregistered(UnregisteredAcr::KeycloakLoa1)),
            other => {
                Self::parse(other).ok_or_else(|| serde::de::Error::custom(format!("unknown acr {other:?}")))
            }
        }
    }
}

/// The outcome: the `amr` set (sorted, stable) and the `acr`, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthContext {
    /// amr values, sorted by name.
    pub amr: Vec<Amr>,
    /// acr, absent for password-only sign-ins (R10).
    pub acr: Option<Acr>,
}

impl AuthContext {
    /// A context of `amr` (sorted by value, duplicates dropped) and `acr`.
    pub fn sorted(mut amr: Vec<Amr>, acr: Option<Acr>) -> Self {
        amr.sort_by_key(|a| a.as_str());
        amr.dedup();
        Self { amr, acr }
    }

    /// The amr values as strings, in the emitted order.
    pub fn amr_strings(&self) -> Vec<&'static str> {
        self.amr.iter().map(|amr| amr.as_str()).collect()
    }
}

/// Why a sign-in cannot produce a context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// R0: the assertion did not show user presence (WebAuthn L3 §7.2 step 16).
    UserNotPresent,
    /// Neither an assertion nor a password was verified.
    NothingVerified,
}

/// Which behaviour the IdP follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Policy {
    /// The rule table: RFC 8176 and EAP ACR Values 1.0.
    #[default]
    Rfc8176,
    /// What ASP.NET Core Identity in .NET 10 emits: `amr=["pwd"]` after any sign-in, passkeys
    /// included, and no `acr` (dotnet/aspnetcore#64881). For showing that the harness catches it.
    AspNetCoreNet10,
    /// Authelia: `hwk` or `swk` from the client's unverified `authenticatorAttachment`
    /// ([`profiles::authelia`]).
    Authelia,
    /// ZITADEL: `["mfa","user"]` for a passkey ([`profiles::zitadel`]).
    Zitadel,
    /// Hanko: `["passkey"]` for a passkey ([`profiles::hanko`]).
    Hanko,
    /// Authgear: `["x_passkey"]` for a passkey ([`profiles::authgear`]).
    Authgear,
    /// Keycloak with its default client scopes: no `amr`, `acr` "1" ([`profiles::keycloak_default`]).
    KeycloakDefault,
}

impl Policy {
    /// Every policy, the correct one first.
    pub const ALL: [Policy; 7] = [
        Self::Rfc8176,
        Self::AspNetCoreNet10,
        Self::Authelia,
        Self::Zitadel,
        Self::Hanko,
        Self::Authgear,
        Self::KeycloakDefault,
    ];

    /// The name the command line gives it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Rfc8176 => "rfc8176",
            Self::AspNetCoreNet10 => "aspnetcore-net10",
            Self::Authelia => "authelia",
            Self::Zitadel => "zitadel",
            Self::Hanko => "hanko",
            Self::Authgear => "authgear",
            Self::KeycloakDefault => "keycloak-default",
        }
    }

    /// The policy named `name` ([`Policy::name`]).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|policy| policy.name() == name)
    }
}

/// How recently a password must have been verified to count as the other factor of a passkey
/// sign-in (R9), in seconds.
pub const SECOND_FACTOR_WINDOW: u64 = 600;

/// The sign-in a browser already holds when it completes a passkey assertion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EarlierSignIn<'a> {
    /// Whom it signed in.
    pub user_id: &'a str,
    /// Its amr.
    pub amr: &'a [Amr],
    /// When it authenticated (seconds since the epoch).
    pub auth_time: u64,
}

/// R9: a password verified for the same user at most [`SECOND_FACTOR_WINDOW`] seconds before
/// `now` is a second factor of the passkey assertion that `user_id` just completed; it becomes
/// [`Evidence::password`].
pub fn password_is_second_factor(earlier: Option<EarlierSignIn<'_>>, user_id: &str, now: u64) -> bool {
    earlier.is_some_and(|earlier| {
        earlier.user_id == user_id
            && earlier.amr.contains(&Amr::Pwd)
            && now.saturating_sub(earlier.auth_time) <= SECOND_FACTOR_WINDOW
    })
}

/// Decides amr and acr from the evidence.
pub fn auth_context(evidence: &Evidence, policy: Policy) -> Result<AuthContext, Refusal> {
    if let Some(assertion) = &evidence.assertion
        && !assertion.user_present
    {
        return Err(Refusal::UserNotPresent); // R0
    }
    if evidence.assertion.is_none() && !evidence.password {
        return Err(Refusal::NothingVerified);
    }
    let signed_in = match policy {
        Policy::Rfc8176 => rule_table(evidence),
        Policy::AspNetCoreNet10 => AuthContext { amr: vec![Amr::Pwd], acr: None },
        Policy::Authelia => profiles::authelia(evidence),
        Policy::Zitadel => profiles::zitadel(evidence),
        Policy::Hanko => profiles::hanko(evidence),
        Policy::Authgear => profiles::authgear(evidence),
        Policy::KeycloakDefault => profiles::keycloak_default(evidence),
    };
    Ok(signed_in)
}

/// R1–R10 for a sign-in that verified something, with user presence where a key signed.
fn rule_table(evidence: &Evidence) -> AuthContext {
    let mut amr = Vec::new();
    // R10: a password alone earns no acr.
    let acr = evidence.assertion.as_ref().map(|assertion| assertion_amr(assertion, &mut amr));
    if evidence.password {
        amr.push(Amr::Pwd); // R9 / R10
        if evidence.assertion.is_some() {
            amr.push(Amr::Mfa); // R9: a password and a key are two factors.
        }
    }
    AuthContext::sorted(amr, acr)
}

/// The strongest acr a credential could earn in a sign-in (for step-up decisions, R11): what
/// its registration evidence allows when the user is present.
pub fn potential_acr(attestation: &Attestation, backup_eligible: bool) -> Acr {
    let hypothetical = AssertionEvidence {
        user_present: true,
        user_verified: true,
        backup_eligible,
        backup_state: false,
        uvm: None,
        attestation: attestation.clone(),
        unverified_client_attachment: None,
    };
    assertion_amr(&hypothetical, &mut Vec::new())
}

/// R1–R8 for a verified assertion with user presence; returns the acr it earns.
fn assertion_amr(assertion: &AssertionEvidence, amr: &mut Vec<Amr>) -> Acr {
    amr.push(Amr::Pop); // R1
    amr.push(Amr::User); // R2: UP = 1 (R0 refused UP = 0).
    if assertion.user_verified {
        amr.push(Amr::Mfa); // R5: possession plus knowledge or inherence.
        match known_uv_method(assertion) {
            Some(UvMethod::Knowledge) => amr.push(Amr::Pin),   // R3
            Some(UvMethod::Fingerprint) => amr.push(Amr::Fpt), // R4
            Some(UvMethod::Face) => amr.push(Amr::Face),
            Some(UvMethod::Iris) => amr.push(Amr::Iris),
            Some(UvMethod::Voice) => amr.push(Amr::Vbm),
            Some(UvMethod::Retina) => amr.push(Amr::Retina),
            None => {}
        }
    }
    let metadata = match &assertion.attestation {
        Attestation::Trusted(metadata) => Some(metadata),
        _ => None,
    };
    let reported = assertion.uvm.and_then(|uvm| uvm.key_storage);
    // R7: software is believed from any source, and a backup-eligible key is exportable.
    let software = assertion.backup_eligible
        || reported == Some(KeyStorage::Software)
        || metadata.is_some_and(|m| m.key_storage == KeyStorage::Software);
    // R6: hardware only on trusted attestation (its metadata, or the uvm output it vouches for).
    let hardware = metadata.is_some()
        && (metadata.is_some_and(|m| m.key_storage == KeyStorage::Hardware)
            || reported == Some(KeyStorage::Hardware));
    if software {
        amr.push(Amr::Swk);
        Acr::Phr
    } else if hardware {
        amr.push(Amr::Hwk);
        Acr::Phrh
    } else {
        Acr::Phr // R8: storage unknown, `pop` only.
    }
}

/// The UV method, when known: named by the signed `uvm` output, or the only UV method a
/// trusted metadata statement lists.
fn known_uv_method(assertion: &AssertionEvidence) -> Option<UvMethod> {
    if let Some(method) = assertion.uvm.and_then(|uvm| uvm.method) {
        return Some(method);
    }
    match &assertion.attestation {
        Attestation::Trusted(metadata) => match metadata.uv_methods.as_slice() {
            [only] => Some(*only),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests;
