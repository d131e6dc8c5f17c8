//! What each generation of key knows (see [`Generation`]): the commands it answers, and how its
//! getInfo differs from CTAP 2.1's. Pure functions; `process` and `get_info` apply them.

use super::Authenticator;
use crate::config::Generation;
use crate::proto::StatusCode;
use crate::proto::pin_uv_auth::PinUvAuthProtocol;
use crate::proto::request::code;
use crate::proto::response::GetInfoResponse;

impl Authenticator {
    /// `protocol` if this key implements it: a 2.0 or 2.1-PRE key has PIN/UV auth protocol 1 only, and
    /// answers protocol 2 as any unknown protocol, CTAP1_ERR_INVALID_PARAMETER (CTAP 2.1 §6.5.5.1).
    pub(super) fn known_protocol(
        &self,
        protocol: PinUvAuthProtocol,
    ) -> Result<PinUvAuthProtocol, StatusCode> {
        match (self.config.generation, protocol) {
            (Generation::Ctap20 | Generation::Ctap21Pre, PinUvAuthProtocol::Two) => {
                Err(StatusCode::InvalidParameter)
            }
            _ => Ok(protocol),
        }
    }
}

/// authenticatorCredentialManagement of the CTAP 2.1 preview (`credentialMgmtPreview`).
pub const CREDENTIAL_MANAGEMENT_PREVIEW: u8 = 0x41;
/// authenticatorBioEnrollment of the CTAP 2.1 preview (`userVerificationMgmtPreview`).
pub const BIO_ENROLLMENT_PREVIEW: u8 = 0x40;

/// The CTAP 2.1 command byte that `command` stands for on a key of `generation`, or `None` when
/// that key does not know the command (CTAP1_ERR_INVALID_COMMAND, CTAP 2.1 §8.2.1).
///
/// - A 2.0 key answers the commands of CTAP 2.0 only (see [`super::ctap20::admits`]).
/// - A 2.1-PRE key answers credential management as 0x41 (CTAP 2.1 §6.8: "authenticators that
///   implemented the prototype … use the command value 0x41"), and has neither the final 0x0A,
///   nor authenticatorSelection (0x0B) nor authenticatorConfig (0x0D), which came with 2.1.
/// - Likewise a 2.1-PRE key answers bio enrollment as 0x40 (CTAP 2.1 §6.7: the prototype's
///   command value), not as 0x09.
/// - A CTAP 2.1 key does not answer the prototypes' 0x41 and 0x40.
/// - A U2F key answers no CTAP2 command at all.
pub fn admitted_command(generation: Generation, command: u8) -> Option<u8> {
    match generation {
        Generation::U2f => None,
        Generation::Ctap20 => super::ctap20::admits(command).then_some(command),
        Generation::Ctap21Pre => match command {
            CREDENTIAL_MANAGEMENT_PREVIEW => Some(code::CREDENTIAL_MANAGEMENT),
            BIO_ENROLLMENT_PREVIEW => Some(code::BIO_ENROLLMENT),
            code::CREDENTIAL_MANAGEMENT | code::BIO_ENROLLMENT | code::SELECTION | code::CONFIG => None,
            other => Some(other),
        },
        Generation::Ctap21 => {
            (command != CREDENTIAL_MANAGEMENT_PREVIEW && command != BIO_ENROLLMENT_PREVIEW).then_some(command)
        }
    }
}

/// The 2.1 options a 2.1-PRE key does not report: tokens with permissions, authenticatorConfig
/// and what it sets, makeCredUvNotRqd, largeBlobs, uvBioEnroll (CTAP 2.1 §6.4, options added by
/// the final standard).
const OPTIONS_AFTER_THE_PREVIEW: [&str; 7] = [
    "pinUvAuthToken",
    "authnrCfg",
    "alwaysUv",
    "makeCredUvNotRqd",
    "setMinPINLength",
    "largeBlobs",
    "uvBioEnroll",
];

/// The extensions of the preview: credProtect and hmac-secret (and WebAuthn's uvm); credBlob,
/// minPinLength and largeBlobKey came with the final 2.1.
const PREVIEW_EXTENSIONS: [&str; 3] = ["uvm", "credProtect", "hmac-secret"];

/// getInfo of a 2.1-PRE key from the 2.1 one: `FIDO_2_1_PRE` for `FIDO_2_1`,
/// `credentialMgmtPreview` for `credMgmt`, `userVerificationMgmtPreview` for `bioEnroll`, PIN/UV auth protocol 1 only, and none of the members
/// 0x0B and later (CTAP 2.1 §6.4 lists them as added by 2.1).
pub fn as_preview(mut info: GetInfoResponse) -> GetInfoResponse {
    for version in &mut info.versions {
        if *version == "FIDO_2_1" {
            *version = "FIDO_2_1_PRE";
        }
    }
    info.extensions.retain(|name| PREVIEW_EXTENSIONS.contains(name));
    info.options.retain(|(name, _)| !OPTIONS_AFTER_THE_PREVIEW.contains(name));
    for (name, _) in &mut info.options {
        if *name == "credMgmt" {
            *name = "credentialMgmtPreview";
        }
        if *name == "bioEnroll" {
            *name = "userVerificationMgmtPreview";
        }
    }
    info.pin_uv_auth_protocols.retain(|protocol| *protocol == 1);
    without_members_after_0x0a(info)
}

/// `info` without getInfo members 0x0B (maxSerializedLargeBlobArray) and later, which CTAP 2.1
/// §6.4 added and no earlier generation reports.
pub fn without_members_after_0x0a(mut info: GetInfoResponse) -> GetInfoResponse {
    info.max_serialized_large_blob_array = None;
    info.force_pin_change = None;
    info.min_pin_length = None;
    info.firmware_version = None;
    info.max_cred_blob_length = None;
    info.max_rp_ids_for_set_min_pin_length = None;
    info.uv_modality = None;
    info.remaining_discoverable_credentials = None;
    info
}

#[cfg(test)]
mod tests;
