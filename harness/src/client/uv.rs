//! How a browser verifies the user in one ceremony: from the RP's `userVerification` and what
//! the authenticator's getInfo reports, the `uv` option, a pinUvAuthToken from the PIN, or
//! nothing (WebAuthn L3 §6.3.2 step 20 and §6.3.3 step 17 as browsers apply them, CTAP 2.1
//! §6.1.2 step 4).

use ciborium::Value as Cbor;

use super::{field, text_field};

/// The RP's `userVerification` (WebAuthn L3 §5.8.6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UserVerification {
    /// `required`.
    Required,
    /// `preferred`, the default; also what an unknown value means (§5.8.6: clients ignore
    /// unknown values).
    #[default]
    Preferred,
    /// `discouraged`.
    Discouraged,
}

impl UserVerification {
    /// The requirement a JSON value names (absent or unknown: `preferred`).
    pub fn from_json(value: Option<&str>) -> Self {
        match value {
            Some("required") => Self::Required,
            Some("discouraged") => Self::Discouraged,
            _ => Self::Preferred,
        }
    }
}

/// What getInfo (CTAP 2.1 §6.4) says about verifying the user.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UvSupport {
    /// Built-in UV, configured (`uv: true`).
    pub builtin: bool,
    /// A PIN is set (`clientPin: true`).
    pub pin_set: bool,
    /// `makeCredUvNotRqd: true`: a non-discoverable credential needs no UV.
    pub make_cred_uv_not_required: bool,
}

impl UvSupport {
    /// Reads the options of a getInfo response body.
    pub fn from_info(info: &Cbor) -> Self {
        let option = |name: &str| field(info, 4).and_then(|o| text_field(o, name)).and_then(Cbor::as_bool);
        Self {
            builtin: option("uv") == Some(true),
            pin_set: option("clientPin") == Some(true),
            make_cred_uv_not_required: option("makeCredUvNotRqd") == Some(true),
        }
    }
}

/// How the client verifies the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UvPlan {
    /// No user verification.
    None,
    /// The `uv` option: built-in UV.
    Builtin,
    /// A pinUvAuthToken from the PIN the user types.
    Pin,
}

/// The RP requires user verification and the authenticator cannot perform it: a browser does
/// not offer it (WebAuthn L3 §6.3.2 step 2), and the page gets NotAllowedError.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UvUnavailable;

/// The plan for one ceremony. `registration_rk` is `Some(rk)` for a makeCredential.
pub fn plan(
    requirement: UserVerification,
    support: UvSupport,
    registration_rk: Option<bool>,
) -> Result<UvPlan, UvUnavailable> {
    if requirement == UserVerification::Required && !support.builtin && !support.pin_set {
        return Err(UvUnavailable);
    }
    // A protected authenticator verifies the user for a discoverable credential (and for any
    // credential without makeCredUvNotRqd) even when the RP discourages it.
    let protected_registration = registration_rk
        .is_some_and(|rk| (support.builtin || support.pin_set) && (rk || !support.make_cred_uv_not_required));
    if requirement == UserVerification::Discouraged && !protected_registration {
        return Ok(UvPlan::None);
    }
    Ok(if support.builtin {
        UvPlan::Builtin
    } else if support.pin_set {
        UvPlan::Pin
    } else {
        UvPlan::None
    })
}

#[cfg(test)]
mod tests;
