//! authenticatorGetInfo (CTAP 2.1 §6.4).

use super::credential::MAX_CREDENTIAL_ID_LENGTH;
use super::large_blobs::MAX_SERIALIZED_LARGE_BLOB_ARRAY;
use super::{Authenticator, ctap20, generation};
use crate::attestation;
use crate::config::{
    Config, ExtensionSupport, Generation, Modality, Model, Profile, UvCapability, UvKind, VerifyOutcome,
};
use crate::proto::response::GetInfoResponse;
use crate::store::DEFAULT_MIN_PIN_LENGTH;

/// Largest request accepted (the CTAPHID maximum message, CTAP 2.1 §11.2.4).
pub const MAX_MSG_SIZE: u32 = 7609;
/// Most credentials accepted in an allowList or excludeList.
pub const MAX_CREDENTIAL_COUNT_IN_LIST: usize = 16;
/// Longest credBlob stored (CTAP 2.1 §12.2 requires at least 32).
pub const MAX_CRED_BLOB_LENGTH: usize = 32;
/// Most RP IDs setMinPINLength accepts in minPinLengthRPIDs.
pub const MAX_RP_IDS_FOR_SET_MIN_PIN_LENGTH: usize = 8;

/// The state getInfo reports besides the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceState {
    /// A PIN is set.
    pub pin_set: bool,
    /// Discoverable credentials stored.
    pub resident_count: usize,
    /// The minimum PIN length.
    pub min_pin_length: u8,
    /// The PIN must be changed before use.
    pub force_pin_change: bool,
    /// alwaysUv is on.
    pub always_uv: bool,
    /// Built-in UV has a template enrolled (getInfo `uv`, and `bioEnroll` for a fingerprint).
    pub uv_enrolled: bool,
}

impl Authenticator {
    pub(super) fn get_info(&self) -> GetInfoResponse {
        info(
            &self.config,
            DeviceState {
                pin_set: self.state.pin.is_some(),
                resident_count: self.state.resident.len(),
                min_pin_length: self.state.min_pin_length,
                force_pin_change: self.state.force_pin_change,
                always_uv: self.state.always_uv,
                uv_enrolled: self.uv_enrolled(),
            },
        )
    }
}

/// What a provisioned device of `model` reports (PIN set, template enrolled, no credentials):
/// the `authenticatorGetInfo` of its metadata statement.
pub fn model_info(model: Model) -> GetInfoResponse {
    let uv = match model.uv {
        UvKind::None => UvCapability::None,
        UvKind::ClientPin => UvCapability::ClientPin,
        UvKind::Builtin(modality) => {
            UvCapability::Builtin { modality, enrolled: true, outcome: VerifyOutcome::Match }
        }
    };
    let config = Config {
        uv,
        key_protection: model.key_protection,
        extensions: ExtensionSupport::ALL,
        ..Profile::SecurityKey.config()
    };
    let device = DeviceState {
        pin_set: model.uv == UvKind::ClientPin,
        resident_count: 0,
        min_pin_length: DEFAULT_MIN_PIN_LENGTH,
        force_pin_change: false,
        always_uv: false,
        uv_enrolled: true,
    };
    info(&config, device)
}

/// getInfo for a configuration and device state.
pub fn info(config: &Config, device: DeviceState) -> GetInfoResponse {
    let extensions = config.extensions;
    let client_pin = config.uv == UvCapability::ClientPin;
    let mut extension_ids = Vec::new();
    if extensions.cred_protect {
        extension_ids.push("credProtect");
    }
    if extensions.hmac_secret {
        extension_ids.push("hmac-secret");
    }
    if extensions.cred_blob {
        extension_ids.push("credBlob");
    }
    if client_pin {
        extension_ids.push("minPinLength");
    }
    if extensions.uvm {
        extension_ids.push("uvm");
    }
    // CTAP 2.1 §12.3, with authenticatorLargeBlobs (§6.10).
    extension_ids.push("largeBlobKey");
    // CTAP 2.1 §8 canonical order (shorter first, then bytewise), as strict clients expect.
    extension_ids.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    // Options (CTAP 2.1 §6.4 "options"): absent means unsupported; the value is the state.
    let mut options = vec![("rk", true), ("up", true), ("plat", false)];
    match config.uv {
        UvCapability::None => {}
        UvCapability::ClientPin => options.push(("clientPin", device.pin_set)),
        UvCapability::Builtin { modality, .. } => {
            options.push(("uv", device.uv_enrolled));
            if modality == Modality::Fingerprint {
                // §6.4 bioEnroll: authenticatorBioEnrollment, true once a template is enrolled;
                // uvBioEnroll: a built-in UV token may carry the be permission (§6.5.5.7.3).
                options.push(("bioEnroll", device.uv_enrolled));
                options.push(("uvBioEnroll", true));
            }
        }
    }
    if config.uv != UvCapability::None {
        // §6.4: pinUvAuthToken is true whenever clientPin or uv is supported.
        options.push(("pinUvAuthToken", true));
        // Non-discoverable credentials without UV stay possible on a protected device, unless
        // alwaysUv is on (§6.4: makeCredUvNotRqd is then false).
        options.push(("makeCredUvNotRqd", !device.always_uv));
        options.push(("credMgmt", true));
        options.push(("authnrCfg", true));
        options.push(("alwaysUv", device.always_uv));
    }
    if client_pin {
        options.push(("setMinPINLength", true));
    }
    // §6.4 largeBlobs: authenticatorLargeBlobs is supported.
    options.push(("largeBlobs", true));
    let pin_uv_auth_protocols =
        if config.uv != UvCapability::None || extensions.hmac_secret { vec![2, 1] } else { Vec::new() };
    let remaining = config.max_resident_credentials.saturating_sub(device.resident_count);
    let info = GetInfoResponse {
        versions: vec!["U2F_V2", "FIDO_2_0", "FIDO_2_1"],
        extensions: extension_ids,
        aaguid: attestation::aaguid(config.model()),
        options,
        max_msg_size: MAX_MSG_SIZE,
        pin_uv_auth_protocols,
        max_credential_count_in_list: Some(MAX_CREDENTIAL_COUNT_IN_LIST as u32),
        max_credential_id_length: Some(MAX_CREDENTIAL_ID_LENGTH as u32),
        transports: Some(vec!["usb"]),
        algorithms: Some(config.algorithms.iter().map(|a| a.cose_id()).collect()),
        max_serialized_large_blob_array: Some(MAX_SERIALIZED_LARGE_BLOB_ARRAY as u32),
        force_pin_change: client_pin.then_some(device.force_pin_change),
        min_pin_length: client_pin.then_some(u32::from(device.min_pin_length)),
        firmware_version: Some(1),
        max_cred_blob_length: extensions.cred_blob.then_some(MAX_CRED_BLOB_LENGTH as u32),
        max_rp_ids_for_set_min_pin_length: client_pin.then_some(MAX_RP_IDS_FOR_SET_MIN_PIN_LENGTH as u32),
        uv_modality: match config.uv {
            UvCapability::Builtin { modality, .. } => Some(modality.fido_uvm_bit()),
            _ => None,
        },
        remaining_discoverable_credentials: Some(u32::try_from(remaining).unwrap_or(u32::MAX)),
    };
    match config.generation {
        Generation::Ctap20 => ctap20::as_ctap20(info),
        Generation::Ctap21Pre => generation::as_preview(info),
        // A U2F key answers no CBOR command (see `generation::admitted_command`).
        Generation::Ctap21 | Generation::U2f => info,
    }
}
